package learningcurve

import (
	"math"
	"testing"
)

func TestEarlyStop(t *testing.T) {
	nan := math.NaN()
	type obs struct{ acc, loss float64 }
	for _, tc := range []struct {
		name                 string
		patience, maxEpochs  int
		minLossDecrease      float64
		seq                  []obs
		wantEpochs, wantBest int
		wantBy               string
		wantImproved         []bool // per observed epoch
	}{
		{
			name: "steady improvement hits the cap", patience: 2, maxEpochs: 4,
			seq:        []obs{{0.5, 2}, {0.6, 1.5}, {0.7, 1.2}, {0.8, 1.0}, {0.9, 0.9}},
			wantEpochs: 4, wantBest: 4, wantBy: StoppedByMaxEpochs,
			wantImproved: []bool{true, true, true, true},
		},
		{
			name: "accuracy and loss stall: patience", patience: 2, maxEpochs: 100,
			seq:        []obs{{0.5, 2}, {0.7, 1}, {0.6, 1.1}, {0.7, 1.2}, {0.9, 0.5}},
			wantEpochs: 4, wantBest: 2, wantBy: StoppedByPatience,
			wantImproved: []bool{true, true, false, false},
		},
		{
			name: "plateau: accuracy stalls but the loss falls", patience: 2, maxEpochs: 100,
			seq:        []obs{{0.1, 2.30}, {0.1, 2.25}, {0.1, 2.20}, {0.1, 2.10}, {0.3, 1.9}, {0.3, 1.95}, {0.3, 1.96}},
			wantEpochs: 7, wantBest: 5, wantBy: StoppedByPatience,
			// Equal accuracy with a lower loss is a better model too.
			wantImproved: []bool{true, true, true, true, true, false, false},
		},
		{
			name: "loss decrease below the tolerance is no progress", patience: 2, maxEpochs: 100, minLossDecrease: 0.01,
			seq:        []obs{{0.8, 1.0}, {0.8, 0.999}, {0.8, 0.998}, {0.8, 0.5}},
			wantEpochs: 3, wantBest: 3, wantBy: StoppedByPatience,
			wantImproved: []bool{true, true, true},
		},
		{
			name: "NaN never improves", patience: 2, maxEpochs: 100,
			seq:        []obs{{0.5, 1}, {nan, nan}, {nan, nan}, {0.9, 0.1}},
			wantEpochs: 3, wantBest: 1, wantBy: StoppedByPatience,
			wantImproved: []bool{true, false, false},
		},
		{
			name: "NaN first", patience: 3, maxEpochs: 100,
			seq:        []obs{{nan, nan}, {0.2, 2}, {0.3, 1}, {0.3, 1}, {0.3, 1}, {0.3, 1}},
			wantEpochs: 6, wantBest: 3, wantBy: StoppedByPatience,
			wantImproved: []bool{false, true, true, false, false, false},
		},
		{
			name: "one epoch", patience: 5, maxEpochs: 1,
			seq:        []obs{{0.5, 1}, {0.9, 0.1}},
			wantEpochs: 1, wantBest: 1, wantBy: StoppedByMaxEpochs,
			wantImproved: []bool{true},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &EarlyStop{Patience: tc.patience, MaxEpochs: tc.maxEpochs, MinLossDecrease: tc.minLossDecrease}
			if err := e.check(); err != nil {
				t.Fatal(err)
			}
			var improved []bool
			for i, o := range tc.seq {
				imp, stop := e.Observe(i+1, o.acc, o.loss)
				improved = append(improved, imp)
				if e.StoppedBy() != "" != stop {
					t.Errorf("epoch %d: stop=%v but StoppedBy()=%q", i+1, stop, e.StoppedBy())
				}
				if stop {
					// Further calls change nothing.
					if imp2, stop2 := e.Observe(i+2, 1, 0); imp2 || !stop2 {
						t.Errorf("Observe after stop = (%v, %v), want (false, true)", imp2, stop2)
					}
					break
				}
			}
			if e.Epoch() != tc.wantEpochs || e.BestEpoch() != tc.wantBest || e.StoppedBy() != tc.wantBy {
				t.Errorf("stopped after %d epochs (best %d, by %q), want %d (best %d, by %q)",
					e.Epoch(), e.BestEpoch(), e.StoppedBy(), tc.wantEpochs, tc.wantBest, tc.wantBy)
			}
			if len(improved) != len(tc.wantImproved) {
				t.Fatalf("observed %d epochs, want %d", len(improved), len(tc.wantImproved))
			}
			for i := range improved {
				if improved[i] != tc.wantImproved[i] {
					t.Errorf("epoch %d: improved=%v, want %v", i+1, improved[i], tc.wantImproved[i])
				}
			}
			if got, want := e.Best(), tc.seq[tc.wantBest-1].acc; got != want {
				t.Errorf("Best() = %v, want the accuracy of epoch %d, %v", got, tc.wantBest, want)
			}
		})
	}
}

func TestEarlyStopSparseEpochs(t *testing.T) {
	// Validation every 4 epochs: patience counts epochs, not validations.
	e := &EarlyStop{Patience: 5, MaxEpochs: 30}
	steps := []struct {
		epoch     int
		acc, loss float64
		stop      bool
	}{
		{4, 0.5, 1, false}, {8, 0.6, 0.9, false}, {12, 0.6, 0.95, false}, {16, 0.55, 1.0, true},
	}
	for _, s := range steps {
		if _, stop := e.Observe(s.epoch, s.acc, s.loss); stop != s.stop {
			t.Fatalf("epoch %d: stop=%v, want %v", s.epoch, stop, s.stop)
		}
	}
	if e.BestEpoch() != 8 || e.Epoch() != 16 || e.StoppedBy() != StoppedByPatience || e.LastProgress() != 8 {
		t.Errorf("best %d, last %d, progress %d, by %q", e.BestEpoch(), e.Epoch(), e.LastProgress(), e.StoppedBy())
	}
	// A non-increasing epoch is refused.
	e2 := &EarlyStop{Patience: 5, MaxEpochs: 30}
	e2.Observe(3, 0.5, 1)
	if imp, stop := e2.Observe(3, 0.9, 0.1); imp || !stop {
		t.Errorf("repeated epoch: (%v, %v), want (false, true)", imp, stop)
	}
	// The cap applies to the epoch number.
	e3 := &EarlyStop{Patience: 50, MaxEpochs: 10}
	if _, stop := e3.Observe(12, 0.5, 1); !stop || e3.StoppedBy() != StoppedByMaxEpochs {
		t.Errorf("epoch beyond the cap did not stop: %q", e3.StoppedBy())
	}
}

func TestEarlyStopCheck(t *testing.T) {
	for _, e := range []EarlyStop{
		{Patience: 0, MaxEpochs: 10},
		{Patience: 1, MaxEpochs: 0},
		{Patience: 1, MaxEpochs: 1, MinLossDecrease: -0.1},
		{Patience: 1, MaxEpochs: 1, MinLossDecrease: 1},
		{Patience: 1, MaxEpochs: 1, MinLossDecrease: math.NaN()},
	} {
		if err := e.check(); err == nil {
			t.Errorf("%+v: check() = nil, want an error", e)
		}
	}
}
