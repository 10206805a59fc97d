package denseres

import (
	"math"
	"math/rand/v2"
	"testing"
)

// testCase is a small random configuration for the gradient checks.
type testCase struct {
	name       string
	d, h, c, b int
	ln         bool
	seed       uint64
}

var gradCases = []testCase{
	{"d5h4c3b6/LN", 5, 4, 3, 6, true, 1},
	{"d5h4c3b6/noLN", 5, 4, 3, 6, false, 1},
	{"d7h6c4b5/LN", 7, 6, 4, 5, true, 2},
	{"d7h6c4b5/noLN", 7, 6, 4, 5, false, 3},
	{"d3h8c5b9/LN", 3, 8, 5, 9, true, 4},
	{"d1h3c2b1/LN", 1, 3, 2, 1, true, 5},
}

// randomSetup builds a model whose every parameter is random — He weights,
// random bias rows, γ ~ N(1, 0.3²), β ~ N(0, 0.3²) — and a random batch: the
// randomisation CheckGradients uses (Model.randomizeWith), from a generator
// seeded with tc.seed.
func randomSetup[T Float](t testing.TB, tc testCase) (*Model[T], []T, []uint8) {
	t.Helper()
	m, err := New[T](Config{Input: tc.d, Hidden: tc.h, Classes: tc.c, LayerNorm: tc.ln, Seed: tc.seed})
	if err != nil {
		t.Fatal(err)
	}
	x, y := m.randomizeWith(rand.New(rand.NewPCG(tc.seed, 77)), tc.b)
	return m, x, y
}

// relErr is the norm-wise relative error ‖a−b‖₂ / max(‖a‖₂, ‖b‖₂, tiny).
func relErr[T, U Float](a []T, b []U) float64 {
	var diff, na, nb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		diff += (x - y) * (x - y)
		na += x * x
		nb += y * y
	}
	return math.Sqrt(diff) / max(math.Sqrt(na), math.Sqrt(nb), 1e-300)
}

// entryErr is the worst per-entry error |a−b| / max(|a|, |b|, floor).
func entryErr[T, U Float](a []T, b []U, floor float64) float64 {
	worst := 0.0
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		worst = max(worst, math.Abs(x-y)/max(math.Abs(x), math.Abs(y), floor))
	}
	return worst
}
