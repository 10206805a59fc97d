// Package gemm is a fast general matrix multiply (GEMM) for float32 and float64
// row-major matrices, used by the hand-written backpropagation model of the homework.
//
// Gemm computes
//
//	C = alpha*op(A)*op(B) + beta*C
//
// with the same conventions as a row-major BLAS: op(X) is X or Xᵀ, every matrix is
// a slice with a leading dimension (the distance, in elements, between the starts of
// two consecutive rows of the stored matrix), and op(A) is m×k, op(B) is k×n, C is m×n.
//
// The implementation follows the Goto/BLIS design: op(A) and op(B) are copied ("packed")
// into cache-sized blocks, and a register-blocked micro-kernel computes small tiles of C.
// On amd64 the micro-kernels and the packing routines are written in assembly, chosen
// at run time: with AVX-512, 12×32 tiles of C held in twenty-four 512-bit registers for
// float32 and 12×16 for float64; with AVX2 and FMA only, 6×16 tiles in twelve 256-bit
// registers for float32 and 6×8 for float64. Both share the packing routines (see the
// halves layout in kernel.go). Elsewhere, or when built with the purego build tag,
// portable Go code is used; Kernel reports which. On an AVX-512 machine the tests run
// the AVX2 kernels too. (Measured on a 2-core Intel Xeon with AVX-512, the AVX-512
// kernels made the products of the homework's Q5 model 1.3–1.7 times faster; on CPUs
// that execute 512-bit FMAs as two 256-bit halves, such as AMD Zen 4, expect less.)
//
// Products of more than about four million floating-point operations are split
// across goroutines: the calling one plus a fixed pool of workers started on first use
// (see SetThreads). The side of C that is split is the longer one; each goroutine packs
// the operand that all pieces share once (unless it is very large), then claims pieces
// of C until none are left,
// so that a goroutine slowed down by other load on the machine does not hold back the
// call. Packing buffers are kept in a free list, so steady-state calls do not allocate.
//
// Gemm is safe for concurrent use by multiple goroutines.
package gemm

import (
	"fmt"
	"runtime"
	"sync/atomic"
)

// Float is the set of element types Gemm works with.
type Float interface {
	float32 | float64
}

// threads is the number of goroutines a single Gemm call may use; 0 means runtime.GOMAXPROCS(0).
var threads atomic.Int64

// SetThreads sets the number of goroutines (the calling one included) that one Gemm call
// may use, and returns the previous setting. n <= 0 restores the default,
// runtime.GOMAXPROCS(0) at the time of each call. SetThreads(1) makes Gemm single-threaded.
func SetThreads(n int) (previous int) {
	if n < 0 {
		n = 0
	}
	return int(threads.Swap(int64(n)))
}

// Threads returns the number of goroutines that one Gemm call may use.
func Threads() int {
	if n := int(threads.Load()); n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// Gemm computes C = alpha*op(A)*op(B) + beta*C, where op(A) is A when transA is false and
// Aᵀ when it is true (likewise for B), op(A) is m×k, op(B) is k×n and C is m×n.
//
// All matrices are row-major: element (i, j) of the stored matrix X is x[i*ldx+j].
// The stored A is m×k (lda >= k) when transA is false and k×m (lda >= m) when it is true;
// the stored B is k×n (ldb >= n) when transB is false and n×k (ldb >= k) when it is true;
// C is m×n with ldc >= n. Leading dimensions must be at least 1.
//
// When beta is zero, C is not read: NaNs or infinities already in C do not propagate.
// When k is zero or alpha is zero, A and B are not read.
//
// Gemm panics if a dimension is negative, a leading dimension is too small, or a slice is
// too short for the dimensions given: these are programming errors.
func Gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	checkArgs(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	run(kernelFor[T](), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkArgs panics with a message naming the bad argument and the fix.
func checkArgs(transA, transB bool, m, n, k, lenA, lda, lenB, ldb, lenC, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d; dimensions must be >= 0", m, n, k))
	}
	rowsA, colsA := m, k
	if transA {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if transB {
		rowsB, colsB = n, k
	}
	check := func(name string, rows, cols, length, ld int) {
		if ld < max(1, cols) {
			panic(fmt.Sprintf("gemm: ld%s=%d is smaller than the %d columns of the stored %s (%d×%d); pass ld%s >= %d",
				name, ld, cols, name, rows, cols, name, max(1, cols)))
		}
		if rows > 0 && cols > 0 {
			if need := (rows-1)*ld + cols; length < need {
				panic(fmt.Sprintf("gemm: len(%s)=%d is too short for a %d×%d matrix with ld%s=%d; it needs at least %d elements",
					name, length, rows, cols, name, ld, need))
			}
		}
	}
	if m > 0 && n > 0 && k > 0 {
		check("a", rowsA, colsA, lenA, lda)
		check("b", rowsB, colsB, lenB, ldb)
	} else {
		// A and B are not read, but leading dimensions must still be sane.
		if lda < max(1, colsA) {
			check("a", rowsA, colsA, lenA, lda)
		}
		if ldb < max(1, colsB) {
			check("b", rowsB, colsB, lenB, ldb)
		}
	}
	check("c", m, n, lenC, ldc)
}

// scaleC sets C = beta*C, writing zeros (not beta*C) when beta is zero.
func scaleC[T Float](m, n int, beta T, c []T, ldc int) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}
