package learningcurve

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"feedforward.dev/feedforward/internal/prose"
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

// Standing says where one curve's test accuracy stands against another's at
// one training-set size, up to a tolerance.
type Standing int

// The standings of curve B against curve A.
const (
	Behind Standing = -1 // B's test accuracy is lower by more than the tolerance
	Level  Standing = 0  // the two differ by at most the tolerance
	Ahead  Standing = 1  // B's test accuracy is higher by more than the tolerance
)

// String returns "behind", "level" or "ahead".
func (s Standing) String() string {
	switch s {
	case Behind:
		return "behind"
	case Ahead:
		return "ahead"
	}
	return "level"
}

// SizeComparison compares two curves at one training-set size.
type SizeComparison struct {
	// TrainSize is the training-set size.
	TrainSize int
	// A and B are the two curves' summaries at this size.
	A, B Summary
	// Diff is B.TestAcc − A.TestAcc.
	Diff float64
	// Standing is B's standing against A: Ahead when Diff exceeds the
	// comparison's tolerance, Behind when it is below minus the tolerance.
	Standing Standing
}

// RunSpread returns the standard deviation of the difference between one run
// of B and one independent run of A, √(sd_A² + sd_B²), from the spread across
// repeats (0 when either curve has a single run per size). A difference
// between two single-run points smaller than about twice this is chance.
func (s SizeComparison) RunSpread() float64 {
	return math.Hypot(s.A.TestAccStd, s.B.TestAccStd)
}

// MeanSE returns the standard error of Diff when both summaries average
// several runs, √(sd_A²/runs_A + sd_B²/runs_B) (0 for single runs).
func (s SizeComparison) MeanSE() float64 {
	return math.Sqrt(s.A.TestAccStd*s.A.TestAccStd/float64(max(s.A.Runs, 1)) + s.B.TestAccStd*s.B.TestAccStd/float64(max(s.B.Runs, 1)))
}

// Comparison compares the test accuracy of curve B against curve A on the
// training-set sizes both have, in ascending order. Build it with Compare.
type Comparison struct {
	// Tolerance is the largest absolute difference of test accuracy that
	// counts as Level.
	Tolerance float64
	// Sizes holds one comparison per shared size, by ascending size.
	Sizes []SizeComparison
}

// Compare compares curve b against curve a (summaries as returned by
// Summarize or Result.Curve) on the sizes they share. Differences of test
// accuracy of at most tolerance (≥ 0, e.g. 0.005 for half a point) count as
// Level. It returns an error when the curves share no size or the tolerance
// is negative or not a number.
func Compare(a, b []Summary, tolerance float64) (Comparison, error) {
	if !(tolerance >= 0) || math.IsInf(tolerance, 0) {
		return Comparison{}, fmt.Errorf("learningcurve: Compare: tolerance %v must be a finite number ≥ 0, e.g. 0.005", tolerance)
	}
	bs := map[int]Summary{}
	for _, s := range b {
		bs[s.TrainSize] = s
	}
	c := Comparison{Tolerance: tolerance}
	for _, s := range slices.SortedFunc(slices.Values(a), func(x, y Summary) int { return cmp.Compare(x.TrainSize, y.TrainSize) }) {
		t, ok := bs[s.TrainSize]
		if !ok {
			continue
		}
		sc := SizeComparison{TrainSize: s.TrainSize, A: s, B: t, Diff: t.TestAcc - s.TestAcc}
		switch {
		case sc.Diff > tolerance:
			sc.Standing = Ahead
		case sc.Diff < -tolerance:
			sc.Standing = Behind
		}
		c.Sizes = append(c.Sizes, sc)
	}
	if len(c.Sizes) == 0 {
		return Comparison{}, errors.New("learningcurve: Compare: the two curves share no training-set size; compute both shapes on the same sizes")
	}
	return c, nil
}

// With returns the training-set sizes at which B has standing s.
func (c Comparison) With(s Standing) []int {
	var sizes []int
	for _, sc := range c.Sizes {
		if sc.Standing == s {
			sizes = append(sizes, sc.TrainSize)
		}
	}
	return sizes
}

// AheadFrom returns the smallest size from which B is Ahead at every larger
// shared size too: the crossover that lasts. It is 0 when B is not ahead at
// the largest shared size.
func (c Comparison) AheadFrom() int {
	from := 0
	for i := len(c.Sizes) - 1; i >= 0 && c.Sizes[i].Standing == Ahead; i-- {
		from = c.Sizes[i].TrainSize
	}
	return from
}

// Crossover describes in one sentence where curve B (named nameB) overtakes
// curve A (nameA), with the differences in points of accuracy: whether and
// from which size B is ahead for good, and how the two stand below it.
func (c Comparison) Crossover(nameA, nameB string) string {
	if len(c.Sizes) == 0 {
		return fmt.Sprintf("%s and %s share no training-set size.", nameA, nameB)
	}
	tol := fmt.Sprintf("%.2g points", 100*c.Tolerance)
	list := func(scs []SizeComparison) string {
		parts := make([]string, len(scs))
		for i, sc := range scs {
			parts[i] = fmt.Sprintf("n = %d (%+.2f)", sc.TrainSize, 100*sc.Diff)
		}
		return prose.AndList(parts)
	}
	// standings describes scs grouped by standing, ahead first.
	standings := func(scs []SizeComparison) string {
		var parts []string
		for _, s := range []Standing{Ahead, Level, Behind} {
			var g []SizeComparison
			for _, sc := range scs {
				if sc.Standing == s {
					g = append(g, sc)
				}
			}
			if len(g) > 0 {
				parts = append(parts, s.String()+" at "+list(g))
			}
		}
		return prose.AndList(parts)
	}
	last := c.Sizes[len(c.Sizes)-1]
	from := c.AheadFrom()
	switch {
	case from == c.Sizes[0].TrainSize:
		return fmt.Sprintf("%s is ahead of %s by more than %s at every size: %s.", nameB, nameA, tol, list(c.Sizes))
	case from > 0:
		i := slices.IndexFunc(c.Sizes, func(sc SizeComparison) bool { return sc.TrainSize == from })
		return fmt.Sprintf("%s overtakes %s: it is ahead by more than %s at every size from n = %d on (%s); below that it is %s.",
			nameB, nameA, tol, from, rangeOf(c.Sizes[i:]), standings(c.Sizes[:i]))
	case len(c.With(Ahead)) == 0 && len(c.With(Behind)) == 0:
		return fmt.Sprintf("%s and %s are level (within %s) at every size: %s.", nameB, nameA, tol, list(c.Sizes))
	case len(c.With(Ahead)) == 0:
		return fmt.Sprintf("%s never gets ahead of %s by more than %s: it is %s.", nameB, nameA, tol, standings(c.Sizes))
	default:
		return fmt.Sprintf("%s does not stay ahead of %s: at the largest size, n = %d, it is %s (%+.2f points); over all sizes it is %s.",
			nameB, nameA, last.TrainSize, last.Standing, 100*last.Diff, standings(c.Sizes))
	}
}

// rangeOf describes the differences of scs, "+0.66 to +2.24 points" or
// "+0.66 points" for one size.
func rangeOf(scs []SizeComparison) string {
	lo, hi := scs[0].Diff, scs[0].Diff
	for _, sc := range scs {
		lo, hi = min(lo, sc.Diff), max(hi, sc.Diff)
	}
	if len(scs) == 1 {
		return fmt.Sprintf("%+.2f points", 100*lo)
	}
	return fmt.Sprintf("by %+.2f to %+.2f points", 100*lo, 100*hi)
}

// Change describes how a quantity varies along a curve, from the smallest
// training-set size to the largest.
type Change struct {
	// Sizes and Values are the curve's sizes (ascending) and the quantity at each.
	Sizes  []int
	Values []float64
	// Rises and Falls list the sizes at which the quantity is larger, or
	// smaller, than at the previous size.
	Rises, Falls []int
}

// Trend returns how f — for example Summary.Gap or a function returning
// TestAcc — varies along curve c, sorted by size.
func Trend(c []Summary, f func(Summary) float64) Change {
	sorted := slices.SortedFunc(slices.Values(c), func(x, y Summary) int { return cmp.Compare(x.TrainSize, y.TrainSize) })
	var ch Change
	for i, s := range sorted {
		v := f(s)
		ch.Sizes, ch.Values = append(ch.Sizes, s.TrainSize), append(ch.Values, v)
		switch {
		case i == 0:
		case v > ch.Values[i-1]:
			ch.Rises = append(ch.Rises, s.TrainSize)
		case v < ch.Values[i-1]:
			ch.Falls = append(ch.Falls, s.TrainSize)
		}
	}
	return ch
}

// First returns the quantity at the smallest size (NaN for an empty curve).
func (ch Change) First() float64 { return ch.at(0) }

// Last returns the quantity at the largest size (NaN for an empty curve).
func (ch Change) Last() float64 { return ch.at(len(ch.Values) - 1) }

func (ch Change) at(i int) float64 {
	if i < 0 || i >= len(ch.Values) {
		return math.NaN()
	}
	return ch.Values[i]
}

// Range returns the smallest and largest values (NaN for an empty curve).
func (ch Change) Range() (lo, hi float64) {
	if len(ch.Values) == 0 {
		return math.NaN(), math.NaN()
	}
	return slices.Min(ch.Values), slices.Max(ch.Values)
}

// Between returns the change of the quantity from the largest size ≤ from to
// the largest size: Last() minus the value there, and the size used. ok is
// false when no size ≤ from precedes the largest size.
func (ch Change) Between(from int) (delta float64, at int, ok bool) {
	i := -1
	for j, n := range ch.Sizes[:max(len(ch.Sizes)-1, 0)] {
		if n <= from {
			i = j
		}
	}
	if i < 0 {
		return 0, 0, false
	}
	return ch.Last() - ch.Values[i], ch.Sizes[i], true
}

// Unconverged returns the points whose selected epoch is the cap maxEpochs:
// their validation accuracy was still improving when the cap ended training,
// so more epochs might have given a better model.
func Unconverged(points []Point, maxEpochs int) []Point {
	var out []Point
	for _, p := range points {
		if p.BestEpoch >= maxEpochs {
			out = append(out, p)
		}
	}
	return out
}

// Replayed is the outcome of a stopping rule replayed over a recorded history.
type Replayed struct {
	// Epoch is the epoch at which the rule stopped, BestEpoch the epoch it
	// selected and BestValAcc that epoch's validation accuracy.
	Epoch, BestEpoch int
	BestValAcc       float64
	// StoppedBy is StoppedByPatience or StoppedByMaxEpochs, or "" when the
	// rule had not stopped by the end of the history.
	StoppedBy string
}

// Replay runs the stopping rule of rule's Patience, MaxEpochs and
// MinLossDecrease over the validations recorded in h, as if it had decided
// during training. With accuracyOnly the validation loss is hidden from it:
// only a strictly better accuracy resets the patience, and of equal
// accuracies the earliest is selected. The history ends where the run's own
// rule stopped, so a replay is exact for rules that stop no later — a
// smaller patience, or accuracy alone — and StoppedBy is "" for one that
// would have trained on.
func Replay(h History, rule EarlyStop, accuracyOnly bool) (Replayed, error) {
	stop := &EarlyStop{Patience: rule.Patience, MaxEpochs: rule.MaxEpochs, MinLossDecrease: rule.MinLossDecrease}
	if err := stop.check(); err != nil {
		return Replayed{}, err
	}
	if len(h.Epochs) != len(h.ValAcc) || len(h.Epochs) != len(h.ValLoss) {
		return Replayed{}, fmt.Errorf("learningcurve: Replay: the history has %d epochs, %d validation accuracies and %d losses; they must match",
			len(h.Epochs), len(h.ValAcc), len(h.ValLoss))
	}
	for i, epoch := range h.Epochs {
		loss := h.ValLoss[i]
		if accuracyOnly {
			loss = math.NaN()
		}
		if _, done := stop.Observe(epoch, h.ValAcc[i], loss); done {
			break
		}
	}
	return Replayed{Epoch: stop.Epoch(), BestEpoch: stop.BestEpoch(), BestValAcc: stop.Best(), StoppedBy: stop.StoppedBy()}, nil
}
