package gemm

import "sync"

// worker is a piece of parallel work handed to the goroutine pool.
type worker interface {
	work()
	done()
}

// jobs feeds the pool of worker goroutines shared by all Gemm calls.
var jobs = make(chan worker, 64)

var (
	workersMu sync.Mutex
	nWorkers  int
)

// ensureWorkers starts worker goroutines until at least n exist. Workers live for the
// life of the process and block on jobs when idle.
func ensureWorkers(n int) {
	workersMu.Lock()
	for nWorkers < n {
		go func() {
			for w := range jobs {
				w.work()
				w.done()
			}
		}()
		nWorkers++
	}
	workersMu.Unlock()
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
