package autograd

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"feedforward.dev/feedforward/pkg/devicedata"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph ops read like maths
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"feedforward.dev/feedforward/pkg/backend"
)

// shapeDType is the dtype of the inputs and one-hot targets on the host and device.
const shapeDType = dtypes.Float32

// Options configures a Network. The zero value (or a nil *Options) gives a
// float32 network on the default backend, initialised with seed 0, that trains
// correctly (gradients are zeroed every epoch).
type Options struct {
	// DType of the parameters and of the computation: dtypes.Float32 (the
	// default when left as dtypes.InvalidDType) or dtypes.Float64, used by
	// gradient checks. Inputs are always []float32 and are converted on the device.
	DType dtypes.DType

	// AccumulateGradients reproduces the "forgot to zero the gradients" bug: a
	// gradient buffer persists across epochs, each epoch adds its gradient to
	// it, and the update uses the accumulated sum instead of this epoch's gradient.
	AccumulateGradients bool

	// Seed is the seed New passes to InitWeights.
	Seed uint64

	// Backend runs the computations; nil means backend.New().
	Backend backends.Backend

	// EvalBatchSize is the number of rows Predict, Accuracy and Loss process at
	// a time, to bound memory on large sets; 0 means all rows at once.
	// Training is always full-batch.
	EvalBatchSize int
}

// Layer holds one layer's parameters as float64, whatever the network's DType.
type Layer struct {
	// In and Out are the layer's numbers of inputs and units.
	In, Out int
	// W is the In×Out weight matrix, row-major: W[i*Out+j] connects input i to unit j.
	W []float64
	// B holds the Out biases.
	B []float64
}

// Network is a fully connected feedforward network trained by full-batch
// gradient descent with gradients from graph.Gradient. Create it with New.
// A Network is not safe for concurrent use.
type Network struct {
	shape      []int
	dtype      dtypes.DType
	accumulate bool
	evalBatch  int
	backend    backends.Backend

	params []*tensors.Tensor // W1, b1, W2, b2, ... on the device
	acc    []*tensors.Tensor // accumulated gradients (AccumulateGradients only)
	epoch  int

	stepExec, predictExec, lossExec, gradExec *Exec
	stepBuilds                                int // how many times stepGraph was traced; tests check it stays 1

	data   *devicedata.Cache
	oneHot devicedata.OneHot
}

// MaxClasses is the largest number of outputs a Network accepts: labels are uint8.
const MaxClasses = 256

// New returns a network of the given shape: shape[0] inputs, one hidden ReLU
// layer per middle entry, and shape[len(shape)-1] softmax outputs, with weights
// drawn by InitWeights(opts.Seed). opts may be nil.
func New(shape []int, opts *Options) (*Network, error) {
	if opts == nil {
		opts = &Options{}
	}
	if err := ValidateShape(shape); err != nil {
		return nil, err
	}
	dtype := opts.DType
	if dtype == dtypes.InvalidDType {
		dtype = dtypes.Float32
	}
	if dtype != dtypes.Float32 && dtype != dtypes.Float64 {
		return nil, fmt.Errorf("autograd: Options.DType is %s; use dtypes.Float32 (the default) or dtypes.Float64", dtype)
	}
	if opts.EvalBatchSize < 0 {
		return nil, fmt.Errorf("autograd: Options.EvalBatchSize is %d; use 0 (all rows at once) or a positive number of rows", opts.EvalBatchSize)
	}
	b := opts.Backend
	if b == nil {
		var err error
		if b, err = backend.New(); err != nil {
			return nil, fmt.Errorf("autograd: %w", err)
		}
	}
	n := &Network{
		shape:      slices.Clone(shape),
		dtype:      dtype,
		accumulate: opts.AccumulateGradients,
		evalBatch:  opts.EvalBatchSize,
		backend:    b,
		data:       devicedata.NewCache(b, 32),
	}
	if err := n.InitWeights(opts.Seed); err != nil {
		return nil, err
	}
	return n, nil
}

// ValidateShape reports whether shape describes a network: at least an input
// and an output size, all positive, and at most MaxClasses outputs.
func ValidateShape(shape []int) error {
	if len(shape) < 2 {
		return fmt.Errorf("autograd: shape %v needs at least 2 sizes (inputs and outputs), e.g. [784 300 100 10]", shape)
	}
	for i, s := range shape {
		if s <= 0 {
			return fmt.Errorf("autograd: shape %v has size %d at position %d; every layer needs a positive number of units", shape, s, i)
		}
	}
	if k := shape[len(shape)-1]; k > MaxClasses {
		return fmt.Errorf("autograd: shape %v has %d outputs; labels are uint8, so use at most %d classes", shape, k, MaxClasses)
	}
	return nil
}

// Shape returns a copy of the network's shape.
func (n *Network) Shape() []int { return slices.Clone(n.shape) }

// DType returns the dtype of the parameters and computations.
func (n *Network) DType() dtypes.DType { return n.dtype }

// Epoch returns the number of epochs trained since the last InitWeights.
func (n *Network) Epoch() int { return n.epoch }

// AccumulatesGradients reports whether the network reproduces the
// forgot-to-zero-the-gradients bug (Options.AccumulateGradients).
func (n *Network) AccumulatesGradients() bool { return n.accumulate }

func (n *Network) numLayers() int { return len(n.shape) - 1 }

// InitWeights draws every weight and bias independently and uniformly from
// [-1/√n_in, 1/√n_in), where n_in is the number of inputs of its layer, using a
// generator seeded with seed: the same seed gives the same parameters. It also
// clears the accumulated gradients and the epoch count.
func (n *Network) InitWeights(seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	layers := make([]Layer, n.numLayers())
	for l := range layers {
		in, out := n.shape[l], n.shape[l+1]
		bound := 1 / math.Sqrt(float64(in))
		ly := Layer{In: in, Out: out, W: make([]float64, in*out), B: make([]float64, out)}
		for i := range ly.W {
			ly.W[i] = (2*rng.Float64() - 1) * bound
		}
		for i := range ly.B {
			ly.B[i] = (2*rng.Float64() - 1) * bound
		}
		layers[l] = ly
	}
	if err := n.SetParams(layers); err != nil {
		return err
	}
	n.epoch = 0
	return n.resetAccumulators()
}

// resetAccumulators sets the accumulated gradients to zero.
func (n *Network) resetAccumulators() error {
	freeAll(n.acc)
	n.acc = nil
	if !n.accumulate {
		return nil
	}
	for l := range n.numLayers() {
		in, out := n.shape[l], n.shape[l+1]
		w, err := n.upload(make([]float64, in*out), in, out)
		if err != nil {
			return err
		}
		b, err := n.upload(make([]float64, out), out)
		if err != nil {
			return err
		}
		n.acc = append(n.acc, w, b)
	}
	return nil
}

// Params copies the parameters from the device. Params()[0].W holds the first
// layer's weights, e.g. to check the mean and standard deviation of the initialisation.
func (n *Network) Params() ([]Layer, error) {
	return n.download(n.params)
}

// SetParams replaces the parameters, for example to start from weights saved
// elsewhere. The layers must match the network's shape. The accumulated
// gradients, if any, are kept.
func (n *Network) SetParams(layers []Layer) error {
	if len(layers) != n.numLayers() {
		return fmt.Errorf("autograd: SetParams got %d layers; the network of shape %v has %d", len(layers), n.shape, n.numLayers())
	}
	var ts []*tensors.Tensor
	for l, ly := range layers {
		in, out := n.shape[l], n.shape[l+1]
		if ly.In != in || ly.Out != out || len(ly.W) != in*out || len(ly.B) != out {
			freeAll(ts)
			return fmt.Errorf("autograd: SetParams layer %d is %d→%d with %d weights and %d biases; the network needs %d→%d with %d weights and %d biases",
				l, ly.In, ly.Out, len(ly.W), len(ly.B), in, out, in*out, out)
		}
		w, err := n.upload(ly.W, in, out)
		if err != nil {
			freeAll(ts)
			return err
		}
		b, err := n.upload(ly.B, out)
		if err != nil {
			freeAll(ts, w)
			return err
		}
		ts = append(ts, w, b)
	}
	freeAll(n.params)
	n.params = ts
	return nil
}

// upload converts float64 values to the network's dtype and puts them on the device.
func (n *Network) upload(v []float64, dims ...int) (*tensors.Tensor, error) {
	var t *tensors.Tensor
	if n.dtype == dtypes.Float64 {
		t = tensors.FromFlatDataAndDimensions(slices.Clone(v), dims...)
	} else {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		t = tensors.FromFlatDataAndDimensions(f, dims...)
	}
	if err := t.MaterializeOnDevice(n.backend, false, 0); err != nil {
		return nil, fmt.Errorf("autograd: moving parameters to the device: %w", err)
	}
	return t, nil
}

// download copies parameter-shaped tensors (W1, b1, ...) to []Layer.
func (n *Network) download(ts []*tensors.Tensor) ([]Layer, error) {
	layers := make([]Layer, n.numLayers())
	for l := range layers {
		w, err := toFloat64(ts[2*l])
		if err != nil {
			return nil, err
		}
		b, err := toFloat64(ts[2*l+1])
		if err != nil {
			return nil, err
		}
		layers[l] = Layer{In: n.shape[l], Out: n.shape[l+1], W: w, B: b}
	}
	return layers, nil
}

func toFloat64(t *tensors.Tensor) ([]float64, error) {
	switch t.DType() {
	case dtypes.Float64:
		return tensors.CopyFlatData[float64](t)
	case dtypes.Float32:
		f, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return nil, err
		}
		out := make([]float64, len(f))
		for i, x := range f {
			out[i] = float64(x)
		}
		return out, nil
	}
	return nil, fmt.Errorf("autograd: unexpected tensor dtype %s", t.DType())
}

func scalarFloat64(t *tensors.Tensor) (float64, error) {
	v, err := toFloat64(t)
	if err != nil {
		return 0, err
	}
	if len(v) != 1 {
		return 0, fmt.Errorf("autograd: expected a scalar, got shape %s", t.Shape())
	}
	return v[0], nil
}

func freeAll(groups ...any) {
	for _, g := range groups {
		switch v := g.(type) {
		case []*tensors.Tensor:
			for _, t := range v {
				if t != nil {
					_ = t.FinalizeAll()
				}
			}
		case *tensors.Tensor:
			if v != nil {
				_ = v.FinalizeAll()
			}
		}
	}
}

// rows checks that X holds whole rows of shape[0] features and returns their number.
func (n *Network) rows(X []float32) (int, error) {
	f := n.shape[0]
	if len(X) == 0 {
		return 0, errors.New("autograd: X is empty; pass at least one example of " + fmt.Sprint(f) + " features")
	}
	if len(X)%f != 0 {
		return 0, fmt.Errorf("autograd: len(X)=%d is not a multiple of the %d input features; X must hold N rows of %d values, row-major", len(X), f, f)
	}
	return len(X) / f, nil
}

// targets returns the one-hot targets for N examples, from y1hot or, when it
// is nil, from the labels y.
func (n *Network) targets(N int, y []uint8, y1hot []float32) ([]float32, error) {
	t, err := n.oneHot.Targets(N, n.shape[len(n.shape)-1], y, y1hot)
	if err != nil {
		return nil, fmt.Errorf("autograd: %w", err)
	}
	return t, nil
}

// lrArg is the learning rate as a scalar of the network's dtype.
func (n *Network) lrArg(lr float64) any {
	if n.dtype == dtypes.Float64 {
		return lr
	}
	return float32(lr)
}

// inputs converts the float32 inputs and targets to the network's dtype.
func (n *Network) inputs(x, t *Node) (*Node, *Node) {
	if n.dtype != shapeDType {
		x = ConvertDType(x, n.dtype)
		if t != nil {
			t = ConvertDType(t, n.dtype)
		}
	}
	return x, t
}

// TrainOneEpoch takes one full-batch gradient-descent step on all the rows of
// X (N×shape[0], row-major) and returns the average cross-entropy over X
// before the step.
//
// The targets are y1hot (N×classes) when it is not nil, and otherwise the
// one-hot encoding of the labels y (N entries). lr is the learning rate η.
// Passing the same X again reuses its device copy.
//
// If the loss is NaN or infinite, TrainOneEpoch returns an error that names
// the epoch; the learning rate is then too large.
func (n *Network) TrainOneEpoch(X []float32, y []uint8, y1hot []float32, lr float64) (float64, error) {
	if !(lr > 0) || math.IsInf(lr, 0) {
		return 0, fmt.Errorf("autograd: learning rate %v must be a positive finite number, e.g. 0.1", lr)
	}
	N, err := n.rows(X)
	if err != nil {
		return 0, err
	}
	if y != nil && len(y) != N {
		return 0, fmt.Errorf("autograd: len(y)=%d labels for %d examples in X; pass one label per row of X", len(y), N)
	}
	t, err := n.targets(N, y, y1hot)
	if err != nil {
		return 0, err
	}
	xt, err := n.data.Float32s(X, N, n.shape[0])
	if err != nil {
		return 0, fmt.Errorf("autograd: moving X to the device: %w", err)
	}
	tt, err := n.data.Float32s(t, N, n.shape[len(n.shape)-1])
	if err != nil {
		return 0, fmt.Errorf("autograd: moving the targets to the device: %w", err)
	}
	if n.stepExec == nil {
		installDotGradient()
		if n.stepExec, err = NewExec(n.backend, n.stepGraph); err != nil {
			return 0, fmt.Errorf("autograd: building the training step: %w", err)
		}
	}
	args := []any{xt, tt, n.lrArg(lr)}
	for _, p := range n.params {
		args = append(args, p)
	}
	for _, a := range n.acc {
		args = append(args, a)
	}
	out, err := n.stepExec.Exec(args...)
	if err != nil {
		return 0, fmt.Errorf("autograd: training step: %w", err)
	}
	np := len(n.params)
	freeAll(n.params, n.acc)
	n.params = out[1 : 1+np]
	if n.accumulate {
		n.acc = out[1+np:]
	}
	n.epoch++
	loss, err := scalarFloat64(out[0])
	freeAll(out[0])
	if err != nil {
		return 0, err
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, fmt.Errorf("autograd: epoch %d: the loss is %v, training diverged; call InitWeights (or start a new network) and use a smaller learning rate than %.3g (e.g. %.3g)",
			n.epoch, loss, lr, lr/10)
	}
	return loss, nil
}

// stepGraph builds one training step. Inputs: x, t (float32), lr, then the
// parameters, then (AccumulateGradients only) the accumulated gradients.
// Outputs: the loss before the step, the new parameters, the new accumulators.
func (n *Network) stepGraph(in []*Node) []*Node {
	n.stepBuilds++
	x, t := n.inputs(in[0], in[1])
	lr := in[2]
	np := 2 * n.numLayers()
	params := in[3 : 3+np]
	loss := averageCrossEntropy(logits(x, params), t)
	grads := Gradient(loss, params...)
	out := []*Node{loss}
	var accs []*Node
	for i, p := range params {
		step := grads[i]
		if n.accumulate {
			// The bug: the gradient buffer is never zeroed, so it holds the sum of
			// every epoch's gradient, and the update uses that sum.
			step = Add(in[3+np+i], grads[i])
			accs = append(accs, step)
		}
		out = append(out, Sub(p, Mul(lr, step)))
	}
	return append(out, accs...)
}

// Loss returns the average cross-entropy of the network on X against the
// one-hot encoding of the labels y, without training.
func (n *Network) Loss(X []float32, y []uint8) (float64, error) {
	N, err := n.rows(X)
	if err != nil {
		return 0, err
	}
	t, err := n.targets(N, y, nil)
	if err != nil {
		return 0, err
	}
	if n.lossExec == nil {
		if n.lossExec, err = NewExec(n.backend, n.lossGraph); err != nil {
			return 0, fmt.Errorf("autograd: building the loss: %w", err)
		}
	}
	k := n.shape[len(n.shape)-1]
	var sum float64
	err = n.chunks(N, func(lo, hi int) error {
		xt, err := n.data.Float32s(X[lo*n.shape[0]:hi*n.shape[0]], hi-lo, n.shape[0])
		if err != nil {
			return err
		}
		tt, err := n.data.Float32s(t[lo*k:hi*k], hi-lo, k)
		if err != nil {
			return err
		}
		out, err := n.lossExec.Exec(n.paramArgs(xt, tt)...)
		if err != nil {
			return err
		}
		l, err := scalarFloat64(out[0])
		freeAll(out)
		sum += l * float64(hi-lo)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("autograd: loss: %w", err)
	}
	return sum / float64(N), nil
}

func (n *Network) lossGraph(in []*Node) *Node {
	x, t := n.inputs(in[0], in[1])
	return averageCrossEntropy(logits(x, in[2:]), t)
}

// Gradients returns the gradient of the average cross-entropy on (X, y) with
// respect to every weight and bias, in the layout of Params, without training.
// It always uses all rows at once.
func (n *Network) Gradients(X []float32, y []uint8) ([]Layer, error) {
	N, err := n.rows(X)
	if err != nil {
		return nil, err
	}
	t, err := n.targets(N, y, nil)
	if err != nil {
		return nil, err
	}
	xt, err := n.data.Float32s(X, N, n.shape[0])
	if err != nil {
		return nil, err
	}
	tt, err := n.data.Float32s(t, N, n.shape[len(n.shape)-1])
	if err != nil {
		return nil, err
	}
	if n.gradExec == nil {
		installDotGradient()
		if n.gradExec, err = NewExec(n.backend, n.gradGraph); err != nil {
			return nil, fmt.Errorf("autograd: building the gradients: %w", err)
		}
	}
	out, err := n.gradExec.Exec(n.paramArgs(xt, tt)...)
	if err != nil {
		return nil, fmt.Errorf("autograd: gradients: %w", err)
	}
	defer freeAll(out)
	return n.download(out)
}

func (n *Network) gradGraph(in []*Node) []*Node {
	x, t := n.inputs(in[0], in[1])
	params := in[2:]
	return Gradient(averageCrossEntropy(logits(x, params), t), params...)
}

// paramArgs returns the Exec arguments: the given tensors, then the parameters.
func (n *Network) paramArgs(first ...*tensors.Tensor) []any {
	args := make([]any, 0, len(first)+len(n.params))
	for _, t := range first {
		args = append(args, t)
	}
	for _, p := range n.params {
		args = append(args, p)
	}
	return args
}

// chunks calls fn on consecutive row ranges [lo, hi) of at most EvalBatchSize rows.
func (n *Network) chunks(N int, fn func(lo, hi int) error) error {
	size := n.evalBatch
	if size <= 0 || size > N {
		size = N
	}
	for lo := 0; lo < N; lo += size {
		if err := fn(lo, min(lo+size, N)); err != nil {
			return err
		}
	}
	return nil
}

// Predict returns the predicted class of every row of X (N×shape[0],
// row-major): the argmax of the output layer's softmax activations.
func (n *Network) Predict(X []float32) ([]uint8, error) {
	N, err := n.rows(X)
	if err != nil {
		return nil, err
	}
	if n.predictExec == nil {
		if n.predictExec, err = NewExec(n.backend, n.predictGraph); err != nil {
			return nil, fmt.Errorf("autograd: building predict: %w", err)
		}
	}
	pred := make([]uint8, 0, N)
	f := n.shape[0]
	err = n.chunks(N, func(lo, hi int) error {
		xt, err := n.data.Float32s(X[lo*f:hi*f], hi-lo, f)
		if err != nil {
			return err
		}
		out, err := n.predictExec.Exec(n.paramArgs(xt)...)
		if err != nil {
			return err
		}
		defer freeAll(out)
		idx, err := tensors.CopyFlatData[int32](out[0])
		if err != nil {
			return err
		}
		for _, c := range idx {
			pred = append(pred, uint8(c))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("autograd: predict: %w", err)
	}
	return pred, nil
}

func (n *Network) predictGraph(in []*Node) *Node {
	x, _ := n.inputs(in[0], nil)
	return ConvertDType(predictGraph(x, in[1:]), dtypes.Int32)
}

// Accuracy returns the fraction of rows of X whose predicted class equals y.
func (n *Network) Accuracy(X []float32, y []uint8) (float64, error) {
	pred, err := n.Predict(X)
	if err != nil {
		return 0, err
	}
	if len(y) != len(pred) {
		return 0, fmt.Errorf("autograd: len(y)=%d labels for %d examples in X; pass one label per row of X", len(y), len(pred))
	}
	correct := 0
	for i, p := range pred {
		if p == y[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(y)), nil
}

// Close frees the network's device memory: parameters, accumulated gradients,
// cached inputs and compiled graphs. The network must not be used afterwards.
func (n *Network) Close() {
	freeAll(n.params, n.acc)
	n.params, n.acc = nil, nil
	n.data.Clear()
	for _, e := range []*Exec{n.stepExec, n.predictExec, n.lossExec, n.gradExec} {
		if e != nil {
			e.Finalize()
		}
	}
	n.stepExec, n.predictExec, n.lossExec, n.gradExec = nil, nil, nil, nil
}
