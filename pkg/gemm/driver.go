package gemm

import (
	"sync"
	"sync/atomic"
)

// parallelMinFlops is the smallest product (2mnk) worth splitting across goroutines.
// Tests lower it to exercise the parallel paths on small matrices.
var parallelMinFlops float64 = 2 * 64 * 64 * 64

// chunksPerThread is how many pieces each goroutine's share is cut into, so that a
// goroutine slowed down by other load on the machine does not hold back the others.
var chunksPerThread = 1

// call holds one parallel Gemm call; pieces are claimed by the calling goroutine and
// the workers through next.
type call[T Float] struct {
	ker            *kernel[T]
	transA, transB bool
	m, n, k        int
	alpha, beta    T
	a, b, c        []T
	lda, ldb, ldc  int

	splitM      bool // split rows of C (else columns)
	unit, units int  // split granularity and number of granules
	chunks      int
	next        atomic.Int64
	wg          sync.WaitGroup
}

var (
	callPool32 = sync.Pool{New: func() any { return new(call[float32]) }}
	callPool64 = sync.Pool{New: func() any { return new(call[float64]) }}
)

func getCall[T Float]() *call[T] {
	var z T
	if _, ok := any(z).(float32); ok {
		return callPool32.Get().(*call[T])
	}
	return callPool64.Get().(*call[T])
}

func putCall[T Float](c *call[T]) {
	c.ker, c.a, c.b, c.c = nil, nil, nil, nil
	if _, ok := any(c).(*call[float32]); ok {
		callPool32.Put(c)
		return
	}
	callPool64.Put(c)
}

// run computes the product with kernel ker, in parallel when it is large enough.
func run[T Float](ker *kernel[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	nt := Threads()
	if float64(m)*float64(n)*float64(k)*2 < parallelMinFlops {
		nt = 1
	}
	// Split the longer side of C: splitting rows makes every goroutine pack all of
	// op(B) (k×n), splitting columns makes every goroutine pack all of op(A) (m×k).
	splitM := m >= n
	unit, extent := ker.nr, n
	if splitM {
		unit, extent = ker.mr, m
	}
	units := (extent + unit - 1) / unit
	nt = min(nt, units)
	if nt <= 1 {
		ws := getWorkspace[T]()
		serial(ker, ws, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		putWorkspace(ws)
		return
	}
	cl := getCall[T]()
	*cl = call[T]{ker: ker, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc,
		splitM: splitM, unit: unit, units: units, chunks: min(units, nt*chunksPerThread)}
	helpers := nt - 1
	ensureWorkers(helpers)
	cl.wg.Add(helpers)
	for range helpers {
		select {
		case jobs <- cl:
		default: // all workers busy with other calls: do their share here
			cl.wg.Done()
		}
	}
	cl.work()
	cl.wg.Wait()
	putCall(cl)
}

// work claims and computes pieces until none are left.
func (cl *call[T]) work() {
	if cl.next.Load() >= int64(cl.chunks) {
		return
	}
	ws := getWorkspace[T]()
	for {
		i := int(cl.next.Add(1) - 1)
		if i >= cl.chunks {
			break
		}
		lo := i * cl.units / cl.chunks * cl.unit
		hi := (i + 1) * cl.units / cl.chunks * cl.unit
		if cl.splitM {
			hi = min(hi, cl.m)
			var a []T
			if cl.transA {
				a = cl.a[lo:]
			} else {
				a = cl.a[lo*cl.lda:]
			}
			serial(cl.ker, ws, cl.transA, cl.transB, hi-lo, cl.n, cl.k, cl.alpha, a, cl.lda, cl.b, cl.ldb, cl.beta, cl.c[lo*cl.ldc:], cl.ldc)
		} else {
			hi = min(hi, cl.n)
			var b []T
			if cl.transB {
				b = cl.b[lo*cl.ldb:]
			} else {
				b = cl.b[lo:]
			}
			serial(cl.ker, ws, cl.transA, cl.transB, cl.m, hi-lo, cl.k, cl.alpha, cl.a, cl.lda, b, cl.ldb, cl.beta, cl.c[lo:], cl.ldc)
		}
	}
	putWorkspace(ws)
}

func (cl *call[T]) done() { cl.wg.Done() }

// serial is the Goto/BLIS loop nest on one goroutine.
func serial[T Float](ker *kernel[T], ws *workspace[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	mr, nr := ker.mr, ker.nr
	// Balance the blocks so that the last one is not a sliver.
	kb := ceilDiv(k, ker.kc)
	kc := ceilDiv(k, kb)
	nb := ceilDiv(n, ker.nc)
	nc := roundUp(ceilDiv(n, nb), nr)
	mb := ceilDiv(m, ker.mc)
	mc := roundUp(ceilDiv(m, mb), mr)
	ap, bp, tile := ws.buffers(mc*kc, kc*nc, mr*nr)

	for jc := 0; jc < n; jc += nc {
		ncc := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kcc := min(kc, k-pc)
			betaP := beta
			if pc > 0 {
				betaP = 1
			}
			ker.packB(bp, b, ldb, transB, pc, kcc, jc, ncc, nr)
			for ic := 0; ic < m; ic += mc {
				mcc := min(mc, m-ic)
				ker.packA(ap, a, lda, transA, ic, mcc, pc, kcc, mr)
				for jr := 0; jr < ncc; jr += nr {
					nrr := min(nr, ncc-jr)
					bpan := bp[jr*kcc : (jr+nr)*kcc]
					for ir := 0; ir < mcc; ir += mr {
						mrr := min(mr, mcc-ir)
						apan := ap[ir*kcc : (ir+mr)*kcc]
						off := (ic+ir)*ldc + jc + jr
						if mrr == mr && nrr == nr {
							ker.micro(kcc, apan, bpan, c[off:], ldc, alpha, betaP)
							continue
						}
						ker.micro(kcc, apan, bpan, tile, nr, 1, 0)
						for i := range mrr {
							dst := c[off+i*ldc : off+i*ldc+nrr]
							src := tile[i*nr : i*nr+nrr]
							if betaP == 0 {
								for j, v := range src {
									dst[j] = alpha * v
								}
							} else {
								for j, v := range src {
									dst[j] = alpha*v + betaP*dst[j]
								}
							}
						}
					}
				}
			}
		}
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
func roundUp(a, b int) int { return ceilDiv(a, b) * b }
