package learningcurve

import (
	"cmp"
	"math"
	"slices"
)

// Summary aggregates the repeats of one shape and training-set size.
type Summary struct {
	// Shape is the network shape, "784,10".
	Shape string
	// TrainSize is the training-set size.
	TrainSize int
	// Runs is the number of repeats aggregated.
	Runs int
	// TrainAcc and TestAcc are the mean accuracies of the selected models.
	TrainAcc, TestAcc float64
	// TrainAccStd and TestAccStd are their sample standard deviations across
	// runs (0 for a single run).
	TrainAccStd, TestAccStd float64
	// TestAccMin and TestAccMax are the extreme test accuracies across runs.
	TestAccMin, TestAccMax float64
	// EpochsTrained, BestEpoch and Seconds are means across runs.
	EpochsTrained, BestEpoch, Seconds float64
}

// Gap returns the generalisation gap, TrainAcc − TestAcc.
func (s Summary) Gap() float64 { return s.TrainAcc - s.TestAcc }

// Summarize groups points by shape (in order of first appearance) and size
// (ascending) and aggregates their repeats.
func Summarize(points []Point) []Summary {
	groups := map[string]map[int][]Point{}
	var shapes []string
	for _, p := range points {
		if groups[p.Shape] == nil {
			groups[p.Shape] = map[int][]Point{}
			shapes = append(shapes, p.Shape)
		}
		groups[p.Shape][p.TrainSize] = append(groups[p.Shape][p.TrainSize], p)
	}
	var out []Summary
	for _, shape := range shapes {
		var sizes []int
		for n := range groups[shape] {
			sizes = append(sizes, n)
		}
		slices.Sort(sizes)
		for _, n := range sizes {
			out = append(out, summarize(groups[shape][n]))
		}
	}
	return out
}

func summarize(ps []Point) Summary {
	s := Summary{Shape: ps[0].Shape, TrainSize: ps[0].TrainSize, Runs: len(ps), TestAccMin: math.Inf(1), TestAccMax: math.Inf(-1)}
	train, test := make([]float64, len(ps)), make([]float64, len(ps))
	for i, p := range ps {
		train[i], test[i] = p.TrainAcc, p.TestAcc
		s.EpochsTrained += float64(p.EpochsTrained) / float64(len(ps))
		s.BestEpoch += float64(p.BestEpoch) / float64(len(ps))
		s.Seconds += p.Seconds / float64(len(ps))
		s.TestAccMin = min(s.TestAccMin, p.TestAcc)
		s.TestAccMax = max(s.TestAccMax, p.TestAcc)
	}
	s.TrainAcc, s.TrainAccStd = meanStd(train)
	s.TestAcc, s.TestAccStd = meanStd(test)
	return s
}

// meanStd returns the mean and the sample standard deviation (0 for fewer than two values).
func meanStd(v []float64) (mean, std float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	if len(v) < 2 {
		return mean, 0
	}
	for _, x := range v {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(v)-1))
}

// Curve returns the summaries of one shape, by ascending size.
func (r *Result) Curve(shape []int) []Summary {
	name := FormatShape(shape)
	var ps []Point
	for _, p := range r.Points {
		if p.Shape == name {
			ps = append(ps, p)
		}
	}
	return Summarize(ps)
}

// Overtakes compares two curves on the sizes they share and reports where
// curve b's test accuracy gets ahead of curve a's: first is the smallest size
// at which b is ahead, and from is the smallest size from which b is ahead at
// every larger shared size too (the crossover that lasts). Both are 0 when b is
// never ahead; from is 0 when b is behind or level at the largest shared size.
func Overtakes(a, b []Summary) (first, from int) {
	bs := map[int]Summary{}
	for _, s := range b {
		bs[s.TrainSize] = s
	}
	var sizes []int
	var ahead []bool
	for _, s := range slices.SortedFunc(slices.Values(a), func(x, y Summary) int { return cmp.Compare(x.TrainSize, y.TrainSize) }) {
		if t, ok := bs[s.TrainSize]; ok {
			sizes = append(sizes, s.TrainSize)
			ahead = append(ahead, t.TestAcc > s.TestAcc)
		}
	}
	for i, ok := range ahead {
		if ok {
			first = sizes[i]
			break
		}
	}
	for i := len(ahead) - 1; i >= 0 && ahead[i]; i-- {
		from = sizes[i]
	}
	return first, from
}
