package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"feedforward.dev/feedforward/internal/cli"
	"feedforward.dev/feedforward/internal/clitest"
	"feedforward.dev/feedforward/pkg/autograd"
)

func TestMain(m *testing.M) { clitest.Main(m, main) }

// runBinary runs hw1-training with args in dir and returns its exit code and output.
func runBinary(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return clitest.Run(t, dir, nil, args...)
}

func TestBadFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want []string // substrings of the error message
	}{
		{"shape not from 784", []string{"-shape", "100,10"}, []string{"-shape", "start with 784"}},
		{"shape not to 10", []string{"-shape", "784,300,9"}, []string{"-shape", "end with 10"}},
		{"non-numeric shape", []string{"-shape", "784,abc,10"}, []string{"-shape", `"abc"`, "whole number"}},
		{"empty shape entry", []string{"-shape", "784,,10"}, []string{"-shape", "whole number"}},
		{"single size", []string{"-shape", "784"}, []string{"-shape", "at least"}},
		{"zero layer", []string{"-shape", "784,0,10"}, []string{"-shape", "positive"}},
		{"zero lr", []string{"-lr", "0"}, []string{"-lr", "positive"}},
		{"negative lr", []string{"-lr", "-0.1"}, []string{"-lr", "positive"}},
		{"NaN lr", []string{"-lr", "NaN"}, []string{"-lr", "positive"}},
		{"non-numeric lr", []string{"-lr", "fast"}, []string{"-lr"}},
		{"zero epochs", []string{"-epochs", "0"}, []string{"-epochs", "at least one"}},
		{"negative epochs", []string{"-epochs", "-5"}, []string{"-epochs"}},
		{"unknown network", []string{"-network", "torch"}, []string{"-network", `"torch"`, "autograd", "example"}},
		{"negative train size", []string{"-train-size", "-1"}, []string{"-train-size"}},
		{"accumulate with example", []string{"-network", "example", "-accumulate-gradients"}, []string{"-accumulate-gradients", "autograd"}},
		{"unknown flag", []string{"-batch", "32"}, []string{"-batch"}},
		{"positional argument", []string{"data"}, []string{`"data"`, "flags"}},
		{"metrics-out in missing dir", []string{"-metrics-out", "nodir/m.json"}, []string{"-metrics-out", "does not exist"}},
		{"metrics-out is a dir", []string{"-metrics-out", "."}, []string{"-metrics-out", "directory"}},
		{"init-from missing", []string{"-init-from", "nope.bin"}, []string{"-init-from", "nope.bin", "no such file"}},
		{"init-from with example", []string{"-network", "example", "-init-from", "nope.bin"}, []string{"-init-from", "autograd"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append(slices.Clone(tc.args), "-metrics-out", filepath.Join(dir, "m.json"), "-plot-dir", filepath.Join(dir, "plots"))
			if slices.Contains(tc.args, "-metrics-out") {
				args = append(slices.Clone(tc.args), "-plot-dir", filepath.Join(dir, "plots"))
			}
			code, stdout, stderr := runBinary(t, dir, args...)
			if code != 2 {
				t.Errorf("exit code %d, want 2; stderr: %s", code, stderr)
			}
			for _, w := range tc.want {
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
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("files written despite the bad flags: %v", entries)
			}
		})
	}
}

// TestOutputsBelowAFile checks that output paths that cannot be created are
// refused before training: a -plot-dir or a -metrics-out below a regular file.
func TestOutputsBelowAFile(t *testing.T) {
	for _, tc := range []struct {
		name string
		args func(dir, file string) []string
		want []string
	}{
		{"plot-dir below a file", func(dir, file string) []string {
			return []string{"-metrics-out", filepath.Join(dir, "m.json"), "-plot-dir", filepath.Join(file, "sub")}
		}, []string{"-plot-dir", "is a file, not a directory"}},
		{"plot-dir deep below a file", func(dir, file string) []string {
			return []string{"-plot-dir", filepath.Join(file, "sub", "plots")}
		}, []string{"-plot-dir", "is a file, not a directory"}},
		{"metrics-out below a file", func(dir, file string) []string {
			return []string{"-metrics-out", filepath.Join(file, "m.json"), "-plot-dir", filepath.Join(dir, "plots")}
		}, []string{"-metrics-out", "is a file, not a directory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "afile")
			if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runBinary(t, dir, append(tc.args(dir, file), "-train-size", "500", "-epochs", "1")...)
			if code != 2 || stdout != "" {
				t.Errorf("exit code %d, stdout %q; want 2 and nothing (stderr: %s)", code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not mention %q", stderr, w)
				}
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("files written despite the bad output path: %v", entries)
			}
		})
	}
}

// TestPlotFailureWritesNothing checks that the metrics file is not written
// alone when a plot cannot be drawn (here: a NaN the figures refuse).
func TestPlotFailureWritesNothing(t *testing.T) {
	dir := t.TempDir()
	o := &options{Config: Config{Network: networkAutograd, Shape: []int{784, 10}}, metricsOut: filepath.Join(dir, "m.json"), plotDir: filepath.Join(dir, "plots")}
	m := &Metrics{Config: o.Config, Epochs: []EpochMetrics{{Epoch: 1, Loss: 2.3, TrainAcc: 0.1, TestAcc: 0.1}, {Epoch: 2, Loss: 2.2, TrainAcc: math.NaN(), TestAcc: 0.2}}}
	var stdout bytes.Buffer
	err := writeOutputs(o, m, &stdout)
	if err == nil || !strings.Contains(err.Error(), "-plot-dir") || !strings.Contains(err.Error(), accuracyPlotFile) {
		t.Errorf("writeOutputs = %v, want an error naming -plot-dir and %s", err, accuracyPlotFile)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 || stdout.Len() != 0 {
		t.Errorf("wrote %v (stdout %q) despite the plot failure", entries, stdout.String())
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
	if code != 0 || !strings.Contains(stderr, "-network") || !strings.Contains(stderr, "-train-size") {
		t.Errorf("-h: exit code %d, usage %q", code, stderr)
	}
}

func TestDefaultsFollowMode(t *testing.T) {
	for _, tc := range []struct {
		mode              string
		args              []string
		epochs, trainSize int
	}{
		{"", nil, defaultEpochs, defaultTrainSize},
		{"full", nil, defaultEpochs, defaultTrainSize},
		{"quick", nil, quickEpochs, quickTrainSize},
		{"quick", []string{"-epochs", "3", "-train-size", "0"}, 3, 0},
	} {
		t.Setenv("FEEDFORWARD_MODE", tc.mode)
		o, err := parseFlags(tc.args, new(bytes.Buffer))
		if err != nil {
			t.Fatal(err)
		}
		if o.Epochs != tc.epochs || o.TrainSize != tc.trainSize || !slices.Equal(o.Shape, []int{784, 300, 100, 10}) || o.LearningRate != defaultLR {
			t.Errorf("mode %q args %v: epochs %d train-size %d shape %v lr %g; want %d %d [784 300 100 10] %g",
				tc.mode, tc.args, o.Epochs, o.TrainSize, o.Shape, o.LearningRate, tc.epochs, tc.trainSize, defaultLR)
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

// TestTinyRun trains both networks for 2 epochs on 500 images and checks the
// metrics JSON schema and the two plots.
func TestTinyRun(t *testing.T) {
	for _, network := range []string{"autograd", "example"} {
		t.Run(network, func(t *testing.T) {
			dir := t.TempDir()
			metricsPath := filepath.Join(dir, "metrics.json")
			plotDir := filepath.Join(dir, "plots")
			var stdout, stderr bytes.Buffer
			err := run([]string{"-network", network, "-shape", "784,32,10", "-train-size", "500", "-epochs", "2",
				"-lr", "0.5", "-seed", "3", "-metrics-out", metricsPath, "-plot-dir", plotDir}, &stdout, &stderr)
			if err != nil {
				t.Fatalf("run: %v\nstderr: %s", err, stderr.String())
			}
			raw, keys := clitest.ReadJSON(t, metricsPath)
			if !slices.Equal(keys, []string{"backend", "config", "epochs"}) {
				t.Errorf("top-level keys %v, want [backend config epochs]", keys)
			}
			clitest.CheckEpochs(t, raw["epochs"], 2)
			var m Metrics
			if err := json.Unmarshal(clitest.ReadFile(t, metricsPath), &m); err != nil {
				t.Fatal(err)
			}
			want := Config{Network: network, Shape: []int{784, 32, 10}, Epochs: 2, LearningRate: 0.5, TrainSize: 500, TestSize: 10000, Seed: 3, Mode: m.Config.Mode}
			if !reflect.DeepEqual(m.Config, want) || m.Backend == "" {
				t.Errorf("config %+v backend %q, want %+v and a backend name", m.Config, m.Backend, want)
			}
			if !(m.Epochs[1].Loss < m.Epochs[0].Loss) {
				t.Errorf("loss %v then %v; want a decrease", m.Epochs[0].Loss, m.Epochs[1].Loss)
			}
			clitest.CheckTrainingRun(t, dir, plotDir, stdout.String(), 2, lossPlotFile, accuracyPlotFile)
		})
	}
}

// TestDivergence trains with a learning rate so large that the loss is NaN
// at epoch 2: the command fails (status 1) with a clear message, and still
// writes the completed epoch with "stopped" and its plots.
func TestDivergence(t *testing.T) {
	dir := t.TempDir()
	metricsPath := filepath.Join(dir, "m.json")
	plotDir := filepath.Join(dir, "plots")
	code, stdout, stderr := runBinary(t, dir, "-shape", "784,32,10", "-train-size", "500", "-epochs", "3", "-lr", "1e30",
		"-metrics-out", metricsPath, "-plot-dir", plotDir)
	if code != 1 {
		t.Errorf("exit code %d, want 1; stderr: %s", code, stderr)
	}
	for _, w := range []string{"hw1-training: epoch 2: the training loss is", "diverged", "try a smaller -lr such as 1e+29", "training stopped at epoch 2", metricsPath} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	if strings.Contains(stderr, "panic") {
		t.Errorf("stderr shows a panic: %s", stderr)
	}
	raw, keys := clitest.ReadJSON(t, metricsPath)
	if !slices.Equal(keys, []string{"backend", "config", "epochs", "stopped"}) {
		t.Errorf("top-level keys %v, want [backend config epochs stopped]", keys)
	}
	clitest.CheckEpochs(t, raw["epochs"], 1)
	var stopped cli.Stopped
	if err := json.Unmarshal(raw["stopped"], &stopped); err != nil {
		t.Fatal(err)
	}
	if stopped.Epoch != 2 || !strings.Contains(stopped.Reason, "diverged") {
		t.Errorf("stopped = %+v, want epoch 2 and a reason saying training diverged", stopped)
	}
	clitest.CheckPNGs(t, plotDir, lossPlotFile, accuracyPlotFile)
	if !strings.Contains(stdout, "wrote "+metricsPath) {
		t.Errorf("stdout does not report the metrics file:\n%s", stdout)
	}
}

// TestInitFrom starts a run from weights in a file: the run must be the one
// that starts from the network those weights were taken from, whatever -seed
// says, and a file of the wrong size is refused before training.
func TestInitFrom(t *testing.T) {
	dir := t.TempDir()
	shape := []int{784, 32, 10}
	src, err := autograd.New(shape, &autograd.Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	layers, err := src.Params()
	src.Close()
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	for _, ly := range layers {
		for _, v := range append(append([]float64{}, ly.W...), ly.B...) {
			_ = binary.Write(&raw, binary.LittleEndian, float32(v))
		}
	}
	initFile := filepath.Join(dir, "init.bin")
	if err := os.WriteFile(initFile, raw.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	losses := func(wantInit string, extra ...string) []float64 {
		t.Helper()
		out := filepath.Join(t.TempDir(), "m.json")
		args := append([]string{"-shape", "784,32,10", "-train-size", "300", "-epochs", "2", "-lr", "0.5", "-metrics-out", out}, extra...)
		var stdout, stderr bytes.Buffer
		if err := run(args, &stdout, &stderr); err != nil {
			t.Fatalf("run %v: %v\n%s", args, err, stderr.String())
		}
		var m Metrics
		if err := json.Unmarshal(clitest.ReadFile(t, out), &m); err != nil {
			t.Fatal(err)
		}
		if m.Config.InitFrom != wantInit {
			t.Errorf("config init_from = %q, want %q", m.Config.InitFrom, wantInit)
		}
		return []float64{m.Epochs[0].Loss, m.Epochs[1].Loss}
	}
	want := losses("", "-seed", "3")
	got := losses(initFile, "-seed", "99", "-init-from", initFile)
	other := losses("", "-seed", "99")
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-6*math.Abs(want[i]) {
			t.Errorf("epoch %d loss %v from the file, want %v (the run with -seed 3)", i+1, got[i], want[i])
		}
	}
	if other[0] == want[0] {
		t.Errorf("-seed 99 and -seed 3 give the same loss %v; the test cannot tell the weights apart", other[0])
	}
	if err := os.WriteFile(initFile, raw.Bytes()[:raw.Len()-4], 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runBinary(t, dir, "-shape", "784,32,10", "-init-from", initFile, "-metrics-out", filepath.Join(dir, "x.json"))
	if code != 2 || !strings.Contains(stderr, "ends after") {
		t.Errorf("short -init-from file: exit %d, stderr %q; want 2 and a message on the file's length", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.json")); err == nil {
		t.Error("metrics written despite a bad -init-from")
	}
}
