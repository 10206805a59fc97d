package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"feedforward.dev/feedforward/internal/cli"
	"feedforward.dev/feedforward/internal/clitest"
	"feedforward.dev/feedforward/pkg/denseres"
)

func TestMain(m *testing.M) { clitest.Main(m, main) }

// runBinary runs numpy-mlp with args in dir and returns its exit code and
// output. MNIST is made unreachable, so that a command line that wrongly
// passes validation fails fast (status 1) instead of training.
func runBinary(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return clitest.Run(t, dir, []string{"FEEDFORWARD_DATA=" + filepath.Join(dir, "no-mnist-here")}, args...)
}

func TestBadFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want []string // substrings of the error message
	}{
		{"zero hidden", []string{"--hidden-size", "0"}, []string{"--hidden-size", "positive"}},
		{"negative batch", []string{"--batch-size", "-3"}, []string{"--batch-size", "positive"}},
		{"zero epochs", []string{"--epochs", "0"}, []string{"--epochs", "at least one"}},
		{"zero lr", []string{"--lr", "0"}, []string{"--lr", "positive"}},
		{"NaN lr", []string{"--lr", "NaN"}, []string{"--lr", "positive"}},
		{"infinite lr", []string{"--lr", "+Inf"}, []string{"--lr", "positive"}},
		{"non-numeric lr", []string{"--lr", "fast"}, []string{"lr"}},
		{"bad dtype", []string{"--dtype", "float16"}, []string{"--dtype", `"float16"`, "float32", "float64"}},
		{"negative train size", []string{"--train-size", "-1"}, []string{"--train-size"}},
		{"train size too big", []string{"--train-size", "70000"}, []string{"--train-size", "60000"}},
		{"unknown flag", []string{"--hidden", "32"}, []string{"hidden"}},
		{"positional argument", []string{"data"}, []string{`"data"`, "flags"}},
		{"metrics-out in missing dir", []string{"--metrics-out", "nodir/m.json"}, []string{"--metrics-out", "does not exist"}},
		{"metrics-out is a dir", []string{"--metrics-out", "."}, []string{"--metrics-out", "directory"}},
		{"sizes without curve", []string{"--sizes", "100,200"}, []string{"--sizes", "--learning-curve"}},
		{"patience without curve", []string{"--patience", "3"}, []string{"--patience", "--learning-curve"}},
		{"val-size without curve", []string{"--val-size", "100"}, []string{"--val-size", "--learning-curve"}},
		{"train size with curve", []string{"--learning-curve", "--train-size", "100"}, []string{"--train-size", "--sizes"}},
		{"sizes not numbers", []string{"--learning-curve", "--sizes", "100,abc"}, []string{"--sizes", `"abc"`}},
		{"sizes empty entry", []string{"--learning-curve", "--sizes", "100,"}, []string{"--sizes", "positive whole number"}},
		{"sizes bad range", []string{"--learning-curve", "--sizes", "100:200"}, []string{"--sizes", "start:stop:step"}},
		{"sizes backwards", []string{"--learning-curve", "--sizes", "500:100:100"}, []string{"--sizes", "below the start"}},
		{"sizes zero step", []string{"--learning-curve", "--sizes", "100:500:0"}, []string{"--sizes", "positive"}},
		{"sizes too big", []string{"--learning-curve", "--sizes", "5500,56000"}, []string{"--sizes", "--val-size", "55000"}},
		{"sizes above the pool", []string{"--learning-curve", "--sizes", "70000"}, []string{"--sizes", "60000"}},
		{"sizes range overflowing", []string{"--learning-curve", "--sizes", "9223372036854775807:9223372036854775807:1"}, []string{"--sizes", "more than the 60000"}},
		{"sizes too big for val", []string{"--learning-curve", "--sizes", "50000", "--val-size", "20000"}, []string{"--sizes", "--val-size", "40000"}},
		{"zero patience", []string{"--learning-curve", "--patience", "0"}, []string{"--patience", "at least one"}},
		{"zero val size", []string{"--learning-curve", "--val-size", "0"}, []string{"--val-size", "at least one"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append(slices.Clone(tc.args), "--metrics-out", filepath.Join(dir, "m.json"), "--plot-dir", filepath.Join(dir, "plots"))
			if slices.Contains(tc.args, "--metrics-out") {
				args = append(slices.Clone(tc.args), "--plot-dir", filepath.Join(dir, "plots"))
			}
			code, stdout, stderr := runBinary(t, dir, args...)
			checkUsageFailure(t, code, stdout, stderr, tc.want)
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("files written despite the bad flags: %v", entries)
			}
		})
	}
	// Output paths that are, or lie below, a regular file ("afile").
	for _, tc := range []struct {
		name string
		args []string // relative to the test's directory
		want []string
	}{
		{"plot-dir is a file", []string{"--plot-dir", "afile", "--metrics-out", "m.json"}, []string{"--plot-dir", "not a directory"}},
		{"plot-dir below a file", []string{"--plot-dir", "afile/sub", "--metrics-out", "m.json"}, []string{"--plot-dir", "is a file, not a directory"}},
		{"metrics-out below a file", []string{"--metrics-out", "afile/m.json", "--plot-dir", "plots"}, []string{"--metrics-out", "is a file, not a directory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "afile"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runBinary(t, dir, tc.args...)
			checkUsageFailure(t, code, stdout, stderr, tc.want)
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("files written despite the bad flags: %v", entries)
			}
		})
	}
}

func checkUsageFailure(t *testing.T, code int, stdout, stderr string, want []string) {
	t.Helper()
	if code != 2 {
		t.Errorf("exit code %d, want 2; stderr: %s", code, stderr)
	}
	if !strings.HasPrefix(stderr, "numpy-mlp: ") && !strings.Contains(stderr, "\nnumpy-mlp: ") {
		t.Errorf("stderr %q does not start the error with the command's name", stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr %q does not mention %q", stderr, w)
		}
	}
	if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
		t.Errorf("stderr shows a panic: %s", stderr)
	}
	if stdout != "" {
		t.Errorf("stdout %q, want nothing", stdout)
	}
}

func TestBadMode(t *testing.T) {
	t.Setenv("FEEDFORWARD_MODE", "fast")
	err := run(nil, new(bytes.Buffer), new(bytes.Buffer))
	var ue cli.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "FEEDFORWARD_MODE") {
		t.Errorf("run with FEEDFORWARD_MODE=fast: error %v, want a usage error naming FEEDFORWARD_MODE", err)
	}
}

func TestHelp(t *testing.T) {
	code, _, stderr := runBinary(t, t.TempDir(), "-h")
	for _, w := range []string{"-hidden-size", "-batch-size", "-learning-curve", "--hidden-size 256 --batch-size 128 --epochs 30 --lr 0.01"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("-h output does not mention %q", w)
		}
	}
	if code != 0 {
		t.Errorf("-h: exit code %d", code)
	}
}

func TestDefaultsFollowMode(t *testing.T) {
	homework := denseres.HomeworkCurveConfigs()
	for _, tc := range []struct {
		mode      string
		args      []string
		epochs    int
		trainSize int
		lr        float64
		ln        bool
		sizes     int
		models    []denseres.CurveConfig
	}{
		{"", nil, defaultEpochs, defaultTrainSize, 0.01, true, 0, nil},
		{"full", []string{"--hidden-size", "256", "--batch-size", "128", "--epochs", "30", "--lr", "0.01"}, 30, 0, 0.01, true, 0, nil},
		{"quick", nil, quickEpochs, quickTrainSize, 0.01, true, 0, nil},
		{"quick", []string{"--epochs", "7", "--train-size", "0"}, 7, 0, 0.01, true, 0, nil},
		{"full", []string{"--no-layernorm"}, defaultEpochs, 0, 0.001, false, 0, nil},
		{"full", []string{"--no-layernorm", "--lr", "0.01"}, defaultEpochs, 0, 0.01, false, 0, nil},
		{"full", []string{"--learning-curve"}, defaultEpochs, 0, 0.01, true, 10, homework},
		{"quick", []string{"--learning-curve"}, quickCurveEpochs, 0, 0.01, true, 3, homework},
		{"quick", []string{"--learning-curve", "--hidden-size", "64"}, quickCurveEpochs, 0, 0.01, true, 3, []denseres.CurveConfig{{Hidden: 64, LayerNorm: true, LR: 0.01}}},
		{"full", []string{"--learning-curve", "--no-layernorm", "--sizes", "100,200:400:100"}, defaultEpochs, 0, 0.001, false, 4, []denseres.CurveConfig{{Hidden: 256, LayerNorm: false, LR: 0.001}}},
	} {
		t.Setenv("FEEDFORWARD_MODE", tc.mode)
		o, err := parseFlags(tc.args, new(bytes.Buffer))
		if err != nil {
			t.Fatal(err)
		}
		if o.Epochs != tc.epochs || o.TrainSize != tc.trainSize || o.LR != tc.lr || o.LayerNorm != tc.ln || len(o.Sizes) != tc.sizes ||
			!reflect.DeepEqual(o.Models, tc.models) || o.HiddenSize != 256 && tc.models == nil || o.BatchSize != 128 || o.DType != "float32" {
			t.Errorf("mode %q args %v: %+v", tc.mode, tc.args, o.Config)
		}
	}
	for _, tc := range []struct {
		mode          string
		sizes         []int
		patience, val int
	}{
		{"", denseres.HomeworkSizes(), defaultPatience, denseres.DefaultValSize},
		{"quick", []int{1000, 2000, 4000}, quickPatience, quickValSize},
	} {
		t.Setenv("FEEDFORWARD_MODE", tc.mode)
		o, err := parseFlags([]string{"--learning-curve"}, new(bytes.Buffer))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(o.Sizes, tc.sizes) || o.Patience != tc.patience || o.ValSize != tc.val {
			t.Errorf("mode %q learning-curve defaults: sizes %v patience %d val %d", tc.mode, o.Sizes, o.Patience, o.ValSize)
		}
	}
}

func TestPanicBecomesError(t *testing.T) {
	defer func(f func(*options, io.Writer, io.Writer) error) { trainFn = f }(trainFn)
	trainFn = func(*options, io.Writer, io.Writer) error { panic("boom") }
	err := run(nil, new(bytes.Buffer), new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "internal error") || !strings.Contains(err.Error(), "boom") {
		t.Errorf("run with a panicking trainer: error %v", err)
	}
}

// TestTinyRun trains for 2 epochs on 500 images, in both element types, and
// checks the metrics JSON schema and the two plots.
func TestTinyRun(t *testing.T) {
	for _, dtype := range []string{"float32", "float64"} {
		t.Run(dtype, func(t *testing.T) {
			dir := t.TempDir()
			metricsPath := filepath.Join(dir, "metrics.json")
			plotDir := filepath.Join(dir, "plots")
			var stdout, stderr bytes.Buffer
			err := run([]string{"--hidden-size", "16", "--batch-size", "32", "--train-size", "500", "--epochs", "2",
				"--lr", "0.05", "--seed", "3", "--dtype", dtype, "--metrics-out", metricsPath, "--plot-dir", plotDir}, &stdout, &stderr)
			if err != nil {
				t.Fatalf("run: %v\nstderr: %s", err, stderr.String())
			}
			raw, keys := clitest.ReadJSON(t, metricsPath)
			if !slices.Equal(keys, []string{"config", "epochs", "implementation"}) {
				t.Errorf("top-level keys %v, want [config epochs implementation]", keys)
			}
			clitest.CheckEpochs(t, raw["epochs"], 2)
			var m Metrics
			if err := json.Unmarshal(clitest.ReadFile(t, metricsPath), &m); err != nil {
				t.Fatal(err)
			}
			want := Config{HiddenSize: 16, BatchSize: 32, Epochs: 2, LR: 0.05, LayerNorm: true, TrainSize: 500, TestSize: 10000, Seed: 3, DType: dtype, Mode: m.Config.Mode}
			if !reflect.DeepEqual(m.Config, want) || !strings.Contains(m.Implementation, dtype) {
				t.Errorf("config %+v implementation %q, want %+v", m.Config, m.Implementation, want)
			}
			if !(m.Epochs[1].Loss < m.Epochs[0].Loss) {
				t.Errorf("loss %v then %v; want a decrease", m.Epochs[0].Loss, m.Epochs[1].Loss)
			}
			clitest.CheckTrainingRun(t, dir, plotDir, stdout.String(), 2, lossPlotFile, accuracyPlotFile)
		})
	}
}

// TestTinyLearningCurve measures a two-point learning curve of one small model.
func TestTinyLearningCurve(t *testing.T) {
	dir := t.TempDir()
	metricsPath := filepath.Join(dir, "curve.json")
	var stdout, stderr bytes.Buffer
	err := run([]string{"--learning-curve", "--hidden-size", "16", "--batch-size", "32", "--sizes", "200,800", "--val-size", "500",
		"--epochs", "4", "--patience", "2", "--lr", "0.05", "--metrics-out", metricsPath, "--plot-dir", dir}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("run: %v\nstderr: %s", err, stderr.String())
	}
	if _, keys := clitest.ReadJSON(t, metricsPath); !slices.Equal(keys, []string{"config", "implementation", "points"}) {
		t.Errorf("top-level keys %v, want [config implementation points]", keys)
	}
	var m Metrics
	if err := json.Unmarshal(clitest.ReadFile(t, metricsPath), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Points) != 2 || m.Points[0].TrainSize != 200 || m.Points[1].TrainSize != 800 {
		t.Fatalf("points %+v, want sizes 200 and 800", m.Points)
	}
	for _, p := range m.Points {
		if p.Config != "h16 LN lr 0.05" || p.ValSize != 500 || p.BestEpoch < 1 || p.BestEpoch > p.EpochsTrained || p.EpochsTrained > 4 ||
			len(p.History) != p.EpochsTrained || p.TestAcc <= 0.1 || p.TrainAcc <= 0.1 {
			t.Errorf("point %+v", p)
		}
	}
	if c := m.Config; !c.LearningCurve || c.Patience != 2 || c.ValSize != 500 || len(c.Models) != 1 || c.TrainSize != 0 {
		t.Errorf("config %+v", c)
	}
	clitest.CheckPNGs(t, dir, curvePlotFile)
	if lines := strings.Count(stdout.String(), "h16 LN lr 0.05"); lines != 2 {
		t.Errorf("stdout has %d point lines, want 2:\n%s", lines, stdout.String())
	}
}

// TestDivergence trains with a learning rate so large that the loss is NaN
// in the first epoch: the command fails (status 1) naming the divergence,
// and still writes the metrics file with "stopped".
func TestDivergence(t *testing.T) {
	dir := t.TempDir()
	metricsPath := filepath.Join(dir, "m.json")
	var stdout, stderr bytes.Buffer
	err := run([]string{"--hidden-size", "16", "--batch-size", "32", "--train-size", "500", "--epochs", "3", "--lr", "1e30",
		"--metrics-out", metricsPath, "--plot-dir", filepath.Join(dir, "plots")}, &stdout, &stderr)
	if !errors.Is(err, denseres.ErrDiverged) || !strings.Contains(err.Error(), "epoch 1") {
		t.Fatalf("run = %v, want a divergence in epoch 1", err)
	}
	if !strings.Contains(stderr.String(), "training diverged before the first epoch was complete") {
		t.Errorf("stderr does not say what was kept:\n%s", stderr.String())
	}
	raw, keys := clitest.ReadJSON(t, metricsPath)
	if !slices.Equal(keys, []string{"config", "implementation", "stopped"}) {
		t.Errorf("top-level keys %v, want [config implementation stopped] (no epoch was completed)", keys)
	}
	var stopped cli.Stopped
	if err := json.Unmarshal(raw["stopped"], &stopped); err != nil {
		t.Fatal(err)
	}
	if stopped.Epoch != 1 || !strings.Contains(stopped.Reason, "diverged") {
		t.Errorf("stopped = %+v, want epoch 1 and the reason", stopped)
	}
	if _, err := os.Stat(filepath.Join(dir, "plots")); !os.IsNotExist(err) {
		t.Errorf("a plot directory was created without an epoch to plot (%v)", err)
	}
}

func TestParseSizes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
	}{
		{"5500:55000:5500", denseres.HomeworkSizes()},
		{"100", []int{100}},
		{" 100 , 200 ", []int{100, 200}},
		{"50,100:300:100", []int{50, 100, 200, 300}},
		{"100:350:100", []int{100, 200, 300}},
		{"59999:60000:1", []int{59999, 60000}},
		{"100:200:9223372036854775807", []int{100}},
	} {
		got, err := parseSizes(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("parseSizes(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}
