package activations

import (
	"fmt"
	"math"
)

// ReLU returns a new slice with max(x_i, 0) for every element: 0 where x_i < 0
// and x_i otherwise. NaN stays NaN, +Inf stays +Inf and −Inf becomes 0. An
// empty x gives an empty slice.
func ReLU[T Float](x []T) []T {
	out := make([]T, len(x))
	for i, v := range x {
		if v < 0 {
			out[i] = 0
		} else {
			out[i] = v
		}
	}
	return out
}

// Sigmoid returns a new slice with 1/(1+exp(−x_i)) for every element.
//
// It is safe for large |x|: for x ≥ 0 it evaluates 1/(1+exp(−x)), and for
// x < 0 the equal form exp(x)/(1+exp(x)), so exp never overflows and tiny
// results keep their precision. Sigmoid(+Inf) = 1, Sigmoid(−Inf) = 0 and NaN
// gives NaN. An empty x gives an empty slice.
func Sigmoid[T Float](x []T) []T {
	out := make([]T, len(x))
	for i, v := range x {
		out[i] = T(sigmoid(float64(v)))
	}
	return out
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x) // also NaN for NaN
	return e / (1 + e)
}

// Softmax returns the row-wise basic softmax of eq. 1,
// exp(z_k) / Σ_c exp(z_c), computed naively in the precision of T.
//
// It is intentionally unstable, to show why StableSoftmax exists: a row with
// a logit above about 709.78 (float64) or 88.72 (float32) overflows to +Inf
// and its probabilities become NaN (Inf/Inf) or 0 (finite/Inf); a row whose
// logits are all very negative underflows to 0/0 = NaN. Use StableSoftmax in
// real code.
//
// It returns an error wrapping ErrEmpty for a batch with no rows or no
// columns, and ErrShape if logits' Data does not hold Rows×Cols values.
func Softmax[T Float](logits Matrix[T]) (Matrix[T], error) {
	if err := logits.checkBatch("Softmax"); err != nil {
		return Matrix[T]{}, err
	}
	out := Matrix[T]{Rows: logits.Rows, Cols: logits.Cols, Data: make([]T, len(logits.Data))}
	for i := range logits.Rows {
		z, a := logits.Row(i), out.Row(i)
		var sum T
		for k, v := range z {
			a[k] = T(math.Exp(float64(v))) // rounds to +Inf in T when exp(v) exceeds T's range
			sum += a[k]
		}
		for k := range a {
			a[k] /= sum
		}
	}
	return out, nil
}

// StableSoftmax returns the row-wise numerically stable softmax of eq. 2–4:
// each row z is shifted by its maximum m before exponentiating,
// exp(z_k − m) / Σ_c exp(z_c − m), which equals the basic softmax
// mathematically (the constant C = exp(−m) cancels) but never overflows for
// finite logits. Each output row sums to 1 up to rounding.
//
// A NaN or +Inf logit makes its row NaN; −Inf logits get probability 0 unless
// the whole row is −Inf, which gives NaN (see the package documentation).
//
// It returns an error wrapping ErrEmpty for a batch with no rows or no
// columns, and ErrShape if logits' Data does not hold Rows×Cols values.
func StableSoftmax[T Float](logits Matrix[T]) (Matrix[T], error) {
	if err := logits.checkBatch("StableSoftmax"); err != nil {
		return Matrix[T]{}, err
	}
	out := Matrix[T]{Rows: logits.Rows, Cols: logits.Cols, Data: make([]T, len(logits.Data))}
	scratch := make([]float64, logits.Cols) // exponentials kept in float64 until the division
	for i := range logits.Rows {
		z, a := logits.Row(i), out.Row(i)
		m := rowMax(z)
		sum := 0.0
		for k, v := range z {
			e := math.Exp(float64(v) - m)
			scratch[k] = e
			sum += e
		}
		for k := range a {
			a[k] = T(scratch[k] / sum)
		}
	}
	return out, nil
}

// rowMax returns the maximum of z as a float64 (NaNs are skipped unless z is
// all NaN; the callers' sums turn any NaN into a NaN row anyway).
func rowMax[T Float](z []T) float64 {
	m := math.Inf(-1)
	for _, v := range z {
		if f := float64(v); f > m {
			m = f
		}
	}
	return m
}

// logSumExp returns log Σ exp(z_c) computed stably in float64.
func logSumExp[T Float](z []T) float64 {
	m := rowMax(z)
	sum := 0.0
	for _, v := range z {
		sum += math.Exp(float64(v) - m)
	}
	return m + math.Log(sum)
}

// LogSumExp returns, for every row z of logits, log Σ_c exp(z_c), computed
// stably as m + log Σ_c exp(z_c − m) with m = max_c z_c. The result has one
// value per row.
//
// A NaN or +Inf logit makes its row's value NaN; a row that is all −Inf gives
// NaN (see the package documentation).
//
// It returns an error wrapping ErrEmpty for a batch with no rows or no
// columns, and ErrShape if logits' Data does not hold Rows×Cols values.
func LogSumExp[T Float](logits Matrix[T]) ([]T, error) {
	if err := logits.checkBatch("LogSumExp"); err != nil {
		return nil, err
	}
	out := make([]T, logits.Rows)
	for i := range logits.Rows {
		out[i] = T(logSumExp(logits.Row(i)))
	}
	return out, nil
}

// LogSoftmax returns the row-wise logarithm of the softmax,
// log a_k = z_k − LogSumExp(z), computed stably. It is finite wherever the
// probabilities underflow to 0 in StableSoftmax (for example −2000 rather
// than log 0 = −Inf for a logit 2000 below the maximum).
//
// NaN and ±Inf behave as in LogSumExp, except that a −Inf logit in a row with
// a finite maximum gives −Inf.
//
// It returns an error wrapping ErrEmpty for a batch with no rows or no
// columns, and ErrShape if logits' Data does not hold Rows×Cols values.
func LogSoftmax[T Float](logits Matrix[T]) (Matrix[T], error) {
	if err := logits.checkBatch("LogSoftmax"); err != nil {
		return Matrix[T]{}, err
	}
	out := Matrix[T]{Rows: logits.Rows, Cols: logits.Cols, Data: make([]T, len(logits.Data))}
	for i := range logits.Rows {
		z, a := logits.Row(i), out.Row(i)
		m := rowMax(z)
		sum := 0.0
		for _, v := range z {
			sum += math.Exp(float64(v) - m)
		}
		logSum := math.Log(sum)
		for k, v := range z {
			a[k] = T((float64(v) - m) - logSum)
		}
	}
	return out, nil
}

// AverageCrossEntropy returns the mean cross-entropy of a batch of logits
// against integer class labels, eq. 5:
//
//	E = −(1/N) Σ_d (z_{d,t_d} − log Σ_c exp(z_{d,c}))
//
// computed with a stable log-sum-exp, so it is finite for any finite logits
// (for example ±1000). labels[d] is the class index of row d, in [0, Cols).
// The sum is accumulated in float64.
//
// A NaN or +Inf logit anywhere in the batch makes the result NaN; a −Inf logit
// gives +Inf if it is on a true class and is harmless otherwise.
//
// It returns an error wrapping ErrEmpty for an empty batch, ErrShape if
// len(labels) != logits.Rows or logits' Data does not hold Rows×Cols values,
// and ErrLabel, naming the position, the label and C, for a label outside
// [0, C).
func AverageCrossEntropy[T Float, L Integer](logits Matrix[T], labels []L) (T, error) {
	if err := checkLabelsFor("AverageCrossEntropy", logits, labels); err != nil {
		return 0, err
	}
	sum := 0.0
	for d := range logits.Rows {
		z := logits.Row(d)
		sum += logSumExp(z) - float64(z[labels[d]])
	}
	return T(sum / float64(logits.Rows)), nil
}

// AverageCrossEntropyFromProbs returns the mean cross-entropy of a batch of
// predicted probabilities against integer class labels,
//
//	E = −(1/N) Σ_d log a_{d,t_d},
//
// the left-hand form of eq. 5. The sum is accumulated in float64.
//
// Probabilities are not clipped: a true-class probability of exactly 0 (for
// example one that underflowed in softmax) gives −log 0 = +Inf, the exact value
// of the loss. Prefer AverageCrossEntropy on the logits, which never takes the
// logarithm of a rounded probability. A NaN anywhere in probs makes the result
// NaN, even off the true classes, so that a broken upstream computation is not
// hidden. Rows are not required to sum to 1.
//
// It returns an error wrapping ErrProbability, naming the row and column, if
// any element of probs is below 0 or above 1 (usually logits passed by
// mistake), ErrEmpty for an empty batch, ErrShape if len(labels) != probs.Rows
// or probs' Data does not hold Rows×Cols values, and ErrLabel, naming the
// position, the label and C, for a label outside [0, C).
func AverageCrossEntropyFromProbs[T Float, L Integer](probs Matrix[T], labels []L) (T, error) {
	const fn = "AverageCrossEntropyFromProbs"
	if err := checkLabelsFor(fn, probs, labels); err != nil {
		return 0, err
	}
	sawNaN := false
	for i, p := range probs.Data {
		if p != p {
			sawNaN = true
		}
		if p < 0 || p > 1 {
			return 0, fmt.Errorf("activations: %s: %w: element (%d, %d) is %v, outside [0, 1]; pass probabilities (e.g. from StableSoftmax), or pass logits to AverageCrossEntropy",
				fn, ErrProbability, i/probs.Cols, i%probs.Cols, p)
		}
	}
	if sawNaN {
		return T(math.NaN()), nil
	}
	sum := 0.0
	for d := range probs.Rows {
		sum -= math.Log(float64(probs.Row(d)[labels[d]]))
	}
	return T(sum / float64(probs.Rows)), nil
}

// OneHot returns the N×classes one-hot encoding of labels: row d is all zeros
// except a 1 in column labels[d]. T must be given explicitly, as in
// OneHot[float32](labels, 10).
//
// It returns an error wrapping ErrEmpty if labels is empty or classes < 1, and
// ErrLabel, naming the position, the label and C, for a label outside
// [0, classes).
func OneHot[T Float, L Integer](labels []L, classes int) (Matrix[T], error) {
	if err := checkLabels("OneHot", labels, classes); err != nil {
		return Matrix[T]{}, err
	}
	out := Matrix[T]{Rows: len(labels), Cols: classes, Data: make([]T, len(labels)*classes)}
	for d, l := range labels {
		out.Data[d*classes+int(l)] = 1
	}
	return out, nil
}

// ArgMax returns, for every row of m, the column index of its largest value:
// the predicted class for a row of logits or probabilities. Ties return the
// smallest index; a row containing NaN returns the index of its first NaN (as
// numpy does), so NaNs are never silently skipped.
//
// It returns an error wrapping ErrEmpty for a matrix with no rows or no
// columns, and ErrShape if m's Data does not hold Rows×Cols values.
func ArgMax[T Float](m Matrix[T]) ([]int, error) {
	if err := m.checkBatch("ArgMax"); err != nil {
		return nil, err
	}
	out := make([]int, m.Rows)
	for i := range m.Rows {
		z := m.Row(i)
		best := 0
		for k := 1; k < len(z); k++ {
			if z[best] != z[best] { // NaN found earlier: keep it.
				break
			}
			if z[k] > z[best] || z[k] != z[k] {
				best = k
			}
		}
		out[i] = best
	}
	return out, nil
}
