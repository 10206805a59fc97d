package learningcurve

import (
	"sync"
	"testing"

	"github.com/gomlx/gomlx/backends"

	"feedforward.dev/feedforward/pkg/backend"
	"feedforward.dev/feedforward/pkg/mnist"
)

var (
	mnistOnce            sync.Once
	mnistTrain, mnist10k *mnist.Dataset
	mnistErr             error

	backendOnce sync.Once
	testBackend backends.Backend
	backendErr  error
)

// loadMNIST loads the shipped MNIST once per test binary.
func loadMNIST(t testing.TB) (train, test *mnist.Dataset) {
	t.Helper()
	mnistOnce.Do(func() { mnistTrain, mnist10k, mnistErr = mnist.Load("") })
	if mnistErr != nil {
		t.Fatalf("loading MNIST: %v", mnistErr)
	}
	return mnistTrain, mnist10k
}

// sharedBackend returns one backend for all the tests, as Run shares one across a sweep.
func sharedBackend(t testing.TB) backends.Backend {
	t.Helper()
	backendOnce.Do(func() { testBackend, backendErr = backend.New() })
	if backendErr != nil {
		t.Fatalf("creating the backend: %v", backendErr)
	}
	return testBackend
}

// fakePoint returns a point with the given coordinates and accuracies.
func fakePoint(shape []int, n, rep int, train, test float64) Point {
	return Point{
		Shape: FormatShape(shape), TrainSize: n, Repeat: rep, FitSize: n, ValSize: 100,
		TrainAcc: train, TestAcc: test, ValAcc: test, EpochsTrained: 10, BestEpoch: 7, StoppedBy: StoppedByPatience,
		Seconds: 1, EpochSeconds: 0.1,
		History: History{TrainLoss: []float64{1, 0.5}, ValAcc: []float64{0.5, test}, ValLoss: []float64{1, 0.6}},
	}
}
