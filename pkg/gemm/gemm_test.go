package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// naive computes C = alpha*op(A)*op(B) + beta*C in float64 with the obvious triple loop,
// and returns, for each element, a bound on the rounding error a correct float
// implementation may make (|alpha|*sum|a||b| + |beta*c|).
func naive[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) (want, scale []float64) {
	want = make([]float64, m*n)
	scale = make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s, abs float64
			for p := range k {
				var av, bv T
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
				abs += math.Abs(float64(av) * float64(bv))
			}
			v := float64(alpha) * s
			sc := math.Abs(float64(alpha)) * abs
			if beta != 0 {
				v += float64(beta) * float64(c[i*ldc+j])
				sc += math.Abs(float64(beta) * float64(c[i*ldc+j]))
			}
			want[i*n+j] = v
			scale[i*n+j] = sc
		}
	}
	return want, scale
}

func randSlice[T Float](rng *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(rng.Float64()*2 - 1)
	}
	return s
}

type gemmCase struct {
	transA, transB   bool
	m, n, k          int
	padA, padB, padC int // leading dimension minus the stored width
	alpha, beta      float64
	nanC             bool // fill C with NaN (only meaningful with beta == 0)
}

func (tc gemmCase) String() string {
	t := func(b bool) string {
		if b {
			return "T"
		}
		return "N"
	}
	return fmt.Sprintf("%s%s/m=%d,n=%d,k=%d/pad=%d,%d,%d/alpha=%g,beta=%g,nan=%v",
		t(tc.transA), t(tc.transB), tc.m, tc.n, tc.k, tc.padA, tc.padB, tc.padC, tc.alpha, tc.beta, tc.nanC)
}

// checkCase runs one case with the kernel currently in use and reports mismatches.
func checkCase[T Float](t *testing.T, rng *rand.Rand, tc gemmCase, eps float64) {
	t.Helper()
	rowsA, colsA := tc.m, tc.k
	if tc.transA {
		rowsA, colsA = tc.k, tc.m
	}
	rowsB, colsB := tc.k, tc.n
	if tc.transB {
		rowsB, colsB = tc.n, tc.k
	}
	lda, ldb, ldc := max(1, colsA+tc.padA), max(1, colsB+tc.padB), max(1, tc.n+tc.padC)
	a := randSlice[T](rng, max(0, (rowsA-1)*lda+colsA))
	b := randSlice[T](rng, max(0, (rowsB-1)*ldb+colsB))
	c := randSlice[T](rng, max(0, (tc.m-1)*ldc+tc.n)+tc.padC)
	if tc.nanC {
		for i := range c {
			c[i] = T(math.NaN())
		}
	}
	// Sentinel in the padding of C: it must not be touched.
	const sentinel = 12345
	for i := range tc.m {
		for j := tc.n; j < ldc && i*ldc+j < len(c); j++ {
			c[i*ldc+j] = sentinel
		}
	}
	if tc.m > 0 {
		for j := (tc.m-1)*ldc + tc.n; j < len(c); j++ {
			c[j] = sentinel
		}
	}
	want, scale := naive(tc.transA, tc.transB, tc.m, tc.n, tc.k, T(tc.alpha), a, lda, b, ldb, T(tc.beta), c, ldc)
	Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, T(tc.alpha), a, lda, b, ldb, T(tc.beta), c, ldc)
	bad := 0
	for i := range tc.m {
		for j := range ldc {
			idx := i*ldc + j
			if idx >= len(c) {
				break
			}
			got := float64(c[idx])
			if j >= tc.n {
				if got != sentinel {
					t.Fatalf("%v: C[%d] in the padding changed to %g", tc, idx, got)
				}
				continue
			}
			w, s := want[i*tc.n+j], scale[i*tc.n+j]
			tol := eps*s*float64(tc.k+2) + 1e-300
			if math.IsNaN(got) || math.Abs(got-w) > tol {
				bad++
				if bad <= 3 {
					t.Errorf("%v: C[%d,%d] = %g, want %g (tolerance %g)", tc, i, j, got, w, tol)
				}
			}
		}
	}
	if bad > 3 {
		t.Errorf("%v: %d wrong elements in all", tc, bad)
	}
}

// kernelSets lists every kernel pair this machine can run, plus variants with tiny
// cache blocks so that small matrices cross every block boundary.
func kernelSets() []struct {
	name string
	k32  *kernel[float32]
	k64  *kernel[float64]
} {
	type set = struct {
		name string
		k32  *kernel[float32]
		k64  *kernel[float64]
	}
	sets := []set{{"generic", generic[float32](), generic[float64]()}}
	a32, a64 := assembly()
	for i := range a32 {
		sets = append(sets, set{a32[i].name, a32[i], a64[i]})
	}
	var out []set
	for _, s := range sets {
		out = append(out, s)
		s32, s64 := *s.k32, *s.k64
		s32.mc, s32.kc, s32.nc = 2*s32.mr, 13, 3*s32.nr
		s64.mc, s64.kc, s64.nc = 2*s64.mr, 13, 3*s64.nr
		out = append(out, set{s.name + "/small-blocks", &s32, &s64})
	}
	return out
}

// withKernels runs f with the given kernels in use, with every product, however small,
// split across goroutines when more than one thread is allowed, and with shared
// operands packed whole (blocked=false) or not at all (blocked=true).
func withKernels(k32 *kernel[float32], k64 *kernel[float64], blocked bool, f func()) {
	o32, o64, oMin, oBudget := cur32, cur64, parallelMinFlops, sharedBudget
	cur32, cur64, parallelMinFlops = k32, k64, 0
	if blocked {
		sharedBudget = 0
	}
	defer func() { cur32, cur64, parallelMinFlops, sharedBudget = o32, o64, oMin, oBudget }()
	f()
}

func tableCases() []gemmCase {
	var cases []gemmCase
	sizes := [][3]int{{1, 1, 1}, {7, 7, 7}, {17, 33, 9}, {33, 17, 65}, {6, 16, 4}, {12, 32, 8}, {5, 15, 3},
		{129, 7, 33}, {7, 129, 33}, {1, 40, 300}, {40, 1, 300}, {64, 64, 1}, {0, 5, 5}, {5, 0, 5}, {5, 5, 0}}
	for _, s := range sizes {
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				cases = append(cases,
					gemmCase{transA: ta, transB: tb, m: s[0], n: s[1], k: s[2], alpha: 1, beta: 0},
					gemmCase{transA: ta, transB: tb, m: s[0], n: s[1], k: s[2], padA: 3, padB: 5, padC: 2, alpha: 0.5, beta: -1.5},
					gemmCase{transA: ta, transB: tb, m: s[0], n: s[1], k: s[2], padA: 1, padC: 7, alpha: -2, beta: 1},
					gemmCase{transA: ta, transB: tb, m: s[0], n: s[1], k: s[2], padB: 2, alpha: 1.5, beta: 0, nanC: true},
					gemmCase{transA: ta, transB: tb, m: s[0], n: s[1], k: s[2], alpha: 0, beta: 0, nanC: true},
					gemmCase{transA: ta, transB: tb, m: s[0], n: s[1], k: s[2], alpha: 0, beta: 2},
				)
			}
		}
	}
	return cases
}

func TestGemmTable(t *testing.T) {
	for _, ks := range kernelSets() {
		for _, blocked := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/blocked=%v", ks.name, blocked), func(t *testing.T) {
				withKernels(ks.k32, ks.k64, blocked, func() {
					for _, threads := range []int{1, 2, 3} {
						prev := SetThreads(threads)
						rng := rand.New(rand.NewPCG(1, uint64(threads)))
						for _, tc := range tableCases() {
							checkCase[float32](t, rng, tc, 1e-6)
							checkCase[float64](t, rng, tc, 1e-15)
						}
						SetThreads(prev)
					}
				})
			})
		}
	}
}

func TestGemmRandom(t *testing.T) {
	n := 150
	if testing.Short() {
		n = 30
	}
	for _, ks := range kernelSets() {
		for _, blocked := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/blocked=%v", ks.name, blocked), func(t *testing.T) {
				withKernels(ks.k32, ks.k64, blocked, func() {
					rng := rand.New(rand.NewPCG(7, 11))
					for range n {
						tc := gemmCase{
							transA: rng.IntN(2) == 1, transB: rng.IntN(2) == 1,
							m: 1 + rng.IntN(90), n: 1 + rng.IntN(90), k: 1 + rng.IntN(90),
							padA: rng.IntN(3), padB: rng.IntN(3), padC: rng.IntN(3),
							alpha: []float64{1, -1, 0.25, 3}[rng.IntN(4)],
							beta:  []float64{0, 1, -0.5}[rng.IntN(3)],
						}
						tc.nanC = tc.beta == 0 && rng.IntN(2) == 1
						prev := SetThreads(1 + rng.IntN(3))
						checkCase[float32](t, rng, tc, 1e-6)
						checkCase[float64](t, rng, tc, 1e-15)
						SetThreads(prev)
					}
				})
			})
		}
	}
}

// TestGemmLarge covers the homework's shapes, which span several cache blocks, with the
// default kernels and blocking.
func TestGemmLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large shapes skipped in -short mode")
	}
	rng := rand.New(rand.NewPCG(3, 5))
	for _, tc := range []gemmCase{
		{m: 128, n: 256, k: 1041, alpha: 1, beta: 0, nanC: true},
		{transB: true, m: 128, n: 1041, k: 256, alpha: 1, beta: 0},
		{transA: true, m: 1041, n: 256, k: 128, alpha: -0.5, beta: 1},
		{transA: true, transB: true, m: 300, n: 150, k: 600, padA: 3, padB: 1, padC: 9, alpha: 2, beta: 0.5},
	} {
		checkCase[float32](t, rng, tc, 1e-6)
		checkCase[float64](t, rng, tc, 1e-15)
	}
}

// TestGemmConcurrent calls Gemm from several goroutines at once.
func TestGemmConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 99))
			for range 5 {
				tc := gemmCase{m: 60 + rng.IntN(60), n: 60 + rng.IntN(60), k: 60 + rng.IntN(60),
					transA: g%2 == 1, transB: g/2 == 1, alpha: 1, beta: 0.5}
				checkCase[float32](t, rng, tc, 1e-6)
				checkCase[float64](t, rng, tc, 1e-15)
			}
		})
	}
	wg.Wait()
}

func TestGemmNoAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m, n, k := 128, 256, 300
	a, b, c := randSlice[float32](rng, m*k), randSlice[float32](rng, k*n), make([]float32, m*n)
	for _, threads := range []int{1, 2} {
		prev := SetThreads(threads)
		Gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n) // warm up buffers and workers
		allocs := testing.AllocsPerRun(20, func() {
			Gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
		})
		SetThreads(prev)
		if allocs > 0 {
			t.Errorf("threads=%d: %v allocations per call, want 0", threads, allocs)
		}
	}
}

func TestGemmPanics(t *testing.T) {
	buf := make([]float64, 100)
	for _, tc := range []struct {
		name          string
		transA        bool
		m, n, k       int
		lda, ldb, ldc int
		lenA          int
		want          string
	}{
		{"negative m", false, -1, 2, 2, 2, 2, 2, 100, "negative dimension"},
		{"lda too small", false, 2, 2, 3, 2, 2, 2, 100, "lda=2"},
		{"lda too small for transposed A", true, 4, 2, 3, 3, 2, 2, 100, "lda=3"},
		{"ldc too small", false, 2, 3, 2, 2, 3, 2, 100, "ldc=2"},
		{"a too short", false, 4, 2, 3, 3, 2, 2, 11, "len(a)=11"},
		{"ldc zero with empty C", false, 0, 0, 2, 2, 1, 0, 100, "ldc=0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatalf("no panic, want one mentioning %q", tc.want)
				}
				if msg := fmt.Sprint(r); !strings.Contains(msg, tc.want) {
					t.Fatalf("panic %q does not mention %q", msg, tc.want)
				}
			}()
			Gemm(tc.transA, false, tc.m, tc.n, tc.k, 1.0, buf[:tc.lenA], tc.lda, buf, tc.ldb, 0, buf, tc.ldc)
		})
	}
}

func TestSetThreads(t *testing.T) {
	prev := SetThreads(3)
	defer SetThreads(prev)
	if got := Threads(); got != 3 {
		t.Errorf("Threads() = %d after SetThreads(3)", got)
	}
	if got := SetThreads(0); got != 3 {
		t.Errorf("SetThreads returned %d, want the previous setting 3", got)
	}
	if got := Threads(); got < 1 {
		t.Errorf("Threads() = %d with the default setting, want >= 1", got)
	}
}

func FuzzGemm(f *testing.F) {
	f.Add(uint8(5), uint8(7), uint8(9), uint8(0), int64(1))
	f.Add(uint8(33), uint8(17), uint8(1), uint8(3), int64(2))
	f.Add(uint8(1), uint8(70), uint8(129), uint8(2), int64(3))
	f.Fuzz(func(t *testing.T, m, n, k, flags uint8, seed int64) {
		rng := rand.New(rand.NewPCG(uint64(seed), 0))
		tc := gemmCase{transA: flags&1 != 0, transB: flags&2 != 0, m: int(m), n: int(n), k: int(k),
			padA: int(flags>>2) & 3, padB: int(flags>>4) & 3, alpha: 1.5, beta: -0.5}
		checkCase[float32](t, rng, tc, 1e-6)
		checkCase[float64](t, rng, tc, 1e-15)
	})
}

// TestPackers compares every kernel's packing routines with the portable ones, over
// offsets, odd depths and partial panels.
func TestPackers(t *testing.T) {
	a32, a64 := assembly()
	for _, k := range a32 {
		testPackers(t, k)
	}
	for _, k := range a64 {
		testPackers(t, k)
	}
}

// refPackA is the portable packing of A in the layout ker reads (see kernel.halves).
func refPackA[T Float](ker *kernel[T], dst, a []T, lda int, trans bool, i0, mc, p0, kc int) {
	if !ker.halves {
		packA(dst, a, lda, trans, i0, mc, p0, kc, ker.mr)
		return
	}
	packA(dst, a, lda, trans, i0, mc, p0, kc, ker.mr/2)
	clear(dst[roundUp(mc, ker.mr/2)*kc : roundUp(mc, ker.mr)*kc])
}

// refPackB is the portable packing of B in the layout ker reads (see kernel.halves).
func refPackB[T Float](ker *kernel[T], dst, b []T, ldb int, trans bool, p0, kc, j0, nc int) {
	if !ker.halves {
		packB(dst, b, ldb, trans, p0, kc, j0, nc, ker.nr)
		return
	}
	packB(dst, b, ldb, trans, p0, kc, j0, nc, ker.nr/2)
	clear(dst[roundUp(nc, ker.nr/2)*kc : roundUp(nc, ker.nr)*kc])
}

func testPackers[T Float](t *testing.T, ker *kernel[T]) {
	rng := rand.New(rand.NewPCG(5, 5))
	const ld = 101
	src := randSlice[T](rng, ld*ld)
	for _, trans := range []bool{false, true} {
		for _, kc := range []int{1, 3, 4, 7, 8, 9, 16, 31, 64} {
			for _, rows := range []int{1, ker.mr - 1, ker.mr, 2*ker.mr + 1, 4 * ker.mr} {
				for _, off := range []int{0, 1, 5} {
					want := make([]T, roundUp(rows, ker.mr)*kc)
					got := make([]T, len(want))
					for i := range got {
						got[i] = 99 // padding must be zeroed
					}
					refPackA(ker, want, src, ld, trans, off, rows, off+2, kc)
					ker.packA(got, src, ld, trans, off, rows, off+2, kc, ker.mr)
					if !slices.Equal(got, want) {
						t.Fatalf("%s packA trans=%v kc=%d rows=%d off=%d: differs from the portable packing", ker.name, trans, kc, rows, off)
					}
				}
			}
			for _, cols := range []int{1, ker.nr - 1, ker.nr, 2*ker.nr + 3} {
				for _, off := range []int{0, 3} {
					want := make([]T, roundUp(cols, ker.nr)*kc)
					got := make([]T, len(want))
					for i := range got {
						got[i] = 99
					}
					refPackB(ker, want, src, ld, trans, off+1, kc, off, cols)
					ker.packB(got, src, ld, trans, off+1, kc, off, cols, ker.nr)
					if !slices.Equal(got, want) {
						t.Fatalf("%s packB trans=%v kc=%d cols=%d off=%d: differs from the portable packing", ker.name, trans, kc, cols, off)
					}
				}
			}
		}
	}
}
