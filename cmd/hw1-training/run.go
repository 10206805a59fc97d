package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gomlx/gomlx/backends"

	"feedforward.dev/feedforward/internal/cli"
	"feedforward.dev/feedforward/pkg/autograd"
	"feedforward.dev/feedforward/pkg/backend"
	"feedforward.dev/feedforward/pkg/examplenet"
	"feedforward.dev/feedforward/pkg/figure"
	"feedforward.dev/feedforward/pkg/mnist"
	"feedforward.dev/feedforward/pkg/mode"
	"feedforward.dev/feedforward/pkg/progress"
)

// Defaults: the homework's full experiment, and the quick-mode shrink.
const (
	defaultShape     = "784,300,100,10"
	defaultEpochs    = 100
	quickEpochs      = 10
	defaultLR        = 0.1
	defaultTrainSize = 0 // all 60000
	quickTrainSize   = 5000
	mnistFeatures    = 784
	mnistClasses     = 10
	networkExample   = "example"
	networkAutograd  = "autograd"
	lossPlotFile     = "loss-vs-epochs.png"
	accuracyPlotFile = "accuracy-vs-epochs.png"
)

// Config is the run's configuration, as recorded in the metrics JSON.
type Config struct {
	Network             string  `json:"network"`
	Shape               []int   `json:"shape"`
	Epochs              int     `json:"epochs"`
	LearningRate        float64 `json:"lr"`
	TrainSize           int     `json:"train_size"`
	TestSize            int     `json:"test_size"`
	Seed                uint64  `json:"seed"`
	AccumulateGradients bool    `json:"accumulate_gradients"`
	// InitFrom is the file the initial weights were read from (-init-from);
	// empty when they were drawn with Seed.
	InitFrom string `json:"init_from,omitempty"`
	Mode     string `json:"mode"`
}

// EpochMetrics is one epoch's line of the metrics JSON.
type EpochMetrics struct {
	Epoch    int     `json:"epoch"`
	Loss     float64 `json:"loss"`
	TrainAcc float64 `json:"train_acc"`
	TestAcc  float64 `json:"test_acc"`
	Seconds  float64 `json:"seconds"`
}

// Metrics is the content of -metrics-out.
type Metrics struct {
	Backend string         `json:"backend"`
	Config  Config         `json:"config"`
	Epochs  []EpochMetrics `json:"epochs"`
	// Stopped is set when training stopped before the last epoch; Epochs
	// then holds the epochs completed before.
	Stopped *cli.Stopped `json:"stopped,omitempty"`
}

// divergedError is a training loss that became NaN or infinite: the
// learning rate is too large. It wraps the network's error.
type divergedError struct {
	epoch    int
	loss, lr float64
	err      error
}

// reason is the divergence without the epoch and the advice, for "stopped".
func (e *divergedError) reason() string {
	return fmt.Sprintf("the training loss is %v: training diverged with -lr %g", e.loss, e.lr)
}

// Error names where training diverged and a learning rate to try.
func (e *divergedError) Error() string {
	return fmt.Sprintf("epoch %d: %s; try a smaller -lr such as %.3g", e.epoch, e.reason(), e.lr/10)
}

// Unwrap returns the network's error.
func (e *divergedError) Unwrap() error { return e.err }

// options are the parsed command line.
type options struct {
	Config
	metricsOut, plotDir string
	initLayers          []autograd.Layer // from -init-from, nil to draw them with Seed
}

// network is what both packages' networks offer.
type network interface {
	TrainOneEpoch(X []float32, y []uint8, y1hot []float32, lr float64) (float64, error)
	Accuracy(X []float32, y []uint8) (float64, error)
	Close()
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
	fs := cli.NewFlagSet("hw1-training", stderr, fmt.Sprintf("Usage: hw1-training [flags]\n\nTrains a feedforward network on MNIST with full-batch gradient descent (homework Q3).\n%s=%s\n\nFlags:\n", mode.EnvVar, m))
	netName := fs.String("network", networkAutograd, "network: \"example\" (GoMLX layers and optimizer, the warm-up's TorchNeuralNetwork) or \"autograd\" (graph ops and graph.Gradient, Q3)")
	shapeStr := fs.String("shape", defaultShape, "comma-separated layer sizes, from 784 inputs to 10 classes")
	epochs := fs.Int("epochs", mode.Pick(m, quickEpochs, defaultEpochs), "number of full-batch epochs (quick mode: 10)")
	lr := fs.Float64("lr", defaultLR, "learning rate")
	trainSize := fs.Int("train-size", mode.Pick(m, quickTrainSize, defaultTrainSize), "train on the first N training images; 0 means all 60000 (quick mode: 5000)")
	seed := fs.Uint64("seed", 0, "seed of the initial weights")
	accumulate := fs.Bool("accumulate-gradients", false, "autograd only: never zero the gradients (reproduces the bug Q3 asks about)")
	initFrom := fs.String("init-from", "", "autograd only: start from the weights in this file (raw little-endian float32 W1,b1,W2,b2,..., W as inputs×units, e.g. the PyTorch reference's q3_init.bin) instead of drawing them with -seed")
	metricsOut := fs.String("metrics-out", "", "write the configuration and per-epoch metrics to this JSON file")
	plotDir := fs.String("plot-dir", "", "write "+lossPlotFile+" and "+accuracyPlotFile+" into this directory (created if needed)")
	if err := cli.Parse(fs, args, "-epochs 10"); err != nil {
		return nil, err
	}

	o := &options{metricsOut: *metricsOut, plotDir: *plotDir}
	o.Network, o.Epochs, o.LearningRate, o.TrainSize, o.Seed, o.AccumulateGradients, o.Mode =
		*netName, *epochs, *lr, *trainSize, *seed, *accumulate, string(m)
	switch o.Network {
	case networkExample, networkAutograd:
	default:
		return nil, cli.Usagef("-network %q is not a network; use -network autograd (Q3) or -network example (the warm-up's example network)", o.Network)
	}
	if o.Shape, err = parseShape(*shapeStr); err != nil {
		return nil, err
	}
	if o.Epochs <= 0 {
		return nil, cli.Usagef("-epochs %d: train for at least one epoch, e.g. -epochs %d", o.Epochs, defaultEpochs)
	}
	if !(o.LearningRate > 0) || math.IsInf(o.LearningRate, 0) {
		return nil, cli.Usagef("-lr %v: the learning rate must be a positive number, e.g. -lr %g", o.LearningRate, defaultLR)
	}
	if o.TrainSize < 0 {
		return nil, cli.Usagef("-train-size %d: use a positive number of training images, or 0 for all of them", o.TrainSize)
	}
	if o.AccumulateGradients && o.Network != networkAutograd {
		return nil, cli.Usagef("-accumulate-gradients needs -network autograd (the example network always zeroes its gradients)")
	}
	if *initFrom != "" {
		if o.Network != networkAutograd {
			return nil, cli.Usagef("-init-from needs -network autograd (the example network's weights live in GoMLX layers)")
		}
		if o.initLayers, err = autograd.ReadRawParamsFile(*initFrom, o.Shape); err != nil {
			return nil, cli.Usagef("-init-from: %v", err)
		}
		o.InitFrom = *initFrom
	}
	if o.metricsOut != "" {
		if err := cli.CheckOutputFile("-metrics-out", o.metricsOut); err != nil {
			return nil, err
		}
	}
	if o.plotDir != "" {
		if err := cli.CheckOutputDir("-plot-dir", o.plotDir); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// parseShape parses "784,300,100,10".
func parseShape(s string) ([]int, error) {
	parts := strings.Split(s, ",")
	shape := make([]int, len(parts))
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return nil, cli.Usagef("-shape %q: %q is not a whole number; give comma-separated layer sizes such as -shape %s", s, p, defaultShape)
		}
		if v <= 0 {
			return nil, cli.Usagef("-shape %q: layer size %d must be positive; e.g. -shape %s", s, v, defaultShape)
		}
		shape[i] = v
	}
	if len(shape) < 2 {
		return nil, cli.Usagef("-shape %q needs at least the input and output sizes, e.g. -shape 784,10 or -shape %s", s, defaultShape)
	}
	if shape[0] != mnistFeatures {
		return nil, cli.Usagef("-shape %q must start with %d, the number of MNIST pixels (28×28); e.g. -shape %s", s, mnistFeatures, defaultShape)
	}
	if shape[len(shape)-1] != mnistClasses {
		return nil, cli.Usagef("-shape %q must end with %d, the number of digit classes; e.g. -shape %s", s, mnistClasses, defaultShape)
	}
	return shape, nil
}

func train(o *options, stdout, stderr io.Writer) error {
	b, choice, err := backend.Open()
	if err != nil {
		return err
	}
	trainSet, testSet, err := mnist.Load("")
	if err != nil {
		return err
	}
	if o.TrainSize > trainSet.N {
		return cli.Usagef("-train-size %d is more than the %d MNIST training images; use at most %d, or 0 for all", o.TrainSize, trainSet.N, trainSet.N)
	}
	if o.TrainSize > 0 && o.TrainSize < trainSet.N {
		if trainSet, err = trainSet.First(o.TrainSize); err != nil {
			return err
		}
	}
	o.TrainSize, o.TestSize = trainSet.N, testSet.N
	y1hot, err := mnist.OneHot(trainSet.Labels, mnistClasses)
	if err != nil {
		return err
	}
	net, err := newNetwork(o, b)
	if err != nil {
		return err
	}
	defer net.Close()

	metrics := Metrics{Backend: choice.Name, Config: o.Config}
	fmt.Fprintf(stdout, "network %s, shape %v, lr %g, %d epochs, %d training and %d test images, backend %s\n",
		o.Network, o.Shape, o.LearningRate, o.Epochs, o.TrainSize, o.TestSize, choice.Name)
	bar := progress.NewWriter(stderr, fmt.Sprintf("training %s", o.Network), o.Epochs)
	defer bar.Done("stopped") // finishes the line on an early return; only the first Done counts
	for epoch := 1; epoch <= o.Epochs; epoch++ {
		start := time.Now()
		loss, err := net.TrainOneEpoch(trainSet.Images, trainSet.Labels, y1hot, o.LearningRate)
		seconds := time.Since(start).Seconds()
		if err != nil && (math.IsNaN(loss) || math.IsInf(loss, 0)) {
			bar.Done("diverged")
			return keepCompleted(o, &metrics, &divergedError{epoch, loss, o.LearningRate, err}, stdout, stderr)
		}
		if err != nil {
			return err
		}
		trainAcc, err := net.Accuracy(trainSet.Images, trainSet.Labels)
		if err != nil {
			return err
		}
		testAcc, err := net.Accuracy(testSet.Images, testSet.Labels)
		if err != nil {
			return err
		}
		m := EpochMetrics{Epoch: epoch, Loss: loss, TrainAcc: trainAcc, TestAcc: testAcc, Seconds: seconds}
		metrics.Epochs = append(metrics.Epochs, m)
		fmt.Fprintf(stdout, "epoch %3d  loss %.5f  train_acc %.4f  test_acc %.4f  %.3fs\n", epoch, loss, trainAcc, testAcc, seconds)
		bar.Update(epoch, fmt.Sprintf("loss=%.4f train_acc=%.4f test_acc=%.4f", loss, trainAcc, testAcc))
	}
	last := metrics.Epochs[len(metrics.Epochs)-1]
	bar.Done(fmt.Sprintf("loss=%.4f train_acc=%.4f test_acc=%.4f", last.Loss, last.TrainAcc, last.TestAcc))

	return writeOutputs(o, &metrics, stdout)
}

// keepCompleted writes the outputs of the epochs completed before training
// diverged, with "stopped" in the metrics, says so on stderr, and returns
// the divergence (exit status 1).
func keepCompleted(o *options, m *Metrics, div *divergedError, stdout, stderr io.Writer) error {
	m.Stopped = &cli.Stopped{Epoch: div.epoch, Reason: div.reason()}
	if o.metricsOut == "" && o.plotDir == "" {
		return div
	}
	if err := writeOutputs(o, m, stdout); err != nil {
		return fmt.Errorf("%w (saving the completed epochs failed too: %v)", div, err)
	}
	saved := []string{}
	if o.metricsOut != "" {
		saved = append(saved, fmt.Sprintf("%s (with \"stopped\": epoch %d)", o.metricsOut, div.epoch))
	}
	if o.plotDir != "" && len(m.Epochs) > 0 {
		saved = append(saved, "the plots in "+o.plotDir)
	}
	epochs := "the completed epoch is"
	if len(m.Epochs) != 1 {
		epochs = fmt.Sprintf("the %d completed epochs are", len(m.Epochs))
	}
	fmt.Fprintf(stderr, "hw1-training: training stopped at epoch %d; %s in %s\n", div.epoch, epochs, strings.Join(saved, " and "))
	return div
}

// writeOutputs writes -metrics-out and the plots of -plot-dir. Both plots
// are drawn before anything is written.
func writeOutputs(o *options, m *Metrics, stdout io.Writer) error {
	out := cli.Outputs{MetricsFlag: "-metrics-out", MetricsPath: o.metricsOut, Metrics: m, PlotFlag: "-plot-dir", PlotDir: o.plotDir}
	if o.plotDir != "" && len(m.Epochs) > 0 {
		out.Plots = plots(m)
	}
	written, err := out.Write()
	for _, p := range written {
		fmt.Fprintln(stdout, "wrote", p)
	}
	return err
}

func newNetwork(o *options, b backends.Backend) (network, error) {
	if o.Network == networkExample {
		return examplenet.New(o.Shape, &examplenet.Options{Seed: o.Seed, Backend: b})
	}
	net, err := autograd.New(o.Shape, &autograd.Options{Seed: o.Seed, Backend: b, AccumulateGradients: o.AccumulateGradients})
	if err != nil || o.initLayers == nil {
		return net, err
	}
	if err := net.SetParams(o.initLayers); err != nil {
		net.Close()
		return nil, err
	}
	return net, nil
}

// plots returns the "Loss vs. Epochs" and "Accuracy vs. Epochs" figures of m.
func plots(m *Metrics) []cli.Plot {
	n := len(m.Epochs)
	x, loss, trainAcc, testAcc := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i, e := range m.Epochs {
		x[i], loss[i], trainAcc[i], testAcc[i] = float64(e.Epoch), e.Loss, e.TrainAcc, e.TestAcc
	}
	name := fmt.Sprintf("%s network %s", m.Config.Network, joinInts(m.Config.Shape))
	if m.Stopped != nil {
		name += fmt.Sprintf(", diverged at epoch %d", m.Stopped.Epoch)
	}
	lossChart := figure.LineChart{
		Title:  "Loss vs. Epochs (" + name + ")",
		XLabel: "Epoch",
		YLabel: "Training loss (average cross-entropy)",
		Series: []figure.Series{{Name: "training loss", X: x, Y: loss}},
	}
	accChart := figure.LineChart{
		Title:  "Accuracy vs. Epochs (" + name + ")",
		XLabel: "Epoch",
		YLabel: "Accuracy",
		Series: []figure.Series{
			{Name: "training accuracy", X: x, Y: trainAcc},
			{Name: "test accuracy", X: x, Y: testAcc},
		},
	}
	return []cli.Plot{{Name: lossPlotFile, Figure: lossChart}, {Name: accuracyPlotFile, Figure: accChart}}
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, "-")
}
