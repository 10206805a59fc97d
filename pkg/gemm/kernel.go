package gemm

// kernel describes a micro-kernel and the cache blocking that suits it.
type kernel[T Float] struct {
	name   string
	mr, nr int // register tile of C computed by one micro call
	mc, kc int // rows of op(A) and depth of a packed block (mc is a multiple of mr)
	nc     int // columns of op(B) in a packed block (a multiple of nr)

	// halves says that micro reads its packed operands in the halves layout:
	// an mr×k A micro-panel as two (mr/2)×k panels one after the other, and a
	// k×nr B micro-panel as two k×(nr/2) panels, each packed as packA and packB
	// pack them for mr/2 rows and nr/2 columns. The AVX-512 kernels use it so
	// that they share the AVX2 kernels' assembly packers.
	halves bool

	// micro computes the mr×nr tile C = alpha*Ap*Bp + beta*C, where Ap is a packed
	// mr×k micro-panel (mr values per step of k), Bp a packed k×nr micro-panel (nr values
	// per step) and C starts at c[0] with leading dimension ldc. When beta is zero C is
	// only written.
	micro func(k int, a, b, c []T, ldc int, alpha, beta T)

	// packA and packB pack blocks of op(A) and op(B) as described at packA and packB
	// in pack.go; assembly kernels supply faster versions.
	packA func(dst, a []T, lda int, trans bool, i0, mc, p0, kc, mr int)
	packB func(dst, b []T, ldb int, trans bool, p0, kc, j0, nc, nr int)
}

// Kernels in use; tests switch them to exercise every implementation.
var (
	cur32 = best32()
	cur64 = best64()
)

// kernelFor returns the kernel in use for T.
func kernelFor[T Float]() *kernel[T] {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(cur32).(*kernel[T])
	}
	return any(cur64).(*kernel[T])
}

// Kernel returns the name of the float32 and float64 micro-kernels in use, such as
// "avx2-fma 6x16" or "generic 4x4". It is meant for logs and benchmark reports.
func Kernel() (f32, f64 string) { return cur32.name, cur64.name }

// generic returns the portable Go kernel for T.
func generic[T Float]() *kernel[T] {
	return &kernel[T]{name: "generic 4x4", mr: 4, nr: 4, mc: 128, kc: 256, nc: 1024, micro: microGeneric[T],
		packA: packA[T], packB: packB[T]}
}

// microGeneric is the portable 4×4 micro-kernel.
func microGeneric[T Float](k int, a, b, c []T, ldc int, alpha, beta T) {
	var c00, c01, c02, c03 T
	var c10, c11, c12, c13 T
	var c20, c21, c22, c23 T
	var c30, c31, c32, c33 T
	a = a[:4*k]
	b = b[:4*k]
	for p := 0; p < 4*k; p += 4 {
		aa := a[p : p+4 : p+4]
		bb := b[p : p+4 : p+4]
		b0, b1, b2, b3 := bb[0], bb[1], bb[2], bb[3]
		a0 := aa[0]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		a1 := aa[1]
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a2 := aa[2]
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		a3 := aa[3]
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	store4(c[0*ldc:0*ldc+4], alpha, beta, c00, c01, c02, c03)
	store4(c[1*ldc:1*ldc+4], alpha, beta, c10, c11, c12, c13)
	store4(c[2*ldc:2*ldc+4], alpha, beta, c20, c21, c22, c23)
	store4(c[3*ldc:3*ldc+4], alpha, beta, c30, c31, c32, c33)
}

func store4[T Float](c []T, alpha, beta T, v0, v1, v2, v3 T) {
	c = c[:4]
	if beta == 0 {
		c[0], c[1], c[2], c[3] = alpha*v0, alpha*v1, alpha*v2, alpha*v3
		return
	}
	c[0] = alpha*v0 + beta*c[0]
	c[1] = alpha*v1 + beta*c[1]
	c[2] = alpha*v2 + beta*c[2]
	c[3] = alpha*v3 + beta*c[3]
}
