package autograd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// randomProblem returns n random examples of f features in [0, 1) and labels below k.
func randomProblem(seed uint64, n, f, k int) ([]float32, []uint8) {
	rng := rand.New(rand.NewPCG(seed, 1))
	X := make([]float32, n*f)
	for i := range X {
		X[i] = rng.Float32()
	}
	y := make([]uint8, n)
	for i := range y {
		y[i] = uint8(rng.IntN(k))
	}
	return X, y
}

// TestGradientsMatchFiniteDifferences compares graph.Gradient's gradients with
// central finite differences, in float64, for every weight and bias.
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	for _, tc := range []struct {
		name  string
		shape []int
		batch int
	}{
		{"three layers", []int{6, 5, 4, 3}, 7},
		{"linear softmax", []int{4, 3}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			net, err := New(tc.shape, &Options{DType: dtypes.Float64, Seed: 3, Backend: testBackend(t)})
			if err != nil {
				t.Fatal(err)
			}
			defer net.Close()
			X, y := randomProblem(5, tc.batch, tc.shape[0], tc.shape[len(tc.shape)-1])
			analytic, err := net.Gradients(X, y)
			if err != nil {
				t.Fatal(err)
			}
			params, err := net.Params()
			if err != nil {
				t.Fatal(err)
			}
			// h balances truncation (∝h²) against rounding (∝ε/h) error.
			const h = 1e-4
			loss := func() float64 {
				if err := net.SetParams(params); err != nil {
					t.Fatal(err)
				}
				l, err := net.Loss(X, y)
				if err != nil {
					t.Fatal(err)
				}
				return l
			}
			worst := 0.0
			check := func(name string, l, i int, v []float64, g float64) {
				old := v[i]
				v[i] = old + h
				plus := loss()
				v[i] = old - h
				minus := loss()
				v[i] = old
				numeric := (plus - minus) / (2 * h)
				rel := math.Abs(numeric-g) / math.Max(math.Max(math.Abs(numeric), math.Abs(g)), 1e-8)
				worst = math.Max(worst, rel)
				if rel > 1e-7 {
					t.Errorf("layer %d %s[%d]: graph.Gradient %.12g, finite differences %.12g (relative error %.3g > 1e-7)",
						l, name, i, g, numeric, rel)
				}
			}
			for l := range params {
				for i := range params[l].W {
					check("W", l, i, params[l].W, analytic[l].W[i])
				}
				for i := range params[l].B {
					check("b", l, i, params[l].B, analytic[l].B[i])
				}
			}
			t.Logf("worst relative error %.3g", worst)
		})
	}
}
