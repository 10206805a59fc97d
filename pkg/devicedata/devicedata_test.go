package devicedata

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
)

func testBackend(t *testing.T) backends.Backend {
	t.Helper()
	b, err := simplego.New("")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCacheReusesAndRefreshes(t *testing.T) {
	c := NewCache(testBackend(t), 2)
	defer c.Clear()
	x := []float32{1, 2, 3, 4, 5, 6}
	a, err := c.Float32s(x, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Float32s(x, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if a != b || c.Len() != 1 {
		t.Fatalf("same slice uploaded twice: same tensor %v, %d entries", a == b, c.Len())
	}
	// Another view of the same memory (other dims) is a separate entry.
	if _, err := c.Float32s(x, 3, 2); err != nil || c.Len() != 2 {
		t.Fatalf("other dims: err %v, %d entries, want 2", err, c.Len())
	}
	x[5] = 60 // refilled in place: must not be served stale
	d, err := c.Float32s(x, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if d == a {
		t.Fatal("modified slice served from the cache")
	}
	if got := d.Value().([][]float32)[1][2]; got != 60 {
		t.Fatalf("uploaded value %v, want 60", got)
	}
	// Eviction keeps at most max entries.
	if _, err := c.Float32s([]float32{7}, 1); err != nil || c.Len() != 2 {
		t.Fatalf("eviction: err %v, %d entries, want 2", err, c.Len())
	}
	if _, err := c.Float32s(nil, 0); err == nil {
		t.Fatal("empty data accepted")
	}
}

func TestOneHotTargets(t *testing.T) {
	var c OneHot
	y := []uint8{2, 0, 1}
	got, err := c.Targets(3, 3, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{0, 0, 1, 1, 0, 0, 0, 1, 0}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Targets = %v, want %v", got, want)
		}
	}
	again, _ := c.Targets(3, 3, y, nil)
	if &again[0] != &got[0] {
		t.Error("same labels encoded twice")
	}
	y[0] = 1
	changed, _ := c.Targets(3, 3, y, nil)
	if changed[1] != 1 || changed[2] != 0 {
		t.Errorf("labels changed in place but encoding is stale: %v", changed)
	}
	for _, tc := range []struct {
		name  string
		N, k  int
		y     []uint8
		y1hot []float32
		want  string
	}{
		{"label out of range", 2, 3, []uint8{0, 3}, nil, "y[1]=3"},
		{"too few labels", 3, 3, []uint8{0, 1}, nil, "len(y)=2"},
		{"bad one-hot length", 2, 3, nil, make([]float32, 5), "len(y1hot)=5"},
	} {
		if _, err := c.Targets(tc.N, tc.k, tc.y, tc.y1hot); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
	passthrough := []float32{0, 1, 1, 0}
	if got, err := c.Targets(2, 2, nil, passthrough); err != nil || &got[0] != &passthrough[0] {
		t.Errorf("y1hot not passed through: %v", err)
	}
}

func TestFingerprintSeesChanges(t *testing.T) {
	x := make([]float32, 100000)
	a := Fingerprint(x)
	// Every single-value edit is seen, wherever it is (an earlier sampled
	// fingerprint missed edits between its samples).
	for _, i := range []int{0, 1, 7, 12345, 50001, len(x) - 2, len(x) - 1} {
		x[i] = 1
		if Fingerprint(x) == a {
			t.Errorf("change of x[%d] not seen", i)
		}
		x[i] = 0
	}
	if Fingerprint(x) != a {
		t.Error("same contents, different fingerprint")
	}
	x[3] = float32(math.Copysign(0, -1)) // -0 == 0, but it is other data
	if Fingerprint(x) == a {
		t.Error("-0 not told from +0")
	}
}

// A large slice edited in one value in the middle (one pixel of one image)
// must be uploaded again.
func TestCacheSeesOnePixelEdit(t *testing.T) {
	c := NewCache(testBackend(t), 2)
	defer c.Clear()
	const n, d = 1000, 784
	x := make([]float32, n*d)
	for i := range x {
		x[i] = float32(i%251) / 251
	}
	a, err := c.Float32s(x, n, d)
	if err != nil {
		t.Fatal(err)
	}
	x[7*d+300] = 2
	b, err := c.Float32s(x, n, d)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatal("one-pixel edit of a 1000×784 slice served the stale device copy")
	}
	if got := b.Value().([][]float32)[7][300]; got != 2 {
		t.Fatalf("uploaded value %v, want 2", got)
	}
}

func BenchmarkFingerprintMNIST(b *testing.B) {
	x := make([]float32, 60000*784)
	b.SetBytes(int64(len(x) * 4))
	for b.Loop() {
		Fingerprint(x)
	}
}
