package denseres_test

import (
	"fmt"

	"feedforward.dev/feedforward/pkg/denseres"
)

// Train a model for a few epochs of shuffled mini-batch SGD and read the
// per-epoch metrics. On MNIST the sets come from denseres.FromMNIST.
func ExampleTrain() {
	const d = 32
	xtr, ytr := blobs(1000, d, 10, 1)
	xte, yte := blobs(500, d, 10, 2)
	train := denseres.Set[float32]{X: xtr, Labels: ytr}
	test := denseres.Set[float32]{X: xte, Labels: yte}
	m, err := denseres.New[float32](denseres.Config{Input: d, Hidden: 32, Classes: 10, LayerNorm: true, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	epochs, err := denseres.Train(m, train, test, denseres.TrainOptions{Epochs: 3, BatchSize: 32, LR: 0.05, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	first, last := epochs[0], epochs[len(epochs)-1]
	fmt.Println("epochs:", len(epochs))
	fmt.Println("loss fell:", last.Loss < first.Loss)
	fmt.Println("test accuracy above 90%:", last.TestAcc > 0.9)
	// Output:
	// epochs: 3
	// loss fell: true
	// test accuracy above 90%: true
}

// Select a model by early stopping on a validation set held out from the
// training data; the returned model holds the weights of the best epoch.
func ExampleTrainEarlyStopping() {
	const d = 32
	x, y := blobs(1500, d, 10, 1)
	all := denseres.Set[float32]{X: x, Labels: y}
	train, val := all.Rows(0, 1000), all.Rows(1000, 1500)
	m, err := denseres.New[float32](denseres.Config{Input: d, Hidden: 32, Classes: 10, LayerNorm: true, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	sel, err := denseres.TrainEarlyStopping(m, train, val, denseres.TrainOptions{Epochs: 50, BatchSize: 32, LR: 0.05, Seed: 1}, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	acc, _ := m.Accuracy(val.X, val.Labels)
	fmt.Println("stopped by:", sel.StoppedBy)
	fmt.Println("the model is the best epoch's:", acc == sel.BestValAcc)
	fmt.Println("patience epochs after the best:", len(sel.History)-sel.BestEpoch)
	// Output:
	// stopped by: patience
	// the model is the best epoch's: true
	// patience epochs after the best: 3
}

// Check the LayerNorm backward pass against finite differences, with a
// random upstream gradient and random γ, β.
func ExampleCheckLayerNorm() {
	res, err := denseres.CheckLayerNorm(4, 16, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res {
		fmt.Printf("%-5s %2d entries, max relative error below 1e-7: %v\n", r.Name, r.Size, r.MaxRel < 1e-7)
	}
	// Output:
	// z     64 entries, max relative error below 1e-7: true
	// gamma 16 entries, max relative error below 1e-7: true
	// beta  16 entries, max relative error below 1e-7: true
}

// Check every gradient of a small model with random parameters against
// finite differences.
func ExampleCheckGradients() {
	res, err := denseres.CheckGradients(denseres.Config{Input: 10, Hidden: 8, Classes: 10, LayerNorm: true, Seed: 1}, 6, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	worst := 0.0
	for _, r := range res {
		worst = max(worst, r.MaxRel)
	}
	fmt.Println("parameters checked:", len(res))
	fmt.Println("worst relative error below 1e-7:", worst < 1e-7)
	// Output:
	// parameters checked: 10
	// worst relative error below 1e-7: true
}

// The diagram of the gradient paths is a figure: figure.Show(d, "gradient-paths")
// displays it in a notebook, figure.Save writes it.
func ExampleGradientDiagram() {
	png, err := denseres.GradientDiagram{}.PNG()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("PNG:", string(png[1:4]))
	// Output:
	// PNG: PNG
}
