package autograd

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"

	"feedforward.dev/feedforward/pkg/mnist"
)

var (
	mnistOnce  sync.Once
	mnistTrain *mnist.Dataset
	mnistErr   error
)

// mnistSubset returns the first n training images of MNIST.
func mnistSubset(t testing.TB, n int) *mnist.Dataset {
	t.Helper()
	mnistOnce.Do(func() { mnistTrain, _, mnistErr = mnist.Load("") })
	if mnistErr != nil {
		t.Fatal(mnistErr)
	}
	sub, err := mnistTrain.First(n)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func meanStd(v []float64) (mean, std float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(v)))
}

// TestInitWeightsStatistics checks U(±1/√n_in): mean 0, std 1/√(3·n_in), all within the bound.
func TestInitWeightsStatistics(t *testing.T) {
	shape := []int{784, 300, 100, 10}
	net, err := New(shape, &Options{Seed: 7, Backend: testBackend(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	params, err := net.Params()
	if err != nil {
		t.Fatal(err)
	}
	for l, p := range params {
		bound := 1 / math.Sqrt(float64(shape[l]))
		wantStd := bound / math.Sqrt(3)
		mean, std := meanStd(p.W)
		// The sample mean of N uniforms has standard error std/√N: allow 5 of them.
		if tol := 5 * wantStd / math.Sqrt(float64(len(p.W))); math.Abs(mean) > tol {
			t.Errorf("layer %d: weight mean %.3g, want 0 ± %.3g", l, mean, tol)
		}
		if rel := math.Abs(std-wantStd) / wantStd; rel > 0.05 {
			t.Errorf("layer %d: weight std %.5g, want 1/√(3·%d) = %.5g (off by %.1f%%)", l, std, shape[l], wantStd, 100*rel)
		}
		for _, v := range [][]float64{p.W, p.B} {
			lo, hi := slices.Min(v), slices.Max(v)
			if lo < -bound || hi > bound {
				t.Errorf("layer %d: values in [%.4g, %.4g], outside ±1/√%d = ±%.4g", l, lo, hi, shape[l], bound)
			}
			if hi-lo < bound {
				t.Errorf("layer %d: values in [%.4g, %.4g] do not spread over ±%.4g", l, lo, hi, bound)
			}
		}
	}
}

func TestInitWeightsSeed(t *testing.T) {
	shape := []int{6, 5, 3}
	params := func(seed uint64) []Layer {
		net, err := New(shape, &Options{Seed: seed, Backend: testBackend(t)})
		if err != nil {
			t.Fatal(err)
		}
		defer net.Close()
		p, err := net.Params()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b, c := params(1), params(1), params(2)
	if !slices.Equal(a[0].W, b[0].W) || !slices.Equal(a[1].B, b[1].B) {
		t.Error("the same seed gave different parameters")
	}
	if slices.Equal(a[0].W, c[0].W) {
		t.Error("seeds 1 and 2 gave the same weights")
	}

	// InitWeights re-draws: after training, InitWeights(1) restores seed 1's parameters.
	net, err := New(shape, &Options{Seed: 1, Backend: testBackend(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	X, y := randomProblem(1, 4, 6, 3)
	if _, err := net.TrainOneEpoch(X, y, nil, 0.5); err != nil {
		t.Fatal(err)
	}
	if err := net.InitWeights(1); err != nil {
		t.Fatal(err)
	}
	d, err := net.Params()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a[0].W, d[0].W) || net.Epoch() != 0 {
		t.Errorf("InitWeights(1) after training: weights restored %v, epoch %d; want true, 0", slices.Equal(a[0].W, d[0].W), net.Epoch())
	}
}

// trainLosses trains a fresh network and returns the loss of every epoch.
func trainLosses(t *testing.T, shape []int, opts Options, X []float32, y []uint8, epochs int, lr float64) ([]float64, *Network) {
	t.Helper()
	opts.Backend = testBackend(t)
	net, err := New(shape, &opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(net.Close)
	losses := make([]float64, epochs)
	for e := range losses {
		if losses[e], err = net.TrainOneEpoch(X, y, nil, lr); err != nil {
			t.Fatal(err)
		}
	}
	return losses, net
}

func TestTrainingReducesLossOnMNIST(t *testing.T) {
	d := mnistSubset(t, 300)
	losses, net := trainLosses(t, []int{784, 16, 10}, Options{Seed: 1}, d.Images, d.Labels, 15, 0.5)
	if !(losses[len(losses)-1] < 0.8*losses[0]) {
		t.Errorf("loss went from %.4f to %.4f in %d epochs; want at least a 20%% drop", losses[0], losses[len(losses)-1], len(losses))
	}
	if math.Abs(losses[0]-math.Log(10)) > 0.2 {
		t.Errorf("initial loss %.4f, want about ln 10 = %.4f for a near-uniform prediction", losses[0], math.Log(10))
	}
	acc, err := net.Accuracy(d.Images, d.Labels)
	if err != nil {
		t.Fatal(err)
	}
	if acc < 0.5 {
		t.Errorf("training accuracy %.3f after %d epochs, want > 0.5", acc, len(losses))
	}
	if net.Epoch() != len(losses) {
		t.Errorf("Epoch() = %d, want %d", net.Epoch(), len(losses))
	}
}

// TestAccumulateGradientsUpdate checks the exact updates, in float64: with
// zeroing θ₂ = θ₁ - η g₂; without it θ₂ = θ₁ - η (g₁ + g₂).
func TestAccumulateGradientsUpdate(t *testing.T) {
	X, y := randomProblem(11, 9, 6, 3)
	const lr = 0.7
	for _, accumulate := range []bool{false, true} {
		net, err := New([]int{6, 5, 3}, &Options{Seed: 4, DType: dtypes.Float64, AccumulateGradients: accumulate, Backend: testBackend(t)})
		if err != nil {
			t.Fatal(err)
		}
		defer net.Close()
		var sum []Layer // g₁ + … + g_t
		for epoch := 1; epoch <= 3; epoch++ {
			before, err := net.Params()
			if err != nil {
				t.Fatal(err)
			}
			g, err := net.Gradients(X, y)
			if err != nil {
				t.Fatal(err)
			}
			if sum == nil {
				sum = g
			} else {
				for l := range sum {
					for i := range sum[l].W {
						sum[l].W[i] += g[l].W[i]
					}
					for i := range sum[l].B {
						sum[l].B[i] += g[l].B[i]
					}
				}
			}
			step := g
			if accumulate {
				step = sum
			}
			if _, err := net.TrainOneEpoch(X, y, nil, lr); err != nil {
				t.Fatal(err)
			}
			after, err := net.Params()
			if err != nil {
				t.Fatal(err)
			}
			for l := range after {
				for i := range after[l].W {
					if want := before[l].W[i] - lr*step[l].W[i]; math.Abs(after[l].W[i]-want) > 1e-12 {
						t.Fatalf("accumulate=%v epoch %d layer %d W[%d] = %.15g, want %.15g", accumulate, epoch, l, i, after[l].W[i], want)
					}
				}
				for i := range after[l].B {
					if want := before[l].B[i] - lr*step[l].B[i]; math.Abs(after[l].B[i]-want) > 1e-12 {
						t.Fatalf("accumulate=%v epoch %d layer %d b[%d] = %.15g, want %.15g", accumulate, epoch, l, i, after[l].B[i], want)
					}
				}
			}
		}
	}
}

// TestAccumulateGradientsLossCurve trains on MNIST images with and without
// zeroing the gradients: the first two losses agree (the first update uses the
// same gradient), later ones differ, and the loss decreases every epoch with
// zeroing but rises in some epochs without it, as the ever-growing gradient sum
// overshoots.
func TestAccumulateGradientsLossCurve(t *testing.T) {
	d := mnistSubset(t, 200)
	shape := []int{784, 16, 10}
	const epochs, lr = 30, 0.3
	good, _ := trainLosses(t, shape, Options{Seed: 2}, d.Images, d.Labels, epochs, lr)
	bad, _ := trainLosses(t, shape, Options{Seed: 2, AccumulateGradients: true}, d.Images, d.Labels, epochs, lr)
	for e := range 2 {
		if math.Abs(good[e]-bad[e]) > 1e-6 {
			t.Errorf("epoch %d: loss %.6f with zeroing, %.6f without; the first update should be identical", e+1, good[e], bad[e])
		}
	}
	if math.Abs(good[2]-bad[2]) < 1e-4 {
		t.Errorf("epoch 3: loss %.6f with zeroing and %.6f without; accumulated gradients should change the second update", good[2], bad[2])
	}
	increases := func(l []float64) int {
		k := 0
		for i := 1; i < len(l); i++ {
			if l[i] > l[i-1] {
				k++
			}
		}
		return k
	}
	if k := increases(good); k != 0 {
		t.Errorf("correct training: the loss rose in %d of %d epochs: %.4f", k, epochs, good)
	}
	if k := increases(bad); k == 0 {
		t.Errorf("accumulated gradients: the loss never rose, want overshoot: %.4f", bad)
	}
}

func TestNaNLossIsReported(t *testing.T) {
	X, y := randomProblem(3, 20, 6, 3)
	net, err := New([]int{6, 8, 3}, &Options{Backend: testBackend(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	var last error
	for range 10 {
		if _, last = net.TrainOneEpoch(X, y, nil, 1e30); last != nil {
			break
		}
	}
	if last == nil {
		t.Fatal("10 epochs at learning rate 1e30 gave no error; want a NaN/Inf loss error")
	}
	for _, want := range []string{"epoch", "smaller learning rate"} {
		if !strings.Contains(last.Error(), want) {
			t.Errorf("error %q does not mention %q", last, want)
		}
	}
}

// TestTrainStepCompiledOnce checks that the training step is traced and
// compiled once and then reused: the learning rate is an input of the graph,
// not a constant baked into it, so changing it costs no recompilation.
func TestTrainStepCompiledOnce(t *testing.T) {
	X, y := randomProblem(5, 20, 6, 3)
	net, err := New([]int{6, 8, 3}, &Options{Backend: testBackend(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	for _, lr := range []float64{0.1, 0.05, 0.2, 0.1} {
		if _, err := net.TrainOneEpoch(X, y, nil, lr); err != nil {
			t.Fatal(err)
		}
	}
	if net.stepBuilds != 1 {
		t.Errorf("training step traced %d times over 4 epochs at 3 learning rates, want 1", net.stepBuilds)
	}
}

func TestEvalBatchSizeGivesSameResults(t *testing.T) {
	X, y := randomProblem(4, 23, 6, 3)
	var preds [][]uint8
	var losses []float64
	for _, bs := range []int{0, 5, 23, 100} {
		net, err := New([]int{6, 5, 3}, &Options{Seed: 9, EvalBatchSize: bs, DType: dtypes.Float64, Backend: testBackend(t)})
		if err != nil {
			t.Fatal(err)
		}
		p, err := net.Predict(X)
		if err != nil {
			t.Fatal(err)
		}
		l, err := net.Loss(X, y)
		if err != nil {
			t.Fatal(err)
		}
		net.Close()
		preds, losses = append(preds, p), append(losses, l)
	}
	for i := 1; i < len(preds); i++ {
		if !slices.Equal(preds[0], preds[i]) || math.Abs(losses[0]-losses[i]) > 1e-12 {
			t.Errorf("case %d: predictions %v loss %.15g; with all rows at once %v %.15g", i, preds[i], losses[i], preds[0], losses[0])
		}
	}
}

// TestY1HotMatchesLabels: training with explicit one-hot targets equals training from labels.
func TestY1HotMatchesLabels(t *testing.T) {
	X, y := randomProblem(6, 10, 6, 3)
	y1hot, err := mnist.OneHot(y, 3)
	if err != nil {
		t.Fatal(err)
	}
	run := func(y []uint8, y1hot []float32) float64 {
		net, err := New([]int{6, 4, 3}, &Options{Seed: 1, Backend: testBackend(t)})
		if err != nil {
			t.Fatal(err)
		}
		defer net.Close()
		var l float64
		for range 3 {
			if l, err = net.TrainOneEpoch(X, y, y1hot, 0.3); err != nil {
				t.Fatal(err)
			}
		}
		return l
	}
	if a, b := run(y, nil), run(nil, y1hot); a != b {
		t.Errorf("loss after 3 epochs: %v from labels, %v from one-hot targets", a, b)
	}
}

// TestDataChangedInPlace: refilling X in place is noticed, not served from the device cache.
func TestDataChangedInPlace(t *testing.T) {
	X, y := randomProblem(8, 10, 6, 3)
	net, err := New([]int{6, 4, 3}, &Options{Seed: 1, DType: dtypes.Float64, Backend: testBackend(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	before, err := net.Loss(X, y)
	if err != nil {
		t.Fatal(err)
	}
	again, err := net.Loss(X, y)
	if err != nil {
		t.Fatal(err)
	}
	if net.data.Len() != 2 || again != before {
		t.Errorf("second Loss on the same data: %d cached tensors, loss %v vs %v; want 2 and equal", net.data.Len(), again, before)
	}
	for i := range X {
		X[i] = 1 - X[i]
	}
	after, err := net.Loss(X, y)
	if err != nil {
		t.Fatal(err)
	}
	if after == before {
		t.Errorf("loss unchanged (%v) after X was modified in place; the stale device copy was used", after)
	}
}

func TestErrors(t *testing.T) {
	b := testBackend(t)
	for _, tc := range []struct {
		name  string
		shape []int
		opts  Options
		want  string
	}{
		{"one size", []int{784}, Options{}, "at least 2"},
		{"zero units", []int{784, 0, 10}, Options{}, "positive"},
		{"negative units", []int{784, -3, 10}, Options{}, "positive"},
		{"too many classes", []int{4, 300}, Options{}, "at most 256"},
		{"bad dtype", []int{4, 3}, Options{DType: dtypes.Int32}, "Float64"},
		{"negative eval batch", []int{4, 3}, Options{EvalBatchSize: -1}, "EvalBatchSize"},
	} {
		t.Run("New/"+tc.name, func(t *testing.T) {
			tc.opts.Backend = b
			_, err := New(tc.shape, &tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New(%v) error %v, want one mentioning %q", tc.shape, err, tc.want)
			}
		})
	}

	net, err := New([]int{4, 3}, &Options{Backend: b})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	X := make([]float32, 8) // 2 rows
	for _, tc := range []struct {
		name  string
		X     []float32
		y     []uint8
		y1hot []float32
		lr    float64
		want  string
	}{
		{"zero lr", X, []uint8{0, 1}, nil, 0, "learning rate"},
		{"negative lr", X, []uint8{0, 1}, nil, -0.1, "learning rate"},
		{"NaN lr", X, []uint8{0, 1}, nil, math.NaN(), "learning rate"},
		{"infinite lr", X, []uint8{0, 1}, nil, math.Inf(1), "learning rate"},
		{"empty X", nil, nil, nil, 0.1, "empty"},
		{"ragged X", X[:7], []uint8{0, 1}, nil, 0.1, "multiple of the 4"},
		{"too few labels", X, []uint8{0}, nil, 0.1, "len(y)=1"},
		{"label out of range", X, []uint8{0, 3}, nil, 0.1, "y[1]=3"},
		{"short one-hot", X, nil, make([]float32, 5), 0.1, "len(y1hot)=5"},
		{"no targets", X, nil, nil, 0.1, "len(y)=0"},
	} {
		t.Run("TrainOneEpoch/"+tc.name, func(t *testing.T) {
			_, err := net.TrainOneEpoch(tc.X, tc.y, tc.y1hot, tc.lr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	if _, err := net.Predict(X[:6]); err == nil || !strings.Contains(err.Error(), "multiple") {
		t.Errorf("Predict on ragged X: error %v", err)
	}
	if _, err := net.Accuracy(X, []uint8{1}); err == nil || !strings.Contains(err.Error(), "len(y)=1") {
		t.Errorf("Accuracy with too few labels: error %v", err)
	}
	if err := net.SetParams([]Layer{{In: 4, Out: 2}}); err == nil || !strings.Contains(err.Error(), "layer 0") {
		t.Errorf("SetParams with a wrong layer: error %v", err)
	}
	if err := net.SetParams(nil); err == nil || !strings.Contains(err.Error(), "0 layers") {
		t.Errorf("SetParams(nil): error %v", err)
	}
}
