// Package dotgrad replaces GoMLX's gradient of the matrix product with one that
// costs two matrix products, so that training a dense network on a full batch
// fits in memory and runs at the speed of its forward pass.
//
// # Why
//
// GoMLX v0.26.0 back-propagates through Z = X·W (graph.Dot or graph.DotGeneral) by
// broadcasting the incoming gradient dZ to a batch×in×out tensor, multiplying it
// by X or W and summing an axis away. For a 784→300 layer on the 60000 MNIST
// training images that intermediate has 60000·784·300 ≈ 1.4·10¹⁰ elements:
// about 56 GB in float32, and at a batch of 1000 the gradient is already an order
// of magnitude slower than it needs to be.
//
// The textbook gradient needs no such tensor:
//
//	dX = dZ·Wᵀ    dW = Xᵀ·dZ
//
// Install registers a gradient that computes each of these with a single
// graph.DotGeneral call whose contracting axes do the transposition, so no
// transposed copy is built either.
//
// # Scope
//
// The replacement handles every "plain" 2-D product: graph.Dot of two matrices,
// and graph.DotGeneral (also graph.Einsum, graph.MatMul of matrices) of two
// rank-2 operands with one contracting axis each and no batch axes, whichever
// axes are contracted (X·W, Xᵀ·W, X·Wᵀ, Xᵀ·Wᵀ). Anything else (vectors,
// batched products, several contracting axes, ...) is passed to GoMLX's original
// gradient, saved before it is replaced, so results never change, only speed and
// memory.
//
// # Use
//
// Call Install once before building training graphs, for example from main, from
// a test's init, or from the init of a package that builds models. It is
// idempotent and safe for concurrent use, but it writes GoMLX's global
// graph.VJPRegistration table, so it must not run while another goroutine is
// building a gradient graph.
package dotgrad

import (
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

var (
	installOnce sync.Once
	installed   atomic.Bool

	// stockDot and stockDotGeneral are GoMLX's own gradients, saved by Install and used
	// for every product that is not a plain 2-D one.
	stockDot, stockDotGeneral graph.VJP
)

// Install replaces GoMLX's gradients of graph.Dot and graph.DotGeneral with the
// efficient ones described in the package documentation. Only the first call
// has an effect; later calls do nothing.
func Install() {
	installOnce.Do(func() {
		stockDot = graph.VJPRegistration[graph.NodeTypeDot]
		stockDotGeneral = graph.VJPRegistration[graph.NodeTypeDotGeneral]
		graph.VJPRegistration[graph.NodeTypeDot] = dotVJP
		graph.VJPRegistration[graph.NodeTypeDotGeneral] = dotGeneralVJP
		installed.Store(true)
	})
}

// Installed reports whether Install has replaced the gradients.
func Installed() bool {
	return installed.Load()
}

// dotVJP is the gradient of graph.Dot. graph.Dot of two matrices contracts axis 1
// of the left operand with axis 0 of the right one.
func dotVJP(node *graph.Node, vjps []*graph.Node, outputShape shapes.Shape) []*graph.Node {
	in := node.Inputs()
	if len(in) == 2 && in[0].Rank() == 2 && in[1].Rank() == 2 {
		if grads, ok := matMulVJP(in[0], 1, in[1], 0, vjps, outputShape); ok {
			return grads
		}
	}
	return stockDot(node, vjps, outputShape)
}

// dotGeneralVJP is the gradient of graph.DotGeneral.
func dotGeneralVJP(node *graph.Node, vjps []*graph.Node, outputShape shapes.Shape) []*graph.Node {
	in := node.Inputs()
	if len(in) == 2 && in[0].Rank() == 2 && in[1].Rank() == 2 {
		if p, ok := dotGeneralParams(node); ok &&
			len(p.lhsContracting) == 1 && len(p.rhsContracting) == 1 &&
			len(p.lhsBatch) == 0 && len(p.rhsBatch) == 0 {
			if grads, ok := matMulVJP(in[0], p.lhsContracting[0], in[1], p.rhsContracting[0], vjps, outputShape); ok {
				return grads
			}
		}
	}
	return stockDotGeneral(node, vjps, outputShape)
}

// matMulVJP returns the gradients with respect to x and w of Z[i,k] = Σⱼ x·w, where
// j is axis xc of x and axis wc of w, and Z's axes are x's other axis, then w's.
// It reports false, to use the stock gradient, when the incoming gradient is not
// shaped like Z (GoMLX only differentiates scalars today, so it always is).
func matMulVJP(x *graph.Node, xc int, w *graph.Node, wc int, vjps []*graph.Node, outputShape shapes.Shape) ([]*graph.Node, bool) {
	if len(vjps) != 1 || outputShape.Rank() != 0 || (xc != 0 && xc != 1) || (wc != 0 && wc != 1) {
		return nil, false
	}
	dz := vjps[0] // [i, k]: i is x's free axis, k is w's free axis.
	if dz.Rank() != 2 || dz.DType() != x.DType() || dz.DType() != w.DType() {
		return nil, false
	}
	xFree, wFree := 1-xc, 1-wc
	var dx, dw *graph.Node
	// dx[.., j ..] = Σₖ dz[i,k]·w[j,k]: contract k (axis 1 of dz, w's free axis).
	if xc == 1 { // x is [i,j]
		dx = graph.DotGeneral(dz, []int{1}, nil, w, []int{wFree}, nil) // [i,j]
	} else { // x is [j,i]
		dx = graph.DotGeneral(w, []int{wFree}, nil, dz, []int{1}, nil) // [j,i]
	}
	// dw[.., j ..] = Σᵢ x[i,j]·dz[i,k]: contract i (axis 0 of dz, x's free axis).
	if wc == 0 { // w is [j,k]
		dw = graph.DotGeneral(x, []int{xFree}, nil, dz, []int{0}, nil) // [j,k]
	} else { // w is [k,j]
		dw = graph.DotGeneral(dz, []int{0}, nil, x, []int{xFree}, nil) // [k,j]
	}
	if !dx.Shape().Equal(x.Shape()) || !dw.Shape().Equal(w.Shape()) {
		return nil, false // Cannot happen for valid products; stay safe anyway.
	}
	return []*graph.Node{dx, dw}, true
}

// dotGeneralAxes are the axes a DotGeneral node contracts and batches.
type dotGeneralAxes struct {
	lhsContracting, lhsBatch, rhsContracting, rhsBatch []int
}

// dotGeneralParams reads the axes of a DotGeneral node. GoMLX v0.26.0 keeps them
// in unexported fields with no accessor, so they are read (never written) by
// reflection; if the layout ever changes it reports false and the stock gradient
// is used.
func dotGeneralParams(node *graph.Node) (p dotGeneralAxes, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	v := reflect.ValueOf(node).Elem().FieldByName("inputs")
	if !v.IsValid() || v.Kind() != reflect.Interface || v.IsNil() {
		return p, false
	}
	v = v.Elem()
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return p, false
	}
	v = v.Elem()
	if v.Kind() != reflect.Struct {
		return p, false
	}
	ints := func(name string) ([]int, bool) {
		f := v.FieldByName(name)
		if !f.IsValid() || f.Kind() != reflect.Slice || f.Type().Elem().Kind() != reflect.Int {
			return nil, false
		}
		out := make([]int, f.Len())
		for i := range out {
			out[i] = int(f.Index(i).Int())
		}
		return out, true
	}
	var ok1, ok2, ok3, ok4 bool
	p.lhsContracting, ok1 = ints("lhsContractingAxes")
	p.lhsBatch, ok2 = ints("lhsBatchAxes")
	p.rhsContracting, ok3 = ints("rhsContractingAxes")
	p.rhsBatch, ok4 = ints("rhsBatchAxes")
	return p, ok1 && ok2 && ok3 && ok4
}
