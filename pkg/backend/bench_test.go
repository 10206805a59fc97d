package backend_test

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
)

// BenchmarkMatMul times the forward product of the whole MNIST training set with a
// 784→300 weight matrix, (60000×784)·(784×300) in float32, on SimpleGo and on XLA
// (skipped when no PJRT CPU plugin is installed), and reports GFLOP/s.
//
//	go test -run '^$' -bench MatMul -benchtime 3x ./pkg/backend/
func BenchmarkMatMul(b *testing.B) {
	const m, k, n = 60000, 784, 300
	rng := rand.New(rand.NewPCG(1, 2))
	x, w := randMatrix(rng, m, k), randMatrix(rng, k, n)
	for _, bc := range []struct {
		name string
		new  func(testing.TB) backends.Backend
	}{
		{"SimpleGo", simpleGoBackend},
		{"XLA", xlaBackend},
	} {
		b.Run(bc.name, func(b *testing.B) {
			be := bc.new(b)
			defer be.Finalize()
			// Fresh tensors per backend: a tensor caches its on-device copy.
			xt, wt := x.tensor(), w.tensor()
			defer xt.MustFinalizeAll()
			defer wt.MustFinalizeAll()
			exec, err := NewExec(be, func(x, w *Node) *Node { return Dot(x, w) })
			if err != nil {
				b.Fatal(err)
			}
			defer exec.Finalize()
			run := func() {
				out, err := exec.Exec(xt, wt)
				if err != nil {
					b.Fatal(err)
				}
				out[0].MustFinalizeAll()
			}
			run() // Compile and move the inputs to the device outside the timing.
			b.ResetTimer()
			for range b.N {
				run()
			}
			b.StopTimer()
			flops := 2.0 * m * k * n * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
