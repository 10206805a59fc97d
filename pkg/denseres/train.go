package denseres

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"feedforward.dev/feedforward/pkg/mnist"
	"feedforward.dev/feedforward/pkg/progress"
)

// Set is a labelled data set in a Model's element type: X holds Len() samples
// of Features() values each, row-major, and Labels one class per sample.
type Set[T Float] struct {
	X      []T
	Labels []uint8
}

// Len returns the number of samples.
func (s Set[T]) Len() int { return len(s.Labels) }

// Rows returns the samples [lo, hi) as a Set sharing s's memory. Like
// slicing, it panics if 0 ≤ lo ≤ hi ≤ s.Len() does not hold.
func (s Set[T]) Rows(lo, hi int) Set[T] {
	d := s.features()
	return Set[T]{X: s.X[lo*d : hi*d], Labels: s.Labels[lo:hi]}
}

func (s Set[T]) features() int {
	if len(s.Labels) == 0 {
		return 0
	}
	return len(s.X) / len(s.Labels)
}

// FromMNIST returns the images and labels of d as a Set[T]. For float32 the
// Set shares d's memory; for float64 the pixels are converted (exactly).
func FromMNIST[T Float](d *mnist.Dataset) (Set[T], error) {
	if d == nil || d.N == 0 {
		return Set[T]{}, errors.New("denseres: FromMNIST: the data set is nil or empty; load it with mnist.Load")
	}
	if len(d.Images) != d.N*d.Features() || len(d.Labels) != d.N {
		return Set[T]{}, fmt.Errorf("denseres: FromMNIST: %d images of %d pixels and %d labels for N = %d; pass a data set from mnist.Load", len(d.Images)/max(d.Features(), 1), d.Features(), len(d.Labels), d.N)
	}
	if x, ok := any(d.Images).([]T); ok {
		return Set[T]{X: x, Labels: d.Labels}, nil
	}
	x := make([]T, len(d.Images))
	for i, v := range d.Images {
		x[i] = T(v)
	}
	return Set[T]{X: x, Labels: d.Labels}, nil
}

// checkSet validates a data set against the model.
func (m *Model[T]) checkSet(s Set[T], what string) error {
	if s.Len() == 0 {
		return fmt.Errorf("denseres: the %s set is empty; pass at least one sample", what)
	}
	if d := m.cfg.Input; len(s.X) != s.Len()*d {
		return fmt.Errorf("denseres: the %s set has len(X) = %d for %d labels, want %d×%d = %d (one row of Input features per label)", what, len(s.X), s.Len(), s.Len(), d, s.Len()*d)
	}
	return m.checkLabels(s.Labels, what+" set")
}

// TrainOptions are the settings of Train and TrainEarlyStopping.
type TrainOptions struct {
	// Epochs is the number of passes over the training set (for
	// TrainEarlyStopping, the largest number). At least 1.
	Epochs int
	// BatchSize is the number of samples per SGD step (the homework: 128).
	// Every epoch visits the samples in a fresh random order, in
	// ⌈N/BatchSize⌉ steps; the last step takes the remaining N mod BatchSize
	// samples if that is not 0 (as the numpy reference does).
	BatchSize int
	// LR is the learning rate η of θ ← θ − η·∂L/∂θ (the homework: 0.01 with
	// LayerNorm, 0.001 without).
	LR float64
	// Seed seeds the order of the samples (a PCG generator); the weights are
	// seeded by Config.Seed.
	Seed uint64
	// Progress shows a progress bar with an ETA: in a GoNB notebook as an
	// HTML line, elsewhere on ProgressWriter (nil: standard error).
	Progress       bool
	ProgressWriter io.Writer
	// Label names the run in the progress bar (default "training").
	Label string
	// OnEpoch (Train) and OnValEpoch (TrainEarlyStopping), if not nil, are
	// called after every epoch with its metrics, for example to print them.
	OnEpoch    func(Epoch)
	OnValEpoch func(ValEpoch)
}

func (o *TrainOptions) check(fn string) error {
	switch {
	case o.Epochs < 1:
		return fmt.Errorf("denseres: %s: TrainOptions.Epochs = %d; train for at least one epoch (the homework: 30)", fn, o.Epochs)
	case o.BatchSize < 1:
		return fmt.Errorf("denseres: %s: TrainOptions.BatchSize = %d; use a positive batch size (the homework: 128)", fn, o.BatchSize)
	case !(o.LR > 0) || math.IsInf(o.LR, 0):
		return fmt.Errorf("denseres: %s: TrainOptions.LR = %v; use a positive learning rate (the homework: 0.01 with LayerNorm, 0.001 without)", fn, o.LR)
	}
	return nil
}

// Epoch is one epoch's metrics, in the JSON shape of cmd/hw1-training.
type Epoch struct {
	// Epoch counts from 1.
	Epoch int `json:"epoch"`
	// Loss is the mean, over the epoch's SGD steps, of each batch's average
	// negative log-likelihood before its step (the numpy reference's
	// "mean loss").
	Loss float64 `json:"loss"`
	// TrainAcc and TestAcc are the accuracies on the whole training and test
	// sets after the epoch.
	TrainAcc float64 `json:"train_acc"`
	TestAcc  float64 `json:"test_acc"`
	// Seconds is the wall time of the epoch's SGD steps (shuffling, batching,
	// forward, backward and update), without the evaluations.
	Seconds float64 `json:"seconds"`
}

// ErrDiverged is wrapped by the error Train and TrainEarlyStopping return when
// the training loss becomes NaN or infinite.
var ErrDiverged = errors.New("training diverged")

// sgd runs epochs of shuffled mini-batch SGD on one training set.
type sgd[T Float] struct {
	m      *Model[T]
	train  Set[T]
	opts   *TrainOptions
	rng    *rand.Rand
	perm   []int
	xb     []T
	yb     []uint8
	bar    *progress.Bar
	steps  int // steps per epoch
	done   int // steps done, for the progress bar
	status string
}

// shuffleStream is the PCG stream of the sample order (the weights use another).
const shuffleStream = 0x5f3759df

func newSGD[T Float](m *Model[T], train Set[T], opts *TrainOptions, totalEpochs int) *sgd[T] {
	d := m.cfg.Input
	s := &sgd[T]{
		m: m, train: train, opts: opts,
		rng:   rand.New(rand.NewPCG(opts.Seed, shuffleStream)),
		perm:  make([]int, train.Len()),
		xb:    make([]T, opts.BatchSize*d),
		yb:    make([]uint8, opts.BatchSize),
		steps: (train.Len() + opts.BatchSize - 1) / opts.BatchSize,
	}
	if opts.Progress {
		label := opts.Label
		if label == "" {
			label = "training"
		}
		if opts.ProgressWriter != nil {
			s.bar = progress.NewWriter(opts.ProgressWriter, label, totalEpochs*s.steps)
		} else {
			s.bar = progress.New(label, totalEpochs*s.steps)
		}
	}
	return s
}

// epoch runs one epoch and returns the mean batch loss and the seconds spent.
func (s *sgd[T]) epoch(epoch int) (loss, seconds float64, err error) {
	start := time.Now()
	d, n, bs := s.m.cfg.Input, s.train.Len(), s.opts.BatchSize
	for i := range s.perm {
		s.perm[i] = i
	}
	s.rng.Shuffle(n, func(i, j int) { s.perm[i], s.perm[j] = s.perm[j], s.perm[i] })
	lr := T(s.opts.LR)
	var sum float64
	for step := range s.steps {
		idx := s.perm[step*bs : min((step+1)*bs, n)]
		for r, k := range idx {
			copy(s.xb[r*d:(r+1)*d], s.train.X[k*d:(k+1)*d])
			s.yb[r] = s.train.Labels[k]
		}
		l, err := s.m.TrainBatch(s.xb[:len(idx)*d], s.yb[:len(idx)], lr)
		if err != nil {
			return 0, 0, err
		}
		if lf := float64(l); math.IsNaN(lf) || math.IsInf(lf, 0) {
			s.bar.Done(fmt.Sprintf("diverged in epoch %d", epoch))
			return 0, 0, fmt.Errorf("denseres: epoch %d, step %d of %d: the training loss is %v: %w at learning rate %.3g; lower the learning rate (e.g. %.3g) and train again",
				epoch, step+1, s.steps, lf, ErrDiverged, s.opts.LR, s.opts.LR/10)
		}
		sum += float64(l)
		s.done++
		s.bar.Update(s.done, s.status)
	}
	return sum / float64(s.steps), time.Since(start).Seconds(), nil
}

// Train trains m with shuffled mini-batch SGD for opts.Epochs epochs and
// returns every epoch's metrics: the mean training loss, the accuracies on
// train and test after the epoch, and the time of the epoch's steps.
//
// If the loss becomes NaN or infinite, Train stops and returns the epochs
// completed so far with an error that wraps ErrDiverged, names the epoch and
// suggests a lower learning rate.
func Train[T Float](m *Model[T], train, test Set[T], opts TrainOptions) ([]Epoch, error) {
	if err := opts.check("Train"); err != nil {
		return nil, err
	}
	if err := m.checkSet(train, "training"); err != nil {
		return nil, err
	}
	if err := m.checkSet(test, "test"); err != nil {
		return nil, err
	}
	s := newSGD(m, train, &opts, opts.Epochs)
	defer func() { s.bar.Done(s.status) }() // finish the progress line on every return
	var out []Epoch
	for e := 1; e <= opts.Epochs; e++ {
		loss, sec, err := s.epoch(e)
		if err != nil {
			return out, err
		}
		ep := Epoch{Epoch: e, Loss: loss, Seconds: sec}
		if ep.TrainAcc, err = m.Accuracy(train.X, train.Labels); err != nil {
			return out, err
		}
		if ep.TestAcc, err = m.Accuracy(test.X, test.Labels); err != nil {
			return out, err
		}
		out = append(out, ep)
		s.status = fmt.Sprintf("epoch %d: loss=%.4f train_acc=%.4f test_acc=%.4f", e, loss, ep.TrainAcc, ep.TestAcc)
		s.bar.Update(s.done, s.status)
		if opts.OnEpoch != nil {
			opts.OnEpoch(ep)
		}
	}
	return out, nil
}

// Reasons TrainEarlyStopping stops.
const (
	StoppedByPatience  = "patience"   // Patience epochs without a better validation accuracy
	StoppedByMaxEpochs = "max_epochs" // TrainOptions.Epochs epochs were run
)

// ValEpoch is one epoch of TrainEarlyStopping.
type ValEpoch struct {
	Epoch int `json:"epoch"`
	// Loss is the mean training loss of the epoch's steps (as in Epoch).
	Loss float64 `json:"loss"`
	// ValAcc and ValLoss are measured on the validation set after the epoch.
	ValAcc  float64 `json:"val_acc"`
	ValLoss float64 `json:"val_loss"`
	// Seconds is the wall time of the epoch's SGD steps.
	Seconds float64 `json:"seconds"`
}

// Selection is what TrainEarlyStopping did and chose.
type Selection struct {
	// History holds every epoch trained.
	History []ValEpoch
	// BestEpoch is the epoch whose weights the model holds at the end, the
	// first with the highest validation accuracy; BestValAcc is that accuracy.
	BestEpoch  int
	BestValAcc float64
	// StoppedBy is StoppedByPatience or StoppedByMaxEpochs.
	StoppedBy string
}

// Snapshot is a copy of every parameter of a Model, keyed by the names of
// Params.
type Snapshot[T Float] map[string][]T

// Snapshot returns a copy of every parameter.
func (m *Model[T]) Snapshot() Snapshot[T] {
	s := Snapshot[T]{}
	for _, name := range m.Params() {
		s[name], _, _ = m.Param(name)
	}
	return s
}

// Restore sets every parameter from s (taken from a Model of the same Config).
func (m *Model[T]) Restore(s Snapshot[T]) error {
	for _, name := range m.Params() {
		v, ok := s[name]
		if !ok {
			return fmt.Errorf("denseres: Restore: the snapshot has no %q; take it with Snapshot from a model of the same Config", name)
		}
		if err := m.SetParam(name, v); err != nil {
			return err
		}
	}
	return nil
}

// TrainEarlyStopping trains m like Train, but measures the accuracy on the
// validation set val after every epoch and stops when patience epochs in a
// row have not beaten the best validation accuracy so far, or after
// opts.Epochs epochs (the cap). It then restores the weights of the best
// epoch — the first epoch with the highest validation accuracy — so that m is
// the selected model, not the last one.
//
// Only val is used to choose: hold it out from the training data, and never
// pass the test set here (measure it once, after selection). If training
// fails (for example, the loss diverges), the Selection so far is returned
// with the error and m keeps its last weights.
func TrainEarlyStopping[T Float](m *Model[T], train, val Set[T], opts TrainOptions, patience int) (*Selection, error) {
	if err := opts.check("TrainEarlyStopping"); err != nil {
		return nil, err
	}
	if patience < 1 {
		return nil, fmt.Errorf("denseres: TrainEarlyStopping: patience = %d; allow at least one epoch without improvement (e.g. 5)", patience)
	}
	if err := m.checkSet(train, "training"); err != nil {
		return nil, err
	}
	if err := m.checkSet(val, "validation"); err != nil {
		return nil, err
	}
	s := newSGD(m, train, &opts, opts.Epochs)
	defer func() { s.bar.Done(s.status) }() // finish the progress line on every return
	sel := &Selection{BestValAcc: -1}
	var best Snapshot[T]
	for e := 1; ; e++ {
		loss, sec, err := s.epoch(e)
		if err != nil {
			return sel, err
		}
		ve := ValEpoch{Epoch: e, Loss: loss, Seconds: sec}
		if ve.ValAcc, err = m.Accuracy(val.X, val.Labels); err != nil {
			return sel, err
		}
		vl, err := m.Loss(val.X, val.Labels)
		if err != nil {
			return sel, err
		}
		ve.ValLoss = float64(vl)
		sel.History = append(sel.History, ve)
		if ve.ValAcc > sel.BestValAcc {
			sel.BestEpoch, sel.BestValAcc = e, ve.ValAcc
			best = m.Snapshot()
		}
		s.status = fmt.Sprintf("epoch %d: loss=%.4f val_acc=%.4f (best %.4f at epoch %d)", e, loss, ve.ValAcc, sel.BestValAcc, sel.BestEpoch)
		s.bar.Update(s.done, s.status)
		if opts.OnValEpoch != nil {
			opts.OnValEpoch(ve)
		}
		if e-sel.BestEpoch >= patience {
			sel.StoppedBy = StoppedByPatience
			break
		}
		if e >= opts.Epochs {
			sel.StoppedBy = StoppedByMaxEpochs
			break
		}
	}
	return sel, m.Restore(best)
}
