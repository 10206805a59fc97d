package denseres

import (
	"unsafe"

	"gonum.org/v1/gonum/blas/gonum"

	"feedforward.dev/feedforward/pkg/gemm"
)

// The two GEMM kernels behind matmul: pkg/gemm's packed, multi-core kernels
// (gonum's pure-Go GEMM was 7-10x slower here and allocates per call). Every
// matrix product in this package goes through matmul, and matmul goes through
// these variables, so tests can swap them for a naive kernel to prove that the
// model itself allocates nothing per step.
var (
	sgemm func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) = gemm.Gemm[float32]
	dgemm func(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) = gemm.Gemm[float64]
)

// matmul computes C ← alpha·op(A)·op(B) + beta·C for row-major matrices, where
// op(A) is m×k (A itself is k×m with leading dimension lda when transA), op(B)
// is k×n and C is m×n with leading dimension ldc. The signature is that of
// pkg/gemm's gemm.Gemm.
func matmul[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if unsafe.Sizeof(alpha) == 4 {
		sgemm(transA, transB, m, n, k, float32(alpha), as32(a), lda, as32(b), ldb, float32(beta), as32(c), ldc)
		return
	}
	dgemm(transA, transB, m, n, k, float64(alpha), as64(a), lda, as64(b), ldb, float64(beta), as64(c), ldc)
}

// axpy computes y ← alpha·x + y with gonum's assembly kernels.
func axpy[T Float](alpha T, x, y []T) {
	if unsafe.Sizeof(alpha) == 4 {
		gonum.Implementation{}.Saxpy(len(x), float32(alpha), as32(x), 1, as32(y), 1)
		return
	}
	gonum.Implementation{}.Daxpy(len(x), float64(alpha), as64(x), 1, as64(y), 1)
}

// as32 and as64 reinterpret a []T whose element size is known to match; they
// are only called on the branch where it does.
func as32[T Float](s []T) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

func as64[T Float](s []T) []float64 {
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}
