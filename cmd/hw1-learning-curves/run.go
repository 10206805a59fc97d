package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"feedforward.dev/feedforward/internal/cli"
	"feedforward.dev/feedforward/pkg/backend"
	"feedforward.dev/feedforward/pkg/learningcurve"
	"feedforward.dev/feedforward/pkg/mnist"
	"feedforward.dev/feedforward/pkg/mode"
)

// shapesFlag is the repeatable -shape flag. The first explicit value replaces
// the default list.
type shapesFlag struct {
	shapes [][]int
	set    bool
}

// String lists the shapes, separated by ';'.
func (f *shapesFlag) String() string {
	if f == nil {
		return ""
	}
	parts := make([]string, len(f.shapes))
	for i, s := range f.shapes {
		parts[i] = learningcurve.FormatShape(s)
	}
	return strings.Join(parts, ";")
}

// Set adds the shapes of one -shape flag.
func (f *shapesFlag) Set(v string) error {
	if !f.set {
		f.shapes, f.set = nil, true
	}
	for _, part := range strings.Split(v, ";") {
		s, err := learningcurve.ParseShape(strings.TrimSpace(part))
		if err != nil {
			return errors.New(strings.TrimPrefix(err.Error(), "learningcurve: "))
		}
		f.shapes = append(f.shapes, s)
	}
	return nil
}

// options are the parsed command line.
type options struct {
	cfg    learningcurve.Config
	mode   mode.Mode
	out    string
	resume bool
}

// run is the whole command: it parses args, runs the sweep and writes the
// outputs. It never panics: a panic is turned into an error.
func run(args []string, stdout, stderr io.Writer) (err error) {
	defer cli.Recover(&err)
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if err := checkResume(o); err != nil {
		return err
	}
	return sweep(o, stdout, stderr)
}

// settingFlags are the flags of the settings learningcurve.Config.Differences names.
var settingFlags = map[string]string{
	"seed": "-seed", "lr": "-lr", "batch_size": "-batch", "patience": "-patience", "max_epochs": "-max-epochs",
	"val_size": "-val-size", "val_fraction": "-val-fraction", "validate_every": "-validate-every",
}

// checkResume refuses -resume when -out holds checkpoints of other settings
// but none of these: the run would not resume anything, it would start a new
// sweep and then replace the other sweep's JSON, CSV and PNG files.
func checkResume(o *options) error {
	if !o.resume {
		return nil
	}
	found, err := learningcurve.FindCheckpoints(o.out)
	if err != nil {
		return cli.Usagef("-resume: %s", strings.TrimPrefix(err.Error(), "learningcurve: "))
	}
	hash := o.cfg.Hash()
	var others []string
	for _, c := range found {
		if c.Hash == hash {
			return nil // this sweep's checkpoint: resume it
		}
		var diffs []string
		for _, d := range o.cfg.Differences(c.Config, c.EngineVersion) {
			if d.Setting == "engine_version" {
				diffs = append(diffs, fmt.Sprintf("was written by engine version %s (now %s) and cannot be resumed", d.Other, d.Value))
				continue
			}
			diffs = append(diffs, fmt.Sprintf("%s %s (now %s)", settingFlags[d.Setting], d.Other, d.Value))
		}
		if len(diffs) == 0 {
			diffs = []string{"configuration " + c.Hash}
		}
		points := "1 point"
		if c.Points != 1 {
			points = fmt.Sprintf("%d points", c.Points)
		}
		others = append(others, fmt.Sprintf("%s (%s) has %s", filepath.Base(c.Path), points, strings.Join(diffs, ", ")))
	}
	if len(others) == 0 {
		return nil // nothing to resume yet
	}
	which := "it"
	if len(others) > 1 {
		which = "one of them"
	}
	return cli.Usagef("-resume: %s holds no checkpoint of these settings (configuration %s), only of other settings: %s. "+
		"To resume %s, run with its settings; to keep it and run these settings, use another -out; "+
		"or drop -resume to start these settings in %s, replacing its %s, %s and PNG files",
		o.out, hash, strings.Join(others, "; "), which, o.out, learningcurve.JSONFile, learningcurve.CSVFile)
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	m, err := mode.Get(mode.Full)
	if err != nil {
		return nil, cli.Usagef("%v", err)
	}
	def := learningcurve.DefaultConfig(m)
	fs := cli.NewFlagSet("hw1-learning-curves", stderr, fmt.Sprintf("Usage: hw1-learning-curves -out DIR [flags]\n\nLearning curves of early-stopped networks on MNIST (homework Q4).\n%s=%s\n\nFlags:\n", mode.EnvVar, m))
	shapes := &shapesFlag{shapes: def.Shapes}
	fs.Var(shapes, "shape", "network shape from 784 to 10, e.g. 784,300,100,10; repeat the flag (or separate with ';') for several")
	sizes := fs.String("sizes", learningcurve.FormatSizes(def.Sizes), "training-set sizes: start:stop:step and/or a comma-separated list")
	lr := fs.Float64("lr", def.LearningRate, "learning rate")
	batch := fs.Int("batch", def.BatchSize, "mini-batch size; 0 means full-batch gradient descent")
	patience := fs.Int("patience", def.Patience, "stop after this many epochs without a better validation accuracy")
	maxEpochs := fs.Int("max-epochs", def.MaxEpochs, "cap on the epochs of one point")
	valSize := fs.Int("val-size", def.ValSize, "validation hold-out drawn from the training pool, disjoint from every training set")
	valFraction := fs.Float64("val-fraction", 0, "if > 0: validate on this fraction of each training set instead of the hold-out")
	validateEvery := fs.Int("validate-every", def.ValidateEvery, "training images between two validations (every ⌈N/n⌉ epochs); 0 validates after every epoch")
	repeats := fs.Int("repeats", def.Repeats, "independent runs per shape and size")
	seed := fs.Uint64("seed", def.Seed, "seed of the hold-out, subsets, initial weights and batch orders")
	out := fs.String("out", "", "output directory for the JSON, CSV and PNG files and the checkpoint (required)")
	resume := fs.Bool("resume", false, "reuse the points already in the output directory's checkpoint for the same settings")
	if err := cli.Parse(fs, args, "-out q4"); err != nil {
		return nil, err
	}
	cfg := def
	cfg.Shapes = shapes.shapes
	if cfg.Sizes, err = learningcurve.ParseSizes(*sizes); err != nil {
		return nil, cli.Usagef("-sizes: %s", strings.TrimPrefix(err.Error(), "learningcurve: "))
	}
	cfg.LearningRate, cfg.BatchSize, cfg.Patience, cfg.MaxEpochs = *lr, *batch, *patience, *maxEpochs
	cfg.ValSize, cfg.ValFraction, cfg.Repeats, cfg.Seed = *valSize, *valFraction, *repeats, *seed
	cfg.ValidateEvery = *validateEvery
	if err := checkFlags(cfg); err != nil {
		return nil, err
	}
	if err := cfg.Validate(mnistTrainImages); err != nil {
		return nil, cli.UsageError{Msg: strings.TrimPrefix(err.Error(), "learningcurve: ")}
	}
	if *out == "" {
		return nil, cli.Usagef("-out DIR is required: the directory that receives the JSON, CSV and PNG files, e.g. -out q4")
	}
	if err := cli.CheckOutputDir("-out", *out); err != nil {
		return nil, err
	}
	return &options{cfg: cfg, mode: m, out: *out, resume: *resume}, nil
}

// mnistTrainImages is the size of the MNIST training pool.
const mnistTrainImages = 60000

// checkFlags gives flag-specific messages for the simple range checks.
func checkFlags(c learningcurve.Config) error {
	switch {
	case !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0):
		return cli.Usagef("-lr %v: the learning rate must be a positive number, e.g. -lr 0.1", c.LearningRate)
	case c.BatchSize < 0:
		return cli.Usagef("-batch %d: use a positive mini-batch size such as 64, or 0 for full-batch gradient descent", c.BatchSize)
	case c.Patience < 1:
		return cli.Usagef("-patience %d: wait at least one epoch, e.g. -patience 10", c.Patience)
	case c.MaxEpochs < 1:
		return cli.Usagef("-max-epochs %d: allow at least one epoch, e.g. -max-epochs 200", c.MaxEpochs)
	case c.Repeats < 1:
		return cli.Usagef("-repeats %d: run each point at least once", c.Repeats)
	case c.ValFraction < 0 || c.ValFraction >= 1 || math.IsNaN(c.ValFraction):
		return cli.Usagef("-val-fraction %v must be in (0, 1), e.g. 0.2; leave it 0 to use the -val-size hold-out", c.ValFraction)
	case c.ValidateEvery < 0:
		return cli.Usagef("-validate-every %d: give the number of training images between validations, e.g. 1000, or 0 for every epoch", c.ValidateEvery)
	case c.ValFraction == 0 && c.ValSize < 1:
		return cli.Usagef("-val-size %d: the validation hold-out needs at least one image, e.g. -val-size 2000", c.ValSize)
	}
	return nil
}

func sweep(o *options, stdout, stderr io.Writer) error {
	b, choice, err := backend.Open()
	if err != nil {
		return err
	}
	pool, test, err := mnist.Load("")
	if err != nil {
		return err
	}
	if err := o.cfg.Validate(pool.N); err != nil {
		return cli.UsageError{Msg: strings.TrimPrefix(err.Error(), "learningcurve: ")}
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	ckpt, err := learningcurve.OpenCheckpoint(o.out, o.cfg, o.resume)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "mode %s, backend %s, configuration %s\n%s\n", o.mode, choice.Name, o.cfg.Hash(), o.cfg.CommandLine(o.out))
	if o.resume {
		fmt.Fprintf(stdout, "resuming: %d points in %s\n", ckpt.Loaded(), ckpt.Path())
	}
	res, err := learningcurve.Run(o.cfg, pool, test, &learningcurve.RunOptions{
		Backend: b, BackendName: choice.Name, Checkpoint: ckpt, Progress: true, ProgressWriter: stderr, Log: stdout,
	})
	if errors.Is(err, learningcurve.ErrOtherBackend) {
		// Found before anything was trained or written.
		return cli.Usagef("-resume -out %s: %s", o.out, strings.TrimPrefix(err.Error(), "learningcurve: "))
	}
	if err != nil {
		return err
	}
	written, err := res.WriteFiles(o.out)
	if err != nil {
		return err
	}
	for _, p := range written {
		fmt.Fprintln(stdout, "wrote", p)
	}
	summarize(stdout, res)
	return nil
}

// summarize prints the last point of each curve and where the curves cross.
func summarize(w io.Writer, res *learningcurve.Result) {
	fmt.Fprintf(w, "%d points (%d computed, %d resumed) in %.1fs\n", len(res.Points), res.Computed, res.Resumed, res.Seconds)
	var curves [][]learningcurve.Summary
	for _, s := range res.Config.Shapes {
		c := res.Curve(s)
		curves = append(curves, c)
		last := c[len(c)-1]
		fmt.Fprintf(w, "%s at n=%d: train %.4f test %.4f gap %.4f\n", learningcurve.ShapeTitle(s), last.TrainSize, last.TrainAcc, last.TestAcc, last.Gap())
	}
	for i := 1; i < len(curves); i++ {
		a, b := res.Config.Shapes[0], res.Config.Shapes[i]
		first, from := learningcurve.Overtakes(curves[0], curves[i])
		switch {
		case from > 0:
			fmt.Fprintf(w, "%s is ahead of %s on test accuracy from n=%d on (first ahead at n=%d)\n",
				learningcurve.ShapeTitle(b), learningcurve.ShapeTitle(a), from, first)
		case first > 0:
			fmt.Fprintf(w, "%s is ahead of %s at some sizes (first at n=%d) but not at the largest\n",
				learningcurve.ShapeTitle(b), learningcurve.ShapeTitle(a), first)
		default:
			fmt.Fprintf(w, "%s is never ahead of %s on test accuracy\n", learningcurve.ShapeTitle(b), learningcurve.ShapeTitle(a))
		}
	}
}
