package denseres

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// GradError compares a hand-written gradient with finite differences.
type GradError struct {
	// Name is the parameter ("W1", "gamma2", …) or, for CheckLayerNorm,
	// "z", "gamma" or "beta".
	Name string
	// Size is the number of entries compared.
	Size int
	// NormRel is the norm-wise relative error ‖a − n‖₂ / max(‖a‖₂, ‖n‖₂) of the
	// analytic gradient a against the numerical one n.
	NormRel float64
	// MaxRel is the worst entry's relative error |aᵢ − nᵢ| / max(|aᵢ|, |nᵢ|, 10⁻⁴);
	// entries below 10⁻⁴ are compared absolutely, since the finite differences
	// carry about 10⁻¹¹ of absolute rounding noise.
	MaxRel float64
}

// The finite differences of the checks: the fourth-order central difference
//
//	g ≈ (8(f(θ+ε) − f(θ−ε)) − (f(θ+2ε) − f(θ−2ε))) / 12ε,  ε = 10⁻⁴,
//
// whose truncation error (≈ ε⁴) and rounding error (≈ 10⁻¹⁵/ε) are both far
// below 10⁻⁷. The plain two-point difference cannot certify 10⁻⁷: its errors
// are ≈ ε² and 10⁻¹⁵/ε, at best ≈ 10⁻¹⁰ absolute, 10⁻⁷ relative to the
// smallest gradients here.
const (
	gcStep  = 1e-4
	gcFloor = 1e-4
	// gcKink is the smallest distance of a pre-activation from the ReLU kink
	// that CheckGradients accepts: perturbations reach 2ε.
	gcKink = 10 * gcStep
	// gcMaxParams bounds the size of a checked model: every parameter entry
	// costs four forward passes.
	gcMaxParams = 50000
)

// fd4 returns the finite-difference derivative of f at p[i] (p[i] is restored).
func fd4(p []float64, i int, f func() float64) float64 {
	orig := p[i]
	at := func(k float64) float64 { p[i] = orig + k*gcStep; return f() }
	g := (8*(at(1)-at(-1)) - (at(2) - at(-2))) / (12 * gcStep)
	p[i] = orig
	return g
}

func compare(name string, a, n []float64) GradError {
	var diff, na, nn, worst float64
	for i := range a {
		d := a[i] - n[i]
		diff += d * d
		na += a[i] * a[i]
		nn += n[i] * n[i]
		worst = max(worst, math.Abs(d)/max(math.Abs(a[i]), math.Abs(n[i]), gcFloor))
	}
	return GradError{Name: name, Size: len(a), NormRel: math.Sqrt(diff) / max(math.Sqrt(na), math.Sqrt(nn), 1e-300), MaxRel: worst}
}

// CheckGradients checks the hand-written backward pass in float64: it builds a
// Model of cfg (Config.Seed gives the He initialisation), makes every
// parameter random — random bias rows, γ ~ N(1, 0.3²), β ~ N(0, 0.3²), so
// that nothing is trivially 0 or 1 — draws a random batch of batch samples
// x ~ N(0, 1) and labels, and compares LossAndGrads with fourth-order
// central finite differences of Loss for every entry of every parameter.
//
// The loss is not differentiable where a ReLU switches, so seeds whose
// pre-activations come within 10⁻³ of 0 are skipped: the data seed is seed,
// or the next one that is far enough from every kink. Keep the model small
// (at most 50000 parameters): each entry costs four forward passes.
func CheckGradients(cfg Config, batch int, seed uint64) ([]GradError, error) {
	if batch < 1 || batch > evalChunk {
		return nil, fmt.Errorf("denseres: CheckGradients: batch = %d; use a few samples (1 to %d), e.g. 6", batch, evalChunk)
	}
	m, err := New[float64](cfg)
	if err != nil {
		return nil, err
	}
	total := 0
	for _, name := range m.Params() {
		p, _ := m.param(name)
		total += len(p)
	}
	if total > gcMaxParams {
		return nil, fmt.Errorf("denseres: CheckGradients: the model has %d parameters, too many for finite differences (at most %d); use a small Config such as {Input: 10, Hidden: 8, Classes: 10}", total, gcMaxParams)
	}
	init := m.Snapshot()
	var x []float64
	var y []uint8
	for s := seed; ; s++ {
		if s-seed >= 100 {
			return nil, fmt.Errorf("denseres: CheckGradients: no seed in [%d, %d) keeps every pre-activation %g away from the ReLU kink; use a smaller batch or hidden size", seed, s, gcKink)
		}
		if err := m.Restore(init); err != nil {
			return nil, err
		}
		x, y = m.randomize(batch, s)
		if _, err := m.Loss(x, y); err != nil {
			return nil, err
		}
		if m.kinkDistance() >= gcKink {
			break
		}
	}
	_, grads, err := m.LossAndGrads(x, y, batch)
	if err != nil {
		return nil, err
	}
	if _, err := m.Loss(x, y); err != nil {
		return nil, err
	}
	pattern := m.kinkPattern()
	var out []GradError
	for _, name := range m.Params() {
		p, _ := m.param(name)
		num := make([]float64, len(p))
		var ferr error
		for i := range p {
			num[i] = fd4(p, i, func() float64 {
				l, err := m.Loss(x, y)
				if err != nil {
					ferr = err
				}
				if !slices.Equal(pattern, m.kinkPattern()) && ferr == nil {
					ferr = fmt.Errorf("denseres: CheckGradients: perturbing %s[%d] switches a ReLU, so finite differences do not apply; try another seed", name, i)
				}
				return l
			})
		}
		if ferr != nil {
			return nil, ferr
		}
		out = append(out, compare(name, grads[name], num))
	}
	return out, nil
}

// randomize makes every parameter random (see CheckGradients) and returns a
// random batch.
func (m *Model[T]) randomize(batch int, seed uint64) ([]T, []uint8) {
	return m.randomizeWith(rand.New(rand.NewPCG(seed, 0x6772616463686b)), batch)
}

// randomizeWith is randomize drawing from rng.
func (m *Model[T]) randomizeWith(rng *rand.Rand, batch int) ([]T, []uint8) {
	for _, name := range m.Params() {
		p, shape := m.param(name)
		switch name[0] {
		case 'W':
			cols := shape[1]
			for j := range cols {
				p[len(p)-cols+j] = T(0.3 * rng.NormFloat64())
			}
		case 'g':
			for j := range p {
				p[j] = T(1 + 0.3*rng.NormFloat64())
			}
		case 'b':
			for j := range p {
				p[j] = T(0.3 * rng.NormFloat64())
			}
		}
	}
	m.train.rows, m.haveGrads = 0, false
	x := make([]T, batch*m.cfg.Input)
	for i := range x {
		x[i] = T(rng.NormFloat64())
	}
	y := make([]uint8, batch)
	for i := range y {
		y[i] = uint8(rng.IntN(m.cfg.Classes))
	}
	return x, y
}

// kinkPattern returns which hidden units of the last evaluated chunk are
// active (H > 0).
func (m *Model[T]) kinkPattern() []bool {
	ws := &m.eval
	d, h := m.cfg.Input, m.cfg.Hidden
	var on []bool
	for r := range ws.rows {
		for _, v := range ws.a[r*(d+2*h)+d : (r+1)*(d+2*h)] {
			on = append(on, v > 0)
		}
		for _, v := range ws.h3[r*h : (r+1)*h] {
			on = append(on, v > 0)
		}
	}
	return on
}

// kinkDistance returns min |N| over the hidden units of the last evaluated
// chunk: how far the batch is from a ReLU kink.
func (m *Model[T]) kinkDistance() float64 {
	ws := &m.eval
	h := m.cfg.Hidden
	best := math.Inf(1)
	for l := range 3 {
		for r := range ws.rows {
			for j := range h {
				n := float64(ws.z[l][r*h+j])
				if m.cfg.LayerNorm {
					n = float64(m.gamma[l][j])*n + float64(m.beta[l][j])
				}
				best = min(best, math.Abs(n))
			}
		}
	}
	return best
}

// CheckLayerNorm checks LayerNormBackward alone, in float64: for a random
// rows×cols input z ~ N(0.5, 2²), random γ ~ N(1, 0.3²), β ~ N(0, 0.3²) and
// a random upstream gradient G ~ N(0, 1), it compares the gradients of the
// scalar Σ G·LN(z) (entry by entry) with respect to z, γ and β with fourth-order
// central finite differences. (With G = 1 the gradient with respect to z
// would be identically 0 and prove nothing.)
func CheckLayerNorm(rows, cols int, seed uint64) ([]GradError, error) {
	if rows < 1 || cols < 2 || rows*cols > gcMaxParams {
		return nil, fmt.Errorf("denseres: CheckLayerNorm: %d×%d; use at least 1 row and 2 columns and at most %d entries, e.g. 4×16", rows, cols, gcMaxParams)
	}
	rng := rand.New(rand.NewPCG(seed, 0x6c6e636865636b))
	normal := func(n int, mean, std float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = mean + std*rng.NormFloat64()
		}
		return v
	}
	z := normal(rows*cols, 0.5, 2)
	gamma, beta := normal(cols, 1, 0.3), normal(cols, 0, 0.3)
	up := normal(rows*cols, 0, 1)
	var ferr error
	objective := func() float64 {
		out, _, err := LayerNormForward(z, rows, gamma, beta)
		if err != nil {
			ferr = err
			return 0
		}
		s := 0.0
		for i := range out {
			s += up[i] * out[i]
		}
		return s
	}
	_, cache, err := LayerNormForward(z, rows, gamma, beta)
	if err != nil {
		return nil, err
	}
	dz, dgamma, dbeta, err := LayerNormBackward(up, gamma, cache)
	if err != nil {
		return nil, err
	}
	var out []GradError
	for _, c := range []struct {
		name        string
		analytic, p []float64
	}{{"z", dz, z}, {"gamma", dgamma, gamma}, {"beta", dbeta, beta}} {
		num := make([]float64, len(c.p))
		for i := range c.p {
			num[i] = fd4(c.p, i, objective)
		}
		out = append(out, compare(c.name, c.analytic, num))
	}
	return out, ferr
}
