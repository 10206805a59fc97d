package gemm_test

import (
	"fmt"

	"feedforward.dev/feedforward/pkg/gemm"
)

// A forward layer Z = X·W for a batch of two inputs with three features and two outputs.
func ExampleGemm() {
	x := []float32{ // 2×3
		1, 2, 3,
		4, 5, 6,
	}
	w := []float32{ // 3×2
		1, 0,
		0, 1,
		1, 1,
	}
	z := make([]float32, 2*2)
	gemm.Gemm(false, false, 2, 2, 3, 1, x, 3, w, 2, 0, z, 2)
	fmt.Println(z)
	// Output: [4 5 10 11]
}

// The weight gradient dW = Xᵀ·dZ reads X transposed, without copying it, and
// accumulates into dW with beta = 1.
func ExampleGemm_transposed() {
	x := []float64{ // 2×3: two samples, three features
		1, 2, 3,
		4, 5, 6,
	}
	dz := []float64{ // 2×1
		0.5,
		-1,
	}
	dw := []float64{10, 10, 10} // 3×1, accumulated into
	gemm.Gemm(true, false, 3, 1, 2, 1, x, 3, dz, 1, 1, dw, 1)
	fmt.Println(dw)
	// Output: [6.5 6 5.5]
}

// SetThreads limits how many goroutines one call may use; it returns the previous
// setting so that it can be restored.
func ExampleSetThreads() {
	previous := gemm.SetThreads(1) // single-threaded, e.g. when the caller already runs one Gemm per core
	defer gemm.SetThreads(previous)
	fmt.Println(gemm.Threads())
	// Output: 1
}
