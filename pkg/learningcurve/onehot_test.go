package learningcurve

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"feedforward.dev/feedforward/pkg/activations"
	"feedforward.dev/feedforward/pkg/mnist"
	"feedforward.dev/feedforward/pkg/mode"
)

// TestOneHotRoundTripsOnTheLabelsUsed encodes the very labels a sweep trains
// and validates on — the training subsets of the homework's grid, the
// validation hold-out — and the test labels, and checks that the argmax of
// every one-hot row gives its label back.
func TestOneHotRoundTripsOnTheLabelsUsed(t *testing.T) {
	pool, test := loadMNIST(t)
	cfg := DefaultConfig(mode.Full)
	d, err := newSweepData(cfg, pool)
	if err != nil {
		t.Fatal(err)
	}
	largest := slices.Max(cfg.Sizes)
	fit, val, err := d.sets(largest, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The subsets are nested, so the largest holds the labels of every size.
	smaller, _, err := d.sets(cfg.Sizes[0], 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(smaller.Labels, fit.Labels[:smaller.N]) {
		t.Fatal("the training subsets are not nested: size 250 is not the first 250 images of size 10000")
	}
	for _, set := range []struct {
		name   string
		labels []uint8
	}{{"training subset", fit.Labels}, {"validation hold-out", val.Labels}, {"test set", test.Labels}} {
		t.Run(set.name, func(t *testing.T) {
			y1hot, err := OneHot(set.labels, Classes)
			if err != nil {
				t.Fatal(err)
			}
			m, err := activations.NewMatrix(len(set.labels), Classes, y1hot)
			if err != nil {
				t.Fatal(err)
			}
			back, err := activations.ArgMax(m)
			if err != nil {
				t.Fatal(err)
			}
			counts := make([]int, Classes)
			for i, l := range set.labels {
				if back[i] != int(l) {
					t.Fatalf("row %d: argmax %d, label %d", i, back[i], l)
				}
				var sum float32
				for _, v := range m.Row(i) {
					sum += v
				}
				if sum != 1 {
					t.Fatalf("row %d sums to %v, want 1", i, sum)
				}
				counts[l]++
			}
			// Real labels: every digit occurs.
			for c, k := range counts {
				if k == 0 {
					t.Errorf("digit %d never occurs in the %s: not MNIST labels?", c, set.name)
				}
			}
			// The package's encoding agrees with the activations package's.
			ref, err := activations.OneHot[float32](set.labels, Classes)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ref.Data, y1hot) {
				t.Error("OneHot differs from activations.OneHot")
			}
		})
	}
}

func TestOneHotRejectsOutOfRangeLabels(t *testing.T) {
	for _, labels := range [][]uint8{{0, 10}, {255}, {3, 9, 12, 1}} {
		_, err := OneHot(labels, Classes)
		if err == nil || !errors.Is(err, mnist.ErrBadLabel) {
			t.Errorf("OneHot(%v, 10) error = %v, want mnist.ErrBadLabel", labels, err)
		}
		if _, err := activations.OneHot[float32](labels, Classes); !errors.Is(err, activations.ErrLabel) {
			t.Errorf("activations.OneHot(%v, 10) error = %v, want ErrLabel", labels, err)
		}
	}
	if _, err := OneHot([]uint8{0}, 0); err == nil {
		t.Error("OneHot with 0 classes: no error")
	}
	// Labels up to classes-1 are fine.
	if _, err := OneHot([]uint8{0, 9}, Classes); err != nil {
		t.Errorf("OneHot([0 9], 10): %v", err)
	}
}

func TestVerifyOneHotCatchesBadEncodings(t *testing.T) {
	labels := []uint8{3, 0, 9}
	good, err := mnist.OneHot(labels, Classes)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyOneHot(good, labels, Classes); err != nil {
		t.Fatalf("VerifyOneHot of a correct encoding: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(t []float32) []float32
		err    string
	}{
		{"wrong column", func(t []float32) []float32 { t[3], t[4] = 0, 1; return t }, "row 0"},
		{"two ones", func(t []float32) []float32 { t[10+5] = 1; return t }, "row 1"},
		{"a one too small", func(t []float32) []float32 { t[29] = 0.5; return t }, "row 2"},
		{"extra mass", func(t []float32) []float32 { t[0] = 0.25; return t }, "row 0"},
		{"all zeros", func(t []float32) []float32 { t[10] = 0; return t }, "row 1"},
		{"too short", func(t []float32) []float32 { return t[:29] }, "29 values"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := tc.change(slices.Clone(good))
			err := VerifyOneHot(bad, labels, Classes)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("VerifyOneHot = %v, want an error mentioning %q", err, tc.err)
			}
		})
	}
}
