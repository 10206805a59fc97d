package denseres

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"feedforward.dev/feedforward/pkg/figure"
	"feedforward.dev/feedforward/pkg/progress"
)

// CurveConfig is one model of a learning-curve sweep.
type CurveConfig struct {
	// Hidden is the width h of the hidden layers.
	Hidden int `json:"hidden"`
	// LayerNorm selects the model with LayerNorm (Config.LayerNorm).
	LayerNorm bool `json:"layernorm"`
	// LR is the learning rate of its SGD.
	LR float64 `json:"lr"`
}

// Name returns a short label such as "h256 LN lr 0.01" or "h256 no-LN lr 0.001".
func (c CurveConfig) Name() string {
	ln := "LN"
	if !c.LayerNorm {
		ln = "no-LN"
	}
	return fmt.Sprintf("h%d %s lr %g", c.Hidden, ln, c.LR)
}

// HomeworkCurveConfigs returns Q5's three learning-curve models: hidden 128
// and 256 with LayerNorm at lr 0.01, and hidden 256 without LayerNorm at lr 0.001.
func HomeworkCurveConfigs() []CurveConfig {
	return []CurveConfig{
		{Hidden: 128, LayerNorm: true, LR: 0.01},
		{Hidden: 256, LayerNorm: true, LR: 0.01},
		{Hidden: 256, LayerNorm: false, LR: 0.001},
	}
}

// HomeworkSizes returns Q5's training-set sizes, Python's range(5500, 56001, 5500):
// 5500, 11000, …, 55000.
func HomeworkSizes() []int {
	var s []int
	for n := 5500; n < 56001; n += 5500 {
		s = append(s, n)
	}
	return s
}

// DefaultValSize is the size of the validation hold-out of LearningCurves: the
// 60000 MNIST training images minus the largest homework size, 55000.
const DefaultValSize = 5000

// CurveOptions are the settings of LearningCurves.
type CurveOptions struct {
	// Sizes are the training-set sizes, the x axis (HomeworkSizes for Q5).
	Sizes []int
	// ValSize is the number of validation images held out from the pool
	// (0: DefaultValSize). The largest size plus ValSize must fit in the pool.
	ValSize int
	// BatchSize is the SGD batch size (the homework: 128).
	BatchSize int
	// MaxEpochs caps the epochs of every point, and Patience is the number of
	// epochs without a better validation accuracy that stops it.
	MaxEpochs, Patience int
	// Seed seeds the validation split, the order of the training images, the
	// initial weights and the batch orders.
	Seed uint64
	// Progress shows a progress bar over the points (in a GoNB notebook as
	// HTML, elsewhere on ProgressWriter, nil meaning standard error).
	Progress       bool
	ProgressWriter io.Writer
	// Log, if not nil, receives one line per finished point.
	Log io.Writer
}

// CurvePoint is one point of a learning curve: a fresh model trained on
// TrainSize images with early stopping, measured after selection.
type CurvePoint struct {
	// Config is CurveConfig.Name(); Hidden, LayerNorm and LR are its fields.
	Config    string  `json:"config"`
	Hidden    int     `json:"hidden"`
	LayerNorm bool    `json:"layernorm"`
	LR        float64 `json:"lr"`
	// TrainSize is the number of training images (the x coordinate) and
	// ValSize the number of validation images.
	TrainSize int `json:"train_size"`
	ValSize   int `json:"val_size"`
	// TrainAcc, ValAcc and TestAcc are the selected model's accuracies on its
	// training images, the validation hold-out and the test set (the test set
	// is evaluated once, after selection).
	TrainAcc float64 `json:"train_acc"`
	ValAcc   float64 `json:"val_acc"`
	TestAcc  float64 `json:"test_acc"`
	// EpochsTrained is the number of epochs run, BestEpoch the selected one,
	// StoppedBy StoppedByPatience or StoppedByMaxEpochs.
	EpochsTrained int    `json:"epochs_trained"`
	BestEpoch     int    `json:"best_epoch"`
	StoppedBy     string `json:"stopped_by"`
	// Seconds is the wall time of the whole point.
	Seconds float64 `json:"seconds"`
	// History is the per-epoch training loss and validation accuracy.
	History []ValEpoch `json:"history"`
}

// splitStream is the PCG stream of the validation split.
const splitStream = 0x51ed270b

// LearningCurves measures the learning curves of configs. It draws a
// validation hold-out of opts.ValSize images from pool once (seeded) and
// orders the remaining images randomly; the training set of size n is the
// first n of that order, so larger sets contain the smaller ones and never
// overlap the validation images. For every config and size it builds a fresh
// Model[T] (Config.Seed = opts.Seed), trains it with TrainEarlyStopping,
// restores the best-validation weights and measures the training,
// validation and test accuracies. The test set plays no part in training or
// selection.
//
// Points are returned config by config, sizes in the order given. If a point
// fails (for example, it diverges) the points finished so far are returned
// with the error.
func LearningCurves[T Float](pool, test Set[T], configs []CurveConfig, opts CurveOptions) ([]CurvePoint, error) {
	if opts.ValSize == 0 {
		opts.ValSize = DefaultValSize
	}
	if err := opts.check(pool.Len(), len(configs)); err != nil {
		return nil, err
	}
	if test.Len() == 0 || pool.Len() == 0 {
		return nil, fmt.Errorf("denseres: LearningCurves: the pool has %d and the test set %d samples; pass both (the MNIST training and test sets)", pool.Len(), test.Len())
	}
	d := pool.features()
	if len(pool.X) != pool.Len()*d || len(test.X) != test.Len()*d {
		return nil, fmt.Errorf("denseres: LearningCurves: the pool has %d features per sample and the test set %d; pass data sets with the same features", d, len(test.X)/test.Len())
	}
	val, fit := splitPool(pool, opts.ValSize, opts.Seed)

	var bar *progress.Bar
	total := len(configs) * len(opts.Sizes)
	if opts.Progress {
		if opts.ProgressWriter != nil {
			bar = progress.NewWriter(opts.ProgressWriter, "learning curves", total)
		} else {
			bar = progress.New("learning curves", total)
		}
	}
	var points []CurvePoint
	defer func() { bar.Done(fmt.Sprintf("%d of %d points", len(points), total)) }() // on every return
	for _, c := range configs {
		for _, n := range opts.Sizes {
			p, err := curvePoint(c, fit.Rows(0, n), val, test, d, &opts, func(ve ValEpoch) {
				bar.Update(len(points), fmt.Sprintf("%s n=%d epoch %d val_acc=%.4f", c.Name(), n, ve.Epoch, ve.ValAcc))
			})
			if err != nil {
				return points, fmt.Errorf("%s, %d training images: %w", c.Name(), n, err)
			}
			points = append(points, p)
			status := fmt.Sprintf("%s n=%d: train_acc=%.4f test_acc=%.4f (epoch %d of %d)", c.Name(), n, p.TrainAcc, p.TestAcc, p.BestEpoch, p.EpochsTrained)
			bar.Update(len(points), status)
			if opts.Log != nil {
				fmt.Fprintf(opts.Log, "%-20s n=%6d  train_acc %.4f  val_acc %.4f  test_acc %.4f  best epoch %2d of %2d (%s)  %.1fs\n",
					c.Name(), n, p.TrainAcc, p.ValAcc, p.TestAcc, p.BestEpoch, p.EpochsTrained, p.StoppedBy, p.Seconds)
			}
		}
	}
	return points, nil
}

// splitPool returns a random (seeded) hold-out of valSize samples of pool and
// the other samples in random order, both in one new copy of pool.
func splitPool[T Float](pool Set[T], valSize int, seed uint64) (val, fit Set[T]) {
	d := pool.features()
	perm := rand.New(rand.NewPCG(seed, splitStream)).Perm(pool.Len())
	shuf := Set[T]{X: make([]T, len(pool.X)), Labels: make([]uint8, pool.Len())}
	for i, k := range perm {
		copy(shuf.X[i*d:(i+1)*d], pool.X[k*d:(k+1)*d])
		shuf.Labels[i] = pool.Labels[k]
	}
	return shuf.Rows(0, valSize), shuf.Rows(valSize, shuf.Len())
}

func (o *CurveOptions) check(poolSize, configs int) error {
	switch {
	case configs == 0:
		return fmt.Errorf("denseres: LearningCurves: no configs; pass at least one (HomeworkCurveConfigs for Q5)")
	case len(o.Sizes) == 0:
		return fmt.Errorf("denseres: LearningCurves: CurveOptions.Sizes is empty; pass the training-set sizes (HomeworkSizes for Q5)")
	case o.ValSize < 1:
		return fmt.Errorf("denseres: LearningCurves: CurveOptions.ValSize = %d; hold out at least one validation image (0 means %d)", o.ValSize, DefaultValSize)
	case o.MaxEpochs < 1 || o.Patience < 1:
		return fmt.Errorf("denseres: LearningCurves: MaxEpochs = %d, Patience = %d; both must be at least 1 (e.g. 30 and 5)", o.MaxEpochs, o.Patience)
	case o.BatchSize < 1:
		return fmt.Errorf("denseres: LearningCurves: CurveOptions.BatchSize = %d; use a positive batch size (the homework: 128)", o.BatchSize)
	}
	for _, n := range o.Sizes {
		if n < 1 || n+o.ValSize > poolSize {
			return fmt.Errorf("denseres: LearningCurves: training-set size %d with a validation hold-out of %d needs 1 ≤ size ≤ %d (the pool has %d samples); drop that size or shrink ValSize",
				n, o.ValSize, max(poolSize-o.ValSize, 0), poolSize)
		}
	}
	return nil
}

func curvePoint[T Float](c CurveConfig, train, val, test Set[T], d int, o *CurveOptions, onEpoch func(ValEpoch)) (CurvePoint, error) {
	start := time.Now()
	p := CurvePoint{Config: c.Name(), Hidden: c.Hidden, LayerNorm: c.LayerNorm, LR: c.LR, TrainSize: train.Len(), ValSize: val.Len()}
	m, err := New[T](Config{Input: d, Hidden: c.Hidden, Classes: maxLabel(train, val) + 1, LayerNorm: c.LayerNorm, Seed: o.Seed})
	if err != nil {
		return p, err
	}
	sel, err := TrainEarlyStopping(m, train, val, TrainOptions{Epochs: o.MaxEpochs, BatchSize: o.BatchSize, LR: c.LR, Seed: o.Seed, OnValEpoch: onEpoch}, o.Patience)
	if err != nil {
		return p, err
	}
	p.History, p.BestEpoch, p.StoppedBy, p.EpochsTrained = sel.History, sel.BestEpoch, sel.StoppedBy, len(sel.History)
	if p.TrainAcc, err = m.Accuracy(train.X, train.Labels); err != nil {
		return p, err
	}
	if p.ValAcc, err = m.Accuracy(val.X, val.Labels); err != nil {
		return p, err
	}
	// The test set, once, after selection.
	if p.TestAcc, err = m.Accuracy(test.X, test.Labels); err != nil {
		return p, err
	}
	p.Seconds = time.Since(start).Seconds()
	return p, nil
}

// maxLabel returns the largest label of the training and validation sets, at
// least 9 (MNIST's ten classes), so the model has maxLabel+1 classes.
func maxLabel[T Float](sets ...Set[T]) int {
	m := 9
	for _, s := range sets {
		for _, y := range s.Labels {
			m = max(m, int(y))
		}
	}
	return m
}

// Run is a named training history, for the charts.
type Run struct {
	// Name labels the run's series (it may be empty when a chart shows one run).
	Name string
	// Epochs are the metrics returned by Train.
	Epochs []Epoch
}

func epochX(es []Epoch) []float64 {
	x := make([]float64, len(es))
	for i, e := range es {
		x[i] = float64(e.Epoch)
	}
	return x
}

// LossChart draws the training loss of each run against the epoch
// ("Loss vs. Epochs"). A title suffix such as "(h256, batch 128)" may be given.
func LossChart(suffix string, runs ...Run) figure.LineChart {
	c := figure.LineChart{Title: title("Loss vs. Epochs", suffix), XLabel: "Epoch", YLabel: "Training loss (mean NLL of the epoch's batches)"}
	for _, r := range runs {
		y := make([]float64, len(r.Epochs))
		for i, e := range r.Epochs {
			y[i] = e.Loss
		}
		c.Series = append(c.Series, figure.Series{Name: seriesName(r.Name, "training loss", len(runs)), X: epochX(r.Epochs), Y: y})
	}
	return c
}

// AccuracyChart draws the training and test accuracy of each run against the
// epoch ("Accuracy vs. Epochs").
func AccuracyChart(suffix string, runs ...Run) figure.LineChart {
	c := figure.LineChart{Title: title("Accuracy vs. Epochs", suffix), XLabel: "Epoch", YLabel: "Accuracy"}
	for _, r := range runs {
		tr, te := make([]float64, len(r.Epochs)), make([]float64, len(r.Epochs))
		for i, e := range r.Epochs {
			tr[i], te[i] = e.TrainAcc, e.TestAcc
		}
		x := epochX(r.Epochs)
		c.Series = append(c.Series,
			figure.Series{Name: seriesName(r.Name, "train", len(runs)), X: x, Y: tr},
			figure.Series{Name: seriesName(r.Name, "test", len(runs)), X: x, Y: te})
	}
	return c
}

// CurveChart draws the learning curves of points: the training and test
// accuracy of the selected models against the training-set size, per config.
func CurveChart(suffix string, points []CurvePoint) figure.LineChart {
	c := figure.LineChart{Title: title("Learning curves", suffix), XLabel: "Training-set size (images)", YLabel: "Accuracy of the best-validation model"}
	var names []string
	for _, p := range points {
		if !slices.Contains(names, p.Config) {
			names = append(names, p.Config)
		}
	}
	for _, name := range names {
		var x, tr, te []float64
		for _, p := range points {
			if p.Config == name {
				x, tr, te = append(x, float64(p.TrainSize)), append(tr, p.TrainAcc), append(te, p.TestAcc)
			}
		}
		c.Series = append(c.Series,
			figure.Series{Name: name + " train", X: x, Y: tr},
			figure.Series{Name: name + " test", X: x, Y: te})
	}
	return c
}

func title(t, suffix string) string {
	if suffix == "" {
		return t
	}
	return t + " " + suffix
}

func seriesName(run, what string, runs int) string {
	if runs == 1 || run == "" {
		return what
	}
	return run + " " + what
}

// EpochsToReach returns the first epoch whose test accuracy is at least acc,
// or 0 if none is.
func EpochsToReach(epochs []Epoch, acc float64) int {
	for _, e := range epochs {
		if e.TestAcc >= acc {
			return e.Epoch
		}
	}
	return 0
}

// BestTest returns the highest test accuracy of epochs and its epoch (NaN, 0 if empty).
func BestTest(epochs []Epoch) (acc float64, epoch int) {
	acc = math.NaN()
	for _, e := range epochs {
		if epoch == 0 || e.TestAcc > acc {
			acc, epoch = e.TestAcc, e.Epoch
		}
	}
	return acc, epoch
}
