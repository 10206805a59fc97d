package denseres_test

import (
	"fmt"
	"math"

	"feedforward.dev/feedforward/pkg/denseres"
)

// Train the dense residual MLP with minibatch SGD and evaluate it. On MNIST,
// x would be mnist.Dataset.Images and Config{Input: 784, Hidden: 256, Classes: 10}.
func Example() {
	const d, classes = 64, 10
	x, y := blobs(2000, d, classes, 1)
	m, err := denseres.New[float32](denseres.Config{Input: d, Hidden: 64, Classes: classes, LayerNorm: true, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	before, _ := m.Loss(x, y)
	const batch = 32
	for range 5 { // epochs
		for i := 0; i < len(y); i += batch {
			j := min(i+batch, len(y))
			if _, err := m.TrainBatch(x[i*d:j*d], y[i:j], 0.01); err != nil {
				fmt.Println(err)
				return
			}
		}
	}
	after, _ := m.Loss(x, y)
	acc, _ := m.Accuracy(x, y)
	fmt.Println("loss fell:", after < before)
	fmt.Println("accuracy above 90%:", acc > 0.9)
	// Output:
	// loss fell: true
	// accuracy above 90%: true
}

// LayerNorm one row and backpropagate a gradient through it.
func ExampleLayerNormForward() {
	z := []float64{1, 2, 3, 6} // one row of four
	gamma, beta := []float64{1, 1, 1, 1}, []float64{0, 0, 0, 0}
	out, cache, err := denseres.LayerNormForward(z, 1, gamma, beta)
	if err != nil {
		fmt.Println(err)
		return
	}
	var mean, sq float64
	for _, v := range out {
		mean += v / 4
		sq += v * v / 4
	}
	fmt.Printf("mean %.3f, variance %.3f (μ = %g)\n", math.Abs(mean), sq-mean*mean, cache.Mu[0])

	dz, dgamma, dbeta, err := denseres.LayerNormBackward([]float64{1, 0, 0, -1}, gamma, cache)
	if err != nil {
		fmt.Println(err)
		return
	}
	sum := 0.0
	for _, v := range dz {
		sum += v
	}
	fmt.Printf("Σ dz = %.3f, dβ = %v, dγ[0] = ẑ[0] = %.3f\n", math.Abs(sum), dbeta, dgamma[0])
	// Output:
	// mean 0.000, variance 1.000 (μ = 3)
	// Σ dz = 0.000, dβ = [1 0 0 -1], dγ[0] = ẑ[0] = -1.069
}
