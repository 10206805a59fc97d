package denseres

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Finite differences. The fourth-order central difference
//
//	g ≈ (8(L(θ+ε) − L(θ−ε)) − (L(θ+2ε) − L(θ−2ε))) / 12ε,  ε = 1e-4,
//
// has truncation error O(ε⁴) ≈ 1e-16 and rounding error ≈ 1e-15/ε ≈ 1e-11.
// The plain two-point difference with ε = 1e-6 has rounding error ≈ 1e-9,
// which is already 1e-7 relative to the smallest gradients here (‖g‖ ≈ 1e-3)
// and so cannot certify 1e-7. A ReLU kink between θ−2ε and θ+2ε would spoil
// either; numericGrads checks that no ReLU changes state for any perturbation.
const (
	fdStep = 1e-4
	// gradTol bounds both error measures below.
	gradTol = 1e-7
	// entryFloor is the absolute floor of the per-entry relative error
	// |a−b| / max(|a|, |b|, entryFloor): entries smaller than it are compared
	// absolutely, since finite differences carry ≈1e-11 of absolute noise.
	entryFloor = 1e-4
)

// numericGrads returns finite-difference gradients of the loss for every
// entry of every parameter, and fails the test if any perturbation changes the
// state of a ReLU (the loss is not differentiable across a kink).
func numericGrads(t *testing.T, m *Model[float64], x []float64, y []uint8) map[string][]float64 {
	t.Helper()
	if _, err := m.Loss(x, y); err != nil {
		t.Fatal(err)
	}
	base := m.kinkPattern()
	if md := m.kinkDistance(); md < 10*fdStep {
		t.Fatalf("a pre-activation is %.2g from a ReLU kink; reseed this case", md)
	}
	out := map[string][]float64{}
	for _, name := range m.Params() {
		p, _, _ := m.Param(name)
		g := make([]float64, len(p))
		for i := range p {
			orig := p[i]
			f := func(k float64) float64 {
				p[i] = orig + k*fdStep
				if err := m.SetParam(name, p); err != nil {
					t.Fatal(err)
				}
				l, err := m.Loss(x, y)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(base, m.kinkPattern()) {
					t.Fatalf("perturbing %s[%d] by %gε flips a ReLU; reseed this case", name, i, k)
				}
				return l
			}
			g[i] = (8*(f(1)-f(-1)) - (f(2) - f(-2))) / (12 * fdStep)
			p[i] = orig
		}
		if err := m.SetParam(name, p); err != nil {
			t.Fatal(err)
		}
		out[name] = g
	}
	return out
}

func TestGradientsFiniteDifferences(t *testing.T) {
	worst := map[string]float64{}
	for _, tc := range gradCases {
		t.Run(tc.name, func(t *testing.T) {
			m, x, y := randomSetup[float64](t, tc)
			loss, grads, err := m.LossAndGrads(x, y, tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if evalLoss, _ := m.Loss(x, y); math.Abs(loss-evalLoss) > 1e-14 {
				t.Errorf("LossAndGrads loss %v != Loss %v", loss, evalLoss)
			}
			if len(grads) != len(m.Params()) {
				t.Fatalf("LossAndGrads returned %d gradients for %d parameters", len(grads), len(m.Params()))
			}
			num := numericGrads(t, m, x, y)
			for _, name := range m.Params() {
				rel := relErr(grads[name], num[name])
				ent := entryErr(grads[name], num[name], entryFloor)
				worst["norm"] = max(worst["norm"], rel)
				worst["entry"] = max(worst["entry"], ent)
				if rel > gradTol || ent > gradTol {
					t.Errorf("%s: analytic vs finite differences: norm-wise rel err %.2e, worst entry %.2e; want ≤ %g", name, rel, ent, gradTol)
				}
			}
		})
	}
	t.Logf("worst over all cases and parameters: norm-wise %.2e, per entry %.2e", worst["norm"], worst["entry"])
}

// TestLayerNormGradients checks LayerNormBackward against finite differences
// of the scalar Σ dout⊙LN(z) for a random dout (with dout = 1 the input
// gradient would be identically zero and prove nothing).
func TestLayerNormGradients(t *testing.T) {
	for _, sz := range []struct{ rows, cols int }{{1, 2}, {4, 5}, {7, 16}} {
		rng := rand.New(rand.NewPCG(uint64(sz.rows), uint64(sz.cols)))
		normal := func(n int, mean, std float64) []float64 {
			v := make([]float64, n)
			for i := range v {
				v[i] = mean + std*rng.NormFloat64()
			}
			return v
		}
		z := normal(sz.rows*sz.cols, 0.5, 2)
		gamma, beta := normal(sz.cols, 1, 0.3), normal(sz.cols, 0, 0.3)
		dout := normal(sz.rows*sz.cols, 0, 1)
		objective := func() float64 {
			out, _, err := LayerNormForward(z, sz.rows, gamma, beta)
			if err != nil {
				t.Fatal(err)
			}
			s := 0.0
			for i := range out {
				s += dout[i] * out[i]
			}
			return s
		}
		fd := func(p []float64) []float64 {
			g := make([]float64, len(p))
			for i := range p {
				orig := p[i]
				f := func(k float64) float64 { p[i] = orig + k*fdStep; return objective() }
				g[i] = (8*(f(1)-f(-1)) - (f(2) - f(-2))) / (12 * fdStep)
				p[i] = orig
			}
			return g
		}
		_, cache, err := LayerNormForward(z, sz.rows, gamma, beta)
		if err != nil {
			t.Fatal(err)
		}
		dz, dgamma, dbeta, err := LayerNormBackward(dout, gamma, cache)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name        string
			analytic, p []float64
		}{{"dz", dz, z}, {"dgamma", dgamma, gamma}, {"dbeta", dbeta, beta}} {
			num := fd(c.p)
			rel, ent := relErr(c.analytic, num), entryErr(c.analytic, num, entryFloor)
			t.Logf("%dx%d %-6s norm-wise %.2e entry %.2e", sz.rows, sz.cols, c.name, rel, ent)
			if rel > gradTol || ent > gradTol {
				t.Errorf("%dx%d %s: rel err %.2e / entry %.2e > %g", sz.rows, sz.cols, c.name, rel, ent, gradTol)
			}
		}
		// Each row of dz sums to zero: LN is invariant to shifting its input.
		for r := range sz.rows {
			var s1, n1 float64
			for j := range sz.cols {
				s1 += dz[r*sz.cols+j]
				n1 += math.Abs(dz[r*sz.cols+j])
			}
			if math.Abs(s1) > 1e-12*n1+1e-300 {
				t.Errorf("%dx%d row %d: Σ dz = %g, want 0 (shift invariance)", sz.rows, sz.cols, r, s1)
			}
		}
	}
}
