package learningcurve

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"feedforward.dev/feedforward/pkg/mnist"
)

// smallConfig is a cheap sweep of the shallow network.
func smallConfig(sizes ...int) Config {
	return Config{
		Shapes: [][]int{Shallow}, Sizes: sizes, Repeats: 1, Seed: 1,
		LearningRate: 0.1, BatchSize: 64, Patience: 3, MaxEpochs: 15, ValSize: 500, ValidateEvery: 1000,
	}
}

// checkLearningCurve checks the properties every learning curve must have:
// consistent bookkeeping, training accuracy at least the test accuracy, and a
// test accuracy that rises with the training-set size.
func checkLearningCurve(t *testing.T, cfg Config, res *Result) {
	t.Helper()
	if len(res.Points) != len(cfg.Shapes)*len(cfg.Sizes)*cfg.Repeats {
		t.Fatalf("%d points, want %d", len(res.Points), len(cfg.Shapes)*len(cfg.Sizes)*cfg.Repeats)
	}
	for _, shape := range cfg.Shapes {
		curve := res.Curve(shape)
		if len(curve) != len(cfg.Sizes) {
			t.Fatalf("shape %v: %d sizes, want %d", shape, len(curve), len(cfg.Sizes))
		}
		// Test accuracy rises with the size: on average (least-squares slope
		// against log n) and from the smallest to the largest size.
		var sx, sy, sxx, sxy float64
		for _, s := range curve {
			x := math.Log(float64(s.TrainSize))
			sx, sy, sxx, sxy = sx+x, sy+s.TestAcc, sxx+x*x, sxy+x*s.TestAcc
		}
		k := float64(len(curve))
		slope := (k*sxy - sx*sy) / (k*sxx - sx*sx)
		first, last := curve[0], curve[len(curve)-1]
		if !(slope > 0) || last.TestAcc <= first.TestAcc {
			t.Errorf("shape %v: test accuracy does not rise with the training-set size: %v", shape, testAccs(curve))
		}
		if first.TestAcc < 0.5 {
			t.Errorf("shape %v: test accuracy %.3f at n=%d: the network did not learn", shape, first.TestAcc, first.TrainSize)
		}
	}
	for _, p := range res.Points {
		if p.TrainAcc < p.TestAcc {
			t.Errorf("%s n=%d: training accuracy %.4f below test accuracy %.4f", p.Shape, p.TrainSize, p.TrainAcc, p.TestAcc)
		}
		if p.BestEpoch < 1 || p.BestEpoch > p.EpochsTrained || p.EpochsTrained > cfg.MaxEpochs {
			t.Errorf("%s n=%d: best epoch %d, %d epochs trained, cap %d", p.Shape, p.TrainSize, p.BestEpoch, p.EpochsTrained, cfg.MaxEpochs)
		}
		if p.StoppedBy != StoppedByPatience && p.StoppedBy != StoppedByMaxEpochs {
			t.Errorf("%s n=%d: stopped by %q", p.Shape, p.TrainSize, p.StoppedBy)
		}
		if p.StoppedBy == StoppedByMaxEpochs && p.EpochsTrained != cfg.MaxEpochs {
			t.Errorf("%s n=%d: stopped by the cap after %d epochs, cap %d", p.Shape, p.TrainSize, p.EpochsTrained, cfg.MaxEpochs)
		}
		h := p.History
		if len(h.TrainLoss) != p.EpochsTrained || len(h.Epochs) != len(h.ValAcc) || len(h.Epochs) != len(h.ValLoss) || len(h.Epochs) == 0 {
			t.Fatalf("%s n=%d: history lengths %d/%d/%d/%d for %d epochs", p.Shape, p.TrainSize,
				len(h.TrainLoss), len(h.Epochs), len(h.ValAcc), len(h.ValLoss), p.EpochsTrained)
		}
		if h.Epochs[len(h.Epochs)-1] != p.EpochsTrained {
			t.Errorf("%s n=%d: last validation after epoch %d, training stopped after %d", p.Shape, p.TrainSize, h.Epochs[len(h.Epochs)-1], p.EpochsTrained)
		}
		// The selected model is the best validated one.
		i := slices.Index(h.Epochs, p.BestEpoch)
		if i < 0 || h.ValAcc[i] != p.ValAcc || slices.Max(h.ValAcc) != p.ValAcc {
			t.Errorf("%s n=%d: selected epoch %d with validation accuracy %v, history %v at %v", p.Shape, p.TrainSize, p.BestEpoch, p.ValAcc, h.ValAcc, h.Epochs)
		}
		// Validation at least ValidateEvery images apart.
		if want := (cfg.ValidateEvery + p.FitSize - 1) / p.FitSize; cfg.ValidateEvery > 0 && h.Epochs[0] != min(max(want, 1), cfg.MaxEpochs) {
			t.Errorf("%s n=%d: first validation after epoch %d, want %d", p.Shape, p.TrainSize, h.Epochs[0], want)
		}
		if p.Seconds <= 0 || p.EpochSeconds <= 0 || p.EpochSeconds > p.Seconds {
			t.Errorf("%s n=%d: %v s in all, %v s per epoch", p.Shape, p.TrainSize, p.Seconds, p.EpochSeconds)
		}
	}
}

func testAccs(curve []Summary) []float64 {
	var a []float64
	for _, s := range curve {
		a = append(a, s.TestAcc)
	}
	return a
}

func TestRunShallowLearningCurve(t *testing.T) {
	pool, test := loadMNIST(t)
	cfg := smallConfig(250, 1000, 4000)
	var log bytes.Buffer
	res, err := Run(cfg, pool, test, &RunOptions{Backend: sharedBackend(t), Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	checkLearningCurve(t, cfg, res)
	for _, p := range res.Points {
		if p.FitSize != p.TrainSize || p.ValSize != cfg.ValSize {
			t.Errorf("n=%d: fit %d images, validated on %d; want %d and %d", p.TrainSize, p.FitSize, p.ValSize, p.TrainSize, cfg.ValSize)
		}
		if want := sharedBackend(t).Name(); p.Backend != want || res.Backend != want {
			t.Errorf("n=%d: computed on backend %q, result on %q; want %q", p.TrainSize, p.Backend, res.Backend, want)
		}
	}
	if res.Computed != 3 || res.Resumed != 0 {
		t.Errorf("computed %d, resumed %d", res.Computed, res.Resumed)
	}
	if lines := strings.Count(log.String(), "\n"); lines != 3 {
		t.Errorf("the log has %d lines, want one per point:\n%s", lines, log.String())
	}
}

func TestRunDeepLearningCurve(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the deep network")
	}
	pool, test := loadMNIST(t)
	cfg := smallConfig(500, 2000)
	cfg.Shapes = [][]int{Deep}
	cfg.BatchSize, cfg.MaxEpochs = 32, 12 // more steps per epoch: off the initial plateau within the small cap
	res, err := Run(cfg, pool, test, &RunOptions{Backend: sharedBackend(t)})
	if err != nil {
		t.Fatal(err)
	}
	checkLearningCurve(t, cfg, res)
}

// TestRunNeverUsesTheTestSetToSelect trains the same point against the real
// test set and against one with scrambled labels: everything up to the
// selection must be identical; only the test accuracy may change.
func TestRunNeverUsesTheTestSetToSelect(t *testing.T) {
	pool, test := loadMNIST(t)
	scrambled := *test
	scrambled.Labels = make([]uint8, test.N)
	for i, l := range test.Labels {
		scrambled.Labels[i] = (l + 3) % 10
	}
	cfg := smallConfig(250)
	var points []Point
	for _, ts := range []*mnist.Dataset{test, &scrambled} {
		res, err := Run(cfg, pool, ts, &RunOptions{Backend: sharedBackend(t)})
		if err != nil {
			t.Fatal(err)
		}
		points = append(points, res.Points[0])
	}
	a, b := points[0], points[1]
	if a.EpochsTrained != b.EpochsTrained || a.BestEpoch != b.BestEpoch || a.ValAcc != b.ValAcc || a.TrainAcc != b.TrainAcc ||
		!reflect.DeepEqual(a.History, b.History) {
		t.Errorf("the test labels changed training or selection:\n%+v\n%+v", a, b)
	}
	if b.TestAcc > 0.3 || a.TestAcc < 0.6 {
		t.Errorf("test accuracy %.3f on the real labels and %.3f on scrambled ones", a.TestAcc, b.TestAcc)
	}
}

func TestRunResumes(t *testing.T) {
	pool, test := loadMNIST(t)
	dir := t.TempDir()
	cfg := smallConfig(250, 500)
	cfg.MaxEpochs = 6
	ckpt, err := OpenCheckpoint(dir, cfg, false)
	if err != nil {
		t.Fatal(err)
	}
	first, err := Run(cfg, pool, test, &RunOptions{Backend: sharedBackend(t), Checkpoint: ckpt})
	if err != nil {
		t.Fatal(err)
	}
	if first.Computed != 2 {
		t.Fatalf("first run computed %d points, want 2", first.Computed)
	}

	// An extended sweep (one more size, as after an interruption) resumes.
	more := cfg
	more.Sizes = []int{750, 250, 500}
	if more.Hash() != cfg.Hash() {
		t.Fatal("adding a size changed the configuration hash")
	}
	ckpt, err = OpenCheckpoint(dir, more, true)
	if err != nil {
		t.Fatal(err)
	}
	if ckpt.Loaded() != 2 {
		t.Fatalf("the checkpoint holds %d points, want 2", ckpt.Loaded())
	}
	second, err := Run(more, pool, test, &RunOptions{Backend: sharedBackend(t), Checkpoint: ckpt})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range second.Points {
		if p.Backend != sharedBackend(t).Name() {
			t.Errorf("n=%d: backend %q after resuming, want %q", p.TrainSize, p.Backend, sharedBackend(t).Name())
		}
	}
	if second.Computed != 1 || second.Resumed != 2 {
		t.Errorf("resumed run computed %d and resumed %d points, want 1 and 2", second.Computed, second.Resumed)
	}
	if sizes := []int{second.Points[0].TrainSize, second.Points[1].TrainSize, second.Points[2].TrainSize}; !slices.Equal(sizes, []int{250, 500, 750}) {
		t.Errorf("points in size order %v", sizes)
	}
	if !reflect.DeepEqual(second.Points[:2], first.Points) {
		t.Error("the resumed points differ from the computed ones")
	}
	if len(ckpt.Points()) != 3 {
		t.Errorf("the checkpoint holds %d points after the run, want 3", len(ckpt.Points()))
	}
}

// TestRunProgressAfterResume checks that the progress bar of a resumed sweep
// counts only the work left: counting the resumed points as done would make
// the ETA divide this session's time by work it never did.
func TestRunProgressAfterResume(t *testing.T) {
	pool, test := loadMNIST(t)
	dir := t.TempDir()
	cfg := smallConfig(250, 4000)
	cfg.MaxEpochs = 2
	ckpt, err := OpenCheckpoint(dir, cfg, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := ckpt.Add(fakePoint(Shallow, 4000, 0, 0.95, 0.9)); err != nil { // the expensive point, done earlier
		t.Fatal(err)
	}
	if ckpt, err = OpenCheckpoint(dir, cfg, true); err != nil {
		t.Fatal(err)
	}
	var bar, log bytes.Buffer
	res, err := Run(cfg, pool, test, &RunOptions{Backend: sharedBackend(t), Checkpoint: ckpt, Progress: true, ProgressWriter: &bar, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if res.Computed != 1 || res.Resumed != 1 {
		t.Fatalf("computed %d, resumed %d; want 1 and 1", res.Computed, res.Resumed)
	}
	// The fake point does not record its backend, as in an older checkpoint.
	if !strings.Contains(log.String(), "1 resumed points do not record their backend") {
		t.Errorf("the log does not note the point without a backend:\n%s", log.String())
	}
	left := work(Shallow, 250)
	lines := strings.FieldsFunc(bar.String(), func(r rune) bool { return r == '\r' || r == '\n' })
	if len(lines) < 2 {
		t.Fatalf("progress output %q, want at least a first and a final line", bar.String())
	}
	if first := lines[0]; !strings.Contains(first, "points left: 1 of 2") || !strings.Contains(first, fmt.Sprintf(": 0/%d (0%%)", left)) {
		t.Errorf("first progress line %q, want 0/%d and the points left", first, left)
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, fmt.Sprintf("%d/%d (100%%)", left, left)) {
		t.Errorf("final progress line %q, want %d/%d", last, left, left)
	}
}

// TestRunDivergence checks that a diverging point names the sweep's
// coordinates — training size, epoch and batch — rather than autograd's count
// of gradient steps, and suggests a smaller learning rate.
func TestRunDivergence(t *testing.T) {
	pool, test := loadMNIST(t)
	cfg := smallConfig(1000)
	cfg.Shapes = [][]int{Deep}
	cfg.LearningRate, cfg.MaxEpochs = 50, 3
	_, err := Run(cfg, pool, test, &RunOptions{Backend: sharedBackend(t)})
	if err == nil {
		t.Fatal("Run with learning rate 50: no error")
	}
	msg := err.Error()
	for _, w := range []string{"training size 1000", "epoch 1, batch ", " of 16: the training loss is", "diverged", "smaller learning rate, e.g. 5"} {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q lacks %q", msg, w)
		}
	}
	if strings.Contains(msg, "autograd: epoch") {
		t.Errorf("error %q repeats autograd's step count as an epoch", msg)
	}
}

func TestRunValidationFractionAndFullBatch(t *testing.T) {
	pool, test := loadMNIST(t)
	cfg := smallConfig(500)
	cfg.ValFraction, cfg.ValSize = 0.2, 0
	cfg.BatchSize, cfg.MaxEpochs, cfg.ValidateEvery = 0, 3, 0
	res, err := Run(cfg, pool, test, &RunOptions{Backend: sharedBackend(t)})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Points[0]
	if p.FitSize != 400 || p.ValSize != 100 || p.TrainSize != 500 {
		t.Errorf("fit %d, validate %d of %d images; want 400 and 100 of 500", p.FitSize, p.ValSize, p.TrainSize)
	}
	if !slices.Equal(p.History.Epochs, []int{1, 2, 3}) {
		t.Errorf("with ValidateEvery 0 validated after epochs %v, want every epoch", p.History.Epochs)
	}
	// Full batch: one gradient step per epoch, and the loss falls.
	if l := p.History.TrainLoss; len(l) != 3 || !(l[2] < l[0]) {
		t.Errorf("full-batch training losses %v", l)
	}
}

func TestRunErrors(t *testing.T) {
	pool, test := loadMNIST(t)
	good := smallConfig(250)
	bad := good
	bad.Sizes = []int{60000}
	other := good
	other.Seed = 99
	ckpt, err := OpenCheckpoint(t.TempDir(), other, false)
	if err != nil {
		t.Fatal(err)
	}
	// A checkpoint whose point of the sweep was computed on another backend.
	xlaDir := t.TempDir()
	xlaCkpt, err := OpenCheckpoint(xlaDir, good, false)
	if err != nil {
		t.Fatal(err)
	}
	xlaPoint := fakePoint(Shallow, 250, 0, 0.9, 0.8)
	xlaPoint.Backend = "XLA (cpu)"
	if err := xlaCkpt.Add(xlaPoint); err != nil {
		t.Fatal(err)
	}
	broken := *test
	broken.Labels = slices.Clone(test.Labels)
	broken.Labels[7] = 10
	for _, tc := range []struct {
		name        string
		cfg         Config
		pool, test  *mnist.Dataset
		opts        *RunOptions
		errContains string
	}{
		{"nil pool", good, nil, test, nil, "pool set is nil"},
		{"nil test", good, pool, nil, nil, "test set is nil"},
		{"bad label", good, pool, &broken, nil, "label 10 (image 7)"},
		{"too large", bad, pool, test, nil, "lower the largest size"},
		{"foreign checkpoint", good, pool, test, &RunOptions{Checkpoint: ckpt}, "belongs to configuration"},
		{"other backend", good, pool, test, &RunOptions{Checkpoint: xlaCkpt, BackendName: "SimpleGo"}, "computed on XLA (cpu) (e.g. shape 784,10, size 250), but this run uses SimpleGo (one sweep does not mix backends); resume on XLA (cpu) (set GOMLX_BACKEND)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			if opts == nil {
				opts = &RunOptions{}
			}
			opts.Backend = sharedBackend(t)
			_, err := Run(tc.cfg, tc.pool, tc.test, opts)
			if err == nil || !strings.Contains(err.Error(), tc.errContains) {
				t.Errorf("Run = %v, want an error containing %q", err, tc.errContains)
			}
			if other := errors.Is(err, ErrOtherBackend); other != (tc.name == "other backend") {
				t.Errorf("errors.Is(err, ErrOtherBackend) = %v for %v", other, err)
			}
		})
	}
}
