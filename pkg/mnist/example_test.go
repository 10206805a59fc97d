package mnist_test

import (
	"fmt"

	"feedforward.dev/feedforward/pkg/mnist"
)

func ExampleLoad() {
	train, test, err := mnist.Load("") // finds data/mnist, or uses FEEDFORWARD_DATA
	if err != nil {
		fmt.Println(err) // says which file is wrong and how to fix it
		return
	}
	fmt.Println(train)
	fmt.Println(test)
	fmt.Println("features:", train.Features())
	// Output:
	// MNIST dataset: 60000 images of 28×28 pixels
	// MNIST dataset: 10000 images of 28×28 pixels
	// features: 784
}

func ExampleOneHot() {
	y, err := mnist.OneHot([]uint8{3, 0, 9}, mnist.Classes)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range 3 {
		fmt.Println(y[i*mnist.Classes : (i+1)*mnist.Classes])
	}
	_, err = mnist.OneHot([]uint8{12}, mnist.Classes)
	fmt.Println(err != nil)
	// Output:
	// [0 0 0 1 0 0 0 0 0 0]
	// [1 0 0 0 0 0 0 0 0 0]
	// [0 0 0 0 0 0 0 0 0 1]
	// true
}

func ExampleDataset_Split() {
	train, _, err := mnist.Load("")
	if err != nil {
		fmt.Println(err)
		return
	}
	// Hold out 10,000 training examples for validation, with a fixed seed.
	fit, val, err := train.Split(50000, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(fit.N, val.N)
	// Output: 50000 10000
}

func ExampleDataset_Sample() {
	train, _, err := mnist.Load("")
	if err != nil {
		fmt.Println(err)
		return
	}
	small, err := train.Sample(1000, 42) // the same 1000 examples for the same seed
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(small.N, len(small.Images), len(small.Labels))
	// Output: 1000 784000 1000
}
