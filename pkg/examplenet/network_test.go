package examplenet

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"feedforward.dev/feedforward/pkg/backend"
	"feedforward.dev/feedforward/pkg/mnist"
)

var (
	backendOnce sync.Once
	sharedBE    backends.Backend
	backendErr  error

	mnistOnce  sync.Once
	mnistTrain *mnist.Dataset
	mnistErr   error
)

// testBackend returns one backend shared by all tests of the package.
func testBackend(t testing.TB) backends.Backend {
	t.Helper()
	backendOnce.Do(func() { sharedBE, backendErr = backend.New() })
	if backendErr != nil {
		t.Fatal(backendErr)
	}
	return sharedBE
}

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

func randomProblem(seed uint64, n, f, k int) ([]float32, []uint8) {
	rng := rand.New(rand.NewPCG(seed, 1))
	X := make([]float32, n*f)
	for i := range X {
		X[i] = rng.Float32()
	}
	y := make([]uint8, n)
	for i := range y {
		y[i] = uint8(rng.IntN(k))
	}
	return X, y
}

func trainLosses(t *testing.T, net *Network, X []float32, y []uint8, epochs int, lr float64) []float64 {
	t.Helper()
	losses := make([]float64, epochs)
	for e := range losses {
		var err error
		if losses[e], err = net.TrainOneEpoch(X, y, nil, lr); err != nil {
			t.Fatal(err)
		}
	}
	return losses
}

func TestTrainingReducesLossOnMNIST(t *testing.T) {
	d := mnistSubset(t, 300)
	net, err := New([]int{784, 16, 10}, &Options{Seed: 1, Backend: testBackend(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	losses := trainLosses(t, net, d.Images, d.Labels, 15, 0.5)
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

// variable returns the values of a layer's variable ("weights" or "biases").
func variable(t *testing.T, net *Network, layer int, name string) []float32 {
	t.Helper()
	v := net.Context().GetVariableByScopeAndName("/layer_"+string(rune('0'+layer))+"/dense", name)
	if v == nil {
		t.Fatalf("no variable %q in layer %d", name, layer)
	}
	val, err := v.Value()
	if err != nil {
		t.Fatal(err)
	}
	f, err := tensors.CopyFlatData[float32](val)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestInitializationAndSeed: weights like torch.nn.Linear (uniform in ±1/√n_in), reproducible by seed.
func TestInitializationAndSeed(t *testing.T) {
	X, _ := randomProblem(1, 3, 50, 4)
	weights := func(seed uint64) ([]float32, []float32, []uint8) {
		net, err := New([]int{50, 40, 4}, &Options{Seed: seed, Backend: testBackend(t)})
		if err != nil {
			t.Fatal(err)
		}
		defer net.Close()
		p, err := net.Predict(X) // creates and initialises the variables
		if err != nil {
			t.Fatal(err)
		}
		return variable(t, net, 0, "weights"), variable(t, net, 1, "biases"), p
	}
	w1, b1, p1 := weights(3)
	w2, b2, p2 := weights(3)
	w3, _, _ := weights(4)
	if !slices.Equal(w1, w2) || !slices.Equal(b1, b2) || !slices.Equal(p1, p2) {
		t.Error("the same seed gave different weights or predictions")
	}
	if slices.Equal(w1, w3) {
		t.Error("seeds 3 and 4 gave the same weights")
	}
	bound := 1 / math.Sqrt(50)
	if lo, hi := float64(slices.Min(w1)), float64(slices.Max(w1)); lo < -bound || hi > bound || hi-lo < bound {
		t.Errorf("first-layer weights in [%.4f, %.4f], want spread over ±1/√50 = ±%.4f", lo, hi, bound)
	}
	if bound2 := 1 / math.Sqrt(40); float64(slices.Max(b1)) > bound2 || float64(slices.Min(b1)) < -bound2 {
		t.Errorf("second-layer biases %v outside ±1/√40", b1)
	}
}

func TestLearningRateChanges(t *testing.T) {
	X, y := randomProblem(2, 10, 6, 3)
	run := func(lrs ...float64) float64 {
		net, err := New([]int{6, 4, 3}, &Options{Seed: 1, Backend: testBackend(t)})
		if err != nil {
			t.Fatal(err)
		}
		defer net.Close()
		var l float64
		for _, lr := range lrs {
			if l, err = net.TrainOneEpoch(X, y, nil, lr); err != nil {
				t.Fatal(err)
			}
		}
		return l
	}
	// The loss of the 3rd epoch depends on the first two learning rates.
	same, changed := run(0.1, 0.1, 0.1), run(0.1, 2, 0.1)
	if same == changed {
		t.Errorf("changing the learning rate of epoch 2 left the loss of epoch 3 at %v", same)
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

func TestEvalBatchSize(t *testing.T) {
	X, _ := randomProblem(4, 23, 6, 3)
	var preds [][]uint8
	for _, bs := range []int{0, 5, 100} {
		net, err := New([]int{6, 5, 3}, &Options{Seed: 9, EvalBatchSize: bs, Backend: testBackend(t)})
		if err != nil {
			t.Fatal(err)
		}
		p, err := net.Predict(X)
		net.Close()
		if err != nil {
			t.Fatal(err)
		}
		preds = append(preds, p)
	}
	for i := 1; i < len(preds); i++ {
		if !slices.Equal(preds[0], preds[i]) {
			t.Errorf("case %d: predictions %v, with all rows at once %v", i, preds[i], preds[0])
		}
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
		{"too many classes", []int{4, 300}, Options{}, "at most 256"},
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
	X := make([]float32, 8)
	for _, tc := range []struct {
		name  string
		X     []float32
		y     []uint8
		y1hot []float32
		lr    float64
		want  string
	}{
		{"zero lr", X, []uint8{0, 1}, nil, 0, "learning rate"},
		{"NaN lr", X, []uint8{0, 1}, nil, math.NaN(), "learning rate"},
		{"ragged X", X[:7], []uint8{0, 1}, nil, 0.1, "multiple of the 4"},
		{"too few labels", X, []uint8{0}, nil, 0.1, "len(y)=1"},
		{"label out of range", X, []uint8{0, 3}, nil, 0.1, "y[1]=3"},
		{"short one-hot", X, nil, make([]float32, 5), 0.1, "len(y1hot)=5"},
	} {
		t.Run("TrainOneEpoch/"+tc.name, func(t *testing.T) {
			_, err := net.TrainOneEpoch(tc.X, tc.y, tc.y1hot, tc.lr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	if _, err := net.Predict(nil); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("Predict(nil): error %v", err)
	}
}
