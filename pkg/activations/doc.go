// Package activations implements the activation and objective functions of the
// homework's warm-up (equations 1–5): ReLU, Sigmoid, the basic and the
// numerically stable softmax, log-sum-exp, log-softmax, the average
// cross-entropy, one-hot encoding and arg-max.
//
// Every function comes twice:
//
//   - in plain Go, generic over float32 and float64, working on slices and on a
//     row-major [Matrix] whose rows are the examples of a mini-batch and whose
//     columns are the classes; these return an error for anything a caller can
//     get wrong (an empty batch, a class label out of range, mismatched shapes);
//   - as a GoMLX graph function with the suffix Graph (for example
//     [StableSoftmaxGraph]), taking and returning *graph.Node, so that it can be
//     used inside a model and differentiated with graph.Gradient. Following
//     GoMLX's convention, graph functions panic on shape or dtype misuse while
//     the graph is being built; graph.Exec turns such a panic into an error.
//
// # The formulas
//
// For a row of logits z with C classes:
//
//	Softmax:       a_k = exp(z_k) / Σ_c exp(z_c)                        (eq. 1)
//	StableSoftmax: a_k = exp(z_k − m) / Σ_c exp(z_c − m),  m = max_c z_c (eq. 2–4, log C = −m)
//	LogSumExp:     lse = m + log Σ_c exp(z_c − m)
//	LogSoftmax:    log a_k = z_k − lse
//	AverageCrossEntropy over a batch of N rows with labels t_d:
//	               E = −(1/N) Σ_d (z_{d,t_d} − lse_d)                   (eq. 5)
//
// Equation 5 writes the label t_d as a one-hot vector; here labels are class
// indices, which picks the same term. [OneHot] converts between the two.
//
// Softmax is the basic formula on purpose: it overflows. In float64, exp(z)
// is +Inf for z > 709.78, and a row containing such a logit becomes NaN
// (Inf/Inf); in float32 the limit is z > 88.72. For very negative rows every
// exp(z) underflows to 0 and the row becomes NaN (0/0). StableSoftmax shifts
// every row by its maximum, so the largest exponent is exp(0) = 1 and the sum
// lies in [1, C]: it neither overflows nor divides by zero for finite logits.
//
// # Precision
//
// The plain-Go stable functions (StableSoftmax, LogSumExp, LogSoftmax, the
// cross-entropies and Sigmoid) compute in float64 internally and round the
// result to T once, so float32 results are correctly rounded to within about
// one unit in the last place. Softmax, the basic formula, computes in T on
// purpose, so that it overflows exactly where the textbook formula does in
// that precision. The graph functions compute in the dtype of their input.
//
// # NaN and infinities
//
// There are no special cases: results are what IEEE-754 arithmetic gives for
// the formulas above, the same in the plain-Go and graph versions (the tests
// compare them on the backend that pkg/backend picks), except for which NaN
// index ArgMaxGraph returns.
//
//   - ReLU and Sigmoid are element-wise: NaN gives NaN; ReLU(+Inf) = +Inf,
//     ReLU(−Inf) = 0; Sigmoid(+Inf) = 1, Sigmoid(−Inf) = 0.
//   - A NaN logit makes its whole row NaN in StableSoftmax, LogSumExp and
//     LogSoftmax, and makes the average cross-entropy NaN.
//   - A +Inf logit also makes its whole row NaN (the shift computes Inf − Inf),
//     and so the average cross-entropy NaN.
//   - −Inf logits are fine as long as the row has a finite maximum: they get
//     probability exactly 0 (log-probability −Inf). A row whose logits are all
//     −Inf is NaN (−Inf − (−Inf)).
//   - AverageCrossEntropyFromProbs does not clip: a true-class probability of
//     exactly 0 gives −log 0 = +Inf, which is the exact value of the loss; use
//     AverageCrossEntropy on logits to avoid that. A NaN anywhere in the
//     probabilities makes the loss NaN.
//   - ArgMax returns the index of the first NaN of a row that has one (like
//     numpy); ties return the smallest index. ArgMaxGraph also returns the
//     index of a NaN, but which one depends on the backend.
//   - Graph cross-entropies cannot return errors: an out-of-range label makes
//     the loss NaN. Check label data once with [CheckLabels].
//
// # Naming
//
// Plain-Go functions have the plain names; their graph twins add the suffix
// Graph. A float32 batch from pkg/mnist, for example, becomes a Matrix with
//
//	logits, err := activations.NewMatrix(n, 10, data) // data []float32, len n*10
//
// and a Matrix becomes a graph input with
//
//	tensors.FromFlatDataAndDimensions(m.Data, m.Rows, m.Cols)
package activations
