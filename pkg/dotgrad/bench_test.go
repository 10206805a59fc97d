package dotgrad

import (
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// BenchmarkGradient times d/dX and d/dW of Σ R ⊙ (X·W) for a batch of 1000 MNIST
// images through a 784→300 layer (float32), with GoMLX's stock gradient and with the
// one Install registers. The stock one allocates two 1000×784×300 tensors (~0.9 GB each).
//
//	go test -run '^$' -bench Gradient -benchtime 3x ./pkg/dotgrad/
func BenchmarkGradient(b *testing.B) {
	const n, in, out = 1000, 784, 300
	Install()
	rng := rand.New(rand.NewPCG(3, 4))
	randData := func(size int) []float32 {
		d := make([]float32, size)
		for i := range d {
			d[i] = float32(rng.NormFloat64())
		}
		return d
	}
	xData, wData, rData := randData(n*in), randData(in*out), randData(n*out)
	for _, bc := range []struct {
		name  string
		stock bool
	}{{"stock", true}, {"installed", false}} {
		b.Run(bc.name, func(b *testing.B) {
			be := newBackend(b)
			defer be.Finalize()
			x := tensors.FromFlatDataAndDimensions(xData, n, in)
			w := tensors.FromFlatDataAndDimensions(wData, in, out)
			r := tensors.FromFlatDataAndDimensions(rData, n, out)
			defer x.MustFinalizeAll()
			defer w.MustFinalizeAll()
			defer r.MustFinalizeAll()
			exec := MustNewExec(be, func(x, w, r *Node) []*Node {
				return Gradient(ReduceAllSum(Mul(r, Dot(x, w))), x, w)
			})
			defer exec.Finalize()
			run := func() {
				for _, t := range exec.MustExec(x, w, r) {
					t.MustFinalizeAll()
				}
			}
			if bc.stock {
				withStock(run) // Builds and compiles the graph with the stock gradient.
			} else {
				run()
			}
			b.ResetTimer()
			for range b.N {
				run()
			}
		})
	}
}
