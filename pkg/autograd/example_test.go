package autograd_test

import (
	"fmt"
	"math"

	"feedforward.dev/feedforward/pkg/autograd"
)

// toyProblem has two features per example; the class is 1 when the second is larger.
func toyProblem() ([]float32, []uint8) {
	var X []float32
	var y []uint8
	for i := range 8 {
		for j := range 8 {
			if i == j {
				continue
			}
			a, b := float32(i)/7, float32(j)/7
			X = append(X, a, b)
			if b > a {
				y = append(y, 1)
			} else {
				y = append(y, 0)
			}
		}
	}
	return X, y
}

// Train a small network by full-batch gradient descent and check it fits.
func Example() {
	X, y := toyProblem()
	net, err := autograd.New([]int{2, 8, 2}, &autograd.Options{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer net.Close()
	var first, last float64
	for epoch := 1; epoch <= 300; epoch++ {
		loss, err := net.TrainOneEpoch(X, y, nil, 1.0)
		if err != nil {
			fmt.Println(err)
			return
		}
		if epoch == 1 {
			first = loss
		}
		last = loss
	}
	acc, err := net.Accuracy(X, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("loss fell below a third: %v\n", last < first/3)
	fmt.Printf("training accuracy: %.2f\n", acc)
	// Output:
	// loss fell below a third: true
	// training accuracy: 1.00
}

// Check the initialisation: U(±1/√n_in) has mean 0 and standard deviation 1/√(3·n_in).
func ExampleNetwork_InitWeights() {
	net, err := autograd.New([]int{784, 300, 100, 10}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer net.Close()
	if err := net.InitWeights(42); err != nil {
		fmt.Println(err)
		return
	}
	params, err := net.Params()
	if err != nil {
		fmt.Println(err)
		return
	}
	w := params[0].W
	var mean, sq float64
	for _, v := range w {
		mean += v
	}
	mean /= float64(len(w))
	for _, v := range w {
		sq += (v - mean) * (v - mean)
	}
	std := math.Sqrt(sq / float64(len(w)))
	fmt.Printf("first layer: %d×%d weights\n", params[0].In, params[0].Out)
	fmt.Printf("mean within ±0.001: %v\n", math.Abs(mean) < 0.001)
	fmt.Printf("std %.4f, 1/√(3·784) = %.4f\n", std, 1/math.Sqrt(3*784))
	// Output:
	// first layer: 784×300 weights
	// mean within ±0.001: true
	// std 0.0206, 1/√(3·784) = 0.0206
}

// The forgot-to-zero-the-gradients bug: each update uses the sum of all
// gradients so far, so the second update already differs from correct training.
func ExampleOptions_accumulateGradients() {
	X, y := toyProblem()
	losses := func(accumulate bool) []float64 {
		net, err := autograd.New([]int{2, 8, 2}, &autograd.Options{Seed: 1, AccumulateGradients: accumulate})
		if err != nil {
			panic(err)
		}
		defer net.Close()
		var ls []float64
		for range 3 {
			l, err := net.TrainOneEpoch(X, y, nil, 1.0)
			if err != nil {
				panic(err)
			}
			ls = append(ls, l)
		}
		return ls
	}
	good, bad := losses(false), losses(true)
	for e := range good {
		fmt.Printf("epoch %d: same loss: %v\n", e+1, math.Abs(good[e]-bad[e]) < 1e-6)
	}
	// Output:
	// epoch 1: same loss: true
	// epoch 2: same loss: true
	// epoch 3: same loss: false
}
