package activations

import (
	"testing"
	"unsafe"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// The benchmarks use the homework's full training batch: 60000 rows of 10 logits.
const benchRows, benchCols = 60000, 10

func BenchmarkStableSoftmax(b *testing.B) {
	b.Run("float32", benchStableSoftmax[float32])
	b.Run("float64", benchStableSoftmax[float64])
}

func benchStableSoftmax[T Float](b *testing.B) {
	m := randomLogits[T](1, benchRows, benchCols, -10, 10)
	var zero T
	b.SetBytes(int64(len(m.Data)) * int64(unsafe.Sizeof(zero)))
	for b.Loop() {
		if _, err := StableSoftmax(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSoftmax measures the basic formula, for comparison with the stable one.
func BenchmarkSoftmax(b *testing.B) {
	b.Run("float32", benchSoftmax[float32])
	b.Run("float64", benchSoftmax[float64])
}

func benchSoftmax[T Float](b *testing.B) {
	m := randomLogits[T](1, benchRows, benchCols, -10, 10)
	var zero T
	b.SetBytes(int64(len(m.Data)) * int64(unsafe.Sizeof(zero)))
	for b.Loop() {
		if _, err := Softmax(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStableSoftmaxGraph measures one execution of the compiled graph,
// including moving the input to the backend and the result back.
func BenchmarkStableSoftmaxGraph(b *testing.B) {
	b.Run("float32", benchStableSoftmaxGraph[float32])
	b.Run("float64", benchStableSoftmaxGraph[float64])
}

func benchStableSoftmaxGraph[T Float](b *testing.B) {
	m := randomLogits[T](1, benchRows, benchCols, -10, 10)
	exec := graph.MustNewExec(getBackend(b), StableSoftmaxGraph)
	in := tensors.FromFlatDataAndDimensions(m.Data, m.Rows, m.Cols)
	exec.MustExec1(in).MustFinalizeAll() // compile outside the timed loop
	var zero T
	b.SetBytes(int64(len(m.Data)) * int64(unsafe.Sizeof(zero)))
	for b.Loop() {
		out := exec.MustExec1(in)
		_ = tensors.MustCopyFlatData[T](out)
		out.MustFinalizeAll()
	}
}
