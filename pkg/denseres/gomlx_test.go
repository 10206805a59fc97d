package denseres_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"feedforward.dev/feedforward/pkg/backend"
	"feedforward.dev/feedforward/pkg/denseres"
)

// gomlxLossAndGrads builds the same network from GoMLX graph ops and returns
// the loss and GoMLX's autograd gradients for the parameters named by names
// (in that order).
func gomlxLossAndGrads(t *testing.T, cfg denseres.Config, params map[string][]float64, names []string, x []float64, labels []uint8) (float64, map[string][]float64) {
	t.Helper()
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	B, d, h, c := len(labels), cfg.Input, cfg.Hidden, cfg.Classes
	onehot := make([]float64, B*c)
	for i, y := range labels {
		onehot[i*c+int(y)] = 1
	}
	shapeOf := func(name string) []int {
		switch name {
		case "W1":
			return []int{d + 1, h}
		case "W2":
			return []int{d + h + 1, h}
		case "W3":
			return []int{d + 2*h + 1, h}
		case "W4":
			return []int{h + 1, c}
		}
		return []int{1, h} // γ and β, as a row to broadcast over the batch
	}
	fn := func(in []*Node) []*Node {
		X, Y := in[0], in[1]
		g := X.Graph()
		p := map[string]*Node{}
		for i, name := range names {
			p[name] = in[2+i]
		}
		ones := Ones(g, shapes.Make(dtypes.Float64, B, 1))
		appendOnes := func(parts ...*Node) *Node { return Concatenate(append(parts, ones), 1) }
		norm := func(s *Node, l string) *Node {
			if !cfg.LayerNorm {
				return s
			}
			mu := ReduceAndKeep(s, ReduceMean, -1)
			xc := Sub(s, mu)
			v := ReduceAndKeep(Square(xc), ReduceMean, -1)
			zhat := Div(xc, Sqrt(AddScalar(v, denseres.Epsilon))) // not Rsqrt: it has no gradient
			return Add(Mul(zhat, p["gamma"+l]), p["beta"+l])
		}
		relu := func(v *Node) *Node { return Max(v, ZerosLike(v)) }
		H1 := relu(norm(MatMul(appendOnes(X), p["W1"]), "1"))
		H2 := relu(norm(Add(MatMul(appendOnes(X, H1), p["W2"]), H1), "2"))
		H3 := relu(norm(Add(MatMul(appendOnes(X, H1, H2), p["W3"]), H2), "3"))
		logp := LogSoftmax(MatMul(appendOnes(H3), p["W4"]), -1)
		loss := DivScalar(Neg(ReduceAllSum(Mul(Y, logp))), float64(B))
		grads := Gradient(loss, in[2:]...)
		return append([]*Node{loss}, grads...)
	}
	args := []any{tensors.FromFlatDataAndDimensions(x, B, d), tensors.FromFlatDataAndDimensions(onehot, B, c)}
	for _, name := range names {
		args = append(args, tensors.FromFlatDataAndDimensions(params[name], shapeOf(name)...))
	}
	exec, err := NewExec(b, fn)
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
	}{
		{"d5h4c3b6/LN", 5, 4, 3, 6, true},
		{"d5h4c3b6/noLN", 5, 4, 3, 6, false},
		{"d20h16c10b12/LN", 20, 16, 10, 12, true},
		{"d20h16c10b12/noLN", 20, 16, 10, 12, false},
		// Large enough for the row passes to split across two workers.
		{"d10h128c10b71/LN", 10, 128, 10, 71, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := denseres.Config{Input: tc.d, Hidden: tc.h, Classes: tc.c, LayerNorm: tc.ln, Seed: 11}
			m, err := denseres.New[float64](cfg)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(3, uint64(tc.h)))
			params := map[string][]float64{}
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
				params[name] = p
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
			refLoss, refGrads := gomlxLossAndGrads(t, cfg, params, m.Params(), x, y)
			if math.Abs(loss-refLoss) > 1e-12*math.Abs(refLoss) {
				t.Errorf("loss %.15g, GoMLX %.15g", loss, refLoss)
			}
			for _, name := range m.Params() {
				rel := relErrPub(grads[name], refGrads[name])
				ent := entryErrPub(grads[name], refGrads[name], 1e-10)
				t.Logf("%-7s vs GoMLX: norm-wise %.2e, worst entry %.2e", name, rel, ent)
				if rel > 1e-7 || ent > 1e-7 {
					t.Errorf("%s: vs GoMLX autograd: norm-wise rel err %.2e, worst entry %.2e; want ≤ 1e-7", name, rel, ent)
				}
			}
		})
	}
}

// relErrPub is ‖a−b‖₂ / max(‖a‖₂, ‖b‖₂, tiny), per parameter.
func relErrPub(a, b []float64) float64 {
	var diff, na, nb float64
	for i := range a {
		diff += (a[i] - b[i]) * (a[i] - b[i])
		na += a[i] * a[i]
		nb += b[i] * b[i]
	}
	return math.Sqrt(diff) / max(math.Sqrt(na), math.Sqrt(nb), 1e-300)
}

// entryErrPub is max over entries of |a−b| / max(|a|, |b|, floor).
func entryErrPub(a, b []float64, floor float64) float64 {
	worst := 0.0
	for i := range a {
		worst = max(worst, math.Abs(a[i]-b[i])/max(math.Abs(a[i]), math.Abs(b[i]), floor))
	}
	return worst
}
