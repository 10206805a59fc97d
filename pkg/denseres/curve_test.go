package denseres_test

import (
	"bytes"
	"image/png"
	"math/rand/v2"
	"strings"
	"testing"

	"feedforward.dev/feedforward/pkg/denseres"
	"feedforward.dev/feedforward/pkg/mnist"
)

func TestHomeworkSettings(t *testing.T) {
	sizes := denseres.HomeworkSizes()
	if len(sizes) != 10 || sizes[0] != 5500 || sizes[9] != 55000 {
		t.Errorf("HomeworkSizes() = %v, want 5500, 11000, …, 55000", sizes)
	}
	if sizes[9]+denseres.DefaultValSize != 60000 {
		t.Errorf("the largest size and the validation hold-out use %d images, want all 60000", sizes[9]+denseres.DefaultValSize)
	}
	var names []string
	for _, c := range denseres.HomeworkCurveConfigs() {
		names = append(names, c.Name())
	}
	if got := strings.Join(names, "; "); got != "h128 LN lr 0.01; h256 LN lr 0.01; h256 no-LN lr 0.001" {
		t.Errorf("HomeworkCurveConfigs: %s", got)
	}
}

func TestCurveOptionErrors(t *testing.T) {
	pool, test := blobSet(400, 8, 1), blobSet(50, 8, 2)
	good := denseres.CurveOptions{Sizes: []int{100, 200}, ValSize: 100, BatchSize: 16, MaxEpochs: 3, Patience: 2}
	cfgs := []denseres.CurveConfig{{Hidden: 4, LayerNorm: true, LR: 0.01}}
	for _, tc := range []struct {
		name   string
		change func(o *denseres.CurveOptions)
		want   string
	}{
		{"no sizes", func(o *denseres.CurveOptions) { o.Sizes = nil }, "Sizes"},
		{"size too big", func(o *denseres.CurveOptions) { o.Sizes = []int{301} }, "size ≤ 300"},
		{"zero size", func(o *denseres.CurveOptions) { o.Sizes = []int{0} }, "size 0"},
		{"negative val", func(o *denseres.CurveOptions) { o.ValSize = -1 }, "ValSize"},
		{"no patience", func(o *denseres.CurveOptions) { o.Patience = 0 }, "Patience"},
		{"no batch", func(o *denseres.CurveOptions) { o.BatchSize = 0 }, "BatchSize"},
	} {
		o := good
		tc.change(&o)
		if _, err := denseres.LearningCurves(pool, test, cfgs, o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
	if _, err := denseres.LearningCurves(pool, test, nil, good); err == nil || !strings.Contains(err.Error(), "configs") {
		t.Errorf("no configs: error %v", err)
	}
}

// TestLearningCurvesIgnoreTestSet runs the same sweep with two different
// test sets: everything about training and selection must be identical, only
// the test accuracies may differ.
func TestLearningCurvesIgnoreTestSet(t *testing.T) {
	const d = 32
	pool := blobSet(1500, d, 1)
	testA, testB := blobSet(300, d, 5), blobSet(300, d, 6)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range testB.Labels { // nonsense labels: a test set that selection must not see
		testB.Labels[i] = uint8(rng.IntN(10))
	}
	cfgs := []denseres.CurveConfig{{Hidden: 16, LayerNorm: true, LR: 0.05}, {Hidden: 16, LayerNorm: false, LR: 0.01}}
	opts := denseres.CurveOptions{Sizes: []int{100, 400}, ValSize: 300, BatchSize: 16, MaxEpochs: 15, Patience: 3, Seed: 3}
	a, err := denseres.LearningCurves(pool, testA, cfgs, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := denseres.LearningCurves(pool, testB, cfgs, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 4 || len(b) != 4 {
		t.Fatalf("%d and %d points, want 4", len(a), len(b))
	}
	differ := false
	for i := range a {
		pa, pb := a[i], b[i]
		differ = differ || pa.TestAcc != pb.TestAcc
		if pa.TrainAcc != pb.TrainAcc || pa.ValAcc != pb.ValAcc || pa.BestEpoch != pb.BestEpoch || pa.EpochsTrained != pb.EpochsTrained || pa.StoppedBy != pb.StoppedBy {
			t.Errorf("point %d: the test set changed training or selection:\n%+v\n%+v", i, pa, pb)
		}
		for e := range pa.History {
			if pa.History[e].Loss != pb.History[e].Loss || pa.History[e].ValAcc != pb.History[e].ValAcc {
				t.Errorf("point %d epoch %d: histories differ", i, e+1)
			}
		}
		if pa.ValAcc != pa.History[pa.BestEpoch-1].ValAcc {
			t.Errorf("point %d: selected model's val acc %v, but epoch %d had %v", i, pa.ValAcc, pa.BestEpoch, pa.History[pa.BestEpoch-1].ValAcc)
		}
		if pa.TrainSize != opts.Sizes[i%2] || pa.ValSize != opts.ValSize || pa.Config != cfgs[i/2].Name() {
			t.Errorf("point %d: %s n=%d val=%d", i, pa.Config, pa.TrainSize, pa.ValSize)
		}
	}
	if !differ {
		t.Errorf("test accuracies are identical for real and random test labels: the test set is not measured")
	}
}

// TestLearningCurvesMNIST is the learning-curve property on a small grid of
// MNIST: more training images give a better model on test, and the training
// accuracy is at least about the test accuracy.
func TestLearningCurvesMNIST(t *testing.T) {
	train, test, err := mnist.Load("")
	if err != nil {
		t.Fatal(err)
	}
	test, _ = test.First(2000)
	pool, _ := denseres.FromMNIST[float32](train)
	te, _ := denseres.FromMNIST[float32](test)
	cfgs := []denseres.CurveConfig{{Hidden: 32, LayerNorm: true, LR: 0.01}}
	pts, err := denseres.LearningCurves(pool, te, cfgs, denseres.CurveOptions{
		Sizes: []int{250, 1000, 4000}, ValSize: 1000, BatchSize: 32, MaxEpochs: 20, Patience: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pts {
		t.Logf("n=%5d train %.4f val %.4f test %.4f, epoch %d of %d (%s)", p.TrainSize, p.TrainAcc, p.ValAcc, p.TestAcc, p.BestEpoch, p.EpochsTrained, p.StoppedBy)
		if p.TrainAcc < p.TestAcc-0.01 {
			t.Errorf("n=%d: train accuracy %.4f below test accuracy %.4f", p.TrainSize, p.TrainAcc, p.TestAcc)
		}
		if i > 0 && !(p.TestAcc > pts[i-1].TestAcc) {
			t.Errorf("n=%d: test accuracy %.4f is not above %.4f at n=%d", p.TrainSize, p.TestAcc, pts[i-1].TestAcc, pts[i-1].TrainSize)
		}
	}
	if pts[2].TestAcc < 0.85 {
		t.Errorf("4000 images: test accuracy %.4f, want ≥ 0.85", pts[2].TestAcc)
	}
}

func TestCharts(t *testing.T) {
	eps := []denseres.Epoch{{Epoch: 1, Loss: 0.5, TrainAcc: 0.9, TestAcc: 0.89}, {Epoch: 2, Loss: 0.3, TrainAcc: 0.95, TestAcc: 0.93}}
	pts := []denseres.CurvePoint{
		{Config: "a", TrainSize: 100, TrainAcc: 1, TestAcc: 0.8}, {Config: "a", TrainSize: 200, TrainAcc: 1, TestAcc: 0.85},
		{Config: "b", TrainSize: 100, TrainAcc: 0.9, TestAcc: 0.7}, {Config: "b", TrainSize: 200, TrainAcc: 0.95, TestAcc: 0.8},
	}
	for _, tc := range []struct {
		name   string
		series int
		chart  interface{ PNG() ([]byte, error) }
	}{
		{"loss", 1, denseres.LossChart("", denseres.Run{Epochs: eps})},
		{"loss2", 2, denseres.LossChart("(x)", denseres.Run{Name: "LN", Epochs: eps}, denseres.Run{Name: "no LN", Epochs: eps})},
		{"accuracy", 4, denseres.AccuracyChart("", denseres.Run{Name: "LN", Epochs: eps}, denseres.Run{Name: "no LN", Epochs: eps})},
		{"curve", 4, denseres.CurveChart("", pts)},
	} {
		data, err := tc.chart.PNG()
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if _, err := png.Decode(bytes.NewReader(data)); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	acc := denseres.AccuracyChart("", denseres.Run{Name: "LN", Epochs: eps}, denseres.Run{Name: "no LN", Epochs: eps})
	if len(acc.Series) != 4 || acc.Series[1].Name != "LN test" || acc.Series[1].Y[1] != 0.93 {
		t.Errorf("AccuracyChart series: %+v", acc.Series)
	}
	curve := denseres.CurveChart("", pts)
	if len(curve.Series) != 4 || curve.Series[3].Name != "b test" || curve.Series[3].X[1] != 200 || curve.Series[3].Y[1] != 0.8 {
		t.Errorf("CurveChart series: %+v", curve.Series)
	}
	if got := denseres.EpochsToReach(eps, 0.92); got != 2 {
		t.Errorf("EpochsToReach(0.92) = %d, want 2", got)
	}
	if got := denseres.EpochsToReach(eps, 0.99); got != 0 {
		t.Errorf("EpochsToReach(0.99) = %d, want 0", got)
	}
	if acc, e := denseres.BestTest(eps); acc != 0.93 || e != 2 {
		t.Errorf("BestTest = %v, %d", acc, e)
	}
}
