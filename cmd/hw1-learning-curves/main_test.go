package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"feedforward.dev/feedforward/internal/clitest"
	"feedforward.dev/feedforward/pkg/learningcurve"
)

func TestMain(m *testing.M) { clitest.Main(m, main) }

// runBinary runs hw1-learning-curves with args in dir and returns its exit
// code and output. env adds environment variables.
func runBinary(t *testing.T, dir string, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return clitest.Run(t, dir, env, args...)
}

func TestBadFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  []string
		want []string // substrings of the error message
	}{
		{"no -out", []string{"-sizes", "250"}, nil, []string{"-out", "required"}},
		{"shape not from 784", []string{"-shape", "100,10"}, nil, []string{"-shape", "start with 784"}},
		{"shape not to 10", []string{"-shape", "784,300,9"}, nil, []string{"-shape", "end with 10"}},
		{"non-numeric shape", []string{"-shape", "784,abc,10"}, nil, []string{"-shape", `"abc"`, "whole number"}},
		{"duplicate shape", []string{"-shape", "784,10", "-shape", "784,10"}, nil, []string{"784,10", "twice"}},
		{"bad sizes", []string{"-sizes", "250:1000"}, nil, []string{"-sizes", "start:stop:step"}},
		{"zero size", []string{"-sizes", "0,250"}, nil, []string{"-sizes", "positive"}},
		{"size too large", []string{"-sizes", "59000"}, nil, []string{"58000"}},
		{"size above the pool", []string{"-sizes", "60001"}, nil, []string{"-sizes", "more than the 60000"}},
		{"range overflowing", []string{"-sizes", "9223372036854775807:9223372036854775807:1"}, nil, []string{"-sizes", "more than the 60000"}},
		{"zero lr", []string{"-lr", "0"}, nil, []string{"-lr", "positive"}},
		{"NaN lr", []string{"-lr", "NaN"}, nil, []string{"-lr", "positive"}},
		{"non-numeric lr", []string{"-lr", "fast"}, nil, []string{"-lr"}},
		{"negative batch", []string{"-batch", "-1"}, nil, []string{"-batch", "full-batch"}},
		{"zero patience", []string{"-patience", "0"}, nil, []string{"-patience"}},
		{"zero cap", []string{"-max-epochs", "0"}, nil, []string{"-max-epochs"}},
		{"zero hold-out", []string{"-val-size", "0"}, nil, []string{"-val-size"}},
		{"fraction too large", []string{"-val-fraction", "1.5"}, nil, []string{"-val-fraction"}},
		{"negative validation frequency", []string{"-validate-every", "-1"}, nil, []string{"-validate-every"}},
		{"zero repeats", []string{"-repeats", "0"}, nil, []string{"-repeats"}},
		{"unknown flag", []string{"-epochs", "3"}, nil, []string{"-epochs"}},
		{"positional argument", []string{"data"}, nil, []string{`"data"`, "flags"}},
		{"bad mode", nil, []string{"FEEDFORWARD_MODE=fast"}, []string{"FEEDFORWARD_MODE", "quick"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "out")
			args := slices.Clone(tc.args)
			if tc.name != "no -out" {
				args = append(args, "-out", out)
			}
			code, stdout, stderr := runBinary(t, dir, tc.env, args...)
			if code != 2 {
				t.Errorf("exit code %d, want 2 (stdout %q, stderr %q)", code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
				t.Errorf("stderr shows a panic: %s", stderr)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("-out %s was created for a bad command line", out)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 0 {
				t.Errorf("files written for a bad command line: %v", entries)
			}
		})
	}
}

func TestOutIsAFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "results")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runBinary(t, dir, nil, "-out", file)
	if code != 2 || !strings.Contains(stderr, "is a file") {
		t.Errorf("exit %d, stderr %q; want 2 and a message that -out is a file", code, stderr)
	}
}

func TestOutBelowAFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "results")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runBinary(t, dir, nil, "-sizes", "250", "-out", filepath.Join(file, "q4"))
	if code != 2 || stdout != "" || !strings.Contains(stderr, "-out") || !strings.Contains(stderr, `"`+file+`" is a file`) {
		t.Errorf("exit %d, stdout %q, stderr %q; want 2 and a message that %s is a file", code, stdout, stderr, file)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files written for a bad -out: %v", entries)
	}
}

func TestHelp(t *testing.T) {
	code, _, stderr := runBinary(t, t.TempDir(), nil, "-h")
	if code != 0 || !strings.Contains(stderr, "-resume") || !strings.Contains(stderr, "-sizes") {
		t.Errorf("-h: exit %d, stderr %q", code, stderr)
	}
}

// resultFile is the part of the JSON output the tests read.
type resultFile struct {
	Config struct {
		Shapes [][]int `json:"shapes"`
		Sizes  []int   `json:"sizes"`
		Hash   string  `json:"hash"`
	} `json:"config"`
	Points []struct {
		Shape         string  `json:"shape"`
		TrainSize     int     `json:"train_size"`
		TrainAcc      float64 `json:"train_acc"`
		TestAcc       float64 `json:"test_acc"`
		EpochsTrained int     `json:"epochs_trained"`
		BestEpoch     int     `json:"best_epoch"`
		Seconds       float64 `json:"seconds"`
	} `json:"points"`
}

func TestSweepWritesAndResumes(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "q4")
	// A small hidden layer stands in for the deep network, to keep the test fast.
	args := []string{"-shape", "784,10;784,16,10", "-sizes", "250,500", "-max-epochs", "4", "-patience", "2", "-val-size", "300", "-out", out}
	code, stdout, stderr := runBinary(t, dir, nil, args...)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, name := range []string{"learning-curves.json", "learning-curves.csv", "learning-curve-784-10.png",
		"learning-curve-784-16-10.png", "learning-curves-overlay.png"} {
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".png") {
			if _, err := png.Decode(bytes.NewReader(data)); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
	if !strings.Contains(stderr, "ETA") && !strings.Contains(stderr, "elapsed") {
		t.Errorf("no progress line on stderr:\n%s", stderr)
	}
	if !strings.Contains(stdout, "go run ./cmd/hw1-learning-curves -shape 784,10 -shape 784,16,10 -sizes 250,500") {
		t.Errorf("stdout does not show the full command line:\n%s", stdout)
	}
	var res resultFile
	data, err := os.ReadFile(filepath.Join(out, "learning-curves.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Points) != 4 || len(res.Config.Shapes) != 2 || res.Config.Hash == "" {
		t.Fatalf("JSON holds %d points, shapes %v, hash %q", len(res.Points), res.Config.Shapes, res.Config.Hash)
	}
	for _, p := range res.Points {
		// Four epochs are enough for the linear model to learn; the package's
		// tests check the shapes of learning curves in detail.
		if p.Shape == "784,10" && (p.TrainAcc < p.TestAcc || p.TestAcc < 0.5) ||
			p.TestAcc < 0.15 || p.EpochsTrained < p.BestEpoch || p.BestEpoch < 1 || p.Seconds <= 0 {
			t.Errorf("implausible point %+v", p)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "checkpoint-"+res.Config.Hash+".json")); err != nil {
		t.Errorf("no checkpoint: %v", err)
	}

	// Resume with one more size: only that one is trained.
	args[3] = "250,500,750"
	code, stdout, stderr = runBinary(t, dir, nil, append(args, "-resume")...)
	if code != 0 {
		t.Fatalf("resume: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "resuming: 4 points") || !strings.Contains(stdout, "(2 computed, 4 resumed)") {
		t.Errorf("resume output:\n%s", stdout)
	}
	data, err = os.ReadFile(filepath.Join(out, "learning-curves.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Points) != 6 {
		t.Errorf("after resuming the JSON holds %d points, want 6", len(res.Points))
	}
}

// writeCheckpoint writes into out the checkpoint of the settings args give,
// holding the given points.
func writeCheckpoint(t *testing.T, out string, args []string, points ...learningcurve.Point) {
	t.Helper()
	o, err := parseFlags(append(slices.Clone(args), "-out", out), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	ckpt, err := learningcurve.OpenCheckpoint(out, o.cfg, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range points {
		if err := ckpt.Add(p); err != nil {
			t.Fatal(err)
		}
	}
}

// TestResumeOtherBackend checks that -resume refuses a checkpoint whose points
// were computed on another backend, before training or writing anything.
func TestResumeOtherBackend(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "q4")
	args := []string{"-shape", "784,10", "-sizes", "250,500", "-max-epochs", "2", "-val-size", "300"}
	writeCheckpoint(t, out, args, learningcurve.Point{Shape: "784,10", TrainSize: 250, FitSize: 250, ValSize: 300, TrainAcc: 0.9, TestAcc: 0.8,
		EpochsTrained: 2, BestEpoch: 2, StoppedBy: learningcurve.StoppedByMaxEpochs, Backend: "TPU (imaginary)"})
	before, _ := os.ReadDir(out)
	code, stdout, stderr := runBinary(t, dir, nil, append(args, "-out", out, "-resume")...)
	if code != 2 {
		t.Errorf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, w := range []string{"-resume", "computed on TPU (imaginary)", "but this run uses", "GOMLX_BACKEND"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	if after, _ := os.ReadDir(out); len(after) != len(before) {
		t.Errorf("-out holds %v after the refusal, %v before", after, before)
	}
}

// TestResumeOtherSettings checks that -resume refuses an -out that holds
// checkpoints of other settings only, naming the settings that differ,
// instead of starting a new sweep that replaces the other's files.
func TestResumeOtherSettings(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "q4")
	args := []string{"-shape", "784,10", "-sizes", "250,500", "-max-epochs", "2", "-val-size", "300"}
	writeCheckpoint(t, out, append(slices.Clone(args), "-lr", "0.05", "-seed", "2"), learningcurve.Point{Shape: "784,10", TrainSize: 250})
	results := filepath.Join(out, learningcurve.JSONFile)
	if err := os.WriteFile(results, []byte(`{"the other sweep's": "results"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runBinary(t, dir, nil, append(args, "-out", out, "-resume")...)
	if code != 2 || stdout != "" {
		t.Errorf("exit %d, stdout %q; want 2 and nothing\nstderr:\n%s", code, stdout, stderr)
	}
	for _, w := range []string{"-resume", "no checkpoint of these settings", "(1 point) has -seed 2 (now 1), -lr 0.05 (now 0.1)", "another -out", "drop -resume"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	if data, err := os.ReadFile(results); err != nil || !strings.Contains(string(data), "the other sweep's") {
		t.Errorf("the other sweep's %s was replaced: %q, %v", learningcurve.JSONFile, data, err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 2 {
		t.Errorf("-out holds %v after the refusal, want the checkpoint and the results only", entries)
	}

	// Without -resume, the other sweep's files are replaced, as documented;
	// with a checkpoint of these settings too, -resume resumes it.
	code, stdout, stderr = runBinary(t, dir, nil, append(args, "-out", out)...)
	if code != 0 {
		t.Fatalf("without -resume: exit %d\nstderr:\n%s", code, stderr)
	}
	code, stdout, stderr = runBinary(t, dir, nil, append(args, "-out", out, "-resume")...)
	if code != 0 || !strings.Contains(stdout, "resuming: 2 points") {
		t.Errorf("resuming these settings: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}
