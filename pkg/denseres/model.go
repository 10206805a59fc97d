package denseres

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// Float is the element type of a Model: float32 for speed, float64 for
// gradient checks.
type Float interface {
	float32 | float64
}

// Config describes a Model.
type Config struct {
	// Input is d, the number of input features (784 for MNIST).
	Input int
	// Hidden is h, the width of the three hidden layers (256 in the homework).
	Hidden int
	// Classes is C, the number of output classes (10 for MNIST).
	Classes int
	// LayerNorm selects the homework's model (true) or the variant without
	// LayerNorm, which keeps the dense and residual connections: H = ReLU(Z (+ residual)).
	LayerNorm bool
	// Seed seeds the He initialisation.
	Seed uint64
}

func (c Config) validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"Input", c.Input}, {"Hidden", c.Hidden}, {"Classes", c.Classes}} {
		if f.v <= 0 {
			return fmt.Errorf("denseres: Config.%s = %d; it must be positive (MNIST: Input 784, Hidden 256, Classes 10)", f.name, f.v)
		}
	}
	if c.Classes > 256 {
		return fmt.Errorf("denseres: Config.Classes = %d, but labels are uint8; use at most 256 classes", c.Classes)
	}
	return nil
}

// evalChunk is the number of rows Loss, Accuracy and Predict push through the
// network at a time, so that evaluating 60 000 images needs no giant buffers.
const evalChunk = 256

// Model is the homework's dense residual MLP (Q5), with forward and backward
// passes written by hand. See the package documentation for the equations.
//
// Parameters are stored row-major with the bias as the last row of each weight
// matrix (AppendOnes appends the column of ones on the right):
// W1 is (d+1)×h, W2 (d+h+1)×h, W3 (d+2h+1)×h, W4 (h+1)×C; γℓ and βℓ have h entries.
//
// A Model reuses its buffers: after the largest batch has been seen, training
// steps and evaluation allocate nothing. A Model is not safe for concurrent use.
type Model[T Float] struct {
	cfg Config

	w            [4][]T
	gamma, beta  [3][]T
	dw           [4][]T
	dgamma, dbet [3][]T

	// part holds per-worker partial column sums (dγ, dβ, bias gradient) of the
	// row-parallel backward passes.
	part [maxWorkers]struct{ dgamma, dbeta, dbias []T }
	// dbias is the reduced bias gradient of the current layer.
	dbias []T

	train, eval workspace[T]
	haveGrads   bool

	job rowPass[T]
	wg  sync.WaitGroup
}

// workspace holds the activations of one batch: everything the backward pass
// needs, in buffers sized for the largest batch seen.
type workspace[T Float] struct {
	cap, rows int
	// a is the dense concatenation [X ‖ H1 ‖ H2], rows×(d+2h). Its first d+h
	// columns are C1 and all of it is C2, so the three first layers multiply
	// views of one buffer and X is copied once per batch. (The ones column of
	// AppendOnes is not stored: the bias row is added in the fused pass.)
	a []T
	// z[ℓ] holds ẑ of layer ℓ+1 with LayerNorm, its pre-activation s without.
	z         [3][]T
	mu, sigma [3][]T
	h3        []T // H3, rows×h
	logp      []T // log-softmax output, rows×C
	// Backward only.
	dz4 []T // ∂L/∂Z4, rows×C
	ds  []T // ∂L/∂S of the current layer, rows×h (S = Z(+residual), the LN input)
	g   []T // [∂L/∂H1 ‖ ∂L/∂H2] gathered from the concatenations, rows×2h
}

// New returns a Model with He-initialised weights: the weight rows of each
// matrix are drawn from N(0, 2/fan_in), where fan_in excludes the bias row, the
// bias rows are 0, γ = 1 and β = 0 — the convention of the numpy reference.
// The draws use a PCG generator seeded with cfg.Seed, in float64, in the order
// W1, W2, W3, W4, so float32 and float64 models with the same Config start from
// the same (rounded) parameters.
func New[T Float](cfg Config) (*Model[T], error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	d, h, c := cfg.Input, cfg.Hidden, cfg.Classes
	m := &Model[T]{cfg: cfg}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	fanIn := [4]int{d, d + h, d + 2*h, h}
	for l, fi := range fanIn {
		cols := h
		if l == 3 {
			cols = c
		}
		m.w[l] = make([]T, (fi+1)*cols)
		m.dw[l] = make([]T, (fi+1)*cols)
		std := math.Sqrt(2 / float64(fi))
		for i := range fi * cols {
			m.w[l][i] = T(rng.NormFloat64() * std)
		}
	}
	for l := range 3 {
		m.gamma[l] = make([]T, h)
		for j := range m.gamma[l] {
			m.gamma[l][j] = 1
		}
		m.beta[l] = make([]T, h)
		m.dgamma[l] = make([]T, h)
		m.dbet[l] = make([]T, h)
	}
	for w := range m.part {
		m.part[w].dgamma = make([]T, h)
		m.part[w].dbeta = make([]T, h)
		m.part[w].dbias = make([]T, max(h, c))
	}
	m.dbias = make([]T, max(h, c))
	m.job.m = m
	return m, nil
}

// Config returns the configuration the Model was built with.
func (m *Model[T]) Config() Config { return m.cfg }

// fanIn returns the number of non-bias rows of W_{l+1}.
func (m *Model[T]) fanIn(l int) int {
	d, h := m.cfg.Input, m.cfg.Hidden
	return [4]int{d, d + h, d + 2*h, h}[l]
}

func (ws *workspace[T]) ensure(cfg Config, rows int, backward bool) {
	d, h, c := cfg.Input, cfg.Hidden, cfg.Classes
	if rows > ws.cap {
		ws.cap = rows
		ws.a = make([]T, rows*(d+2*h))
		for l := range 3 {
			ws.z[l] = make([]T, rows*h)
			ws.mu[l] = make([]T, rows)
			ws.sigma[l] = make([]T, rows)
		}
		ws.h3 = make([]T, rows*h)
		ws.logp = make([]T, rows*c)
		ws.dz4, ws.ds, ws.g = nil, nil, nil
	}
	if backward && len(ws.ds) < ws.cap*h {
		ws.dz4 = make([]T, ws.cap*c)
		ws.ds = make([]T, ws.cap*h)
		ws.g = make([]T, ws.cap*2*h)
	}
	ws.rows = rows
}

// checkBatch validates x and labels (labels may be nil) against rows.
func (m *Model[T]) checkBatch(x []T, labels []uint8, rows int, what string) error {
	d := m.cfg.Input
	if rows <= 0 {
		return fmt.Errorf("denseres: %s: batch size %d; pass at least one sample", what, rows)
	}
	if len(x) != rows*d {
		return fmt.Errorf("denseres: %s: len(x) = %d, want batch×Input = %d×%d = %d (x is row-major, one sample per row)", what, len(x), rows, d, rows*d)
	}
	if labels != nil {
		if len(labels) != rows {
			return fmt.Errorf("denseres: %s: %d labels for a batch of %d; pass one label per sample", what, len(labels), rows)
		}
		if err := m.checkLabels(labels, what); err != nil {
			return err
		}
	}
	return nil
}

func (m *Model[T]) checkLabels(labels []uint8, what string) error {
	for i, y := range labels {
		if int(y) >= m.cfg.Classes {
			return fmt.Errorf("denseres: %s: label[%d] = %d but the model has %d classes; labels must be in [0, %d)", what, i, y, m.cfg.Classes, m.cfg.Classes)
		}
	}
	return nil
}

// Forward runs the network on a batch of batch samples (x is batch×Input,
// row-major) and caches every activation that Backward needs. It returns the
// log-probabilities, batch×Classes; the slice is the Model's own buffer,
// valid until the next Forward or training step.
func (m *Model[T]) Forward(x []T, batch int) ([]T, error) {
	if err := m.checkBatch(x, nil, batch, "Forward"); err != nil {
		return nil, err
	}
	m.haveGrads = false
	m.train.ensure(m.cfg, batch, true)
	m.forward(&m.train, x)
	return m.train.logp[:batch*m.cfg.Classes], nil
}

// Backward computes the gradients of the mean negative log-likelihood of the
// batch given to the last Forward, for every parameter, and returns that loss.
// It does not change the parameters: Step does. Anything that changes the
// parameters (Step, TrainBatch, SetParam) invalidates the cached forward pass,
// since its activations belong to the old parameters; Backward then asks for a
// new Forward instead of returning stale gradients.
func (m *Model[T]) Backward(labels []uint8) (loss T, err error) {
	ws := &m.train
	if ws.rows == 0 {
		return 0, fmt.Errorf("denseres: Backward: no forward pass is cached; call Forward (or use TrainBatch)")
	}
	if len(labels) != ws.rows {
		return 0, fmt.Errorf("denseres: Backward: %d labels for the cached batch of %d; pass one label per sample of the last Forward", len(labels), ws.rows)
	}
	if err := m.checkLabels(labels, "Backward"); err != nil {
		return 0, err
	}
	loss = m.backward(ws, labels, false, 0)
	m.haveGrads = true
	return loss, nil
}

// Step applies one SGD update, θ ← θ − lr·∂L/∂θ, with the gradients of the
// last Backward or LossAndGrads.
func (m *Model[T]) Step(lr T) error {
	if !m.haveGrads {
		return fmt.Errorf("denseres: Step: no gradients; call Backward (or LossAndGrads) first, or use TrainBatch")
	}
	m.step(lr)
	m.train.rows = 0 // the cached activations belong to the old parameters
	return nil
}

// TrainBatch does one SGD step on a batch (x is len(labels)×Input) and returns
// the batch's mean loss before the update. It equals Forward, Backward and Step,
// but applies each weight update inside the matrix product that computes its
// gradient (W ← W − lr·Aᵀ·dS as one GEMM with β = 1), so the gradients are never
// stored; after TrainBatch, Step reports that there are no gradients.
func (m *Model[T]) TrainBatch(x []T, labels []uint8, lr T) (loss T, err error) {
	rows := len(labels)
	if err := m.checkBatch(x, labels, rows, "TrainBatch"); err != nil {
		return 0, err
	}
	m.haveGrads = false
	m.train.ensure(m.cfg, rows, true)
	m.forward(&m.train, x)
	loss = m.backward(&m.train, labels, true, lr)
	m.train.rows = 0 // the cached activations belong to the old parameters
	return loss, nil
}

// LossAndGrads returns the mean loss of a batch and a copy of every gradient,
// keyed by the names of Params, without updating the parameters.
func (m *Model[T]) LossAndGrads(x []T, labels []uint8, batch int) (loss T, grads map[string][]T, err error) {
	if err := m.checkBatch(x, labels, batch, "LossAndGrads"); err != nil {
		return 0, nil, err
	}
	if _, err := m.Forward(x, batch); err != nil {
		return 0, nil, err
	}
	if loss, err = m.Backward(labels); err != nil {
		return 0, nil, err
	}
	grads = make(map[string][]T)
	for _, name := range m.Params() {
		grads[name] = slices.Clone(m.grad(name))
	}
	return loss, grads, nil
}

// Params returns the names of the parameters: "W1".."W4" and, with LayerNorm,
// "gamma1".."gamma3" and "beta1".."beta3".
func (m *Model[T]) Params() []string {
	names := []string{"W1", "W2", "W3", "W4"}
	if m.cfg.LayerNorm {
		names = append(names, "gamma1", "gamma2", "gamma3", "beta1", "beta2", "beta3")
	}
	return names
}

// param returns the live slice and shape of a parameter, or nil.
func (m *Model[T]) param(name string) ([]T, []int) {
	switch name {
	case "W1", "W2", "W3", "W4":
		l := int(name[1] - '1')
		cols := m.cfg.Hidden
		if l == 3 {
			cols = m.cfg.Classes
		}
		return m.w[l], []int{m.fanIn(l) + 1, cols}
	}
	if !m.cfg.LayerNorm {
		return nil, nil
	}
	switch name {
	case "gamma1", "gamma2", "gamma3":
		return m.gamma[name[5]-'1'], []int{m.cfg.Hidden}
	case "beta1", "beta2", "beta3":
		return m.beta[name[4]-'1'], []int{m.cfg.Hidden}
	}
	return nil, nil
}

func (m *Model[T]) grad(name string) []T {
	switch name {
	case "W1", "W2", "W3", "W4":
		return m.dw[name[1]-'1']
	case "gamma1", "gamma2", "gamma3":
		return m.dgamma[name[5]-'1']
	case "beta1", "beta2", "beta3":
		return m.dbet[name[4]-'1']
	}
	return nil
}

// Param returns a copy of the named parameter and its shape ([rows, cols] for
// a weight matrix, whose last row is the bias; [h] for γ and β).
func (m *Model[T]) Param(name string) (values []T, shape []int, err error) {
	p, shape := m.param(name)
	if p == nil {
		return nil, nil, fmt.Errorf("denseres: no parameter %q; the names are %q", name, m.Params())
	}
	return slices.Clone(p), shape, nil
}

// SetParam overwrites the named parameter with values (same layout as Param).
// It discards the cached forward pass and gradients.
func (m *Model[T]) SetParam(name string, values []T) error {
	p, shape := m.param(name)
	if p == nil {
		return fmt.Errorf("denseres: no parameter %q; the names are %q", name, m.Params())
	}
	if len(values) != len(p) {
		return fmt.Errorf("denseres: SetParam(%q): %d values, want %d (shape %v)", name, len(values), len(p), shape)
	}
	copy(p, values)
	m.train.rows, m.haveGrads = 0, false
	return nil
}

// evalChunks runs the forward pass over x in chunks of evalChunk rows and calls
// fn with each chunk's first row and log-probabilities.
func (m *Model[T]) evalChunks(x []T, rows int, fn func(first int, logp []T)) {
	d, c := m.cfg.Input, m.cfg.Classes
	m.eval.ensure(m.cfg, min(rows, evalChunk), false)
	for first := 0; first < rows; first += evalChunk {
		n := min(evalChunk, rows-first)
		m.eval.rows = n
		m.forward(&m.eval, x[first*d:(first+n)*d])
		fn(first, m.eval.logp[:n*c])
	}
}

// Loss returns the mean negative log-likelihood over the whole data set
// (x is len(labels)×Input). It evaluates in chunks and does not disturb a
// cached forward pass.
func (m *Model[T]) Loss(x []T, labels []uint8) (T, error) {
	if err := m.checkBatch(x, labels, len(labels), "Loss"); err != nil {
		return 0, err
	}
	c := m.cfg.Classes
	var sum float64
	m.evalChunks(x, len(labels), func(first int, logp []T) {
		for i := range len(logp) / c {
			sum -= float64(logp[i*c+int(labels[first+i])])
		}
	})
	return T(sum / float64(len(labels))), nil
}

// Accuracy returns the fraction of samples whose most likely class is their
// label (x is len(labels)×Input).
func (m *Model[T]) Accuracy(x []T, labels []uint8) (float64, error) {
	if err := m.checkBatch(x, labels, len(labels), "Accuracy"); err != nil {
		return 0, err
	}
	c := m.cfg.Classes
	correct := 0
	m.evalChunks(x, len(labels), func(first int, logp []T) {
		for i := range len(logp) / c {
			if argmax(logp[i*c:(i+1)*c]) == int(labels[first+i]) {
				correct++
			}
		}
	})
	return float64(correct) / float64(len(labels)), nil
}

// Predict returns the most likely class of every sample of x
// (len(x)/Input samples).
func (m *Model[T]) Predict(x []T) ([]int, error) {
	d, c := m.cfg.Input, m.cfg.Classes
	if len(x) == 0 || len(x)%d != 0 {
		return nil, fmt.Errorf("denseres: Predict: len(x) = %d is not a positive multiple of Input = %d; pass whole samples, row-major", len(x), d)
	}
	pred := make([]int, len(x)/d)
	m.evalChunks(x, len(pred), func(first int, logp []T) {
		for i := range len(logp) / c {
			pred[first+i] = argmax(logp[i*c : (i+1)*c])
		}
	})
	return pred, nil
}

func argmax[T Float](v []T) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
