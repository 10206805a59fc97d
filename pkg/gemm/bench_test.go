package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShapes are the products of the homework: Q5's forward (NN), input-gradient (NT)
// and weight-gradient (TN) products at batch 128, and Q3's full-batch evaluation.
var benchShapes = []struct {
	name           string
	transA, transB bool
	m, n, k        int
}{
	{"NN_128x1041x256", false, false, 128, 256, 1041},
	{"NT_128x256x1041", false, true, 128, 1041, 256},
	{"TN_1041x128x256", true, false, 1041, 256, 128},
	{"NN_60000x784x300", false, false, 60000, 300, 784},
}

// BenchmarkGemm measures this package against gonum's pure-Go BLAS on the same shapes,
// in the same run, and reports GFLOP/s.
func BenchmarkGemm(b *testing.B) {
	k32, k64 := Kernel()
	b.Logf("kernels: %s / %s, threads %d", k32, k64, Threads())
	for _, s := range benchShapes {
		b.Run(s.name, func(b *testing.B) {
			b.Run("f32/gemm", func(b *testing.B) { benchOne[float32](b, s.transA, s.transB, s.m, s.n, s.k, false) })
			b.Run("f32/gonum", func(b *testing.B) { benchOne[float32](b, s.transA, s.transB, s.m, s.n, s.k, true) })
			b.Run("f64/gemm", func(b *testing.B) { benchOne[float64](b, s.transA, s.transB, s.m, s.n, s.k, false) })
			b.Run("f64/gonum", func(b *testing.B) { benchOne[float64](b, s.transA, s.transB, s.m, s.n, s.k, true) })
		})
	}
}

func benchOne[T Float](b *testing.B, transA, transB bool, m, n, k int, useGonum bool) {
	rng := rand.New(rand.NewPCG(1, 1))
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	a, bm, c := randSlice[T](rng, m*k), randSlice[T](rng, k*n), make([]T, m*n)
	call := func() { Gemm(transA, transB, m, n, k, 1, a, lda, bm, ldb, 0, c, n) }
	if useGonum {
		tA, tB := blas.NoTrans, blas.NoTrans
		if transA {
			tA = blas.Trans
		}
		if transB {
			tB = blas.Trans
		}
		var impl gonum.Implementation
		switch a := any(a).(type) {
		case []float32:
			b32, c32 := any(bm).([]float32), any(c).([]float32)
			call = func() { impl.Sgemm(tA, tB, m, n, k, 1, a, lda, b32, ldb, 0, c32, n) }
		case []float64:
			b64, c64 := any(bm).([]float64), any(c).([]float64)
			call = func() { impl.Dgemm(tA, tB, m, n, k, 1, a, lda, b64, ldb, 0, c64, n) }
		}
	}
	call()
	b.ResetTimer()
	for b.Loop() {
		call()
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkPack measures packing alone, the part of the work that is not FMA.
func BenchmarkPack(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	const m, k = 144, 256
	src := randSlice[float32](rng, 1041*1041)
	dst := make([]float32, 1041*k)
	for _, tr := range []bool{false, true} {
		b.Run(fmt.Sprintf("A/trans=%v", tr), func(b *testing.B) {
			for b.Loop() {
				packA(dst, src, 1041, tr, 0, m, 0, k, 6)
			}
			b.ReportMetric(float64(m*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
		})
		b.Run(fmt.Sprintf("B/trans=%v", tr), func(b *testing.B) {
			for b.Loop() {
				packB(dst, src, 1041, tr, 0, k, 0, 256, 16)
			}
			b.ReportMetric(float64(256*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
		})
	}
}

// BenchmarkMicro measures the float32 and float64 micro-kernels in use on data that
// stays in L1: an upper bound for the whole product on one goroutine.
func BenchmarkMicro(b *testing.B) {
	const k = 256
	rng := rand.New(rand.NewPCG(1, 1))
	b.Run("f32", func(b *testing.B) {
		ker := cur32
		a, bp, c := randSlice[float32](rng, ker.mr*k), randSlice[float32](rng, ker.nr*k), make([]float32, ker.mr*ker.nr)
		for b.Loop() {
			ker.micro(k, a, bp, c, ker.nr, 1, 1)
		}
		b.ReportMetric(2*float64(ker.mr*ker.nr*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	b.Run("f64", func(b *testing.B) {
		ker := cur64
		a, bp, c := randSlice[float64](rng, ker.mr*k), randSlice[float64](rng, ker.nr*k), make([]float64, ker.mr*ker.nr)
		for b.Loop() {
			ker.micro(k, a, bp, c, ker.nr, 1, 1)
		}
		b.ReportMetric(2*float64(ker.mr*ker.nr*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}
