package denseres

import (
	"runtime"
	"sync"
)

// maxWorkers caps the row-parallel elementwise passes. The project targets a
// 2-core machine, and the passes are memory-light, so a second core is all that
// ever pays.
const maxWorkers = 2

// minParallelElems is the smallest pass (rows × columns) worth splitting across
// two cores: below it the hand-off costs more than the second core saves.
// BenchmarkRowPass measures the break-even point.
var minParallelElems = 16384

// rowJob is a pass over the rows [lo, hi) of a batch, run by worker number
// worker (0 is the calling goroutine). Jobs are pointers to fields of a Model,
// so handing one to the pool allocates nothing.
type rowJob interface {
	runRows(lo, hi, worker int)
}

type poolTask struct {
	job            rowJob
	lo, hi, worker int
	wg             *sync.WaitGroup
}

// pool is one long-lived helper goroutine shared by every Model: sending it a
// task by value through a buffered channel allocates nothing, unlike starting a
// goroutine per pass.
var pool struct {
	once  sync.Once
	tasks chan poolTask
}

func startPool() {
	pool.tasks = make(chan poolTask, 16)
	go func() {
		for t := range pool.tasks {
			t.job.runRows(t.lo, t.hi, t.worker)
			t.wg.Done()
		}
	}()
}

// workersFor returns how many workers a pass over rows×cols elements uses.
func workersFor(rows, cols int) int {
	if rows < 2 || rows*cols < minParallelElems || runtime.GOMAXPROCS(0) < 2 {
		return 1
	}
	return maxWorkers
}

// runParallel runs job over rows [0, rows) with the given number of workers
// (1 or 2) and returns when all are done.
func runParallel(job rowJob, rows, workers int, wg *sync.WaitGroup) {
	if workers < 2 {
		job.runRows(0, rows, 0)
		return
	}
	pool.once.Do(startPool)
	mid := rows / 2
	wg.Add(1)
	pool.tasks <- poolTask{job: job, lo: mid, hi: rows, worker: 1, wg: wg}
	job.runRows(0, mid, 0)
	wg.Wait()
}
