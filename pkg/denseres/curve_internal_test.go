package denseres

import "testing"

// TestSplitPool checks that the validation hold-out and the training order
// are disjoint, cover the pool and carry each sample's label along.
func TestSplitPool(t *testing.T) {
	const n, d, v = 500, 3, 120
	pool := Set[float64]{X: make([]float64, n*d), Labels: make([]uint8, n)}
	for i := range n {
		pool.X[i*d] = float64(i) // the sample's id
		pool.Labels[i] = uint8(i % 7)
	}
	val, fit := splitPool(pool, v, 4)
	if val.Len() != v || fit.Len() != n-v {
		t.Fatalf("split %d + %d, want %d + %d", val.Len(), fit.Len(), v, n-v)
	}
	seen := make([]int, n)
	for _, s := range []Set[float64]{val, fit} {
		for r := range s.Len() {
			id := int(s.X[r*d])
			seen[id]++
			if s.Labels[r] != uint8(id%7) {
				t.Errorf("sample %d has label %d, want %d", id, s.Labels[r], id%7)
			}
		}
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("sample %d appears %d times in validation + training", id, c)
		}
	}
	inOrder := 0
	for r := range val.Len() {
		if int(val.X[r*d]) == r {
			inOrder++
		}
	}
	if inOrder > v/4 {
		t.Errorf("%d of %d validation samples are at their original position: not shuffled", inOrder, v)
	}
	val2, _ := splitPool(pool, v, 4)
	val3, _ := splitPool(pool, v, 5)
	if val2.X[0] != val.X[0] || val2.X[d] != val.X[d] {
		t.Errorf("the same seed gave different splits")
	}
	if val3.X[0] == val.X[0] && val3.X[d] == val.X[d] && val3.X[2*d] == val.X[2*d] {
		t.Errorf("seeds 4 and 5 gave the same split")
	}
}
