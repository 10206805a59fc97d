// Package examplenet is the homework's TorchNeuralNetwork, the example the
// warm-up asks students to read: a fully connected feedforward network of any
// shape built from GoMLX's high-level pieces — layers.DenseWithBias for each
// layer, activations.Relu between them, a softmax cross-entropy loss from the
// losses package, and plain gradient descent from the optimizers package —
// with its variables held in a context.Context.
//
// Compare it with package autograd, which computes the same network with
// nothing but graph operations and graph.Gradient.
package examplenet

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"feedforward.dev/feedforward/pkg/devicedata"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph ops read like maths
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"feedforward.dev/feedforward/pkg/backend"
)

// shapeDType is the dtype of inputs, targets and parameters.
const shapeDType = dtypes.Float32

// MaxClasses is the largest number of outputs a Network accepts: labels are uint8.
const MaxClasses = 256

// Options configures a Network. The zero value (or a nil *Options) uses the
// default backend and seed 0.
type Options struct {
	// Seed seeds the context's random number generator, which draws the
	// initial weights and biases (uniform in ±1/√n_in, like torch.nn.Linear).
	Seed uint64

	// Backend runs the computations; nil means backend.New().
	Backend backends.Backend

	// EvalBatchSize is the number of rows Predict processes at a time, to
	// bound memory on large sets; 0 means all rows at once.
	EvalBatchSize int
}

// Network is a multilayer perceptron whose variables live in a
// context.Context. Create it with New. A Network is not safe for concurrent use.
type Network struct {
	shape     []int
	evalBatch int
	backend   backends.Backend
	ctx       *context.Context
	optimizer optimizers.Interface
	lrVar     *context.Variable
	lr        float64
	epoch     int

	trainExec, predictExec *context.Exec

	data   *devicedata.Cache
	oneHot devicedata.OneHot
}

// New returns a network of the given shape: shape[0] inputs, one ReLU hidden
// layer per middle entry and shape[len(shape)-1] outputs. opts may be nil.
// The variables are created and initialised on first use.
func New(shape []int, opts *Options) (*Network, error) {
	if opts == nil {
		opts = &Options{}
	}
	if err := ValidateShape(shape); err != nil {
		return nil, err
	}
	if opts.EvalBatchSize < 0 {
		return nil, fmt.Errorf("examplenet: Options.EvalBatchSize is %d; use 0 (all rows at once) or a positive number of rows", opts.EvalBatchSize)
	}
	b := opts.Backend
	if b == nil {
		var err error
		if b, err = backend.New(); err != nil {
			return nil, fmt.Errorf("examplenet: %w", err)
		}
	}
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(int64(opts.Seed)); err != nil {
		return nil, fmt.Errorf("examplenet: seeding the context: %w", err)
	}
	n := &Network{
		shape:     slices.Clone(shape),
		evalBatch: opts.EvalBatchSize,
		backend:   b,
		ctx:       ctx,
		// Plain gradient descent: a constant learning rate (no 1/√step decay).
		optimizer: optimizers.StochasticGradientDescent().WithDecay(false),
		data:      devicedata.NewCache(b, 32),
	}
	n.lrVar = optimizers.LearningRateVar(ctx, shapeDType, optimizers.SGDDefaultLearningRate)
	n.lr = optimizers.SGDDefaultLearningRate
	return n, nil
}

// ValidateShape reports whether shape describes a network: at least an input
// and an output size, all positive, and at most MaxClasses outputs.
func ValidateShape(shape []int) error {
	if len(shape) < 2 {
		return fmt.Errorf("examplenet: shape %v needs at least 2 sizes (inputs and outputs), e.g. [784 300 100 10]", shape)
	}
	for i, s := range shape {
		if s <= 0 {
			return fmt.Errorf("examplenet: shape %v has size %d at position %d; every layer needs a positive number of units", shape, s, i)
		}
	}
	if k := shape[len(shape)-1]; k > MaxClasses {
		return fmt.Errorf("examplenet: shape %v has %d outputs; labels are uint8, so use at most %d classes", shape, k, MaxClasses)
	}
	return nil
}

// Shape returns a copy of the network's shape.
func (n *Network) Shape() []int { return slices.Clone(n.shape) }

// Epoch returns the number of epochs trained so far.
func (n *Network) Epoch() int { return n.epoch }

// Context returns the context holding the network's variables, for
// inspection: layer l's weights are in scope "/layer_l/dense", named
// "weights" and "biases".
func (n *Network) Context() *context.Context { return n.ctx }

// Logits is the model: for each layer a dense layer (x·W + b) in scope
// "layer_<l>", with ReLU after every layer but the last. It returns the
// output layer's pre-activations; the softmax lives in the loss (training)
// and does not change the argmax (prediction).
func (n *Network) Logits(ctx *context.Context, x *Node) *Node {
	h := x
	for l := 1; l < len(n.shape); l++ {
		// Like torch.nn.Linear: weights and biases uniform in ±1/√n_in.
		bound := 1 / math.Sqrt(float64(n.shape[l-1]))
		lctx := ctx.In(fmt.Sprintf("layer_%d", l-1)).WithInitializer(initializers.RandomUniformFn(ctx, -bound, bound))
		h = layers.DenseWithBias(lctx, h, n.shape[l])
		if l < len(n.shape)-1 {
			h = activations.Relu(h)
		}
	}
	return h
}

// trainStep builds one training step: the loss on (x, targets) and, through
// the optimizer, the update of every trainable variable.
func (n *Network) trainStep(ctx *context.Context, x, targets *Node) *Node {
	logits := n.Logits(ctx, x)
	loss := losses.CategoricalCrossEntropyLogits([]*Node{targets}, []*Node{logits})
	n.optimizer.UpdateGraph(ctx, x.Graph(), loss)
	return loss
}

func (n *Network) predictGraph(ctx *context.Context, x *Node) *Node {
	return ArgMax(n.Logits(ctx, x), -1, dtypes.Int32)
}

// rows checks that X holds whole rows of shape[0] features and returns their number.
func (n *Network) rows(X []float32) (int, error) {
	f := n.shape[0]
	if len(X) == 0 {
		return 0, errors.New("examplenet: X is empty; pass at least one example of " + fmt.Sprint(f) + " features")
	}
	if len(X)%f != 0 {
		return 0, fmt.Errorf("examplenet: len(X)=%d is not a multiple of the %d input features; X must hold N rows of %d values, row-major", len(X), f, f)
	}
	return len(X) / f, nil
}

// targets returns the one-hot targets for N examples, from y1hot or, when it
// is nil, from the labels y.
func (n *Network) targets(N int, y []uint8, y1hot []float32) ([]float32, error) {
	t, err := n.oneHot.Targets(N, n.shape[len(n.shape)-1], y, y1hot)
	if err != nil {
		return nil, fmt.Errorf("examplenet: %w", err)
	}
	return t, nil
}

// TrainOneEpoch takes one full-batch gradient-descent step on all the rows of
// X (N×shape[0], row-major) and returns the average cross-entropy over X
// before the step.
//
// The targets are y1hot (N×classes) when it is not nil, and otherwise the
// one-hot encoding of the labels y (N entries). lr is the learning rate.
// Passing the same X again reuses its device copy.
//
// If the loss is NaN or infinite, TrainOneEpoch returns an error that names
// the epoch; the learning rate is then too large.
func (n *Network) TrainOneEpoch(X []float32, y []uint8, y1hot []float32, lr float64) (float64, error) {
	if !(lr > 0) || math.IsInf(lr, 0) {
		return 0, fmt.Errorf("examplenet: learning rate %v must be a positive finite number, e.g. 0.1", lr)
	}
	N, err := n.rows(X)
	if err != nil {
		return 0, err
	}
	if y != nil && len(y) != N {
		return 0, fmt.Errorf("examplenet: len(y)=%d labels for %d examples in X; pass one label per row of X", len(y), N)
	}
	t, err := n.targets(N, y, y1hot)
	if err != nil {
		return 0, err
	}
	xt, err := n.data.Float32s(X, N, n.shape[0])
	if err != nil {
		return 0, fmt.Errorf("examplenet: moving X to the device: %w", err)
	}
	tt, err := n.data.Float32s(t, N, n.shape[len(n.shape)-1])
	if err != nil {
		return 0, fmt.Errorf("examplenet: moving the targets to the device: %w", err)
	}
	if lr != n.lr {
		if err := n.lrVar.SetValue(tensors.FromScalar(float32(lr))); err != nil {
			return 0, fmt.Errorf("examplenet: setting the learning rate: %w", err)
		}
		n.lr = lr
	}
	if n.trainExec == nil {
		installDotGradient()
		if n.trainExec, err = context.NewExec(n.backend, n.ctx.Checked(false), n.trainStep); err != nil {
			return 0, fmt.Errorf("examplenet: building the training step: %w", err)
		}
	}
	out, err := n.trainExec.Exec(xt, tt)
	if err != nil {
		return 0, fmt.Errorf("examplenet: training step: %w", err)
	}
	n.epoch++
	v, err := tensors.CopyFlatData[float32](out[0])
	freeAll(out)
	if err != nil {
		return 0, err
	}
	loss := float64(v[0])
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, fmt.Errorf("examplenet: epoch %d: the loss is %v, training diverged; start a new network with a smaller learning rate than %.3g (e.g. %.3g)",
			n.epoch, loss, lr, lr/10)
	}
	return loss, nil
}

// Predict returns the predicted class of every row of X (N×shape[0],
// row-major): the output with the largest logit, which is also the one with
// the largest softmax probability.
func (n *Network) Predict(X []float32) ([]uint8, error) {
	N, err := n.rows(X)
	if err != nil {
		return nil, err
	}
	if n.predictExec == nil {
		if n.predictExec, err = context.NewExec(n.backend, n.ctx.Checked(false), n.predictGraph); err != nil {
			return nil, fmt.Errorf("examplenet: building predict: %w", err)
		}
	}
	size := n.evalBatch
	if size <= 0 || size > N {
		size = N
	}
	f := n.shape[0]
	pred := make([]uint8, 0, N)
	for lo := 0; lo < N; lo += size {
		hi := min(lo+size, N)
		xt, err := n.data.Float32s(X[lo*f:hi*f], hi-lo, f)
		if err != nil {
			return nil, fmt.Errorf("examplenet: moving X to the device: %w", err)
		}
		out, err := n.predictExec.Exec(xt)
		if err != nil {
			return nil, fmt.Errorf("examplenet: predict: %w", err)
		}
		idx, err := tensors.CopyFlatData[int32](out[0])
		freeAll(out)
		if err != nil {
			return nil, err
		}
		for _, c := range idx {
			pred = append(pred, uint8(c))
		}
	}
	return pred, nil
}

// Accuracy returns the fraction of rows of X whose predicted class equals y.
func (n *Network) Accuracy(X []float32, y []uint8) (float64, error) {
	pred, err := n.Predict(X)
	if err != nil {
		return 0, err
	}
	if len(y) != len(pred) {
		return 0, fmt.Errorf("examplenet: len(y)=%d labels for %d examples in X; pass one label per row of X", len(y), len(pred))
	}
	correct := 0
	for i, p := range pred {
		if p == y[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(y)), nil
}

// Close frees the network's device memory: variables, cached inputs and
// compiled graphs. The network must not be used afterwards.
func (n *Network) Close() {
	n.data.Clear()
	for _, e := range []*context.Exec{n.trainExec, n.predictExec} {
		if e != nil {
			e.Finalize()
		}
	}
	n.trainExec, n.predictExec = nil, nil
	n.ctx.Finalize()
}

func freeAll(ts []*tensors.Tensor) {
	for _, t := range ts {
		_ = t.FinalizeAll()
	}
}
