package gemm

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// Tuning knobs; tests change them to reach every code path with small matrices.
var (
	// parallelMinFlops is the smallest product (2mnk) worth splitting across goroutines.
	parallelMinFlops float64 = 2 * 128 * 128 * 128

	// sharedBudget is the largest operand, in bytes, that every goroutine packs whole
	// before computing its pieces (see call.plan).
	sharedBudget = 8 << 20

	// piecesPerThread is how many pieces of C each goroutine gets on average, so that a
	// goroutine slowed down by other load on the machine does not hold back the others.
	piecesPerThread = 4

	// blockedPiecesPerThread is the same for the blocked mode, where every piece repacks
	// both operands.
	blockedPiecesPerThread = 1
)

// Modes of splitting a product into pieces.
const (
	// modeSharedB: every goroutine packs all of op(B) once; pieces are row blocks of C.
	modeSharedB = iota
	// modeSharedA: every goroutine packs all of op(A) once; pieces are column blocks of C.
	modeSharedA
	// modeBlocked: pieces are independent sub-products, each a full Goto loop nest.
	modeBlocked
)

// call holds one Gemm call; its pieces are claimed through next by the calling
// goroutine and by pool workers.
type call[T Float] struct {
	ker            *kernel[T]
	transA, transB bool
	m, n, k        int
	alpha, beta    T
	a, b, c        []T
	lda, ldb, ldc  int

	mode   int
	kc     int  // depth of a k block (balanced)
	mc     int  // rows of an A block (balanced, a multiple of mr)
	splitM bool // modeBlocked: split rows (else columns)
	piece  int  // rows or columns per piece (a multiple of mr or nr)
	pieces int
	next   atomic.Int64 // next piece to claim

	// state counts the helpers that joined (low bits) and has closedBit set once the
	// calling goroutine has no more pieces to hand out; helpers that come later leave
	// at once, so the caller never waits for a worker that is slow to wake up.
	state atomic.Uint64
	// finished receives one value per helper that joined, when it is done.
	finished chan struct{}
}

const closedBit = 1 << 63

var (
	callPool32 = sync.Pool{New: func() any { return newCall[float32]() }}
	callPool64 = sync.Pool{New: func() any { return newCall[float64]() }}
)

func newCall[T Float]() *call[T] {
	cl := &call[T]{finished: make(chan struct{}, cap(jobs))}
	cl.state.Store(closedBit)
	return cl
}

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
	cl := getCall[T]() // closed: stale helpers of its previous use cannot join
	cl.ker, cl.transA, cl.transB, cl.m, cl.n, cl.k = ker, transA, transB, m, n, k
	cl.alpha, cl.beta, cl.a, cl.b, cl.c, cl.lda, cl.ldb, cl.ldc = alpha, beta, a, b, c, lda, ldb, ldc
	cl.next.Store(0)
	cl.plan(nt)
	helpers := min(nt, cl.pieces) - 1
	if helpers <= 0 {
		cl.work()
		putCall(cl)
		return
	}
	ensureWorkers(helpers)
	cl.state.Store(0) // open; publishes the fields above to helpers that join
	for range helpers {
		select {
		case jobs <- cl:
		default: // the pool is busy with other calls: do their share here
		}
	}
	cl.work()
	joined := cl.state.Or(closedBit) &^ closedBit
	for range joined {
		<-cl.finished
	}
	putCall(cl)
}

// plan chooses the blocking and how the product is cut into pieces for nt goroutines.
//
// The side of C that is split is the longer one: splitting rows makes every goroutine
// need all of op(B) (k×n), splitting columns all of op(A) (m×k). When that shared
// operand is small enough, each goroutine packs it whole once, and the pieces can be
// small (good load balance) at no extra packing cost. Otherwise each piece is an
// independent sub-product that packs its own blocks.
func (cl *call[T]) plan(nt int) {
	ker, m, n, k := cl.ker, cl.m, cl.n, cl.k
	mr, nr := ker.mr, ker.nr
	var z T
	size := int(unsafe.Sizeof(z))
	// Equal k blocks, rounded to a multiple of 8 so that the assembly packers have no
	// tail to finish in Go (except in the last block).
	cl.kc = min(ker.kc, roundUp(ceilDiv(k, ceilDiv(k, ker.kc)), 8))
	cl.mc = roundUp(ceilDiv(m, ceilDiv(m, ker.mc)), mr)
	splitM := m >= n
	switch {
	case splitM && k*roundUp(n, nr)*size <= sharedBudget:
		cl.mode = modeSharedB
		cl.piece = cl.mc
		if nt > 1 {
			cl.piece = min(cl.piece, roundUp(ceilDiv(m, nt*piecesPerThread), mr))
		}
		cl.pieces = ceilDiv(m, cl.piece)
	case !splitM && roundUp(m, mr)*k*size <= sharedBudget:
		cl.mode = modeSharedA
		cl.piece = roundUp(ceilDiv(n, ceilDiv(n, ker.nc)), nr)
		if nt > 1 {
			cl.piece = min(cl.piece, roundUp(ceilDiv(n, nt*piecesPerThread), nr))
		}
		cl.pieces = ceilDiv(n, cl.piece)
	default:
		cl.mode = modeBlocked
		cl.splitM = splitM
		unit, extent := nr, n
		if splitM {
			unit, extent = mr, m
		}
		cl.piece = roundUp(ceilDiv(extent, nt*blockedPiecesPerThread), unit)
		cl.pieces = ceilDiv(extent, cl.piece)
	}
}

// work claims and computes pieces until none are left.
func (cl *call[T]) work() {
	if cl.next.Load() >= int64(cl.pieces) {
		return
	}
	ws := getWorkspace[T]()
	packed := false
	for {
		i := int(cl.next.Add(1) - 1)
		if i >= cl.pieces {
			break
		}
		lo := i * cl.piece
		switch cl.mode {
		case modeSharedB:
			if !packed {
				cl.packAllB(ws)
				packed = true
			}
			cl.rowPiece(ws, lo, min(lo+cl.piece, cl.m))
		case modeSharedA:
			if !packed {
				cl.packAllA(ws)
				packed = true
			}
			cl.colPiece(ws, lo, min(lo+cl.piece, cl.n))
		default:
			cl.blockedPiece(ws, lo)
		}
	}
	putWorkspace(ws)
}

// help is run by pool workers: it joins the call unless it is closed, computes pieces,
// and signals the caller.
func (cl *call[T]) help() {
	for {
		s := cl.state.Load()
		if s&closedBit != 0 {
			return
		}
		if cl.state.CompareAndSwap(s, s+1) {
			break
		}
	}
	cl.work()
	cl.finished <- struct{}{}
}

// packAllB packs all of op(B) into ws.shared: one kc×roundUp(n, nr) block per k block.
func (cl *call[T]) packAllB(ws *workspace[T]) {
	nP := roundUp(cl.n, cl.ker.nr)
	buf := grow(&ws.shared, cl.k*nP)
	for pc := 0; pc < cl.k; pc += cl.kc {
		kcq := min(cl.kc, cl.k-pc)
		cl.ker.packB(buf[pc*nP:], cl.b, cl.ldb, cl.transB, pc, kcq, 0, cl.n, cl.ker.nr)
	}
}

// packAllA packs all of op(A) into ws.shared: one roundUp(m, mr)×kc block per k block.
func (cl *call[T]) packAllA(ws *workspace[T]) {
	mP := roundUp(cl.m, cl.ker.mr)
	buf := grow(&ws.shared, cl.k*mP)
	for pc := 0; pc < cl.k; pc += cl.kc {
		kcq := min(cl.kc, cl.k-pc)
		cl.ker.packA(buf[pc*mP:], cl.a, cl.lda, cl.transA, 0, cl.m, pc, kcq, cl.ker.mr)
	}
}

// rowPiece computes rows lo..hi of C from the packed op(B) in ws.shared.
func (cl *call[T]) rowPiece(ws *workspace[T], lo, hi int) {
	ker := cl.ker
	h := hi - lo
	nP := roundUp(cl.n, ker.nr)
	ap := grow(&ws.ap, roundUp(h, ker.mr)*cl.kc)
	tile := grow(&ws.tile, ker.mr*ker.nr)
	for pc := 0; pc < cl.k; pc += cl.kc {
		kcq := min(cl.kc, cl.k-pc)
		beta := cl.beta
		if pc > 0 {
			beta = 1
		}
		ker.packA(ap, cl.a, cl.lda, cl.transA, lo, h, pc, kcq, ker.mr)
		macro(ker, kcq, ap, h, ws.shared[pc*nP:], cl.n, cl.alpha, beta, cl.c[lo*cl.ldc:], cl.ldc, tile)
	}
}

// colPiece computes columns lo..hi of C from the packed op(A) in ws.shared.
func (cl *call[T]) colPiece(ws *workspace[T], lo, hi int) {
	ker := cl.ker
	w := hi - lo
	mP := roundUp(cl.m, ker.mr)
	bp := grow(&ws.bp, roundUp(w, ker.nr)*cl.kc)
	tile := grow(&ws.tile, ker.mr*ker.nr)
	for pc := 0; pc < cl.k; pc += cl.kc {
		kcq := min(cl.kc, cl.k-pc)
		beta := cl.beta
		if pc > 0 {
			beta = 1
		}
		ker.packB(bp, cl.b, cl.ldb, cl.transB, pc, kcq, lo, w, ker.nr)
		for ic := 0; ic < cl.m; ic += cl.mc {
			h := min(cl.mc, cl.m-ic)
			macro(ker, kcq, ws.shared[pc*mP+ic*kcq:], h, bp, w, cl.alpha, beta, cl.c[ic*cl.ldc+lo:], cl.ldc, tile)
		}
	}
}

// blockedPiece computes the piece starting at row or column lo as an independent product.
func (cl *call[T]) blockedPiece(ws *workspace[T], lo int) {
	if cl.splitM {
		hi := min(lo+cl.piece, cl.m)
		var a []T
		if cl.transA {
			a = cl.a[lo:]
		} else {
			a = cl.a[lo*cl.lda:]
		}
		serial(cl.ker, ws, cl.transA, cl.transB, hi-lo, cl.n, cl.k, cl.kc, cl.alpha, a, cl.lda, cl.b, cl.ldb, cl.beta, cl.c[lo*cl.ldc:], cl.ldc)
		return
	}
	hi := min(lo+cl.piece, cl.n)
	var b []T
	if cl.transB {
		b = cl.b[lo*cl.ldb:]
	} else {
		b = cl.b[lo:]
	}
	serial(cl.ker, ws, cl.transA, cl.transB, cl.m, hi-lo, cl.k, cl.kc, cl.alpha, cl.a, cl.lda, b, cl.ldb, cl.beta, cl.c[lo:], cl.ldc)
}

// serial is the Goto/BLIS loop nest for one sub-product, with k blocks of depth kc.
func serial[T Float](ker *kernel[T], ws *workspace[T], transA, transB bool, m, n, k, kc int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	mr, nr := ker.mr, ker.nr
	nc := roundUp(ceilDiv(n, ceilDiv(n, ker.nc)), nr)
	mc := roundUp(ceilDiv(m, ceilDiv(m, ker.mc)), mr)
	ap := grow(&ws.ap, mc*kc)
	bp := grow(&ws.bp, kc*nc)
	tile := grow(&ws.tile, mr*nr)
	for jc := 0; jc < n; jc += nc {
		ncc := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kcq := min(kc, k-pc)
			betaP := beta
			if pc > 0 {
				betaP = 1
			}
			ker.packB(bp, b, ldb, transB, pc, kcq, jc, ncc, nr)
			for ic := 0; ic < m; ic += mc {
				mcc := min(mc, m-ic)
				ker.packA(ap, a, lda, transA, ic, mcc, pc, kcq, mr)
				macro(ker, kcq, ap, mcc, bp, ncc, alpha, betaP, c[ic*ldc+jc:], ldc, tile)
			}
		}
	}
}

// macro multiplies a packed rows×kc block of op(A) by a packed kc×cols block of op(B)
// into C (starting at c[0]), one micro-kernel tile at a time. Partial tiles at the
// edges go through tile.
func macro[T Float](ker *kernel[T], kc int, ap []T, rows int, bp []T, cols int, alpha, beta T, c []T, ldc int, tile []T) {
	mr, nr := ker.mr, ker.nr
	for jr := 0; jr < cols; jr += nr {
		nrr := min(nr, cols-jr)
		bpan := bp[jr*kc : jr*kc+nr*kc]
		for ir := 0; ir < rows; ir += mr {
			mrr := min(mr, rows-ir)
			apan := ap[ir*kc : ir*kc+mr*kc]
			off := ir*ldc + jr
			if mrr == mr && nrr == nr {
				ker.micro(kc, apan, bpan, c[off:], ldc, alpha, beta)
				continue
			}
			ker.micro(kc, apan, bpan, tile, nr, 1, 0)
			for i := range mrr {
				dst := c[off+i*ldc : off+i*ldc+nrr]
				src := tile[i*nr : i*nr+nrr]
				if beta == 0 {
					for j, v := range src {
						dst[j] = alpha * v
					}
				} else {
					for j, v := range src {
						dst[j] = alpha*v + beta*dst[j]
					}
				}
			}
		}
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
func roundUp(a, b int) int { return ceilDiv(a, b) * b }
