package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"feedforward.dev/feedforward/internal/cli"
	"feedforward.dev/feedforward/pkg/denseres"
	"feedforward.dev/feedforward/pkg/mnist"
	"feedforward.dev/feedforward/pkg/mode"
)

// Defaults: the homework's full experiment, and the quick-mode shrink.
const (
	defaultHidden    = 256
	defaultBatch     = 128
	defaultEpochs    = 30
	quickEpochs      = 3
	quickCurveEpochs = 40 // the cap per learning-curve point in quick mode (tiny sets: few steps per epoch)
	defaultLR        = 0.01
	defaultLRNoLN    = 0.001
	defaultTrainSize = 0 // all 60000
	quickTrainSize   = 5000
	defaultSizes     = "5500:55000:5500" // range(5500, 56001, 5500)
	quickSizes       = "1000,2000,4000"
	defaultPatience  = 5
	quickPatience    = 4
	defaultValSize   = denseres.DefaultValSize
	quickValSize     = 2000
	lossPlotFile     = "loss-vs-epochs.png"
	accuracyPlotFile = "accuracy-vs-epochs.png"
	curvePlotFile    = "learning-curve.png"
)

// Config is the run's configuration, as recorded in the metrics JSON.
type Config struct {
	HiddenSize int     `json:"hidden_size"`
	BatchSize  int     `json:"batch_size"`
	Epochs     int     `json:"epochs"`
	LR         float64 `json:"lr"`
	LayerNorm  bool    `json:"layernorm"`
	TrainSize  int     `json:"train_size"`
	TestSize   int     `json:"test_size"`
	Seed       uint64  `json:"seed"`
	DType      string  `json:"dtype"`
	Mode       string  `json:"mode"`
	// Learning curves only.
	LearningCurve bool                   `json:"learning_curve"`
	Sizes         []int                  `json:"sizes,omitempty"`
	Patience      int                    `json:"patience,omitempty"`
	ValSize       int                    `json:"val_size,omitempty"`
	Models        []denseres.CurveConfig `json:"models,omitempty"`
}

// Metrics is the content of --metrics-out.
type Metrics struct {
	Implementation string                `json:"implementation"`
	Config         Config                `json:"config"`
	Epochs         []denseres.Epoch      `json:"epochs,omitempty"`
	Points         []denseres.CurvePoint `json:"points,omitempty"`
	// Stopped is set when training diverged; Epochs or Points then hold
	// what was completed before.
	Stopped *cli.Stopped `json:"stopped,omitempty"`
}

// options are the parsed command line.
type options struct {
	Config
	metricsOut, plotDir string
}

// run is the whole command: it parses args, trains and writes the outputs.
// It never panics: a panic is turned into an error.
func run(args []string, stdout, stderr io.Writer) (err error) {
	defer cli.Recover(&err)
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	return trainFn(opts, stdout, stderr)
}

// trainFn is train; tests replace it.
var trainFn = train

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	m, err := mode.Get(mode.Full)
	if err != nil {
		return nil, cli.Usagef("%v", err)
	}
	fs := cli.NewFlagSet("numpy-mlp", stderr, fmt.Sprintf("Usage: numpy-mlp [flags]\n\nTrains homework Q5's dense residual MLP with LayerNorm (hand-written backprop, mini-batch SGD) on MNIST.\n"+
		"The homework's run: numpy-mlp --hidden-size 256 --batch-size 128 --epochs 30 --lr 0.01\n%s=%s\n\nFlags (one dash or two):\n", mode.EnvVar, m))
	hidden := fs.Int("hidden-size", defaultHidden, "width of the three hidden layers")
	batch := fs.Int("batch-size", defaultBatch, "samples per SGD step")
	epochs := fs.Int("epochs", mode.Pick(m, quickEpochs, defaultEpochs), "number of epochs; with --learning-curve, the cap per point (quick mode: 3, or 40 with --learning-curve)")
	lr := fs.Float64("lr", defaultLR, "learning rate (default 0.01, or 0.001 with --no-layernorm)")
	noLN := fs.Bool("no-layernorm", false, "train the variant without LayerNorm (dense and residual connections stay)")
	trainSize := fs.Int("train-size", mode.Pick(m, quickTrainSize, defaultTrainSize), "train on the first N training images; 0 means all 60000 (quick mode: 5000)")
	seed := fs.Uint64("seed", 0, "seed of the initial weights, the batch order and the validation split")
	dtype := fs.String("dtype", "float32", "element type: float32 or float64")
	curve := fs.Bool("learning-curve", false, "measure learning curves with early stopping instead of one training run")
	sizes := fs.String("sizes", mode.Pick(m, quickSizes, defaultSizes), "learning-curve training-set sizes: start:stop:step (stop included) and/or a comma-separated list (quick mode: "+quickSizes+")")
	patience := fs.Int("patience", mode.Pick(m, quickPatience, defaultPatience), "learning curves: epochs without a better validation accuracy before stopping (quick mode: 4)")
	valSize := fs.Int("val-size", mode.Pick(m, quickValSize, defaultValSize), "learning curves: validation images held out from the 60000 training images (quick mode: 2000)")
	metricsOut := fs.String("metrics-out", "", "write the configuration and metrics to this JSON file")
	plotDir := fs.String("plot-dir", "", "write "+lossPlotFile+" and "+accuracyPlotFile+" (or "+curvePlotFile+") into this directory (created if needed)")
	if err := cli.Parse(fs, args, "--epochs 30"); err != nil {
		return nil, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	o := &options{metricsOut: *metricsOut, plotDir: *plotDir}
	c := &o.Config
	c.HiddenSize, c.BatchSize, c.Epochs, c.LR, c.LayerNorm = *hidden, *batch, *epochs, *lr, !*noLN
	c.TrainSize, c.Seed, c.DType, c.Mode, c.LearningCurve = *trainSize, *seed, *dtype, string(m), *curve
	if !set["lr"] && !c.LayerNorm {
		c.LR = defaultLRNoLN
	}
	if !set["epochs"] && c.LearningCurve {
		c.Epochs = mode.Pick(m, quickCurveEpochs, defaultEpochs)
	}
	if c.HiddenSize <= 0 {
		return nil, cli.Usagef("--hidden-size %d: use a positive width, e.g. --hidden-size %d", c.HiddenSize, defaultHidden)
	}
	if c.BatchSize <= 0 {
		return nil, cli.Usagef("--batch-size %d: use a positive batch size, e.g. --batch-size %d", c.BatchSize, defaultBatch)
	}
	if c.Epochs <= 0 {
		return nil, cli.Usagef("--epochs %d: train for at least one epoch, e.g. --epochs %d", c.Epochs, defaultEpochs)
	}
	if !(c.LR > 0) || math.IsInf(c.LR, 0) {
		return nil, cli.Usagef("--lr %v: the learning rate must be a positive number, e.g. --lr %g (or %g with --no-layernorm)", c.LR, defaultLR, defaultLRNoLN)
	}
	if c.TrainSize < 0 {
		return nil, cli.Usagef("--train-size %d: use a positive number of training images, or 0 for all of them", c.TrainSize)
	}
	if c.DType != "float32" && c.DType != "float64" {
		return nil, cli.Usagef("--dtype %q: use --dtype float32 (fast) or --dtype float64 (for checks)", c.DType)
	}
	if c.LearningCurve {
		if set["train-size"] {
			return nil, cli.Usagef("--train-size does not apply to --learning-curve: give the training-set sizes with --sizes (e.g. --sizes %s)", defaultSizes)
		}
		c.TrainSize = 0
		if c.Sizes, err = parseSizes(*sizes); err != nil {
			return nil, err
		}
		c.Patience, c.ValSize = *patience, *valSize
		if c.Patience <= 0 {
			return nil, cli.Usagef("--patience %d: allow at least one epoch without improvement, e.g. --patience %d", c.Patience, defaultPatience)
		}
		if c.ValSize <= 0 {
			return nil, cli.Usagef("--val-size %d: hold out at least one validation image, e.g. --val-size %d", c.ValSize, defaultValSize)
		}
		if largest := maxInt(c.Sizes); largest+c.ValSize > mnistTrainImages {
			return nil, cli.Usagef("--sizes up to %d with --val-size %d need %d images, but MNIST has %d training images; lower the largest size to at most %d or shrink --val-size",
				largest, c.ValSize, largest+c.ValSize, mnistTrainImages, mnistTrainImages-c.ValSize)
		}
		if set["hidden-size"] || set["no-layernorm"] || set["lr"] {
			c.Models = []denseres.CurveConfig{{Hidden: c.HiddenSize, LayerNorm: c.LayerNorm, LR: c.LR}}
		} else {
			c.Models = denseres.HomeworkCurveConfigs()
		}
	} else {
		for _, name := range []string{"sizes", "patience", "val-size"} {
			if set[name] {
				return nil, cli.Usagef("--%s only applies to learning curves; add --learning-curve or drop --%s", name, name)
			}
		}
		if c.TrainSize > mnistTrainImages {
			return nil, cli.Usagef("--train-size %d is more than the %d MNIST training images; use at most %d, or 0 for all", c.TrainSize, mnistTrainImages, mnistTrainImages)
		}
	}
	if o.metricsOut != "" {
		if err := cli.CheckOutputFile("--metrics-out", o.metricsOut); err != nil {
			return nil, err
		}
	}
	if o.plotDir != "" {
		if err := cli.CheckOutputDir("--plot-dir", o.plotDir); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// mnistTrainImages is the size of the MNIST training set.
const mnistTrainImages = 60000

func maxInt(v []int) int {
	m := v[0]
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// parseSizes parses "5500:55000:5500", "1000,2000,4000" or a mix
// ("500,1000:4000:1000").
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if strings.Contains(part, ":") {
			f := strings.Split(part, ":")
			if len(f) != 3 {
				return nil, cli.Usagef("--sizes %q: %q is not start:stop:step; write e.g. --sizes %s", s, part, defaultSizes)
			}
			var v [3]int
			for i, x := range f {
				n, err := strconv.Atoi(strings.TrimSpace(x))
				if err != nil || n <= 0 {
					return nil, cli.Usagef("--sizes %q: %q in %q is not a positive whole number; write e.g. --sizes %s", s, x, part, defaultSizes)
				}
				if i < 2 && n > mnistTrainImages {
					return nil, tooLarge(s, n)
				}
				v[i] = n
			}
			if v[1] < v[0] {
				return nil, cli.Usagef("--sizes %q: in %q the stop %d is below the start %d; write start:stop:step, e.g. --sizes %s", s, part, v[1], v[0], defaultSizes)
			}
			// The loop stops before n+step would pass stop, so a huge step
			// cannot overflow n.
			for n := v[0]; ; n += v[2] {
				out = append(out, n)
				if v[2] > v[1]-n {
					break
				}
			}
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || n <= 0 {
			return nil, cli.Usagef("--sizes %q: %q is not a positive whole number; give sizes such as --sizes %s or --sizes %s", s, part, quickSizes, defaultSizes)
		}
		if n > mnistTrainImages {
			return nil, tooLarge(s, n)
		}
		out = append(out, n)
	}
	return out, nil
}

// tooLarge is the error of a size in --sizes s above the MNIST training pool.
func tooLarge(s string, n int) error {
	return cli.Usagef("--sizes %q: %d is more than the %d MNIST training images; use sizes up to %d (less --val-size), e.g. --sizes %s",
		s, n, mnistTrainImages, mnistTrainImages, defaultSizes)
}

func train(o *options, stdout, stderr io.Writer) error {
	if o.DType == "float64" {
		return trainT[float64](o, stdout, stderr)
	}
	return trainT[float32](o, stdout, stderr)
}

func trainT[T denseres.Float](o *options, stdout, stderr io.Writer) error {
	trainSet, testSet, err := mnist.Load("")
	if err != nil {
		return err
	}
	if !o.LearningCurve && o.TrainSize > 0 && o.TrainSize < trainSet.N {
		if trainSet, err = trainSet.First(o.TrainSize); err != nil {
			return err
		}
	}
	o.TrainSize, o.TestSize = trainSet.N, testSet.N
	tr, err := denseres.FromMNIST[T](trainSet)
	if err != nil {
		return err
	}
	te, err := denseres.FromMNIST[T](testSet)
	if err != nil {
		return err
	}
	metrics := Metrics{
		Implementation: "feedforward.dev/feedforward/pkg/denseres: hand-written forward and backward passes in plain Go, matrix products by pkg/gemm, " + o.DType,
		Config:         o.Config,
	}
	if o.LearningCurve {
		metrics.Config.TrainSize = 0
		fmt.Fprintf(stdout, "learning curves: %d models × %d sizes, batch %d, at most %d epochs, patience %d, %d validation images, %s\n",
			len(o.Models), len(o.Sizes), o.BatchSize, o.Epochs, o.Patience, o.ValSize, o.DType)
		pts, err := denseres.LearningCurves(tr, te, o.Models, denseres.CurveOptions{
			Sizes: o.Sizes, ValSize: o.ValSize, BatchSize: o.BatchSize, MaxEpochs: o.Epochs, Patience: o.Patience,
			Seed: o.Seed, Progress: true, ProgressWriter: stderr, Log: stdout,
		})
		metrics.Points = pts
		if errors.Is(err, denseres.ErrDiverged) {
			metrics.Stopped = &cli.Stopped{Reason: strings.TrimPrefix(err.Error(), "denseres: ")}
			return keepCompleted(o, &metrics, err, len(pts), "point", stdout, stderr)
		}
		if err != nil {
			return err
		}
	} else {
		m, err := denseres.New[T](denseres.Config{Input: trainSet.Features(), Hidden: o.HiddenSize, Classes: mnist.Classes, LayerNorm: o.LayerNorm, Seed: o.Seed})
		if err != nil {
			return err
		}
		ln := "with LayerNorm"
		if !o.LayerNorm {
			ln = "without LayerNorm"
		}
		fmt.Fprintf(stdout, "dense residual MLP %s: hidden %d, batch %d, lr %g, %d epochs, %d training and %d test images, %s\n",
			ln, o.HiddenSize, o.BatchSize, o.LR, o.Epochs, o.TrainSize, o.TestSize, o.DType)
		epochs, err := denseres.Train(m, tr, te, denseres.TrainOptions{
			Epochs: o.Epochs, BatchSize: o.BatchSize, LR: o.LR, Seed: o.Seed,
			Progress: true, ProgressWriter: stderr, Label: "training",
			OnEpoch: func(e denseres.Epoch) {
				fmt.Fprintf(stdout, "epoch %3d  loss %.5f  train_acc %.4f  test_acc %.4f  %.3fs\n", e.Epoch, e.Loss, e.TrainAcc, e.TestAcc, e.Seconds)
			},
		})
		metrics.Epochs = epochs
		if errors.Is(err, denseres.ErrDiverged) {
			metrics.Stopped = &cli.Stopped{Epoch: len(epochs) + 1, Reason: strings.TrimPrefix(err.Error(), "denseres: ")}
			return keepCompleted(o, &metrics, err, len(epochs), "epoch", stdout, stderr)
		}
		if err != nil {
			return err
		}
	}
	return writeOutputs(o, &metrics, stdout)
}

// keepCompleted writes the outputs of the done epochs or points (unit)
// completed before training diverged, with "stopped" in the metrics, says so
// on stderr, and returns the divergence, err (exit status 1).
func keepCompleted(o *options, m *Metrics, err error, done int, unit string, stdout, stderr io.Writer) error {
	if o.metricsOut == "" && o.plotDir == "" {
		return err
	}
	if werr := writeOutputs(o, m, stdout); werr != nil {
		return fmt.Errorf("%w (saving the completed %ss failed too: %v)", err, unit, werr)
	}
	where := o.metricsOut
	if where == "" {
		where = o.plotDir
	}
	if done == 0 {
		fmt.Fprintf(stderr, "numpy-mlp: training diverged before the first %s was complete; %s records the configuration and where it stopped\n", unit, where)
	} else {
		fmt.Fprintf(stderr, "numpy-mlp: training diverged; %s saved in %s\n", count(done, "the completed "+unit+" is", "the %d completed "+unit+"s are"), where)
	}
	return err
}

// count returns one if n is 1 and many, formatted with n, otherwise.
func count(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return fmt.Sprintf(many, n)
}

// writeOutputs writes --metrics-out and the plots of --plot-dir, if given.
// The plots are drawn before anything is written; there are none without a
// completed epoch or point.
func writeOutputs(o *options, metrics *Metrics, stdout io.Writer) error {
	out := cli.Outputs{MetricsFlag: "--metrics-out", MetricsPath: o.metricsOut, Metrics: metrics, PlotFlag: "--plot-dir", PlotDir: o.plotDir}
	if o.plotDir != "" && (len(metrics.Epochs) > 0 || len(metrics.Points) > 0) {
		out.Plots = plots(metrics)
	}
	written, err := out.Write()
	for _, p := range written {
		fmt.Fprintln(stdout, "wrote", p)
	}
	return err
}

// plots returns the figures of m: the learning curves, or the loss and
// accuracy of a training run.
func plots(m *Metrics) []cli.Plot {
	c := m.Config
	if c.LearningCurve {
		return []cli.Plot{{Name: curvePlotFile, Figure: denseres.CurveChart(fmt.Sprintf("(early stopping, patience %d, %d validation images)", c.Patience, c.ValSize), m.Points)}}
	}
	ln := "LN"
	if !c.LayerNorm {
		ln = "no LN"
	}
	suffix := fmt.Sprintf("(h%d, %s, batch %d, lr %g)", c.HiddenSize, ln, c.BatchSize, c.LR)
	run := denseres.Run{Epochs: m.Epochs}
	return []cli.Plot{{Name: lossPlotFile, Figure: denseres.LossChart(suffix, run)}, {Name: accuracyPlotFile, Figure: denseres.AccuracyChart(suffix, run)}}
}
