//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

var (
	hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	// hasAVX512 also needs the OS to save the Z registers, which cpu checks.
	hasAVX512 = hasAVX2FMA && cpu.X86.HasAVX512F
)

// sgemm6x16 is the AVX2+FMA float32 micro-kernel: a 6×16 tile of C held in 12 Y registers.
//
//go:noescape
func sgemm6x16(k int, a, b, c *float32, ldc int, alpha, beta float32)

// dgemm6x8 is the AVX2+FMA float64 micro-kernel: a 6×8 tile of C held in 12 Y registers.
//
//go:noescape
func dgemm6x8(k int, a, b, c *float64, ldc int, alpha, beta float64)

// sgemm12x32 is the AVX-512 float32 micro-kernel: a 12×32 tile of C held in 24 Z registers.
//
//go:noescape
func sgemm12x32(k int, a, b, c *float32, ldc int, alpha, beta float32)

// dgemm12x16 is the AVX-512 float64 micro-kernel: a 12×16 tile of C held in 24 Z registers.
//
//go:noescape
func dgemm12x16(k int, a, b, c *float64, ldc int, alpha, beta float64)

func microS12x32(k int, a, b, c []float32, ldc int, alpha, beta float32) {
	_ = a[12*k-1]
	_ = b[32*k-1]
	_ = c[11*ldc+31]
	sgemm12x32(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
}

func microD12x16(k int, a, b, c []float64, ldc int, alpha, beta float64) {
	_ = a[12*k-1]
	_ = b[16*k-1]
	_ = c[11*ldc+15]
	dgemm12x16(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
}

// packA12 packs op(A) for the 12-row AVX-512 kernels as pairs of 6-row panels
// (the kernels' halves layout), zeroing a missing second half at the edge.
func packA12[T Float](dst, a []T, lda int, trans bool, i0, mc, p0, kc, mr int) {
	packA6(dst, a, lda, trans, i0, mc, p0, kc, mr/2)
	if m6, m12 := roundUp(mc, mr/2), roundUp(mc, mr); m6 < m12 {
		clear(dst[m6*kc : m12*kc])
	}
}

// packBHalves packs op(B) for the AVX-512 kernels as pairs of 64-byte column
// panels (the kernels' halves layout), zeroing a missing second half at the edge.
func packBHalves[T Float](dst, b []T, ldb int, trans bool, p0, kc, j0, nc, nr int) {
	packBWide(dst, b, ldb, trans, p0, kc, j0, nc, nr/2)
	if n1, n2 := roundUp(nc, nr/2), roundUp(nc, nr); n1 < n2 {
		clear(dst[n1*kc : n2*kc])
	}
}

func microS6x16(k int, a, b, c []float32, ldc int, alpha, beta float32) {
	_ = a[6*k-1]
	_ = b[16*k-1]
	_ = c[5*ldc+15]
	sgemm6x16(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
}

func microD6x8(k int, a, b, c []float64, ldc int, alpha, beta float64) {
	_ = a[6*k-1]
	_ = b[8*k-1]
	_ = c[5*ldc+7]
	dgemm6x8(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
}

var (
	avx2S = &kernel[float32]{name: "avx2-fma 6x16", mr: 6, nr: 16, mc: 144, kc: 256, nc: 4096, micro: microS6x16,
		packA: packA6[float32], packB: packBWide[float32]}
	avx2D = &kernel[float64]{name: "avx2-fma 6x8", mr: 6, nr: 8, mc: 72, kc: 256, nc: 2048, micro: microD6x8,
		packA: packA6[float64], packB: packBWide[float64]}
	avx512S = &kernel[float32]{name: "avx512 12x32", mr: 12, nr: 32, mc: 144, kc: 256, nc: 4096, halves: true,
		micro: microS12x32, packA: packA12[float32], packB: packBHalves[float32]}
	avx512D = &kernel[float64]{name: "avx512 12x16", mr: 12, nr: 16, mc: 72, kc: 256, nc: 2048, halves: true,
		micro: microD12x16, packA: packA12[float64], packB: packBHalves[float64]}
)

func best32() *kernel[float32] {
	if hasAVX512 {
		return avx512S
	}
	if hasAVX2FMA {
		return avx2S
	}
	return generic[float32]()
}

func best64() *kernel[float64] {
	if hasAVX512 {
		return avx512D
	}
	if hasAVX2FMA {
		return avx2D
	}
	return generic[float64]()
}

// assembly reports the assembly kernels available on this machine.
func assembly() (k32 []*kernel[float32], k64 []*kernel[float64]) {
	if hasAVX512 {
		return []*kernel[float32]{avx2S, avx512S}, []*kernel[float64]{avx2D, avx512D}
	}
	if hasAVX2FMA {
		return []*kernel[float32]{avx2S}, []*kernel[float64]{avx2D}
	}
	return nil, nil
}
