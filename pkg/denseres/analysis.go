package denseres

// Observations computed from training histories and learning curves, for the
// verdicts of notebook 05: every sentence is derived from the numbers it
// quotes, with the condition that decides its wording, so that it holds for
// whatever run produced them.

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"feedforward.dev/feedforward/internal/prose"
)

// checkTolerance rejects a negative, NaN or infinite tolerance.
func checkTolerance(fn string, tol float64) error {
	if !(tol >= 0) || math.IsInf(tol, 0) {
		return fmt.Errorf("denseres: %s: tolerance %v must be a finite number ≥ 0, e.g. 0.003 for 0.3 points of accuracy", fn, tol)
	}
	return nil
}

// pts formats an accuracy difference in percentage points, "+1.23".
func pts(d float64) string { return fmt.Sprintf("%+.2f", 100*d) }

// pct formats an accuracy as a percentage, "91.23%".
func pct(a float64) string { return fmt.Sprintf("%.2f%%", 100*a) }

// mag formats the size of an accuracy difference in points, "1.23".
func mag(d float64) string { return fmt.Sprintf("%.2f", 100*math.Abs(d)) }

// tolText formats a tolerance in points, "0.3 points".
func tolText(tol float64) string { return fmt.Sprintf("%.2g points", 100*tol) }

// RunComparison compares two training histories of the same length, run A
// against run B: test accuracy after the first and the last epoch, the speed
// at which each reaches a common accuracy, and the training loss epoch by
// epoch. Build it with CompareRuns.
type RunComparison struct {
	// NameA and NameB label the runs in the sentences.
	NameA, NameB string
	// Epochs is the number of epochs of each run.
	Epochs int
	// Tolerance is the largest difference of test accuracy that counts as
	// level.
	Tolerance float64
	// FirstA and FirstB are the test accuracies after epoch 1, FinalA and
	// FinalB after the last epoch.
	FirstA, FirstB, FinalA, FinalB float64
	// BestA and BestB are the best test accuracies, reached first at
	// BestEpochA and BestEpochB.
	BestA, BestB           float64
	BestEpochA, BestEpochB int
	// Target is the highest test accuracy both runs reach, min(BestA, BestB);
	// ReachA and ReachB are the first epochs at which each reaches it. The
	// run that reaches it sooner converges faster.
	Target         float64
	ReachA, ReachB int
	// LossBelow is the number of epochs in which A's training loss is below B's.
	LossBelow int
}

// CompareRuns compares run a (named nameA) with run b (nameB). Both must hold
// the same number n ≥ 1 of epochs, numbered 1..n, with finite metrics;
// differences of test accuracy of at most tolerance count as level. It
// returns an error that names the mismatch otherwise, for example when the
// runs come from different settings.
func CompareRuns(nameA string, a []Epoch, nameB string, b []Epoch, tolerance float64) (RunComparison, error) {
	if err := checkTolerance("CompareRuns", tolerance); err != nil {
		return RunComparison{}, err
	}
	if len(a) == 0 || len(b) == 0 {
		return RunComparison{}, fmt.Errorf("denseres: CompareRuns: %s has %d and %s %d epochs; compare two runs with at least one epoch each", nameA, len(a), nameB, len(b))
	}
	if len(a) != len(b) {
		return RunComparison{}, fmt.Errorf("denseres: CompareRuns: %s has %d epochs but %s has %d; compare runs trained for the same number of epochs (train both again with the same settings)", nameA, len(a), nameB, len(b))
	}
	for _, r := range []struct {
		name string
		es   []Epoch
	}{{nameA, a}, {nameB, b}} {
		for i, e := range r.es {
			if e.Epoch != i+1 {
				return RunComparison{}, fmt.Errorf("denseres: CompareRuns: %s: entry %d is epoch %d, want %d; pass the epochs Train returned, in order", r.name, i, e.Epoch, i+1)
			}
			for _, v := range []float64{e.Loss, e.TrainAcc, e.TestAcc} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return RunComparison{}, fmt.Errorf("denseres: CompareRuns: %s: epoch %d has a non-finite metric (loss %v, train %v, test %v)", r.name, e.Epoch, e.Loss, e.TrainAcc, e.TestAcc)
				}
			}
		}
	}
	n := len(a)
	c := RunComparison{NameA: nameA, NameB: nameB, Epochs: n, Tolerance: tolerance,
		FirstA: a[0].TestAcc, FirstB: b[0].TestAcc, FinalA: a[n-1].TestAcc, FinalB: b[n-1].TestAcc}
	c.BestA, c.BestEpochA = BestTest(a)
	c.BestB, c.BestEpochB = BestTest(b)
	c.Target = min(c.BestA, c.BestB)
	c.ReachA, c.ReachB = EpochsToReach(a, c.Target), EpochsToReach(b, c.Target)
	for i := range n {
		if a[i].Loss < b[i].Loss {
			c.LossBelow++
		}
	}
	return c, nil
}

// FinalDiff returns FinalA − FinalB.
func (c RunComparison) FinalDiff() float64 { return c.FinalA - c.FinalB }

// standing returns "higher", "lower" or "level" for a difference d of A against B.
func standing(d, tol float64) string {
	switch {
	case d > tol:
		return "higher"
	case d < -tol:
		return "lower"
	}
	return "level"
}

// First says how the two runs stand after one epoch.
func (c RunComparison) First() string {
	return fmt.Sprintf("After 1 epoch %s reached %s test accuracy against %s for %s (%s points).",
		c.NameA, pct(c.FirstA), pct(c.FirstB), c.NameB, pts(c.FirstA-c.FirstB))
}

// Final says which run ends with the higher test accuracy, and by how much.
func (c RunComparison) Final() string {
	d := c.FinalDiff()
	switch standing(d, c.Tolerance) {
	case "higher", "lower":
		return fmt.Sprintf("After %d epochs %s ends %s than %s by %s points: %s against %s.",
			c.Epochs, c.NameA, standing(d, c.Tolerance), c.NameB, mag(d), pct(c.FinalA), pct(c.FinalB))
	}
	return fmt.Sprintf("After %d epochs %s and %s end level (within %s): %s and %s.",
		c.Epochs, c.NameA, c.NameB, tolText(c.Tolerance), pct(c.FinalA), pct(c.FinalB))
}

// Faster says which run converges faster, measured by the first epoch at
// which each reaches Target, and how often A's training loss is the lower.
func (c RunComparison) Faster() string {
	var s string
	weaker := c.NameB
	if c.BestA < c.BestB {
		weaker = c.NameA
	}
	what := fmt.Sprintf("the epoch at which each first reaches %s test accuracy (the best of %s)", pct(c.Target), weaker)
	switch {
	case c.ReachA < c.ReachB:
		s = fmt.Sprintf("Measured by %s, %s converges faster: epoch %d against epoch %d for %s.", what, c.NameA, c.ReachA, c.ReachB, c.NameB)
	case c.ReachB < c.ReachA:
		s = fmt.Sprintf("Measured by %s, %s converges faster: epoch %d against epoch %d for %s.", what, c.NameB, c.ReachB, c.ReachA, c.NameA)
	default:
		s = fmt.Sprintf("Measured by %s, neither converges faster: both reach it at epoch %d.", what, c.ReachA)
	}
	return s + fmt.Sprintf(" The training loss of %s is below that of %s in %d of %d epochs.", c.NameA, c.NameB, c.LossBelow, c.Epochs)
}

// Sentences returns First, Final and Faster.
func (c RunComparison) Sentences() []string {
	return []string{c.First(), c.Final(), c.Faster()}
}

// StillImproving reports whether a run's test accuracy was still rising when
// training stopped: the last epoch's test accuracy exceeds that of window
// epochs earlier (window ≥ 1, shortened to the run) by more than tolerance.
// rise is that difference; it is 0 for a run of one epoch.
func StillImproving(epochs []Epoch, window int, tolerance float64) (improving bool, rise float64) {
	n := len(epochs)
	if n < 2 {
		return false, 0
	}
	k := min(max(window, 1), n-1)
	rise = epochs[n-1].TestAcc - epochs[n-1-k].TestAcc
	return rise > tolerance, rise
}

// Progression says whether the test accuracy of the run named name was still
// rising at its last epoch (see StillImproving, over the last window
// epochs), had levelled off (changed by at most tolerance) or was falling,
// and where its best test accuracy was.
func Progression(name string, epochs []Epoch, window int, tolerance float64) string {
	n := len(epochs)
	if n == 0 {
		return fmt.Sprintf("%s has no epochs.", name)
	}
	best, at := BestTest(epochs)
	if n == 1 {
		return fmt.Sprintf("%s ran 1 epoch (%s test accuracy): too short to tell whether it converged.", name, pct(best))
	}
	up, rise := StillImproving(epochs, window, tolerance)
	k := min(max(window, 1), n-1)
	span := fmt.Sprintf("over its last %d epochs", k)
	if k == 1 {
		span = "in its last epoch"
	}
	if up {
		return fmt.Sprintf("%s's test accuracy rose by %s points %s (best %s at epoch %d of %d): it was still improving when training stopped, so it had not converged within %d epochs.",
			name, pts(rise), span, pct(best), at, n, n)
	}
	if rise < -tolerance {
		return fmt.Sprintf("%s's test accuracy fell by %s points %s (best %s at epoch %d of %d): it had peaked before the end.",
			name, mag(rise), span, pct(best), at, n)
	}
	return fmt.Sprintf("%s's test accuracy changed by %s points %s, within %s (best %s at epoch %d of %d): it had levelled off.",
		name, pts(rise), span, tolText(tolerance), pct(best), at, n)
}

// LearningRateShare splits the final test-accuracy difference of main (A
// against B, where B lacks a feature, named feature, and also trains at a
// different learning rate) with control (the same A against B trained at A's
// learning rate): control's difference is what the feature alone accounts
// for, the rest of main's difference is the learning rate's. The sentence
// quotes both differences and names the larger share, with main's tolerance.
func LearningRateShare(main, control RunComparison, feature string) string {
	d, d2, tol := main.FinalDiff(), control.FinalDiff(), main.Tolerance
	head := fmt.Sprintf("Final test accuracy, %s minus %s: %s points; the control at the same learning rate, %s minus %s: %s points.",
		main.NameA, main.NameB, pts(d), control.NameA, control.NameB, pts(d2))
	switch {
	case math.Abs(d) <= tol:
		return head + fmt.Sprintf(" The first difference is within %s, so there is no gap to split.", tolText(tol))
	case d < 0:
		return head + fmt.Sprintf(" %s ends behind %s; at the same learning rate it ends %s.", main.NameA, main.NameB, standing(d2, tol))
	case math.Abs(d2) <= tol:
		return head + fmt.Sprintf(" At the same learning rate the two end level (within %s): the learning rate accounts for the whole gap, %s alone for none of it.", tolText(tol), feature)
	case d2 < 0:
		return head + fmt.Sprintf(" At the same learning rate %s ends ahead: the learning rate accounts for more than the whole gap, and %s alone costs %s points.", control.NameB, feature, mag(d2))
	case d2 < d/2:
		return head + fmt.Sprintf(" Most of the gap goes away at the same learning rate: the learning rate accounts for %s of the %s points, %s alone for %s.", mag(d-d2), mag(d), feature, mag(d2))
	case d2 < d:
		return head + fmt.Sprintf(" Most of the gap remains at the same learning rate: %s alone accounts for %s of the %s points, the learning rate for %s.", feature, mag(d2), mag(d), mag(d-d2))
	}
	return head + fmt.Sprintf(" The gap is no smaller at the same learning rate: it comes from %s, not from the learning rate.", feature)
}

// GroupCurves splits learning-curve points by config, in the order of
// configs, each group in the order of sizes. It returns an error that names
// the problem when a point of a config or size is missing, repeated or not
// asked for — for example points saved by a run with other settings.
func GroupCurves(points []CurvePoint, configs []CurveConfig, sizes []int) ([][]CurvePoint, error) {
	if len(configs) == 0 || len(sizes) == 0 {
		return nil, errors.New("denseres: GroupCurves: no configs or no sizes; pass the ones the curves were computed with")
	}
	index := map[string]int{}
	for i, c := range configs {
		index[c.Name()] = i
	}
	at := map[int]int{}
	for j, n := range sizes {
		at[n] = j
	}
	groups := make([][]CurvePoint, len(configs))
	for i := range groups {
		groups[i] = make([]CurvePoint, len(sizes))
	}
	seen := map[[2]int]bool{}
	for _, p := range points {
		i, ok := index[p.Config]
		if !ok {
			return nil, fmt.Errorf("denseres: GroupCurves: a point of config %q, which is not one of the %d expected; compute the curves again with these settings", p.Config, len(configs))
		}
		j, ok := at[p.TrainSize]
		if !ok {
			return nil, fmt.Errorf("denseres: GroupCurves: %s has a point at n = %d, which is not one of the sizes %v; compute the curves again with these settings", p.Config, p.TrainSize, sizes)
		}
		if seen[[2]int{i, j}] {
			return nil, fmt.Errorf("denseres: GroupCurves: %s has two points at n = %d; pass each point once", p.Config, p.TrainSize)
		}
		seen[[2]int{i, j}] = true
		groups[i][j] = p
	}
	for i, c := range configs {
		for j, n := range sizes {
			if !seen[[2]int{i, j}] {
				return nil, fmt.Errorf("denseres: GroupCurves: %s has no point at n = %d (%d of %d points present); the sweep did not finish: compute the curves again", c.Name(), n, len(points), len(configs)*len(sizes))
			}
		}
	}
	return groups, nil
}

// CurveTrend describes one model's learning curve.
type CurveTrend struct {
	// Config names the model.
	Config string
	// Tolerance is the largest change of test accuracy that counts as level.
	Tolerance float64
	// Sizes are the training-set sizes, ascending; TestAcc and Gap (training
	// minus test accuracy) are the selected models' values at each.
	Sizes        []int
	TestAcc, Gap []float64
	// Rises and Falls count the steps between consecutive sizes at which the
	// test accuracy rises, or falls, by more than Tolerance.
	Rises, Falls int
	// FirstGain and LastGain are the test-accuracy gains per 1000 training
	// images over the first and the last step (NaN with fewer than 2 sizes).
	FirstGain, LastGain float64
	// Capped counts the points that ran into the epoch cap, BestAtLast those
	// whose selected epoch is the last one trained (still improving at the
	// cap), and MeanBestEpoch is the mean selected epoch.
	Capped, BestAtLast int
	MeanBestEpoch      float64
}

// TrendOf describes the learning curve of points, which must be the points
// of one config. It sorts them by size and returns an error for an empty
// curve, mixed configs or a repeated size.
func TrendOf(points []CurvePoint, tolerance float64) (CurveTrend, error) {
	if err := checkTolerance("TrendOf", tolerance); err != nil {
		return CurveTrend{}, err
	}
	if len(points) == 0 {
		return CurveTrend{}, errors.New("denseres: TrendOf: no points; pass the points of one config (GroupCurves)")
	}
	ps := slices.SortedFunc(slices.Values(points), func(a, b CurvePoint) int { return cmp.Compare(a.TrainSize, b.TrainSize) })
	t := CurveTrend{Config: ps[0].Config, Tolerance: tolerance, FirstGain: math.NaN(), LastGain: math.NaN()}
	for i, p := range ps {
		if p.Config != t.Config {
			return CurveTrend{}, fmt.Errorf("denseres: TrendOf: points of %q and %q; pass the points of one config (GroupCurves)", t.Config, p.Config)
		}
		if i > 0 && p.TrainSize == ps[i-1].TrainSize {
			return CurveTrend{}, fmt.Errorf("denseres: TrendOf: %s has two points at n = %d; pass each size once", p.Config, p.TrainSize)
		}
		t.Sizes = append(t.Sizes, p.TrainSize)
		t.TestAcc = append(t.TestAcc, p.TestAcc)
		t.Gap = append(t.Gap, p.TrainAcc-p.TestAcc)
		if p.StoppedBy == StoppedByMaxEpochs {
			t.Capped++
		}
		if p.BestEpoch == p.EpochsTrained && p.StoppedBy == StoppedByMaxEpochs {
			t.BestAtLast++
		}
		t.MeanBestEpoch += float64(p.BestEpoch) / float64(len(ps))
		if i > 0 {
			switch d := p.TestAcc - ps[i-1].TestAcc; {
			case d > tolerance:
				t.Rises++
			case d < -tolerance:
				t.Falls++
			}
		}
	}
	if n := len(ps); n >= 2 {
		gain := func(i int) float64 {
			return (ps[i].TestAcc - ps[i-1].TestAcc) / float64(ps[i].TrainSize-ps[i-1].TrainSize) * 1000
		}
		t.FirstGain, t.LastGain = gain(1), gain(n-1)
	}
	return t, nil
}

// SizeGain returns the change of test accuracy from the smallest size to the
// largest.
func (t CurveTrend) SizeGain() float64 { return t.TestAcc[len(t.TestAcc)-1] - t.TestAcc[0] }

// Sentence describes the curve: how the test accuracy and the train−test gap
// change with n, whether the curve flattens (LastGain < FirstGain, with at
// least 3 sizes), and how many points ran into the epoch cap.
func (t CurveTrend) Sentence() string {
	n := len(t.Sizes)
	first, last := t.Sizes[0], t.Sizes[n-1]
	if n == 1 {
		return fmt.Sprintf("%s: one size only (n = %d, test accuracy %s): no trend to describe.", t.Config, first, pct(t.TestAcc[0]))
	}
	steps := n - 1
	var shape string
	switch {
	case t.Rises == steps:
		shape = "rises at every step"
	case t.Falls == steps:
		shape = "falls at every step"
	default:
		shape = fmt.Sprintf("rises at %d, falls at %d and is level (within %s) at %d of %d steps", t.Rises, t.Falls, tolText(t.Tolerance), steps-t.Rises-t.Falls, steps)
	}
	s := fmt.Sprintf("%s: test accuracy %s → %s from n = %d to n = %d (%s points); it %s.",
		t.Config, pct(t.TestAcc[0]), pct(t.TestAcc[n-1]), first, last, pts(t.SizeGain()), shape)
	if n >= 3 {
		verb := "flattens"
		if !(t.LastGain < t.FirstGain) {
			verb = "does not flatten"
		}
		s += fmt.Sprintf(" The gain per 1000 images is %s points over the first step and %s over the last: the curve %s.", pts(t.FirstGain), pts(t.LastGain), verb)
	}
	g0, g1 := t.Gap[0], t.Gap[n-1]
	trend := "stays level"
	switch {
	case g1 < g0-t.Tolerance:
		trend = "shrinks"
	case g1 > g0+t.Tolerance:
		trend = "grows"
	}
	s += fmt.Sprintf(" The train−test gap %s: %.2f → %.2f points.", trend, 100*g0, 100*g1)
	switch {
	case t.Capped == 0:
		s += fmt.Sprintf(" Early stopping ended every point before the epoch cap (mean selected epoch %.1f).", t.MeanBestEpoch)
	case t.BestAtLast == 0:
		s += fmt.Sprintf(" %d of %d points ran into the epoch cap, none of them selected at its last epoch (mean selected epoch %.1f).",
			t.Capped, n, t.MeanBestEpoch)
	default:
		s += fmt.Sprintf(" %d of %d points ran into the epoch cap, %d of them selected at their last epoch: still improving when stopped (mean selected epoch %.1f).",
			t.Capped, n, t.BestAtLast, t.MeanBestEpoch)
	}
	return s
}

// CurveComparison compares the test accuracy of curve B against curve A at
// the sizes both have. Build it with CompareCurves.
type CurveComparison struct {
	// NameA and NameB name the curves.
	NameA, NameB string
	// Tolerance is the largest difference that counts as level.
	Tolerance float64
	// Sizes are the shared sizes, ascending, and Diff B's test accuracy
	// minus A's at each.
	Sizes []int
	Diff  []float64
}

// CompareCurves compares curve b with curve a (the points of one config
// each, as GroupCurves returns them) at the sizes they share, by ascending
// size. It returns an error when they share no size.
func CompareCurves(a, b []CurvePoint, tolerance float64) (CurveComparison, error) {
	if err := checkTolerance("CompareCurves", tolerance); err != nil {
		return CurveComparison{}, err
	}
	if len(a) == 0 || len(b) == 0 {
		return CurveComparison{}, errors.New("denseres: CompareCurves: an empty curve; pass the points of one config each (GroupCurves)")
	}
	c := CurveComparison{NameA: a[0].Config, NameB: b[0].Config, Tolerance: tolerance}
	bs := map[int]float64{}
	for _, p := range b {
		bs[p.TrainSize] = p.TestAcc
	}
	for _, p := range slices.SortedFunc(slices.Values(a), func(x, y CurvePoint) int { return cmp.Compare(x.TrainSize, y.TrainSize) }) {
		if t, ok := bs[p.TrainSize]; ok {
			c.Sizes, c.Diff = append(c.Sizes, p.TrainSize), append(c.Diff, t-p.TestAcc)
		}
	}
	if len(c.Sizes) == 0 {
		return CurveComparison{}, fmt.Errorf("denseres: CompareCurves: %s and %s share no training-set size; compute both on the same sizes", c.NameA, c.NameB)
	}
	return c, nil
}

// Mean returns the mean difference B − A over the shared sizes.
func (c CurveComparison) Mean() float64 {
	s := 0.0
	for _, d := range c.Diff {
		s += d
	}
	return s / float64(len(c.Diff))
}

// MeanAbs returns the mean absolute difference over the shared sizes.
func (c CurveComparison) MeanAbs() float64 {
	s := 0.0
	for _, d := range c.Diff {
		s += math.Abs(d)
	}
	return s / float64(len(c.Diff))
}

// Widest returns the size with the largest absolute difference (the
// smallest such size on ties).
func (c CurveComparison) Widest() int {
	best := 0
	for i, d := range c.Diff {
		if math.Abs(d) > math.Abs(c.Diff[best]) {
			best = i
		}
	}
	return c.Sizes[best]
}

// Narrowest returns the size with the smallest absolute difference (the
// smallest such size on ties).
func (c CurveComparison) Narrowest() int {
	best := 0
	for i, d := range c.Diff {
		if math.Abs(d) < math.Abs(c.Diff[best]) {
			best = i
		}
	}
	return c.Sizes[best]
}

// Sentence says at which sizes B is ahead of, level with or behind A, by how
// much on average, and (with at least 2 sizes) where the difference is
// widest and narrowest and whether it narrows from the smallest size to the
// largest.
func (c CurveComparison) Sentence() string {
	groups := map[string][]string{}
	for i, n := range c.Sizes {
		var w string
		switch standing(c.Diff[i], c.Tolerance) {
		case "higher":
			w = "ahead"
		case "lower":
			w = "behind"
		default:
			w = "level"
		}
		groups[w] = append(groups[w], fmt.Sprintf("n = %d (%s)", n, pts(c.Diff[i])))
	}
	var parts []string
	for _, w := range []string{"ahead", "level", "behind"} {
		if len(groups[w]) > 0 {
			parts = append(parts, w+" at "+prose.AndList(groups[w]))
		}
	}
	s := fmt.Sprintf("%s against %s (level: within %s): %s. On average %s points.", c.NameB, c.NameA, tolText(c.Tolerance), strings.Join(parts, "; "), pts(c.Mean()))
	if k := len(c.Sizes); k >= 2 {
		first, last := math.Abs(c.Diff[0]), math.Abs(c.Diff[k-1])
		how := "about the same as"
		switch {
		case last < first-c.Tolerance:
			how = "narrower than"
		case last > first+c.Tolerance:
			how = "wider than"
		}
		s += fmt.Sprintf(" The difference is widest at n = %d and narrowest at n = %d; at the largest size it is %s at the smallest.", c.Widest(), c.Narrowest(), how)
	}
	return s
}
