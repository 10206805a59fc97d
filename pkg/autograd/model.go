package autograd

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph ops read like maths

	"feedforward.dev/feedforward/pkg/activations"
)

// This file holds the network's mathematics as graph-building functions. They
// only use graph operations (and the graph versions of the homework's
// activations), so graph.Gradient can differentiate them.

// averageCrossEntropy is the homework's equation (5):
// E = -1/N Σ_d t_d · (z_d - log Σ_c exp z_dc), with one-hot targets t.
func averageCrossEntropy(logits, targets *Node) *Node {
	return Neg(ReduceAllMean(ReduceSum(Mul(targets, activations.LogSoftmaxGraph(logits)), -1)))
}

// logits runs the network on x ([n, shape[0]]): z = h·W + b per layer, ReLU on
// hidden layers, and returns the output layer's pre-activations z^L.
// params alternates weights ([n_in, n_out]) and biases ([n_out]).
func logits(x *Node, params []*Node) *Node {
	h := x
	layers := len(params) / 2
	for l := range layers {
		w, b := params[2*l], params[2*l+1]
		z := Add(Dot(h, w), ExpandAxes(b, 0))
		if l < layers-1 {
			h = activations.ReLUGraph(z)
		} else {
			h = z
		}
	}
	return h
}

// predictGraph returns the argmax of the output activations, the stable softmax of z^L.
func predictGraph(x *Node, params []*Node) *Node {
	return ArgMax(activations.StableSoftmaxGraph(logits(x, params)), -1)
}
