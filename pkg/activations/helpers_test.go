package activations

import (
	"math"
	"math/rand/v2"
	"testing"
)

// tol returns the relative tolerance used when two computations of the same
// quantity are compared in precision T.
func tol[T Float](rel32, rel64 float64) float64 {
	if isFloat32[T]() {
		return rel32
	}
	return rel64
}

// tiny is the absolute tolerance for subnormal results, which have fixed
// absolute rather than relative precision: 8 of T's smallest subnormals.
func tiny[T Float]() float64 {
	if isFloat32[T]() {
		return 8 * math.SmallestNonzeroFloat32
	}
	return 8 * math.SmallestNonzeroFloat64
}

func isFloat32[T Float]() bool {
	var z T
	_, ok := any(z).(float32)
	return ok
}

// near reports whether got and want agree: same NaN-ness, same infinities,
// otherwise |got−want| ≤ rel·max(|got|,|want|) + abs.
func near(got, want, rel, abs float64) bool {
	switch {
	case math.IsNaN(got) || math.IsNaN(want):
		return math.IsNaN(got) && math.IsNaN(want)
	case math.IsInf(got, 0) || math.IsInf(want, 0):
		return got == want
	}
	return math.Abs(got-want) <= rel*math.Max(math.Abs(got), math.Abs(want))+abs
}

// assertSlicesNear fails t if got and want differ in length or any element is not near.
func assertSlicesNear[T, U Float](t *testing.T, what string, got []T, want []U, rel, abs float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !near(float64(got[i]), float64(want[i]), rel, abs) {
			t.Errorf("%s[%d] = %v, want %v (rel %g, abs %g)", what, i, got[i], want[i], rel, abs)
		}
	}
}

// randomLogits returns a seeded rows×cols matrix of logits uniform in [lo, hi).
func randomLogits[T Float](seed uint64, rows, cols int, lo, hi float64) Matrix[T] {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	m, err := NewMatrix[T](rows, cols, nil)
	if err != nil {
		panic(err)
	}
	for i := range m.Data {
		m.Data[i] = T(lo + (hi-lo)*r.Float64())
	}
	return m
}

// randomLabels returns n seeded labels in [0, classes).
func randomLabels(seed uint64, n, classes int) []int {
	r := rand.New(rand.NewPCG(seed, 0x1abe1))
	out := make([]int, n)
	for i := range out {
		out[i] = r.IntN(classes)
	}
	return out
}

// mustRows builds a Matrix from literal rows or fails the test.
func mustRows[T Float](t *testing.T, rows [][]T) Matrix[T] {
	t.Helper()
	m, err := FromRows(rows)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// convertRows converts rows to another float type, e.g. float64 literal rows to T.
func convertRows[To, From Float](rows [][]From) [][]To {
	out := make([][]To, len(rows))
	for i, r := range rows {
		out[i] = make([]To, len(r))
		for j, v := range r {
			out[i][j] = To(v)
		}
	}
	return out
}

// inf and nan are shorthands for table literals.
var (
	inf = math.Inf(1)
	nan = math.NaN()
)

// bothPrecisions runs f as subtests for float32 and float64.
func bothPrecisions(t *testing.T, f32, f64 func(t *testing.T)) {
	t.Run("float32", f32)
	t.Run("float64", f64)
}
