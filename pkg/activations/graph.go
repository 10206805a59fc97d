package activations

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Graph versions. They compute in the dtype of their input and follow the same
// formulas and the same NaN/Inf rules as the plain-Go functions. Misuse that is
// visible when the graph is built (wrong rank or dtype, an empty axis,
// mismatched batch sizes) panics with an error value, as GoMLX's own ops do;
// graph.Exec and graph.NewExec return such a panic as an error, while MustExec
// re-panics. Values, such as labels, cannot be checked while building: see
// each function for what an out-of-range label does.

// graphPanicf panics with an error, which GoMLX's Exec converts to a returned error.
func graphPanicf(format string, args ...any) {
	panic(fmt.Errorf("activations: "+format, args...))
}

func checkFloat(fn string, x *graph.Node) {
	if !x.DType().IsFloat() {
		graphPanicf("%s: input has dtype %s; pass a floating-point tensor (Float32 or Float64), e.g. with graph.ConvertDType", fn, x.DType())
	}
}

// checkClassAxis checks that x is a float tensor of rank ≥ 1 with a non-empty last (class) axis.
func checkClassAxis(fn string, x *graph.Node) {
	checkFloat(fn, x)
	if x.Rank() < 1 {
		graphPanicf("%s: input is a scalar (shape %s); pass logits shaped [C] or [batch, C]", fn, x.Shape())
	}
	if x.Shape().Dim(-1) == 0 {
		graphPanicf("%s: input shape %s has 0 classes on its last axis; pass at least one class", fn, x.Shape())
	}
	if x.Shape().Size() == 0 {
		graphPanicf("%s: input shape %s is empty; pass at least one example", fn, x.Shape())
	}
}

// checkBatchAndLabels checks x [N, C] float and labels [N] integer, N ≥ 1, C ≥ 1.
func checkBatchAndLabels(fn string, x, labels *graph.Node) {
	checkFloat(fn, x)
	if x.Rank() != 2 {
		graphPanicf("%s: input has shape %s; pass a batch shaped [batch, classes] (reshape a single example to [1, C])", fn, x.Shape())
	}
	n, c := x.Shape().Dim(0), x.Shape().Dim(1)
	if n == 0 || c == 0 {
		graphPanicf("%s: input shape %s is an empty batch; pass at least one example and one class", fn, x.Shape())
	}
	if !labels.DType().IsInt() {
		graphPanicf("%s: labels have dtype %s; pass integer class indices (e.g. Int32 or Int64)", fn, labels.DType())
	}
	if labels.Rank() != 1 || labels.Shape().Dim(0) != n {
		graphPanicf("%s: labels have shape %s but the batch has %d rows; pass labels shaped [%d], one class index per row", fn, labels.Shape(), n, n)
	}
}

// ReLUGraph returns max(x, 0) element-wise, for a float tensor of any shape.
// NaN gives NaN. Its gradient is 1 where x > 0 and 0 where x < 0.
// It panics if x is not a float tensor.
func ReLUGraph(x *graph.Node) *graph.Node {
	checkFloat("ReLUGraph", x)
	return graph.Max(x, graph.ZerosLike(x))
}

// SigmoidGraph returns 1/(1+exp(−x)) element-wise, for a float tensor of any
// shape, using GoMLX's Logistic op, which is safe for large |x|:
// SigmoidGraph(±Inf) is 1 or 0, and NaN gives NaN.
// It panics if x is not a float tensor.
func SigmoidGraph(x *graph.Node) *graph.Node {
	checkFloat("SigmoidGraph", x)
	return graph.Logistic(x)
}

// SoftmaxGraph returns the basic softmax of eq. 1 over the last axis of
// logits (shape [C] or [..., C]): exp(z_k) / Σ_c exp(z_c). It is intentionally
// naive and overflows like Softmax; use StableSoftmaxGraph in models.
// It panics if logits is not a float tensor of rank ≥ 1 with a non-empty last axis.
func SoftmaxGraph(logits *graph.Node) *graph.Node {
	checkClassAxis("SoftmaxGraph", logits)
	e := graph.Exp(logits)
	return graph.Div(e, graph.ReduceAndKeep(e, graph.ReduceSum, -1))
}

// StableSoftmaxGraph returns the numerically stable softmax of eq. 2–4 over
// the last axis of logits (shape [C] or [..., C]): exp(z_k − m) / Σ_c exp(z_c − m)
// with m = max_c z_c. The maximum is wrapped in StopGradient: the shift cancels
// mathematically, so the gradient is exactly that of softmax.
// It panics if logits is not a float tensor of rank ≥ 1 with a non-empty last axis.
func StableSoftmaxGraph(logits *graph.Node) *graph.Node {
	checkClassAxis("StableSoftmaxGraph", logits)
	m := graph.StopGradient(graph.ReduceAndKeep(logits, graph.ReduceMax, -1))
	e := graph.Exp(graph.Sub(logits, m))
	return graph.Div(e, graph.ReduceAndKeep(e, graph.ReduceSum, -1))
}

// LogSumExpGraph returns log Σ_c exp(z_c) over the last axis of logits,
// computed stably as m + log Σ_c exp(z_c − m); the last axis is removed, so
// [N, C] gives [N] and [C] gives a scalar. Its gradient is the softmax.
// It panics if logits is not a float tensor of rank ≥ 1 with a non-empty last axis.
func LogSumExpGraph(logits *graph.Node) *graph.Node {
	checkClassAxis("LogSumExpGraph", logits)
	return logSumExpGraph(logits)
}

func logSumExpGraph(logits *graph.Node) *graph.Node {
	m := graph.StopGradient(graph.ReduceMax(logits, -1))
	shifted := graph.Sub(logits, graph.ExpandAxes(m, -1))
	return graph.Add(m, graph.Log(graph.ReduceSum(graph.Exp(shifted), -1)))
}

// LogSoftmaxGraph returns z_k − LogSumExp(z) over the last axis of logits,
// with the same shape as logits. It is evaluated as (z_k − m) − log Σ_c exp(z_c − m),
// which avoids the cancellation of subtracting two large numbers when the
// logits are large (e.g. 1000) in float32.
// It panics if logits is not a float tensor of rank ≥ 1 with a non-empty last axis.
func LogSoftmaxGraph(logits *graph.Node) *graph.Node {
	checkClassAxis("LogSoftmaxGraph", logits)
	m := graph.StopGradient(graph.ReduceAndKeep(logits, graph.ReduceMax, -1))
	shifted := graph.Sub(logits, m)
	return graph.Sub(shifted, graph.Log(graph.ReduceAndKeep(graph.Exp(shifted), graph.ReduceSum, -1)))
}

// labelMask returns the [N, C] boolean mask labels[d] == c and the [N] boolean
// mask of in-range labels.
func labelMask(labels *graph.Node, classes int) (mask, inRange *graph.Node) {
	g := labels.Graph()
	iota := graph.Iota(g, shapes.Make(labels.DType(), 1, classes), 1)
	mask = graph.Equal(graph.ExpandAxes(labels, -1), iota)
	inRange = graph.LogicalAnd(
		graph.GreaterOrEqual(labels, graph.ScalarZero(g, labels.DType())),
		graph.LessThan(labels, graph.Scalar(g, labels.DType(), classes)))
	return mask, inRange
}

// pickedPerRow returns x[d, labels[d]] for every row d (0 where the label is out
// of range) and the [N] mask of in-range labels.
func pickedPerRow(x, labels *graph.Node) (picked, inRange *graph.Node) {
	mask, inRange := labelMask(labels, x.Shape().Dim(1))
	// Where, not a product with a one-hot matrix: 0·(−Inf) would be NaN.
	picked = graph.ReduceSum(graph.Where(mask, x, graph.ZerosLike(x)), -1)
	return picked, inRange
}

// meanOrNaN returns the mean of perRow, or NaN if any row's label is out of range.
func meanOrNaN(perRow, inRange *graph.Node) *graph.Node {
	nan := graph.Scalar(perRow.Graph(), perRow.DType(), math.NaN())
	return graph.ReduceAllMean(graph.Where(inRange, perRow, graph.BroadcastToShape(nan, perRow.Shape())))
}

// AverageCrossEntropyGraph returns, as a scalar of logits' dtype, the mean
// cross-entropy of eq. 5 for logits shaped [N, C] and integer class labels
// shaped [N]: −(1/N) Σ_d (z_{d,t_d} − LogSumExp(z_d)). Its gradient with
// respect to the logits is (softmax(z) − onehot(t)) / N.
//
// Labels are values, not shapes, so they are not validated: an out-of-range
// label makes the loss NaN (rather than silently wrong). Validate label data
// with CheckLabels.
// It panics if logits is not a float [N, C] tensor with N, C ≥ 1, or labels is
// not an integer [N] tensor.
func AverageCrossEntropyGraph(logits, labels *graph.Node) *graph.Node {
	checkBatchAndLabels("AverageCrossEntropyGraph", logits, labels)
	picked, inRange := pickedPerRow(logits, labels)
	return meanOrNaN(graph.Sub(logSumExpGraph(logits), picked), inRange)
}

// AverageCrossEntropyFromProbsGraph returns, as a scalar of probs' dtype, the
// mean of −log probs[d, labels[d]] for probabilities shaped [N, C] and integer
// labels shaped [N]. Like AverageCrossEntropyFromProbs it does not clip: a
// true-class probability of 0 gives +Inf, and a NaN anywhere in probs gives
// NaN. Probabilities are not validated against [0, 1]; an out-of-range label
// makes the loss NaN.
// It panics if probs is not a float [N, C] tensor with N, C ≥ 1, or labels is
// not an integer [N] tensor.
func AverageCrossEntropyFromProbsGraph(probs, labels *graph.Node) *graph.Node {
	checkBatchAndLabels("AverageCrossEntropyFromProbsGraph", probs, labels)
	picked, inRange := pickedPerRow(probs, labels)
	loss := meanOrNaN(graph.Neg(graph.Log(picked)), inRange)
	// A NaN anywhere in probs makes the loss NaN, as in the plain-Go version.
	anyNaN := graph.ReduceLogicalOr(graph.IsNaN(probs))
	return graph.Where(anyNaN, graph.Scalar(probs.Graph(), probs.DType(), math.NaN()), loss)
}

// OneHotGraph returns the one-hot encoding of integer labels (any shape S) as
// a tensor of shape [S..., classes] and the given dtype. A label outside
// [0, classes) gives an all-zero row; validate label data with CheckLabels.
// It panics if labels is not an integer tensor or classes < 1.
func OneHotGraph(labels *graph.Node, classes int, dtype dtypes.DType) *graph.Node {
	if !labels.DType().IsInt() {
		graphPanicf("OneHotGraph: labels have dtype %s; pass integer class indices (e.g. Int32 or Int64)", labels.DType())
	}
	if classes < 1 {
		graphPanicf("OneHotGraph: %d classes; the number of classes must be at least 1", classes)
	}
	return graph.OneHot(labels, classes, dtype)
}

// ArgMaxGraph returns, as Int32, the index of the largest value over the last
// axis of x (shape [..., C] gives [...]): the predicted class of each row.
// Ties return the smallest index. For a row containing NaN the result is the
// index of one of its NaNs, but which one depends on the backend (SimpleGo
// returns the last NaN; the plain-Go ArgMax returns the first).
// It panics if x has rank 0 or an empty last axis.
func ArgMaxGraph(x *graph.Node) *graph.Node {
	if x.Rank() < 1 || x.Shape().Dim(-1) == 0 {
		graphPanicf("ArgMaxGraph: input shape %s has no last axis to reduce or it is empty; pass a [..., C] tensor with C ≥ 1", x.Shape())
	}
	return graph.ArgMax(x, -1, dtypes.Int32)
}
