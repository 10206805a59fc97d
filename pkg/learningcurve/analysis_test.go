package learningcurve

import (
	"math"
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
