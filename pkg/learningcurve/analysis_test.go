package learningcurve

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	r := fakeResult()
	all := Summarize(r.Points)
	if len(all) != 6 {
		t.Fatalf("%d summaries, want 6 (2 shapes × 3 sizes)", len(all))
	}
	s := all[0]
	if s.Shape != "784,10" || s.TrainSize != 250 || s.Runs != 2 {
		t.Fatalf("first summary %+v", s)
	}
	if math.Abs(s.TestAcc-0.81) > 1e-12 || math.Abs(s.TestAccStd-math.Sqrt(0.0002)) > 1e-12 {
		t.Errorf("test accuracy %v ± %v, want 0.81 ± %v", s.TestAcc, s.TestAccStd, math.Sqrt(0.0002))
	}
	if s.TestAccMin != 0.80 || s.TestAccMax != 0.82 {
		t.Errorf("min/max %v/%v", s.TestAccMin, s.TestAccMax)
	}
	if math.Abs(s.Gap()-(s.TrainAcc-s.TestAcc)) > 0 || s.Gap() <= 0 {
		t.Errorf("Gap() = %v", s.Gap())
	}
	if all[1].TestAccStd != 0 {
		t.Errorf("equal repeats have std %v", all[1].TestAccStd)
	}
	deep := r.Curve(Deep)
	if len(deep) != 3 || deep[0].Shape != "784,300,100,10" || deep[2].TrainSize != 4000 {
		t.Errorf("Curve(Deep) = %+v", deep)
	}
	one := Summarize([]Point{fakePoint(Shallow, 10, 0, 1, 0.5)})
	if one[0].TestAccStd != 0 || one[0].Runs != 1 {
		t.Errorf("a single run: %+v", one[0])
	}
}

func TestOvertakes(t *testing.T) {
	curve := func(accs ...float64) []Summary {
		var s []Summary
		for i, a := range accs {
			s = append(s, Summary{TrainSize: 250 * (i + 1), TestAcc: a})
		}
		return s
	}
	for _, tc := range []struct {
		name        string
		a, b        []Summary
		first, from int
	}{
		{"behind then ahead", curve(0.8, 0.85, 0.88, 0.9), curve(0.7, 0.86, 0.9, 0.95), 500, 500},
		{"ahead, behind, ahead", curve(0.8, 0.85, 0.88, 0.9), curve(0.81, 0.84, 0.9, 0.95), 250, 750},
		{"always ahead", curve(0.8, 0.85), curve(0.9, 0.9), 250, 250},
		{"never ahead", curve(0.8, 0.85), curve(0.7, 0.85), 0, 0},
		{"ahead but not at the end", curve(0.8, 0.85, 0.9), curve(0.81, 0.86, 0.89), 250, 0},
		{"only shared sizes count", curve(0.8, 0.85, 0.9), curve(0.7, 0.9)[1:], 500, 500},
		{"empty", nil, curve(0.9), 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first, from := Overtakes(tc.a, tc.b)
			if first != tc.first || from != tc.from {
				t.Errorf("Overtakes = (%d, %d), want (%d, %d)", first, from, tc.first, tc.from)
			}
		})
	}
}

// accCurve returns summaries at sizes 250, 500, … with the given test accuracies.
func accCurve(accs ...float64) []Summary {
	var s []Summary
	for i, a := range accs {
		s = append(s, Summary{TrainSize: 250 * (i + 1), TestAcc: a, Runs: 1})
	}
	return s
}

func TestCompare(t *testing.T) {
	for _, tc := range []struct {
		name      string
		a, b      []Summary
		tol       float64
		standings []Standing
		aheadFrom int
		sentence  string
	}{
		{
			name: "behind, then ahead for good", a: accCurve(0.8116, 0.8465, 0.8740, 0.8921), b: accCurve(0.8118, 0.8358, 0.8806, 0.9014), tol: 0.005,
			standings: []Standing{Level, Behind, Ahead, Ahead}, aheadFrom: 750,
			sentence: "deep overtakes shallow: it is ahead by more than 0.5 points at every size from n = 750 on (by +0.66 to +0.93 points); below that it is level at n = 250 (+0.02) and behind at n = 500 (-1.07).",
		},
		{
			name: "ahead everywhere", a: accCurve(0.80, 0.85), b: accCurve(0.82, 0.90), tol: 0.005,
			standings: []Standing{Ahead, Ahead}, aheadFrom: 250,
			sentence: "deep is ahead of shallow by more than 0.5 points at every size: n = 250 (+2.00) and n = 500 (+5.00).",
		},
		{
			name: "ahead only at the last size", a: accCurve(0.80, 0.85, 0.88), b: accCurve(0.80, 0.84, 0.90), tol: 0.005,
			standings: []Standing{Level, Behind, Ahead}, aheadFrom: 750,
			sentence: "deep overtakes shallow: it is ahead by more than 0.5 points at every size from n = 750 on (+2.00 points); below that it is level at n = 250 (+0.00) and behind at n = 500 (-1.00).",
		},
		{
			name: "level everywhere", a: accCurve(0.80, 0.85), b: accCurve(0.803, 0.848), tol: 0.005,
			standings: []Standing{Level, Level}, aheadFrom: 0,
			sentence: "deep and shallow are level (within 0.5 points) at every size: n = 250 (+0.30) and n = 500 (-0.20).",
		},
		{
			name: "never ahead", a: accCurve(0.80, 0.85), b: accCurve(0.70, 0.85), tol: 0.005,
			standings: []Standing{Behind, Level}, aheadFrom: 0,
			sentence: "deep never gets ahead of shallow by more than 0.5 points: it is level at n = 500 (+0.00) and behind at n = 250 (-10.00).",
		},
		{
			name: "ahead, then not at the end", a: accCurve(0.80, 0.85, 0.90), b: accCurve(0.82, 0.86, 0.89), tol: 0.005,
			standings: []Standing{Ahead, Ahead, Behind}, aheadFrom: 0,
			sentence: "deep does not stay ahead of shallow: at the largest size, n = 750, it is behind (-1.00 points); over all sizes it is ahead at n = 250 (+2.00) and n = 500 (+1.00) and behind at n = 750 (-1.00).",
		},
		{
			name: "zero tolerance is strict", a: accCurve(0.80, 0.85), b: accCurve(0.80, 0.8501), tol: 0,
			standings: []Standing{Level, Ahead}, aheadFrom: 500,
			sentence: "deep overtakes shallow: it is ahead by more than 0 points at every size from n = 500 on (+0.01 points); below that it is level at n = 250 (+0.00).",
		},
		{
			name: "only shared sizes count", a: accCurve(0.80, 0.85, 0.90), b: accCurve(0.7, 0.95)[1:], tol: 0.005,
			standings: []Standing{Ahead}, aheadFrom: 500,
			sentence: "deep is ahead of shallow by more than 0.5 points at every size: n = 500 (+10.00).",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Compare(tc.a, tc.b, tc.tol)
			if err != nil {
				t.Fatal(err)
			}
			var got []Standing
			for _, sc := range c.Sizes {
				got = append(got, sc.Standing)
				if math.Abs(sc.Diff-(sc.B.TestAcc-sc.A.TestAcc)) > 1e-15 {
					t.Errorf("n=%d: Diff %v", sc.TrainSize, sc.Diff)
				}
			}
			if !slices.Equal(got, tc.standings) {
				t.Errorf("standings %v, want %v", got, tc.standings)
			}
			if f := c.AheadFrom(); f != tc.aheadFrom {
				t.Errorf("AheadFrom() = %d, want %d", f, tc.aheadFrom)
			}
			if s := c.Crossover("shallow", "deep"); s != tc.sentence {
				t.Errorf("Crossover:\n got %s\nwant %s", s, tc.sentence)
			}
			// AheadFrom agrees with Overtakes at zero tolerance.
			if tc.tol == 0 {
				if _, from := Overtakes(tc.a, tc.b); from != c.AheadFrom() {
					t.Errorf("Overtakes says from %d, Compare %d", from, c.AheadFrom())
				}
			}
		})
	}
}

func TestCompareErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b []Summary
		tol  float64
		want string
	}{
		{"no shared size", accCurve(0.8), accCurve(0.8, 0.9)[1:], 0.005, "share no training-set size"},
		{"empty", nil, accCurve(0.9), 0.005, "share no training-set size"},
		{"negative tolerance", accCurve(0.8), accCurve(0.8), -0.01, "tolerance"},
		{"NaN tolerance", accCurve(0.8), accCurve(0.8), math.NaN(), "tolerance"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compare(tc.a, tc.b, tc.tol)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestSizeComparisonSpread(t *testing.T) {
	sc := SizeComparison{A: Summary{Runs: 3, TestAccStd: 0.003}, B: Summary{Runs: 4, TestAccStd: 0.004}}
	if got := sc.RunSpread(); math.Abs(got-0.005) > 1e-15 {
		t.Errorf("RunSpread() = %v, want 0.005", got)
	}
	if got, want := sc.MeanSE(), math.Sqrt(0.003*0.003/3+0.004*0.004/4); math.Abs(got-want) > 1e-15 {
		t.Errorf("MeanSE() = %v, want %v", got, want)
	}
	if single := (SizeComparison{A: Summary{Runs: 1}, B: Summary{Runs: 1}}); single.RunSpread() != 0 || single.MeanSE() != 0 {
		t.Errorf("single runs: spread %v, SE %v", single.RunSpread(), single.MeanSE())
	}
}

func TestTrend(t *testing.T) {
	gap := func(s Summary) float64 { return s.TestAcc }
	for _, tc := range []struct {
		name         string
		c            []Summary
		rises, falls []int
		first, last  float64
		lo, hi       float64
	}{
		{"falls at every size", accCurve(0.5, 0.4, 0.3), nil, []int{500, 750}, 0.5, 0.3, 0.3, 0.5},
		{"a dip", accCurve(0.9, 0.8, 0.95, 0.95), []int{750}, []int{500}, 0.9, 0.95, 0.8, 0.95},
		{"unsorted input", []Summary{{TrainSize: 500, TestAcc: 0.2}, {TrainSize: 250, TestAcc: 0.1}}, []int{500}, nil, 0.1, 0.2, 0.1, 0.2},
		{"one size", accCurve(0.7), nil, nil, 0.7, 0.7, 0.7, 0.7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := Trend(tc.c, gap)
			if !slices.Equal(ch.Rises, tc.rises) || !slices.Equal(ch.Falls, tc.falls) {
				t.Errorf("rises %v falls %v, want %v and %v", ch.Rises, ch.Falls, tc.rises, tc.falls)
			}
			if ch.First() != tc.first || ch.Last() != tc.last {
				t.Errorf("first %v last %v, want %v and %v", ch.First(), ch.Last(), tc.first, tc.last)
			}
			if lo, hi := ch.Range(); lo != tc.lo || hi != tc.hi {
				t.Errorf("range %v–%v, want %v–%v", lo, hi, tc.lo, tc.hi)
			}
		})
	}
	empty := Trend(nil, gap)
	if !math.IsNaN(empty.First()) || !math.IsNaN(empty.Last()) {
		t.Errorf("empty trend: first %v last %v, want NaN", empty.First(), empty.Last())
	}
	if _, _, ok := empty.Between(1000); ok {
		t.Error("empty trend: Between reports ok")
	}
	// Summary.Gap works as the quantity.
	if ch := Trend(Summarize(fakeResult().Points), Summary.Gap); len(ch.Values) != 6 {
		t.Errorf("Trend over Summary.Gap: %d values", len(ch.Values))
	}
}

func TestChangeBetween(t *testing.T) {
	ch := Trend(accCurve(0.80, 0.85, 0.88, 0.90), func(s Summary) float64 { return s.TestAcc })
	for _, tc := range []struct {
		from  int
		delta float64
		at    int
		ok    bool
	}{
		{500, 0.05, 500, true},
		{600, 0.05, 500, true},
		{250, 0.10, 250, true},
		{1000, 0.02, 750, true}, // the largest size is never the start
		{100, 0, 0, false},
	} {
		delta, at, ok := ch.Between(tc.from)
		if ok != tc.ok || at != tc.at || math.Abs(delta-tc.delta) > 1e-12 {
			t.Errorf("Between(%d) = %v, %d, %v; want %v, %d, %v", tc.from, delta, at, ok, tc.delta, tc.at, tc.ok)
		}
	}
}

func TestUnconverged(t *testing.T) {
	p := func(best, trained int, by string) Point {
		q := fakePoint(Deep, 250*best, 0, 1, 0.8)
		q.BestEpoch, q.EpochsTrained, q.StoppedBy = best, trained, by
		return q
	}
	points := []Point{p(40, 40, StoppedByMaxEpochs), p(23, 40, StoppedByMaxEpochs), p(26, 34, StoppedByPatience), p(40, 40, StoppedByMaxEpochs)}
	got := Unconverged(points, 40)
	if len(got) != 2 || got[0].BestEpoch != 40 || got[1].BestEpoch != 40 {
		t.Errorf("Unconverged = %+v, want the two points selected at epoch 40", got)
	}
	if got := Unconverged(points, 200); len(got) != 0 {
		t.Errorf("cap 200: %d unconverged points", len(got))
	}
}

func TestReplay(t *testing.T) {
	// The deep network's plateau: the accuracy stalls while the loss falls,
	// then rises; the run's own rule (patience 3, loss counts) trained on.
	plateau := History{
		Epochs:  []int{1, 2, 3, 4, 5, 6, 7, 8, 9},
		ValAcc:  []float64{0.11, 0.11, 0.11, 0.11, 0.40, 0.80, 0.85, 0.84, 0.84},
		ValLoss: []float64{2.30, 2.20, 2.10, 2.00, 1.50, 0.80, 0.60, 0.65, 0.70},
	}
	sparse := History{Epochs: []int{4, 8, 12, 16, 20}, ValAcc: []float64{0.2, 0.5, 0.5, 0.5, 0.6}, ValLoss: []float64{2, 1.5, 1.4, 1.3, 1.2}}
	for _, tc := range []struct {
		name         string
		h            History
		rule         EarlyStop
		accuracyOnly bool
		want         Replayed
	}{
		{"accuracy alone stops on the plateau", plateau, EarlyStop{Patience: 3, MaxEpochs: 100, MinLossDecrease: 1e-3}, true,
			Replayed{Epoch: 4, BestEpoch: 1, BestValAcc: 0.11, StoppedBy: StoppedByPatience}},
		{"the loss keeps it going", plateau, EarlyStop{Patience: 3, MaxEpochs: 100, MinLossDecrease: 1e-3}, false,
			Replayed{Epoch: 9, BestEpoch: 7, BestValAcc: 0.85, StoppedBy: ""}},
		{"a smaller cap", plateau, EarlyStop{Patience: 3, MaxEpochs: 6}, false,
			Replayed{Epoch: 6, BestEpoch: 6, BestValAcc: 0.80, StoppedBy: StoppedByMaxEpochs}},
		{"patience counts epochs, not validations", sparse, EarlyStop{Patience: 8, MaxEpochs: 100}, true,
			Replayed{Epoch: 16, BestEpoch: 8, BestValAcc: 0.5, StoppedBy: StoppedByPatience}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Replay(tc.h, tc.rule, tc.accuracyOnly)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Replay = %+v, want %+v", got, tc.want)
			}
		})
	}
	if _, err := Replay(History{Epochs: []int{1}, ValAcc: []float64{0.5}}, EarlyStop{Patience: 1, MaxEpochs: 1}, false); err == nil {
		t.Error("a history without losses was accepted")
	}
	if _, err := Replay(plateau, EarlyStop{}, false); err == nil {
		t.Error("a rule with zero patience was accepted")
	}
}

func ExampleComparison_Crossover() {
	shallow := []Summary{{TrainSize: 250, TestAcc: 0.812}, {TrainSize: 500, TestAcc: 0.847}, {TrainSize: 1000, TestAcc: 0.874}, {TrainSize: 2000, TestAcc: 0.892}}
	deep := []Summary{{TrainSize: 250, TestAcc: 0.810}, {TrainSize: 500, TestAcc: 0.836}, {TrainSize: 1000, TestAcc: 0.881}, {TrainSize: 2000, TestAcc: 0.901}}
	c, err := Compare(shallow, deep, 0.005) // differences up to half a point are "level"
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Crossover("the shallow network", "the deep network"))
	// Output:
	// the deep network overtakes the shallow network: it is ahead by more than 0.5 points at every size from n = 1000 on (by +0.70 to +0.90 points); below that it is level at n = 250 (-0.20) and behind at n = 500 (-1.10).
}
