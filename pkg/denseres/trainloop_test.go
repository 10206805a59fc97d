package denseres_test

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"feedforward.dev/feedforward/pkg/denseres"
	"feedforward.dev/feedforward/pkg/mnist"
)

// blobSet returns n blob samples (see blobs) with d features as a Set.
func blobSet(n, d int, seed uint64) denseres.Set[float32] {
	x, y := blobs(n, d, 10, seed)
	return denseres.Set[float32]{X: x, Labels: y}
}

func newModel(t testing.TB, d, h int, ln bool, seed uint64) *denseres.Model[float32] {
	t.Helper()
	m, err := denseres.New[float32](denseres.Config{Input: d, Hidden: h, Classes: 10, LayerNorm: ln, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTrainOptionErrors(t *testing.T) {
	const d = 8
	train, test := blobSet(50, d, 1), blobSet(20, d, 2)
	good := denseres.TrainOptions{Epochs: 1, BatchSize: 8, LR: 0.01}
	for _, tc := range []struct {
		name   string
		change func(o *denseres.TrainOptions, train, test *denseres.Set[float32])
		want   []string
	}{
		{"zero epochs", func(o *denseres.TrainOptions, _, _ *denseres.Set[float32]) { o.Epochs = 0 }, []string{"Epochs", "at least one"}},
		{"zero batch", func(o *denseres.TrainOptions, _, _ *denseres.Set[float32]) { o.BatchSize = 0 }, []string{"BatchSize", "128"}},
		{"negative lr", func(o *denseres.TrainOptions, _, _ *denseres.Set[float32]) { o.LR = -1 }, []string{"LR", "positive"}},
		{"NaN lr", func(o *denseres.TrainOptions, _, _ *denseres.Set[float32]) { o.LR = math.NaN() }, []string{"LR"}},
		{"empty train", func(_ *denseres.TrainOptions, tr, _ *denseres.Set[float32]) { *tr = denseres.Set[float32]{} }, []string{"training set is empty"}},
		{"ragged test", func(_ *denseres.TrainOptions, _, te *denseres.Set[float32]) { te.X = te.X[:len(te.X)-1] }, []string{"test set", "len(X)"}},
		{"bad label", func(_ *denseres.TrainOptions, tr, _ *denseres.Set[float32]) {
			tr.Labels = append([]uint8(nil), tr.Labels...)
			tr.Labels[3] = 12
		}, []string{"label[3] = 12"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, tr, te := good, train, test
			tc.change(&o, &tr, &te)
			m := newModel(t, d, 4, true, 1)
			if _, err := denseres.Train(m, tr, te, o); err == nil {
				t.Errorf("Train: no error")
			} else {
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("Train error %q does not mention %q", err, w)
					}
				}
			}
			if _, err := denseres.TrainEarlyStopping(m, tr, te, o, 2); err == nil {
				t.Errorf("TrainEarlyStopping: no error")
			}
		})
	}
	m := newModel(t, d, 4, true, 1)
	if _, err := denseres.TrainEarlyStopping(m, train, test, good, 0); err == nil || !strings.Contains(err.Error(), "patience") {
		t.Errorf("TrainEarlyStopping with patience 0: error %v", err)
	}
}

// TestTrain checks the metrics of Train, that training learns, that it is
// reproducible and that the shuffle seed matters.
func TestTrain(t *testing.T) {
	const d = 32
	train, test := blobSet(600, d, 1), blobSet(300, d, 2)
	run := func(shuffle uint64) ([]denseres.Epoch, *denseres.Model[float32]) {
		m := newModel(t, d, 16, true, 3)
		var seen []int
		eps, err := denseres.Train(m, train, test, denseres.TrainOptions{Epochs: 4, BatchSize: 16, LR: 0.05, Seed: shuffle,
			OnEpoch: func(e denseres.Epoch) { seen = append(seen, e.Epoch) }})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(seen, []int{1, 2, 3, 4}) {
			t.Errorf("OnEpoch saw epochs %v, want 1..4", seen)
		}
		return eps, m
	}
	eps, m := run(7)
	if len(eps) != 4 {
		t.Fatalf("%d epochs, want 4", len(eps))
	}
	for i, e := range eps {
		if e.Epoch != i+1 || e.Seconds <= 0 || e.TrainAcc < 0 || e.TrainAcc > 1 || e.TestAcc < 0 || e.TestAcc > 1 {
			t.Errorf("epoch %d: %+v", i+1, e)
		}
		if i > 0 && !(e.Loss < eps[i-1].Loss) {
			t.Errorf("epoch %d: loss %.4f did not fall below %.4f", i+1, e.Loss, eps[i-1].Loss)
		}
	}
	last := eps[len(eps)-1]
	if acc, _ := m.Accuracy(test.X, test.Labels); acc != last.TestAcc {
		t.Errorf("last epoch's test accuracy %v, but the model scores %v", last.TestAcc, acc)
	}
	if acc, _ := m.Accuracy(train.X, train.Labels); acc != last.TrainAcc {
		t.Errorf("last epoch's train accuracy %v, but the model scores %v", last.TrainAcc, acc)
	}
	if last.TestAcc < 0.8 {
		t.Errorf("test accuracy %.3f after 4 epochs on easy blobs, want ≥ 0.8", last.TestAcc)
	}
	again, _ := run(7)
	other, _ := run(8)
	for i := range eps {
		if again[i].Loss != eps[i].Loss || again[i].TestAcc != eps[i].TestAcc {
			t.Errorf("epoch %d: same seeds gave loss %v and %v", i+1, eps[i].Loss, again[i].Loss)
		}
	}
	if other[0].Loss == eps[0].Loss {
		t.Errorf("shuffle seeds 7 and 8 gave the same first-epoch loss %v; the seed does not reach the batch order", eps[0].Loss)
	}
}

// TestTrainDiverges feeds inputs so large that the first update overflows:
// Train must stop with ErrDiverged, naming the epoch and suggesting a lower
// learning rate, and return the epochs completed so far (none).
func TestTrainDiverges(t *testing.T) {
	const d = 16
	train := blobSet(64, d, 1)
	for i := range train.X {
		train.X[i] *= 1e30
	}
	m := newModel(t, d, 8, false, 1)
	eps, err := denseres.Train(m, train, blobSet(10, d, 2), denseres.TrainOptions{Epochs: 3, BatchSize: 8, LR: 0.01})
	if !errors.Is(err, denseres.ErrDiverged) {
		t.Fatalf("error %v, want one wrapping ErrDiverged", err)
	}
	for _, w := range []string{"epoch 1", "lower the learning rate", "0.001"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
	if len(eps) != 0 {
		t.Errorf("%d epochs returned, want 0", len(eps))
	}
}

// TestTrainEarlyStopping checks the selection: the model ends with the
// weights of the first epoch with the best validation accuracy — exactly the
// weights of a model trained for that many epochs with the same seeds — and
// stops Patience epochs after it.
func TestTrainEarlyStopping(t *testing.T) {
	const d, patience = 64, 3
	all := blobSet(1300, d, 1)
	train, val := all.Rows(0, 300), all.Rows(300, 1300)
	opts := denseres.TrainOptions{Epochs: 60, BatchSize: 16, LR: 0.05, Seed: 2}
	m := newModel(t, d, 32, true, 1)
	var seen int
	opts.OnValEpoch = func(denseres.ValEpoch) { seen++ }
	sel, err := denseres.TrainEarlyStopping(m, train, val, opts, patience)
	if err != nil {
		t.Fatal(err)
	}
	n := len(sel.History)
	t.Logf("best epoch %d of %d, val acc %.4f, stopped by %s", sel.BestEpoch, n, sel.BestValAcc, sel.StoppedBy)
	if seen != n {
		t.Errorf("OnValEpoch called %d times for %d epochs", seen, n)
	}
	best, first := -1.0, 0
	for _, e := range sel.History {
		if e.ValAcc > best {
			best, first = e.ValAcc, e.Epoch
		}
	}
	if sel.BestValAcc != best || sel.BestEpoch != first {
		t.Errorf("selected epoch %d (val acc %v); the history's first best is epoch %d (%v)", sel.BestEpoch, sel.BestValAcc, first, best)
	}
	if acc, _ := m.Accuracy(val.X, val.Labels); acc != sel.BestValAcc {
		t.Errorf("the returned model's validation accuracy is %v, want the best one, %v", acc, sel.BestValAcc)
	}
	switch sel.StoppedBy {
	case denseres.StoppedByPatience:
		if n != sel.BestEpoch+patience {
			t.Errorf("stopped by patience after %d epochs, best %d; want best + %d", n, sel.BestEpoch, patience)
		}
	default:
		t.Fatalf("stopped by %q after %d epochs; this setting should stop by patience well before the cap of %d", sel.StoppedBy, n, opts.Epochs)
	}
	if sel.BestEpoch == n {
		t.Fatalf("the best epoch is the last; the test needs a run where weights are restored")
	}
	// The same seeds for BestEpoch epochs give the selected weights exactly.
	ref := newModel(t, d, 32, true, 1)
	opts.Epochs, opts.OnValEpoch = sel.BestEpoch, nil
	if _, err := denseres.Train(ref, train, val, opts); err != nil {
		t.Fatal(err)
	}
	got, want := m.Snapshot(), ref.Snapshot()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the restored weights differ from those after epoch %d", sel.BestEpoch)
	}
}

func TestSnapshotRestore(t *testing.T) {
	m := newModel(t, 8, 4, true, 1)
	s := m.Snapshot()
	if len(s) != len(m.Params()) {
		t.Fatalf("snapshot of %d parameters, want %d", len(s), len(m.Params()))
	}
	s["W1"][0] += 1 // a copy: the model is unchanged
	if w, _, _ := m.Param("W1"); w[0] == s["W1"][0] {
		t.Errorf("Snapshot shares memory with the model")
	}
	if err := m.Restore(s); err != nil {
		t.Fatal(err)
	}
	if w, _, _ := m.Param("W1"); w[0] != s["W1"][0] {
		t.Errorf("Restore did not set W1")
	}
	delete(s, "beta2")
	if err := m.Restore(s); err == nil || !strings.Contains(err.Error(), "beta2") {
		t.Errorf("Restore of an incomplete snapshot: error %v", err)
	}
}

func TestFromMNIST(t *testing.T) {
	_, test, err := mnist.Load("")
	if err != nil {
		t.Fatal(err)
	}
	test, _ = test.First(100)
	s32, err := denseres.FromMNIST[float32](test)
	if err != nil {
		t.Fatal(err)
	}
	if &s32.X[0] != &test.Images[0] || s32.Len() != 100 {
		t.Errorf("float32 Set does not share the images")
	}
	s64, err := denseres.FromMNIST[float64](test)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range test.Images {
		if s64.X[i] != float64(v) {
			t.Fatalf("X[%d] = %v, want %v", i, s64.X[i], v)
		}
	}
	if r := s64.Rows(10, 20); r.Len() != 10 || r.X[0] != s64.X[10*784] {
		t.Errorf("Rows(10, 20) is wrong")
	}
	if _, err := denseres.FromMNIST[float32](nil); err == nil {
		t.Errorf("FromMNIST(nil): no error")
	}
}

func TestCheckGradients(t *testing.T) {
	for _, ln := range []bool{true, false} {
		res, err := denseres.CheckGradients(denseres.Config{Input: 10, Hidden: 8, Classes: 10, LayerNorm: ln, Seed: 1}, 6, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := 4
		if ln {
			want = 10
		}
		if len(res) != want {
			t.Errorf("LayerNorm %v: %d parameters checked, want %d", ln, len(res), want)
		}
		for _, r := range res {
			if r.NormRel > 1e-7 || r.MaxRel > 1e-7 || r.Size == 0 {
				t.Errorf("LayerNorm %v: %+v; want errors ≤ 1e-7", ln, r)
			}
		}
	}
	res, err := denseres.CheckLayerNorm(4, 16, 1)
	if err != nil || len(res) != 3 {
		t.Fatalf("CheckLayerNorm: %v, %v", res, err)
	}
	for _, r := range res {
		if r.NormRel > 1e-7 || r.MaxRel > 1e-7 {
			t.Errorf("LayerNorm alone: %+v; want errors ≤ 1e-7", r)
		}
	}
	for _, tc := range []struct {
		name string
		f    func() error
		want string
	}{
		{"batch 0", func() error {
			_, err := denseres.CheckGradients(denseres.Config{Input: 4, Hidden: 4, Classes: 3}, 0, 1)
			return err
		}, "batch"},
		{"big model", func() error {
			_, err := denseres.CheckGradients(denseres.Config{Input: 784, Hidden: 256, Classes: 10}, 4, 1)
			return err
		}, "too many"},
		{"LN 1 column", func() error { _, err := denseres.CheckLayerNorm(3, 1, 1); return err }, "2 columns"},
	} {
		if err := tc.f(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
}

// TestProgress checks that Train and TrainEarlyStopping report on the
// progress writer, end the line, and say why they stopped when training diverges.
func TestProgress(t *testing.T) {
	const d = 16
	train, test := blobSet(200, d, 1), blobSet(50, d, 2)
	var buf strings.Builder
	m := newModel(t, d, 8, true, 1)
	if _, err := denseres.Train(m, train, test, denseres.TrainOptions{Epochs: 2, BatchSize: 20, LR: 0.01,
		Progress: true, ProgressWriter: &buf, Label: "tiny run"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, w := range []string{"tiny run", "20/20", "epoch 2: loss=", "test_acc="} {
		if !strings.Contains(out, w) {
			t.Errorf("progress output %q does not mention %q", out, w)
		}
	}
	if !strings.HasSuffix(out, "\n") {
		t.Errorf("progress output %q does not end its line", out)
	}
	buf.Reset()
	if _, err := denseres.TrainEarlyStopping(m, train, test, denseres.TrainOptions{Epochs: 3, BatchSize: 20, LR: 0.01,
		Progress: true, ProgressWriter: &buf}, 1); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); !strings.Contains(out, "training") || !strings.Contains(out, "val_acc=") || !strings.HasSuffix(out, "\n") {
		t.Errorf("TrainEarlyStopping progress output %q", out)
	}
	buf.Reset()
	for i := range train.X {
		train.X[i] *= 1e30
	}
	m = newModel(t, d, 8, false, 1)
	if _, err := denseres.Train(m, train, test, denseres.TrainOptions{Epochs: 2, BatchSize: 20, LR: 0.01,
		Progress: true, ProgressWriter: &buf}); err == nil {
		t.Fatal("no error for a diverging run")
	}
	if out := buf.String(); !strings.Contains(out, "diverged in epoch 1") || !strings.HasSuffix(out, "\n") {
		t.Errorf("progress output of a diverging run: %q", out)
	}
}
