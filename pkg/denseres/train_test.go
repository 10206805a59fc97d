package denseres_test

import (
	"math/rand/v2"
	"testing"

	"feedforward.dev/feedforward/pkg/denseres"
	"feedforward.dev/feedforward/pkg/mnist"
)

// blobs (for the Example, which should not depend on data files) returns n samples of a d-dimensional mixture of classes Gaussian
// clusters (two clusters per class, so the classes are not one blob each),
// with feature values roughly in [0, 1] like MNIST pixels.
func blobs(n, d, classes int, seed uint64) ([]float32, []uint8) {
	rng := rand.New(rand.NewPCG(seed, 1))
	centres := make([][]float64, 2*classes)
	crng := rand.New(rand.NewPCG(99, 1)) // the same centres for every seed
	for i := range centres {
		centres[i] = make([]float64, d)
		for j := range centres[i] {
			centres[i][j] = crng.Float64()
		}
	}
	x := make([]float32, n*d)
	y := make([]uint8, n)
	for i := range n {
		k := rng.IntN(len(centres))
		y[i] = uint8(k % classes)
		for j := range d {
			x[i*d+j] = float32(centres[k][j] + 0.15*rng.NormFloat64())
		}
	}
	return x, y
}

// TestTrainingLearns trains both variants on the first 2000 MNIST training
// images with the homework's optimiser (minibatch SGD with batch 32 — more steps than 128 on so few images — lr 0.01 with
// LayerNorm and 0.001 without) and checks that the training loss falls every
// epoch and that accuracy on 1000 test images ends well above chance.
func TestTrainingLearns(t *testing.T) {
	train, test, err := mnist.Load("")
	if err != nil {
		t.Fatal(err)
	}
	if train, err = train.First(2000); err != nil {
		t.Fatal(err)
	}
	if test, err = test.First(1000); err != nil {
		t.Fatal(err)
	}
	const batch, epochs = 32, 4
	d := train.Features()
	for _, tc := range []struct {
		name string
		ln   bool
		lr   float32
		// Thresholds after the last epoch: the loss is at most lossRatio of
		// the initial one and test accuracy at least minAcc. The numpy
		// reference (refs/q5_numpy.py's Net, same data, batches and epochs,
		// seeds 0–2) ends at loss ratio 0.15–0.16 and accuracy 0.81–0.83 with
		// LayerNorm, 0.68–0.70 and 0.35–0.41 without.
		lossRatio, minAcc float64
	}{{"LN", true, 0.01, 0.25, 0.7}, {"noLN", false, 0.001, 0.8, 0.3}} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := denseres.New[float32](denseres.Config{Input: d, Hidden: 64, Classes: mnist.Classes, LayerNorm: tc.ln, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			prev, err := m.Loss(train.Images, train.Labels)
			if err != nil {
				t.Fatal(err)
			}
			first := prev
			for epoch := range epochs {
				for i := 0; i < train.N; i += batch {
					j := min(i+batch, train.N)
					if _, err := m.TrainBatch(train.Images[i*d:j*d], train.Labels[i:j], tc.lr); err != nil {
						t.Fatal(err)
					}
				}
				loss, _ := m.Loss(train.Images, train.Labels)
				t.Logf("epoch %d: training loss %.4f", epoch+1, loss)
				if !(loss < prev) {
					t.Errorf("epoch %d: loss %.4f did not fall below %.4f", epoch+1, loss, prev)
				}
				prev = loss
			}
			acc, _ := m.Accuracy(test.Images, test.Labels)
			t.Logf("loss %.4f → %.4f, test accuracy %.3f", first, prev, acc)
			if float64(prev) > tc.lossRatio*float64(first) || acc < tc.minAcc {
				t.Errorf("after %d epochs: loss %.4f (from %.4f), test accuracy %.3f; want loss ≤ %g× and accuracy ≥ %g", epochs, prev, first, acc, tc.lossRatio, tc.minAcc)
			}
		})
	}
}
