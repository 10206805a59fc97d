package gemm

import (
	"sync"
	"time"
)

// worker is a piece of parallel work handed to the goroutine pool.
type worker interface {
	// help joins the work if it is still open, and returns when done.
	help()
}

// jobs feeds the pool of worker goroutines shared by all Gemm calls.
var jobs = make(chan worker, 64)

var (
	workersMu sync.Mutex
	nWorkers  int
)

// spinTime is how long an idle worker keeps polling for the next job before it parks.
// Waking a parked goroutine's thread can take tens of microseconds (more on a busy or
// virtual machine); training loops call Gemm back to back, and a polling worker picks
// the next call up at once. Polling costs CPU time that other processes could use,
// so it is short.
var spinTime = 20 * time.Microsecond

// ensureWorkers starts worker goroutines until at least n exist. Workers live for the
// life of the process; when idle they poll for spinTime, then block on jobs.
func ensureWorkers(n int) {
	workersMu.Lock()
	for nWorkers < n {
		go workerLoop()
		nWorkers++
	}
	workersMu.Unlock()
}

func workerLoop() {
	for {
		w := <-jobs
		for w != nil {
			w.help()
			w = poll()
		}
	}
}

// poll waits up to spinTime for a job without parking; it returns nil if none came.
func poll() worker {
	if spinTime <= 0 {
		return nil
	}
	deadline := time.Now().Add(spinTime)
	for {
		for range 32 {
			select {
			case w := <-jobs:
				return w
			default:
			}
		}
		if time.Now().After(deadline) {
			return nil
		}
	}
}

// workspace holds one goroutine's packing buffers.
type workspace[T Float] struct {
	shared, ap, bp, tile []T
}

// grow returns (*buf)[:n], reallocating *buf when it is too short.
func grow[T Float](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	*buf = (*buf)[:cap(*buf)]
	return (*buf)[:n]
}

// freeList keeps workspaces for reuse. Unlike a sync.Pool it is not emptied by the
// garbage collector, so steady-state calls never reallocate packing buffers.
type freeList[T Float] struct {
	mu    sync.Mutex
	items []*workspace[T]
}

// maxFree bounds the number of idle workspaces kept per element type.
const maxFree = 16

func (f *freeList[T]) get() *workspace[T] {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := len(f.items); n > 0 {
		w := f.items[n-1]
		f.items = f.items[:n-1]
		return w
	}
	return new(workspace[T])
}

func (f *freeList[T]) put(w *workspace[T]) {
	f.mu.Lock()
	if len(f.items) < maxFree {
		f.items = append(f.items, w)
	}
	f.mu.Unlock()
}

var (
	free32 freeList[float32]
	free64 freeList[float64]
)

func getWorkspace[T Float]() *workspace[T] {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(free32.get()).(*workspace[T])
	}
	return any(free64.get()).(*workspace[T])
}

func putWorkspace[T Float](w *workspace[T]) {
	if w32, ok := any(w).(*workspace[float32]); ok {
		free32.put(w32)
		return
	}
	free64.put(any(w).(*workspace[float64]))
}
