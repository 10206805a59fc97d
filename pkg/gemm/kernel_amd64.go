//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// sgemm6x16 is the AVX2+FMA float32 micro-kernel: a 6×16 tile of C held in 12 Y registers.
//
//go:noescape
func sgemm6x16(k int, a, b, c *float32, ldc int, alpha, beta float32)

// dgemm6x8 is the AVX2+FMA float64 micro-kernel: a 6×8 tile of C held in 12 Y registers.
//
//go:noescape
func dgemm6x8(k int, a, b, c *float64, ldc int, alpha, beta float64)

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
)

func best32() *kernel[float32] {
	if hasAVX2FMA {
		return avx2S
	}
	return generic[float32]()
}

func best64() *kernel[float64] {
	if hasAVX2FMA {
		return avx2D
	}
	return generic[float64]()
}

// assembly reports the assembly kernels available on this machine.
func assembly() (k32 []*kernel[float32], k64 []*kernel[float64]) {
	if hasAVX2FMA {
		return []*kernel[float32]{avx2S}, []*kernel[float64]{avx2D}
	}
	return nil, nil
}
