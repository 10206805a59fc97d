package denseres

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"feedforward.dev/feedforward/pkg/backend"
)

// gomlxLossAndGrads builds the network of m from GoMLX graph ops and returns
// the loss and GoMLX's autograd gradients for every parameter of m.
func gomlxLossAndGrads(t *testing.T, m *Model[float64], x []float64, labels []uint8) (float64, map[string][]float64) {
	t.Helper()
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	cfg, names := m.Config(), m.Params()
	B, d, c := len(labels), cfg.Input, cfg.Classes
	onehot := make([]float64, B*c)
	for i, y := range labels {
		onehot[i*c+int(y)] = 1
	}
	fn := func(in []*graph.Node) []*graph.Node {
		X, Y := in[0], in[1]
		g := X.Graph()
		p := map[string]*graph.Node{}
		for i, name := range names {
			p[name] = in[2+i]
		}
		ones := graph.Ones(g, shapes.Make(dtypes.Float64, B, 1))
		appendOnes := func(parts ...*graph.Node) *graph.Node { return graph.Concatenate(append(parts, ones), 1) }
		norm := func(s *graph.Node, l string) *graph.Node {
			if !cfg.LayerNorm {
				return s
			}
			mu := graph.ReduceAndKeep(s, graph.ReduceMean, -1)
			xc := graph.Sub(s, mu)
			v := graph.ReduceAndKeep(graph.Square(xc), graph.ReduceMean, -1)
			zhat := graph.Div(xc, graph.Sqrt(graph.AddScalar(v, Epsilon))) // not Rsqrt: it has no gradient
			return graph.Add(graph.Mul(zhat, p["gamma"+l]), p["beta"+l])
		}
		relu := func(v *graph.Node) *graph.Node { return graph.Max(v, graph.ZerosLike(v)) }
		H1 := relu(norm(graph.MatMul(appendOnes(X), p["W1"]), "1"))
		H2 := relu(norm(graph.Add(graph.MatMul(appendOnes(X, H1), p["W2"]), H1), "2"))
		H3 := relu(norm(graph.Add(graph.MatMul(appendOnes(X, H1, H2), p["W3"]), H2), "3"))
		logp := graph.LogSoftmax(graph.MatMul(appendOnes(H3), p["W4"]), -1)
		loss := graph.DivScalar(graph.Neg(graph.ReduceAllSum(graph.Mul(Y, logp))), float64(B))
		grads := graph.Gradient(loss, in[2:]...)
		return append([]*graph.Node{loss}, grads...)
	}
	args := []any{tensors.FromFlatDataAndDimensions(x, B, d), tensors.FromFlatDataAndDimensions(onehot, B, c)}
	for _, name := range names {
		p, shape, err := m.Param(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(shape) == 1 {
			shape = []int{1, shape[0]} // γ and β as a row, to broadcast over the batch
		}
		args = append(args, tensors.FromFlatDataAndDimensions(p, shape...))
	}
	exec, err := graph.NewExec(b, fn)
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	out, err := exec.Exec(args...)
	if err != nil {
		t.Fatal(err)
	}
	grads := map[string][]float64{}
	for i, name := range names {
		grads[name] = tensors.MustCopyFlatData[float64](out[1+i])
	}
	return tensors.MustCopyFlatData[float64](out[0])[0], grads
}

// TestGradientsAgainstGoMLX compares every hand-derived gradient with GoMLX's
// automatic differentiation of the same network, with random parameters
// (including γ, β and the bias rows) and a random batch.
func TestGradientsAgainstGoMLX(t *testing.T) {
	for _, tc := range []struct {
		name       string
		d, h, c, b int
		ln         bool
		parallel   bool // split every row pass across the workers
	}{
		{"d5h4c3b6/LN", 5, 4, 3, 6, true, false},
		{"d5h4c3b6/noLN", 5, 4, 3, 6, false, false},
		{"d20h16c10b12/LN", 20, 16, 10, 12, true, false},
		{"d20h16c10b12/noLN", 20, 16, 10, 12, false, false},
		{"d10h128c10b71/LN/parallel", 10, 128, 10, 71, true, true},
		{"d10h128c10b71/noLN/parallel", 10, 128, 10, 71, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.parallel {
				saved := minParallelElems
				defer func() { minParallelElems = saved }()
				minParallelElems = 1
			}
			cfg := Config{Input: tc.d, Hidden: tc.h, Classes: tc.c, LayerNorm: tc.ln, Seed: 11}
			m, err := New[float64](cfg)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(3, uint64(tc.h)))
			for _, name := range m.Params() {
				p, _, _ := m.Param(name)
				for i := range p {
					switch name[0] {
					case 'W':
						p[i] += 0.1 * rng.NormFloat64() // also makes the bias rows non-zero
					case 'g':
						p[i] = 1 + 0.3*rng.NormFloat64()
					case 'b':
						p[i] = 0.3 * rng.NormFloat64()
					}
				}
				if err := m.SetParam(name, p); err != nil {
					t.Fatal(err)
				}
			}
			x := make([]float64, tc.b*tc.d)
			for i := range x {
				x[i] = rng.NormFloat64()
			}
			y := make([]uint8, tc.b)
			for i := range y {
				y[i] = uint8(rng.IntN(tc.c))
			}
			loss, grads, err := m.LossAndGrads(x, y, tc.b)
			if err != nil {
				t.Fatal(err)
			}
			refLoss, refGrads := gomlxLossAndGrads(t, m, x, y)
			if math.Abs(loss-refLoss) > 1e-12*math.Abs(refLoss) {
				t.Errorf("loss %.15g, GoMLX %.15g", loss, refLoss)
			}
			for _, name := range m.Params() {
				rel := relErr(grads[name], refGrads[name])
				ent := entryErr(grads[name], refGrads[name], 1e-10)
				t.Logf("%-7s vs GoMLX: norm-wise %.2e, worst entry %.2e", name, rel, ent)
				if rel > 1e-7 || ent > 1e-7 {
					t.Errorf("%s: vs GoMLX autograd: norm-wise rel err %.2e, worst entry %.2e; want ≤ 1e-7", name, rel, ent)
				}
			}
		})
	}
}
