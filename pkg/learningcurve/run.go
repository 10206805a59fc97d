package learningcurve

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gomlx/gomlx/backends"

	"feedforward.dev/feedforward/pkg/autograd"
	"feedforward.dev/feedforward/pkg/backend"
	"feedforward.dev/feedforward/pkg/mnist"
	"feedforward.dev/feedforward/pkg/progress"
)

// evalBatchSize is the number of rows the networks evaluate at a time. It
// divides the homework's sizes, the default hold-outs and the 10000 test
// images, so that each network compiles its prediction graph for one input
// shape only (on XLA every new shape is a new compilation).
const evalBatchSize = 250

// MinLossDecrease is the relative decrease of the validation loss that Run's
// early stopping counts as progress (EarlyStop.MinLossDecrease): 0.1 %.
const MinLossDecrease = 1e-3

// Point is one measurement of a learning curve: a network of one shape
// trained on TrainSize images and selected by early stopping.
type Point struct {
	// Shape is the network shape, comma-separated: "784,300,100,10".
	Shape string `json:"shape"`
	// TrainSize is the training-set size n, the x coordinate of the curve.
	TrainSize int `json:"train_size"`
	// Repeat numbers the independent runs of a shape and size, from 0.
	Repeat int `json:"repeat"`
	// FitSize is the number of images the gradient steps use: TrainSize with
	// the fixed hold-out, TrainSize minus the validation images with ValFraction.
	FitSize int `json:"fit_size"`
	// ValSize is the number of validation images.
	ValSize int `json:"val_size"`

	// TrainAcc is the selected model's accuracy on its FitSize training images.
	TrainAcc float64 `json:"train_acc"`
	// TestAcc is the selected model's accuracy on the 10000 test images,
	// measured once, after selection.
	TestAcc float64 `json:"test_acc"`
	// ValAcc is the selected model's validation accuracy (the best one seen).
	ValAcc float64 `json:"val_acc"`

	// EpochsTrained is the number of epochs run before stopping.
	EpochsTrained int `json:"epochs_trained"`
	// BestEpoch is the epoch whose weights were selected (from 1).
	BestEpoch int `json:"best_epoch"`
	// StoppedBy is StoppedByPatience or StoppedByMaxEpochs.
	StoppedBy string `json:"stopped_by"`

	// Backend names the backend the point was computed on, such as
	// "SimpleGo" or "XLA (cpu)" (RunOptions.BackendName); it is empty in
	// checkpoints written before backends were recorded.
	Backend string `json:"backend"`

	// Seconds is the wall time of the whole point: building the network,
	// compiling, training, validating, selecting and the final evaluations.
	Seconds float64 `json:"seconds"`
	// EpochSeconds is the mean wall time of one epoch's gradient steps alone.
	EpochSeconds float64 `json:"epoch_seconds"`

	// History holds the per-epoch training loss and validation accuracy.
	History History `json:"history"`
}

// History is the trace of one point.
type History struct {
	// TrainLoss[e] is the mean, over the batches of epoch e+1, of the average
	// cross-entropy of each batch before its step.
	TrainLoss []float64 `json:"train_loss"`
	// Epochs lists the epochs after which the network was validated, and
	// ValAcc and ValLoss the validation accuracy and average cross-entropy
	// measured then.
	Epochs  []int     `json:"epochs"`
	ValAcc  []float64 `json:"val_acc"`
	ValLoss []float64 `json:"val_loss"`
}

// key identifies a point within a sweep.
type key struct {
	shape     string
	size, rep int
}

func (p Point) key() key { return key{p.Shape, p.TrainSize, p.Repeat} }

// RunOptions are the optional settings of Run. The zero value is valid.
type RunOptions struct {
	// Backend runs every network of the sweep; nil means backend.New(). One
	// backend is shared by all the networks, each of which is closed when its
	// point is done.
	Backend backends.Backend
	// BackendName names the backend in Result.Backend and in every point
	// computed (Point.Backend). Empty means the name backend.Choose gives
	// when Backend is nil, and Backend.Name() otherwise.
	BackendName string
	// Checkpoint, if not nil, supplies the points already computed for the
	// same configuration (they are not recomputed) and receives every new point
	// as soon as it is finished. Its points must have been computed on the
	// same backend: Run refuses to mix backends in one sweep
	// ([ErrOtherBackend]).
	Checkpoint *Checkpoint
	// Progress shows a progress bar with an ETA over the whole sweep: in a GoNB
	// notebook as an HTML line, elsewhere on ProgressWriter (nil: standard error).
	Progress       bool
	ProgressWriter io.Writer
	// Log, if not nil, receives one line per finished point.
	Log io.Writer
}

// ErrOtherBackend is wrapped by the error of Run when its checkpoint holds
// points of the sweep computed on another backend. The backends' results
// differ in the last digits, and a sweep is labelled with one backend, so
// Run does not mix them.
var ErrOtherBackend = errors.New("one sweep does not mix backends")

// Result is a finished sweep.
type Result struct {
	// Config is the sweep's configuration.
	Config Config
	// Backend names the backend the points were computed on.
	Backend string
	// Points holds one point per shape, size and repeat, ordered by shape (as
	// in Config.Shapes), size (ascending), then repeat.
	Points []Point
	// Computed and Resumed count the points trained by this Run and those
	// taken from the checkpoint.
	Computed, Resumed int
	// Seconds is the wall time of the Run.
	Seconds float64
}

// Hash returns Config.Hash().
func (r *Result) Hash() string { return r.Config.Hash() }

// Run computes the learning curves of cfg: for every shape, size and repeat
// it instantiates a fresh autograd network, trains it on a training set of
// that size drawn from pool (the 60000 MNIST training images) with mini-batch
// gradient descent and early stopping on a validation set drawn from pool (see
// the package documentation), restores the best-validation weights, and
// measures the selected model on its training set and on test. The test set
// is used for nothing else.
//
// Training subsets are nested: for a given repeat the images of size n are
// the first n of one random order of the pool, so a larger training set holds
// every image of a smaller one. All repeats share the validation hold-out; a
// repeat r uses its own order of the pool, initial weights and batch orders.
//
// Points already in opts.Checkpoint are skipped; each new point is added to it
// as soon as it is finished, so an interrupted Run resumes where it stopped.
func Run(cfg Config, pool, test *mnist.Dataset, opts *RunOptions) (*Result, error) {
	start := time.Now()
	if opts == nil {
		opts = &RunOptions{}
	}
	if err := checkData("pool", pool); err != nil {
		return nil, err
	}
	if err := checkData("test", test); err != nil {
		return nil, err
	}
	if err := cfg.Validate(pool.N); err != nil {
		return nil, err
	}
	if opts.Checkpoint != nil && opts.Checkpoint.Hash() != cfg.Hash() {
		return nil, fmt.Errorf("learningcurve: the checkpoint %s belongs to configuration %s but the sweep's is %s; open the checkpoint with the sweep's Config",
			opts.Checkpoint.Path(), opts.Checkpoint.Hash(), cfg.Hash())
	}
	b := opts.Backend
	backendName := opts.BackendName
	if b == nil {
		var choice backend.Choice
		var err error
		if b, choice, err = backend.Open(); err != nil {
			return nil, err
		}
		if backendName == "" {
			backendName = choice.Name
		}
	} else if backendName == "" {
		backendName = b.Name()
	}

	d, err := newSweepData(cfg, pool)
	if err != nil {
		return nil, err
	}

	done := map[key]Point{}
	if opts.Checkpoint != nil {
		for _, p := range opts.Checkpoint.Points() {
			done[p.key()] = p
		}
	}
	sizes := slices.Clone(cfg.Sizes)
	slices.Sort(sizes)
	type job struct {
		shape []int
		size  int
		rep   int
		work  int
	}
	var jobs []job
	var todoWork, resumed int // the work of the points this Run computes; the points it reuses
	var unknownBackend int    // resumed points that do not record their backend
	res := &Result{Config: cfg, Backend: backendName}
	// Sizes outermost and shapes interleaved: both curves grow together (a
	// partial sweep already shows both), and the mix of cheap and expensive
	// points stays even, which keeps the progress bar's ETA honest.
	for _, n := range sizes {
		for _, shape := range cfg.Shapes {
			for r := range cfg.Repeats {
				if p, ok := done[key{FormatShape(shape), n, r}]; ok {
					switch p.Backend {
					case backendName:
					case "":
						unknownBackend++
					default:
						return nil, fmt.Errorf("learningcurve: the checkpoint %s holds points of this sweep computed on %s (e.g. shape %s, size %d), but this run uses %s (%w); "+
							"resume on %s (set %s), or start a new sweep without resuming or in another directory",
							opts.Checkpoint.Path(), p.Backend, p.Shape, p.TrainSize, backendName, ErrOtherBackend, p.Backend, backend.EnvVar)
					}
					resumed++
					continue
				}
				j := job{shape, n, r, work(shape, n)}
				todoWork += j.work
				jobs = append(jobs, j)
			}
		}
	}

	if unknownBackend > 0 && opts.Log != nil {
		fmt.Fprintf(opts.Log, "note: %d resumed points do not record their backend (their checkpoint predates it); this run uses %s\n", unknownBackend, backendName)
	}

	// The bar counts only this Run's work: its clock starts now, so the
	// resumed points, done in an earlier session, must not count as done
	// (they would make the ETA far too short).
	var bar *progress.Bar
	var doneWork int
	if opts.Progress {
		label := fmt.Sprintf("learning curves (points: %d, in work units)", len(jobs))
		if resumed > 0 {
			label = fmt.Sprintf("learning curves (points left: %d of %d, in work units)", len(jobs), len(jobs)+resumed)
		}
		if opts.ProgressWriter != nil {
			bar = progress.NewWriter(opts.ProgressWriter, label, todoWork)
		} else {
			bar = progress.New(label, todoWork)
		}
		bar.Update(0, "")
	}

	for i, j := range jobs {
		fit, val, err := d.sets(j.size, j.rep)
		if err != nil {
			return nil, err
		}
		shapeStr := FormatShape(j.shape)
		onEpoch := func(epoch int, loss, valAcc float64) {
			bar.Update(doneWork, fmt.Sprintf("point %d/%d: %s n=%d epoch %d loss=%.4f val_acc=%.4f",
				i+1, len(jobs), shapeStr, j.size, epoch, loss, valAcc))
		}
		p, err := trainPoint(b, j.shape, fit, val, test, cfg, d.seeds(j.rep, j.size), onEpoch)
		if err != nil {
			bar.Done("stopped by an error")
			return nil, fmt.Errorf("learningcurve: shape %s, training size %d, repeat %d: %w", shapeStr, j.size, j.rep, err)
		}
		p.Repeat, p.TrainSize, p.Backend = j.rep, j.size, backendName
		done[p.key()] = p
		res.Computed++
		if opts.Checkpoint != nil {
			if err := opts.Checkpoint.Add(p); err != nil {
				bar.Done("stopped by an error")
				return nil, err
			}
		}
		doneWork += j.work
		bar.Update(doneWork, fmt.Sprintf("point %d/%d: %s n=%d test_acc=%.4f", i+1, len(jobs), shapeStr, j.size, p.TestAcc))
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "%-16s n=%5d r%d  train_acc %.4f  test_acc %.4f  val_acc %.4f  epochs %3d (best %3d, %s)  %.1fs\n",
				p.Shape, p.TrainSize, p.Repeat, p.TrainAcc, p.TestAcc, p.ValAcc, p.EpochsTrained, p.BestEpoch, p.StoppedBy, p.Seconds)
		}
	}

	for _, shape := range cfg.Shapes {
		for _, n := range sizes {
			for r := range cfg.Repeats {
				res.Points = append(res.Points, done[key{FormatShape(shape), n, r}])
			}
		}
	}
	res.Resumed = len(res.Points) - res.Computed
	res.Seconds = time.Since(start).Seconds()
	bar.Done(fmt.Sprintf("%d points computed, %d resumed", res.Computed, res.Resumed))
	return res, nil
}

// work estimates the relative cost of a point, the progress bar's unit: the
// multiply-adds of one epoch on n images, in units of 10⁵, plus a fixed cost
// per point (building and compiling the network, the final evaluations).
func work(shape []int, n int) int {
	macs := 0
	for l := 1; l < len(shape); l++ {
		macs += shape[l-1] * shape[l]
	}
	return pointOverhead + int(math.Ceil(float64(n)*float64(macs)/1e5))
}

// pointOverhead is the fixed cost of a point in work units.
const pointOverhead = 200

// checkData checks that d is a usable MNIST-like set.
func checkData(name string, d *mnist.Dataset) error {
	if d == nil {
		return fmt.Errorf("learningcurve: the %s set is nil; load MNIST with mnist.Load(\"\")", name)
	}
	if d.N < 1 || d.Rows*d.Cols != Features || len(d.Images) != d.N*Features || len(d.Labels) != d.N {
		return fmt.Errorf("learningcurve: the %s set has N=%d images of %d×%d with %d pixel values and %d labels; it needs N ≥ 1 images of 28×28 = %d pixels and one label each",
			name, d.N, d.Rows, d.Cols, len(d.Images), len(d.Labels), Features)
	}
	for i, l := range d.Labels {
		if int(l) >= Classes {
			return fmt.Errorf("learningcurve: the %s set's label %d (image %d) is not a digit in [0, %d)", name, l, i, Classes)
		}
	}
	return nil
}

// sweepData draws the validation hold-out and the training subsets.
type sweepData struct {
	cfg     Config
	val     *mnist.Dataset // fixed hold-out, nil with ValFraction
	rest    *mnist.Dataset // the pool without the hold-out
	orders  map[int]*mnist.Dataset
	maxSize int
}

func newSweepData(cfg Config, pool *mnist.Dataset) (*sweepData, error) {
	d := &sweepData{cfg: cfg, rest: pool, orders: map[int]*mnist.Dataset{}, maxSize: slices.Max(cfg.Sizes)}
	if cfg.ValFraction == 0 {
		val, rest, err := pool.Split(cfg.ValSize, derive(cfg.Seed, seedValidation))
		if err != nil {
			return nil, fmt.Errorf("learningcurve: drawing the validation hold-out: %w", err)
		}
		d.val, d.rest = val, rest
	}
	return d, nil
}

// sets returns the images the network fits and its validation set for size n
// and repeat r.
func (d *sweepData) sets(n, r int) (fit, val *mnist.Dataset, err error) {
	order, ok := d.orders[r]
	if !ok {
		if order, err = d.rest.Sample(d.maxSize, derive(d.cfg.Seed, seedSubsets, uint64(r))); err != nil {
			return nil, nil, fmt.Errorf("learningcurve: drawing the training subsets: %w", err)
		}
		d.orders[r] = order
	}
	if d.cfg.ValFraction == 0 {
		return view(order, 0, n), d.val, nil
	}
	nVal := valCount(n, d.cfg.ValFraction)
	return view(order, nVal, n), view(order, 0, nVal), nil
}

// view returns rows [lo, hi) of d, sharing its memory.
func view(d *mnist.Dataset, lo, hi int) *mnist.Dataset {
	f := d.Rows * d.Cols
	return &mnist.Dataset{Images: d.Images[lo*f : hi*f : hi*f], Labels: d.Labels[lo:hi:hi], N: hi - lo, Rows: d.Rows, Cols: d.Cols}
}

// Seed derivation tags.
const (
	seedValidation = iota + 1
	seedSubsets
	seedInit
	seedBatches
)

// pointSeeds are the seeds of one point.
type pointSeeds struct{ init, batches uint64 }

// seeds returns the seeds of repeat r at size n. The initial weights depend on
// the repeat only (every size starts from the same draw, which removes one
// source of noise between neighbouring sizes); the batch order on both.
func (d *sweepData) seeds(r, n int) pointSeeds {
	return pointSeeds{
		init:    derive(d.cfg.Seed, seedInit, uint64(r)),
		batches: derive(d.cfg.Seed, seedBatches, uint64(r), uint64(n)),
	}
}

// derive mixes seed with parts into a new seed (SplitMix64 finaliser).
func derive(seed uint64, parts ...uint64) uint64 {
	h := mix(seed)
	for _, p := range parts {
		h = mix(h ^ mix(p+0x9e3779b97f4a7c15))
	}
	return h
}

func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// trainPoint trains one fresh network on fit with early stopping on val,
// restores the best-validation weights and measures them on fit and test.
func trainPoint(b backends.Backend, shape []int, fit, val, test *mnist.Dataset, cfg Config, seeds pointSeeds,
	onEpoch func(epoch int, loss, valAcc float64)) (Point, error) {
	start := time.Now()
	p := Point{Shape: FormatShape(shape), FitSize: fit.N, ValSize: val.N}
	stop := &EarlyStop{Patience: cfg.Patience, MaxEpochs: cfg.MaxEpochs, MinLossDecrease: MinLossDecrease}
	if err := stop.check(); err != nil {
		return p, err
	}
	targets, err := OneHot(fit.Labels, Classes)
	if err != nil {
		return p, err
	}
	net, err := autograd.New(shape, &autograd.Options{Backend: b, Seed: seeds.init})
	if err != nil {
		return p, err
	}
	defer net.Close()
	// Every measurement — validation, training and test accuracy — is made on
	// a second network that only evaluates: the training network's weights are
	// copied into it (Params, SetParams) before each one. On the XLA backend,
	// Accuracy and Loss of a network that is being trained with mini-batches
	// sometimes return wrong values (the training itself is unaffected), while
	// a network that never trains evaluates correctly; the copy costs a
	// transfer of the weights, about a millisecond.
	eval, err := autograd.New(shape, &autograd.Options{Backend: b, EvalBatchSize: evalBatchSize})
	if err != nil {
		return p, err
	}
	defer eval.Close()

	sgd := newEpochTrainer(net, fit, targets, cfg.BatchSize, cfg.LearningRate, seeds.batches)
	n := fit.N
	var best []autograd.Layer
	var trainTime time.Duration
	seen := 0 // training images since the last validation
	for epoch := 1; ; epoch++ {
		epochStart := time.Now()
		loss, err := sgd.epoch()
		if err != nil {
			return p, fmt.Errorf("epoch %d, %w", epoch, err)
		}
		trainTime += time.Since(epochStart)
		p.History.TrainLoss = append(p.History.TrainLoss, loss)
		if seen += n; seen < cfg.ValidateEvery && epoch < cfg.MaxEpochs {
			continue // too few images since the last validation
		}
		seen = 0
		weights, err := net.Params()
		if err != nil {
			return p, err
		}
		if err := eval.SetParams(weights); err != nil {
			return p, err
		}
		valAcc, err := eval.Accuracy(val.Images, val.Labels)
		if err != nil {
			return p, err
		}
		valLoss, err := eval.Loss(val.Images, val.Labels)
		if err != nil {
			return p, err
		}
		p.History.Epochs = append(p.History.Epochs, epoch)
		p.History.ValAcc = append(p.History.ValAcc, valAcc)
		p.History.ValLoss = append(p.History.ValLoss, valLoss)
		improved, done := stop.Observe(epoch, valAcc, valLoss)
		if improved {
			best = weights
		}
		if onEpoch != nil {
			onEpoch(epoch, loss, valAcc)
		}
		if done {
			break
		}
	}
	// The selected model: the weights of the best validated epoch. best is
	// set: the last allowed epoch is always validated, the first validation
	// always improves on nothing (an accuracy is a fraction of a non-empty
	// set, never NaN), and a NaN loss has already stopped training above.
	if err := eval.SetParams(best); err != nil {
		return p, err
	}
	p.EpochsTrained, p.BestEpoch, p.StoppedBy, p.ValAcc = stop.Epoch(), stop.BestEpoch(), stop.StoppedBy(), stop.Best()
	p.EpochSeconds = trainTime.Seconds() / float64(stop.Epoch())
	if p.TrainAcc, err = eval.Accuracy(fit.Images, fit.Labels); err != nil {
		return p, err
	}
	// The test set is used here, once, after the model has been selected.
	if p.TestAcc, err = eval.Accuracy(test.Images, test.Labels); err != nil {
		return p, err
	}
	p.Seconds = time.Since(start).Seconds()
	return p, nil
}

// divergedError is a training loss that became NaN or infinite at one
// batch of an epoch. It wraps the network's error.
type divergedError struct {
	batch, batches int
	loss, lr       float64
	err            error
}

// Error names where training diverged and a learning rate to try.
func (e *divergedError) Error() string {
	return fmt.Sprintf("batch %d of %d: the training loss is %v: training diverged at learning rate %g; use a smaller learning rate, e.g. %.3g",
		e.batch, e.batches, e.loss, e.lr, e.lr/10)
}

// Unwrap returns the network's error.
func (e *divergedError) Unwrap() error { return e.err }

// epochTrainer runs epochs of mini-batch stochastic gradient descent on one
// training set with autograd.Network.TrainOneEpoch, which takes one
// full-batch gradient step on the rows it is given.
type epochTrainer struct {
	net       *autograd.Network
	fit       *mnist.Dataset
	targets   []float32 // one-hot, fit.N×Classes
	X, T      []float32 // the training set in this epoch's order
	perm      []int     // nil for full-batch training
	rng       *rand.Rand
	batch, nb int
	lr        float64
}

// newEpochTrainer prepares mini-batches of batchSize rows (0, or more than
// fit.N, means full batch) drawn in an order seeded by seed.
func newEpochTrainer(net *autograd.Network, fit *mnist.Dataset, targets []float32, batchSize int, lr float64, seed uint64) *epochTrainer {
	n := fit.N
	t := &epochTrainer{net: net, fit: fit, targets: targets, X: fit.Images, T: targets,
		rng: rand.New(rand.NewPCG(seed, 0x5851f42d4c957f2d)), batch: batchSize, lr: lr}
	if t.batch <= 0 || t.batch > n {
		t.batch = n
	}
	if t.batch < n {
		t.X, t.T = make([]float32, n*Features), make([]float32, n*Classes)
		t.perm = make([]int, n)
		for i := range t.perm {
			t.perm[i] = i
		}
	}
	t.nb = (n + t.batch - 1) / t.batch
	return t
}

// epoch shuffles the training set (mini-batch mode) and takes one gradient
// step per batch. Every batch has exactly t.batch rows, so the step is
// compiled for one input shape: the last batch is the last t.batch rows of
// the permutation and overlaps the previous one. It returns the mean, over the
// batches, of the loss of each batch before its step.
func (t *epochTrainer) epoch() (float64, error) {
	n := t.fit.N
	if t.perm != nil {
		t.rng.Shuffle(n, func(i, j int) { t.perm[i], t.perm[j] = t.perm[j], t.perm[i] })
		for i, src := range t.perm {
			copy(t.X[i*Features:(i+1)*Features], t.fit.Images[src*Features:(src+1)*Features])
			copy(t.T[i*Classes:(i+1)*Classes], t.targets[src*Classes:(src+1)*Classes])
		}
	}
	var sum float64
	for k := range t.nb {
		lo := min(k*t.batch, n-t.batch)
		loss, err := t.net.TrainOneEpoch(t.X[lo*Features:(lo+t.batch)*Features], nil, t.T[lo*Classes:(lo+t.batch)*Classes], t.lr)
		if err != nil && (math.IsNaN(loss) || math.IsInf(loss, 0)) {
			// autograd's message counts its own steps ("epoch 9"), which are
			// batches here: say which batch, and what to change.
			return 0, &divergedError{batch: k + 1, batches: t.nb, loss: loss, lr: t.lr, err: err}
		}
		if err != nil {
			return 0, fmt.Errorf("batch %d of %d: %w", k+1, t.nb, err)
		}
		sum += loss
	}
	return sum / float64(t.nb), nil
}
