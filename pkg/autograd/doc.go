// Package autograd is the homework's AutogradNeuralNetwork (Q3): a fully
// connected feedforward network of any shape, written with nothing but GoMLX
// graph operations, plain parameter tensors and reverse-mode automatic
// differentiation (graph.Gradient). No layers package and no optimizer are
// used: the forward pass, the loss and the gradient-descent update are spelled
// out in this package, so students can read every step.
//
// A network of shape (784, 300, 100, 10) has 784 inputs, hidden layers of 300
// and 100 ReLU units, and 10 outputs with a numerically stable softmax. The
// objective is the average cross-entropy
//
//	E = -1/N Σ_d t_d · (z_d - log Σ_c exp z_dc),
//
// where z_d are the output pre-activations (logits) of example d and t_d its
// one-hot label. Weights and biases start uniform in ±1/√n_in, where n_in is
// the number of inputs of the layer.
//
// Training is full-batch gradient descent: each TrainOneEpoch computes the
// gradient of E over all the given examples and takes one step
// θ ← θ - η ∇E. The step is compiled once and reused; parameters stay on the
// device between epochs.
//
// Options.AccumulateGradients reproduces a classic PyTorch bug on purpose:
// forgetting to zero the gradients. The gradient buffer then keeps the sum of
// all the gradients seen so far, and every update uses that sum: θ_t+1 =
// θ_t - η (g_1 + … + g_t). This is momentum that never decays. The loss may
// fall faster than with correct training for a few epochs, but the summed
// steps keep their old directions, overshoot, and the loss curve rises and
// oscillates (or diverges at larger learning rates) instead of decreasing
// steadily.
package autograd
