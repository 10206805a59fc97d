package activations_test

import (
	"errors"
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"

	"feedforward.dev/feedforward/pkg/activations"
	"feedforward.dev/feedforward/pkg/backend"
)

func ExampleNewMatrix() {
	// Two examples (rows) with three classes (columns), row-major.
	m, err := activations.NewMatrix(2, 3, []float32{
		1, 2, 3,
		4, 5, 6,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.At(1, 0))

	_, err = activations.NewMatrix(2, 3, []float32{1, 2})
	fmt.Println(errors.Is(err, activations.ErrShape))
	// Output:
	// 4
	// true
}

func ExampleFromRows() {
	m, err := activations.FromRows([][]float64{{1, 2, 3}, {4, 5, 6}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Rows, m.Cols, m.Data)
	// Output:
	// 2 3 [1 2 3 4 5 6]
}

func ExampleMatrix_Dims() {
	m, _ := activations.NewMatrix[float32](60000, 10, nil)
	rows, cols := m.Dims()
	fmt.Println(rows, cols)
	// Output:
	// 60000 10
}

func ExampleMatrix_At() {
	m, _ := activations.FromRows([][]float32{{1, 2}, {3, 4}})
	fmt.Println(m.At(0, 1), m.At(1, 0))
	// Output:
	// 2 3
}

func ExampleMatrix_Row() {
	m, _ := activations.FromRows([][]float32{{1, 2}, {3, 4}})
	fmt.Println(m.Row(1))
	m.Row(1)[0] = 30 // Row shares storage with m.
	fmt.Println(m.At(1, 0))
	// Output:
	// [3 4]
	// 30
}

func ExampleCheckLabels() {
	fmt.Println(activations.CheckLabels([]uint8{3, 0, 9}, 10))
	fmt.Println(activations.CheckLabels([]uint8{3, 0, 10}, 10))
	// Output:
	// <nil>
	// activations: CheckLabels: class label out of range: label 10 at index 2 is not in [0, 10); labels must be class indices 0…9 for C = 10 classes (check the label data and the class count)
}

func ExampleReLU() {
	fmt.Println(activations.ReLU([]float32{-2, -0.5, 0, 0.5, 2}))
	// Output:
	// [0 0 0 0.5 2]
}

func ExampleSigmoid() {
	// Safe for large |x|: no overflow, no NaN.
	s := activations.Sigmoid([]float64{-1000, -1, 0, 1, 1000})
	fmt.Printf("%.4f\n", s)
	// Output:
	// [0.0000 0.2689 0.5000 0.7311 1.0000]
}

func ExampleSoftmax() {
	logits, _ := activations.FromRows([][]float64{
		{1, 2, 3},
		{1000, 0, -1000}, // exp(1000) overflows float64
	})
	p, err := activations.Softmax(logits)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f\n", p.Row(0))
	fmt.Println(p.Row(1))
	// Output:
	// [0.0900 0.2447 0.6652]
	// [NaN 0 0]
}

func ExampleStableSoftmax() {
	logits, _ := activations.FromRows([][]float64{
		{1, 2, 3},
		{1000, 0, -1000}, // fine once shifted by the row maximum
	})
	p, err := activations.StableSoftmax(logits)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f\n", p.Row(0))
	fmt.Printf("%.4f\n", p.Row(1))
	// Output:
	// [0.0900 0.2447 0.6652]
	// [1.0000 0.0000 0.0000]
}

func ExampleLogSumExp() {
	logits, _ := activations.FromRows([][]float64{
		{0, 0},
		{1000, 1000}, // log(2·e^1000) = 1000 + log 2, although e^1000 overflows
	})
	lse, err := activations.LogSumExp(logits)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.6f %.6f\n", lse[0], lse[1]-1000)
	fmt.Printf("%.6f\n", math.Ln2)
	// Output:
	// 0.693147 0.693147
	// 0.693147
}

func ExampleLogSoftmax() {
	logits, _ := activations.FromRows([][]float64{{0, -2000}})
	logp, _ := activations.LogSoftmax(logits)
	p, _ := activations.StableSoftmax(logits)
	// The probability underflows to 0; its logarithm does not become -Inf.
	fmt.Println(p.Row(0)[1], logp.Row(0)[1])
	// Output:
	// 0 -2000
}

func ExampleAverageCrossEntropy() {
	logits, _ := activations.FromRows([][]float32{
		{2, 1, 0.1},
		{0.5, 2.5, 0.3},
	})
	labels := []uint8{0, 1} // MNIST-style labels work as they are
	loss, err := activations.AverageCrossEntropy(logits, labels)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f\n", loss)

	// Extreme logits are fine: −(−1000 − 1000) = 2000.
	extreme, _ := activations.FromRows([][]float32{{1000, -1000}})
	loss, _ = activations.AverageCrossEntropy(extreme, []int{1})
	fmt.Println(loss)

	_, err = activations.AverageCrossEntropy(logits, []int{0, 3})
	fmt.Println(errors.Is(err, activations.ErrLabel))
	// Output:
	// 0.3185
	// 2000
	// true
}

func ExampleAverageCrossEntropyFromProbs() {
	probs, _ := activations.FromRows([][]float64{
		{0.7, 0.2, 0.1},
		{0.1, 0.8, 0.1},
	})
	loss, _ := activations.AverageCrossEntropyFromProbs(probs, []int{0, 1})
	fmt.Printf("%.4f\n", loss) // −(log 0.7 + log 0.8)/2

	// No clipping: a true-class probability of 0 gives −log 0 = +Inf.
	certain, _ := activations.FromRows([][]float64{{1, 0}})
	loss, _ = activations.AverageCrossEntropyFromProbs(certain, []int{1})
	fmt.Println(loss)
	// Output:
	// 0.2899
	// +Inf
}

func ExampleOneHot() {
	y, err := activations.OneHot[float32]([]uint8{2, 0}, 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(y.Row(0), y.Row(1))
	// Output:
	// [0 0 1 0] [1 0 0 0]
}

func ExampleArgMax() {
	scores, _ := activations.FromRows([][]float32{
		{0.1, 0.7, 0.2},
		{5, 9, 9}, // ties pick the first
	})
	pred, _ := activations.ArgMax(scores)
	fmt.Println(pred)
	// Output:
	// [1 1]
}

// Graph examples: each runs a GoMLX graph with the project's backend.

func ExampleReLUGraph() {
	b, err := backend.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	out := graph.MustNewExec(b, activations.ReLUGraph).MustExec1([]float32{-2, 0, 3})
	fmt.Println(out.Value())
	// Output:
	// [0 0 3]
}

func ExampleSigmoidGraph() {
	b, err := backend.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	out := graph.MustNewExec(b, activations.SigmoidGraph).MustExec1([]float64{-1000, 0, 1000})
	fmt.Println(out.Value())
	// Output:
	// [0 0.5 1]
}

func ExampleSoftmaxGraph() {
	b, err := backend.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	out := graph.MustNewExec(b, activations.SoftmaxGraph).MustExec1([][]float32{{1, 2, 3}, {100, 0, 0}})
	p := out.Value().([][]float32)
	fmt.Printf("%.4f\n", p[0])
	fmt.Println(p[1]) // exp(100) overflows float32
	// Output:
	// [0.0900 0.2447 0.6652]
	// [NaN 0 0]
}

func ExampleStableSoftmaxGraph() {
	b, err := backend.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	out := graph.MustNewExec(b, activations.StableSoftmaxGraph).MustExec1([][]float32{{1, 2, 3}, {100, 0, 0}})
	fmt.Printf("%.4f\n", out.Value())
	// Output:
	// [[0.0900 0.2447 0.6652] [1.0000 0.0000 0.0000]]
}

func ExampleLogSumExpGraph() {
	b, err := backend.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	out := graph.MustNewExec(b, activations.LogSumExpGraph).MustExec1([][]float64{{0, 0}, {1000, 1000}})
	fmt.Printf("%.6f\n", out.Value())
	// Output:
	// [0.693147 1000.693147]
}

func ExampleLogSoftmaxGraph() {
	b, err := backend.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	out := graph.MustNewExec(b, activations.LogSoftmaxGraph).MustExec1([][]float64{{0, 0}, {0, -2000}})
	fmt.Printf("%.4f\n", out.Value())
	// Output:
	// [[-0.6931 -0.6931] [0.0000 -2000.0000]]
}

func ExampleAverageCrossEntropyGraph() {
	b, err := backend.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	// The loss and its gradient with respect to the logits, (softmax − onehot)/N.
	exec := graph.MustNewExec(b, func(logits, labels *graph.Node) (*graph.Node, *graph.Node) {
		loss := activations.AverageCrossEntropyGraph(logits, labels)
		return loss, graph.Gradient(loss, logits)[0]
	})
	outs := exec.MustExec([][]float64{{0, 0}, {1000, -1000}}, []int32{1, 0})
	fmt.Printf("loss %.4f\n", outs[0].Value())
	fmt.Printf("grad %.4f\n", outs[1].Value())
	// Output:
	// loss 0.3466
	// grad [[0.2500 -0.2500] [0.0000 0.0000]]
}

func ExampleAverageCrossEntropyFromProbsGraph() {
	b, err := backend.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	exec := graph.MustNewExec(b, activations.AverageCrossEntropyFromProbsGraph)
	loss := exec.MustExec1([][]float64{{0.7, 0.2, 0.1}, {0.1, 0.8, 0.1}}, []int32{0, 1})
	fmt.Printf("%.4f\n", loss.Value())
	// Output:
	// 0.2899
}

func ExampleOneHotGraph() {
	b, err := backend.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	exec := graph.MustNewExec(b, func(labels *graph.Node) *graph.Node {
		return activations.OneHotGraph(labels, 4, dtypes.Float32)
	})
	fmt.Println(exec.MustExec1([]uint8{2, 0}).Value())
	// Output:
	// [[0 0 1 0] [1 0 0 0]]
}

func ExampleArgMaxGraph() {
	b, err := backend.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	out := graph.MustNewExec(b, activations.ArgMaxGraph).MustExec1([][]float32{{0.1, 0.7, 0.2}, {5, 9, 9}})
	fmt.Println(out.Value())
	// Output:
	// [1 1]
}
