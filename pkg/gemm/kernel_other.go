//go:build !amd64 || purego

package gemm

func best32() *kernel[float32] { return generic[float32]() }
func best64() *kernel[float64] { return generic[float64]() }

// assembly reports the assembly kernels available on this machine (none in this build).
func assembly() (k32 []*kernel[float32], k64 []*kernel[float64]) { return nil, nil }
