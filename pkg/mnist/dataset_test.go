package mnist

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// indexed returns a dataset of n images of 2×3 pixels whose every pixel holds
// the image's index, with label index%10, so that subsets reveal which
// examples they hold.
func indexed(n int) *Dataset {
	d := &Dataset{Images: make([]float32, n*6), Labels: make([]uint8, n), N: n, Rows: 2, Cols: 3}
	for i := range n {
		for j := range 6 {
			d.Images[i*6+j] = float32(i)
		}
		d.Labels[i] = uint8(i % 10)
	}
	return d
}

// indices recovers the example indices held by a subset of indexed, checking
// that each example is intact.
func indices(t *testing.T, d *Dataset) []int {
	t.Helper()
	if len(d.Images) != d.N*6 || len(d.Labels) != d.N || d.Rows != 2 || d.Cols != 3 {
		t.Fatalf("malformed subset: N=%d %d×%d len(Images)=%d len(Labels)=%d", d.N, d.Rows, d.Cols, len(d.Images), len(d.Labels))
	}
	idx := make([]int, d.N)
	for k := range d.N {
		img := d.Image(k)
		i := int(img[0])
		for _, p := range img {
			if p != img[0] {
				t.Fatalf("example %d mixes pixels of several images: %v", k, img)
			}
		}
		if d.Labels[k] != uint8(i%10) {
			t.Fatalf("example %d (image %d) has label %d, want %d", k, i, d.Labels[k], i%10)
		}
		idx[k] = i
	}
	return idx
}

func TestFeaturesAndImage(t *testing.T) {
	d := indexed(4)
	if d.Features() != 6 {
		t.Errorf("Features() = %d, want 6", d.Features())
	}
	img := d.Image(2)
	if len(img) != 6 || cap(img) != 6 || img[0] != 2 {
		t.Fatalf("Image(2) = %v (cap %d)", img, cap(img))
	}
	_ = append(img, 99)
	if d.Images[18] != 3 {
		t.Error("appending to Image(2) overwrote image 3")
	}
	img[0] = 42
	if d.Images[12] != 42 {
		t.Error("Image(2) is not a view of d.Images")
	}
	for _, i := range []int{-1, 4} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), "out of range") {
					t.Errorf("Image(%d) panicked with %v, want an out-of-range message", i, r)
				}
			}()
			d.Image(i)
		}()
	}
	if s := d.String(); !strings.Contains(s, "4 images of 2×3") {
		t.Errorf("String() = %q", s)
	}
}

func TestFirst(t *testing.T) {
	d := indexed(10)
	for _, n := range []int{0, 1, 7, 10} {
		f, err := d.First(n)
		if err != nil {
			t.Fatal(err)
		}
		got := indices(t, f)
		for i, g := range got {
			if g != i {
				t.Fatalf("First(%d) holds %v, want 0..%d in order", n, got, n-1)
			}
		}
	}
	f, _ := d.First(3)
	f.Images[0], f.Labels[0] = -5, 7
	if d.Images[0] != 0 || d.Labels[0] != 0 {
		t.Error("First shares memory with its receiver")
	}
}

// TestSubsetErrors covers bad arguments and bad datasets for First, Sample and Split.
func TestSubsetErrors(t *testing.T) {
	methods := map[string]func(d *Dataset, n int) error{
		"First":  func(d *Dataset, n int) error { _, err := d.First(n); return err },
		"Sample": func(d *Dataset, n int) error { _, err := d.Sample(n, 1); return err },
		"Split":  func(d *Dataset, n int) error { _, _, err := d.Split(n, 1); return err },
	}
	short := indexed(5)
	short.Labels = short.Labels[:4]
	negative := indexed(5)
	negative.Rows = -2
	tests := []struct {
		name string
		d    *Dataset
		n    int
		want string
	}{
		{"negative n", indexed(5), -1, "ask for 0 to 5"},
		{"n above N", indexed(5), 6, "ask for 0 to 5"},
		{"nil dataset", nil, 1, "nil *Dataset"},
		{"inconsistent", short, 1, "inconsistent"},
		{"negative shape", negative, 1, "negative"},
	}
	for _, tc := range tests {
		for name, method := range methods {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				err := method(tc.d, tc.n)
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), name) {
					t.Errorf("error = %v, want one naming %s and saying %q", err, name, tc.want)
				}
			})
		}
	}
}

func TestSampleAndSplit(t *testing.T) {
	const n = 1000
	d := indexed(n)
	for _, k := range []int{0, 1, 10, 500, 999, 1000} {
		for _, seed := range []uint64{0, 1, 42, math.MaxUint64} {
			s1, err := d.Sample(k, seed)
			if err != nil {
				t.Fatal(err)
			}
			s2, _ := d.Sample(k, seed)
			got := indices(t, s1)
			if !slices.Equal(got, indices(t, s2)) {
				t.Fatalf("Sample(%d, %d) differs between calls", k, seed)
			}
			seen := make(map[int]bool)
			for _, i := range got {
				if i < 0 || i >= n || seen[i] {
					t.Fatalf("Sample(%d, %d) holds %d twice or out of range", k, seed, i)
				}
				seen[i] = true
			}
			a, b, err := d.Split(k, seed)
			if err != nil {
				t.Fatal(err)
			}
			ia, ib := indices(t, a), indices(t, b)
			if a.N != k || b.N != n-k {
				t.Fatalf("Split(%d) sizes %d and %d", k, a.N, b.N)
			}
			if !slices.Equal(ia, got) {
				t.Fatalf("Split(%d, %d)'s first part differs from Sample(%d, %d)", k, seed, k, seed)
			}
			all := slices.Sorted(slices.Values(append(ia, ib...)))
			for i, v := range all {
				if v != i {
					t.Fatalf("Split(%d, %d) does not hold every example exactly once", k, seed)
				}
			}
		}
	}
	// Different seeds give different samples; a sample of the whole set is a shuffle.
	a, _ := d.Sample(50, 1)
	b, _ := d.Sample(50, 2)
	if slices.Equal(indices(t, a), indices(t, b)) {
		t.Error("seeds 1 and 2 give the same sample")
	}
	all, _ := d.Sample(n, 3)
	if slices.IsSorted(indices(t, all)) {
		t.Error("Sample(N, 3) is not shuffled")
	}
	// Copies: changing a sample leaves the receiver alone.
	a.Images[0] = -1
	if slices.Contains(d.Images, -1) {
		t.Error("Sample shares memory with its receiver")
	}
}

// TestSampleUniform checks over many seeds that every example is equally
// likely to be drawn at every position.
func TestSampleUniform(t *testing.T) {
	const n, k, trials = 7, 3, 21000
	d := indexed(n)
	var counts [k][n]int
	for seed := range uint64(trials) {
		s, err := d.Sample(k, seed)
		if err != nil {
			t.Fatal(err)
		}
		for pos, i := range indices(t, s) {
			counts[pos][i]++
		}
	}
	want := float64(trials) / n // 3000; the binomial standard deviation is about 51
	for pos := range counts {
		for i, c := range counts[pos] {
			if math.Abs(float64(c)-want) > 6*math.Sqrt(want*(1-1.0/n)) {
				t.Errorf("example %d drawn %d times at position %d, want about %.0f", i, c, pos, want)
			}
		}
	}
}

func TestOneHot(t *testing.T) {
	labels := []uint8{3, 0, 9, 9, 1}
	for _, classes := range []int{10, 12} {
		y, err := OneHot(labels, classes)
		if err != nil {
			t.Fatal(err)
		}
		if len(y) != len(labels)*classes {
			t.Fatalf("len = %d, want %d", len(y), len(labels)*classes)
		}
		for i, l := range labels {
			row := y[i*classes : (i+1)*classes]
			var sum float32
			for _, v := range row {
				sum += v
			}
			if argmax := slices.Index(row, slices.Max(row)); argmax != int(l) || sum != 1 {
				t.Errorf("row %d = %v: argmax %d, sum %v; want argmax %d, sum 1", i, row, argmax, sum, l)
			}
		}
	}
	if y, err := OneHot(nil, 10); err != nil || len(y) != 0 {
		t.Errorf("OneHot(nil) = %v, %v", y, err)
	}
	tests := []struct {
		name    string
		labels  []uint8
		classes int
		want    string
	}{
		{"label equals classes", []uint8{1, 10, 2}, 10, "labels[1]=10"},
		{"label above classes", []uint8{200}, 10, "labels[0]=200"},
		{"two classes", []uint8{0, 1, 2}, 2, "labels[2]=2"},
		{"zero classes", []uint8{0}, 0, "classes=0"},
		{"negative classes", nil, -3, "classes=-3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := OneHot(tc.labels, tc.classes)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one saying %q", err, tc.want)
			}
			if tc.classes > 0 && !errors.Is(err, ErrBadLabel) {
				t.Errorf("error %v does not wrap ErrBadLabel", err)
			}
		})
	}
}
