// Package clitest holds the test helpers of Feedforward's commands. [Run]
// runs a command in a child process of its own test binary, so that a
// command's tests see its real exit status, standard output and standard
// error without building a second binary:
//
//	func TestMain(m *testing.M) { clitest.Main(m, main) }
//
//	func TestBadFlag(t *testing.T) {
//		code, stdout, stderr := clitest.Run(t, t.TempDir(), nil, "-lr", "0")
//		...
//	}
//
// [ReadFile], [ReadJSON], [CheckEpochs] and [CheckPNGs] read and check the
// outputs the commands share: metrics JSON with per-epoch entries, and PNG
// figures.
package clitest

import (
	"bytes"
	"encoding/json"
	"errors"
	"image/png"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// runMainEnv, set to 1, makes the test binary run the command's main.
const runMainEnv = "FEEDFORWARD_CLITEST_RUN_MAIN"

// Main is the body of a command's TestMain. In a child process started by
// [Run] it calls main, which ends the process with the command's status (or
// returns, for status 0); otherwise it runs the tests.
func Main(m *testing.M, main func()) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Run runs the command with args in directory dir, with env ("KEY=value"
// entries) added to the test's environment, and returns its exit status and
// output. The test fails if the process cannot be started.
func Run(t testing.TB, dir string, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), runMainEnv+"=1"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("running %s: %v", os.Args[0], err)
	}
	return code, out.String(), errb.String()
}

// ReadFile returns the content of path; the test fails if it cannot be read.
func ReadFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// ReadJSON reads the JSON object in path and returns its top-level fields
// with their sorted names. The test fails if path is not a JSON object.
func ReadJSON(t testing.TB, path string) (fields map[string]json.RawMessage, names []string) {
	t.Helper()
	if err := json.Unmarshal(ReadFile(t, path), &fields); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return fields, slices.Sorted(maps.Keys(fields))
}

// CheckEpochs checks the "epochs" array of a training command's metrics
// JSON: n entries with exactly the fields epoch (numbered from 1), loss (>
// 0), train_acc and test_acc (in [0, 1]) and seconds (> 0).
func CheckEpochs(t testing.TB, epochs json.RawMessage, n int) {
	t.Helper()
	var list []map[string]any
	if err := json.Unmarshal(epochs, &list); err != nil {
		t.Fatalf("epochs: %v", err)
	}
	if len(list) != n {
		t.Fatalf("%d epochs recorded, want %d", len(list), n)
	}
	for i, e := range list {
		if keys := slices.Sorted(maps.Keys(e)); !slices.Equal(keys, []string{"epoch", "loss", "seconds", "test_acc", "train_acc"}) {
			t.Errorf("epoch %d keys %v", i+1, keys)
		}
		if e["epoch"] != float64(i+1) {
			t.Errorf("epoch %d recorded as %v", i+1, e["epoch"])
		}
		for _, k := range []string{"train_acc", "test_acc"} {
			if v, ok := e[k].(float64); !ok || v < 0 || v > 1 {
				t.Errorf("epoch %d %s = %v, want in [0, 1]", i+1, k, e[k])
			}
		}
		for _, k := range []string{"loss", "seconds"} {
			if v, ok := e[k].(float64); !ok || v <= 0 {
				t.Errorf("epoch %d %s = %v, want positive", i+1, k, e[k])
			}
		}
	}
}

// CheckPNGs checks that each of the named files in dir is a PNG image of at
// least 100×100 pixels.
func CheckPNGs(t testing.TB, dir string, names ...string) {
	t.Helper()
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
			t.Errorf("%s is only %v", name, b)
		}
	}
}

// CheckTrainingRun checks what a training command left after a run of n
// epochs with -metrics-out in dir and -plot-dir plotDir (a subdirectory of
// dir): the two PNGs in plotDir, nothing else in dir (no temporary files),
// and one "epoch" line per epoch in stdout.
func CheckTrainingRun(t testing.TB, dir, plotDir, stdout string, n int, pngs ...string) {
	t.Helper()
	CheckPNGs(t, plotDir, pngs...)
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("output directory holds %v, want only metrics.json and plots (no temporary files)", entries)
	}
	if lines := strings.Count(stdout, "\nepoch "); lines != n {
		t.Errorf("stdout has %d epoch lines, want %d:\n%s", lines, n, stdout)
	}
}
