package dotgrad

import (
	"io"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"feedforward.dev/feedforward/pkg/backend"
)

// gradTol is the relative error allowed between gradients (float64).
const gradTol = 1e-7

func newBackend(tb testing.TB) backends.Backend {
	tb.Helper()
	backend.NoticeWriter = io.Discard
	b, err := backend.New()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// withStock runs fn with GoMLX's original gradients of Dot and DotGeneral registered.
// Gradient graphs are built lazily by the first Exec, so that call must be inside fn.
func withStock(fn func()) {
	Install()
	dot, dg := VJPRegistration[NodeTypeDot], VJPRegistration[NodeTypeDotGeneral]
	VJPRegistration[NodeTypeDot], VJPRegistration[NodeTypeDotGeneral] = stockDot, stockDotGeneral
	defer func() {
		VJPRegistration[NodeTypeDot], VJPRegistration[NodeTypeDotGeneral] = dot, dg
	}()
	fn()
}

// gradCase is a product Z = fn(X, W); tests differentiate loss = Σ R ⊙ Z.
type gradCase struct {
	name         string
	xDims, wDims []int
	fn           func(x, w *Node) *Node
	// plain marks the products the new gradient handles itself (the others fall back to GoMLX's).
	plain bool
}

var gradCases = []gradCase{
	{"Dot X·W", []int{5, 4}, []int{4, 3}, func(x, w *Node) *Node { return Dot(x, w) }, true},
	{"MatMul X·W", []int{5, 4}, []int{4, 3}, func(x, w *Node) *Node { return MatMul(x, w) }, true},
	{"DotGeneral X·W", []int{5, 4}, []int{4, 3}, func(x, w *Node) *Node { return DotGeneral(x, []int{1}, nil, w, []int{0}, nil) }, true},
	{"DotGeneral Xᵀ·W", []int{4, 5}, []int{4, 3}, func(x, w *Node) *Node { return DotGeneral(x, []int{0}, nil, w, []int{0}, nil) }, true},
	{"DotGeneral X·Wᵀ", []int{5, 4}, []int{3, 4}, func(x, w *Node) *Node { return DotGeneral(x, []int{1}, nil, w, []int{1}, nil) }, true},
	{"DotGeneral Xᵀ·Wᵀ", []int{4, 5}, []int{3, 4}, func(x, w *Node) *Node { return DotGeneral(x, []int{0}, nil, w, []int{1}, nil) }, true},
	{"Einsum ij,jk->ki", []int{5, 4}, []int{4, 3}, func(x, w *Node) *Node { return Einsum("ij,jk->ki", x, w) }, true},
	{"tanh(X·W)", []int{5, 4}, []int{4, 3}, func(x, w *Node) *Node { return Tanh(Dot(x, w)) }, true},
	{"(X·W)·Wᵀ", []int{5, 4}, []int{4, 3}, func(x, w *Node) *Node { return Dot(Dot(x, w), Transpose(w, 0, 1)) }, true},
	// Fallbacks to the stock gradient:
	{"Dot matrix·vector", []int{5, 4}, []int{4}, func(x, w *Node) *Node { return Dot(x, w) }, false},
	{"Dot vector·vector", []int{4}, []int{4}, func(x, w *Node) *Node { return Dot(x, w) }, false},
	{"batched Einsum bij,bjk->bik", []int{2, 5, 4}, []int{2, 4, 3}, func(x, w *Node) *Node { return Einsum("bij,bjk->bik", x, w) }, false},
	{"MatMul rank3·matrix", []int{2, 5, 4}, []int{4, 3}, func(x, w *Node) *Node { return MatMul(x, w) }, false},
	{"DotGeneral two contracting axes", []int{5, 4, 2}, []int{4, 2, 3}, func(x, w *Node) *Node { return DotGeneral(x, []int{1, 2}, nil, w, []int{0, 1}, nil) }, false},
	{"DotGeneral batch axis on matrices", []int{5, 4}, []int{5, 3}, func(x, w *Node) *Node { return DotGeneral(x, nil, []int{0}, w, nil, []int{0}) }, false},
}

// inputs returns seeded random X, W and R for c (R has Z's shape).
func (c gradCase) inputs(tb testing.TB, b backends.Backend) (x, w, r *tensors.Tensor) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(2024, uint64(len(c.name))))
	randT := func(dims []int) *tensors.Tensor {
		data := make([]float64, shapes.Make(dtypes.Float64, dims...).Size())
		for i := range data {
			data[i] = rng.NormFloat64()
		}
		return tensors.FromFlatDataAndDimensions(data, dims...)
	}
	x, w = randT(c.xDims), randT(c.wDims)
	zShape := MustExecOnce(b, func(x, w *Node) *Node { return c.fn(x, w) }, x, w).Shape()
	return x, w, randT(zShape.Dimensions)
}

func (c gradCase) loss(x, w, r *Node) *Node { return ReduceAllSum(Mul(r, c.fn(x, w))) }

// gradients returns d loss/dX and d loss/dW flattened; stock selects GoMLX's original gradient.
func (c gradCase) gradients(tb testing.TB, b backends.Backend, x, w, r *tensors.Tensor, stock bool) (dx, dw []float64) {
	tb.Helper()
	exec := MustNewExec(b, func(x, w, r *Node) []*Node { return Gradient(c.loss(x, w, r), x, w) })
	defer exec.Finalize()
	var outs []*tensors.Tensor
	run := func() { outs = exec.MustExec(x, w, r) }
	if stock {
		withStock(run)
	} else {
		run()
	}
	return tensors.MustCopyFlatData[float64](outs[0]), tensors.MustCopyFlatData[float64](outs[1])
}

// finiteDifferences returns the central finite-difference gradients of the loss.
func (c gradCase) finiteDifferences(tb testing.TB, b backends.Backend, x, w, r *tensors.Tensor) (dx, dw []float64) {
	tb.Helper()
	exec := MustNewExec(b, c.loss)
	defer exec.Finalize()
	xs, ws := tensors.MustCopyFlatData[float64](x), tensors.MustCopyFlatData[float64](w)
	f := func() float64 {
		xt := tensors.FromFlatDataAndDimensions(slices.Clone(xs), c.xDims...)
		wt := tensors.FromFlatDataAndDimensions(slices.Clone(ws), c.wDims...)
		return exec.MustExec(xt, wt, r)[0].Value().(float64)
	}
	const h = 1e-5
	diff := func(vals []float64) []float64 {
		g := make([]float64, len(vals))
		for i := range vals {
			v := vals[i]
			vals[i] = v + h
			fp := f()
			vals[i] = v - h
			fm := f()
			vals[i] = v
			g[i] = (fp - fm) / (2 * h)
		}
		return g
	}
	return diff(xs), diff(ws)
}

// relErr is the norm-wise relative error ‖got-want‖₂ / ‖want‖₂.
func relErr(got, want []float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var num, den float64
	for i := range got {
		num += (got[i] - want[i]) * (got[i] - want[i])
		den += want[i] * want[i]
	}
	if den == 0 {
		return math.Sqrt(num)
	}
	return math.Sqrt(num / den)
}

func TestGradientsMatchStockAndFiniteDifferences(t *testing.T) {
	Install()
	b := newBackend(t)
	defer b.Finalize()
	for _, c := range gradCases {
		t.Run(c.name, func(t *testing.T) {
			x, w, r := c.inputs(t, b)
			dx, dw := c.gradients(t, b, x, w, r, false)
			sdx, sdw := c.gradients(t, b, x, w, r, true)
			fdx, fdw := c.finiteDifferences(t, b, x, w, r)
			for _, cmp := range []struct {
				what      string
				got, want []float64
			}{
				{"dX vs stock", dx, sdx}, {"dW vs stock", dw, sdw},
				{"dX vs finite differences", dx, fdx}, {"dW vs finite differences", dw, fdw},
			} {
				if e := relErr(cmp.got, cmp.want); e > gradTol {
					t.Errorf("%s: %s relative error %.3g, want <= %g", c.name, cmp.what, e, gradTol)
				}
			}
		})
	}
}

// maxRankOfGradientGraph builds the gradient graph of c and returns the largest rank of its nodes.
func maxRankOfGradientGraph(t *testing.T, b backends.Backend, c gradCase) (maxRank int, largest shapes.Shape) {
	t.Helper()
	g := NewGraph(b, "gradient")
	defer g.Finalize()
	x := Parameter(g, "x", shapes.Make(dtypes.Float64, c.xDims...))
	w := Parameter(g, "w", shapes.Make(dtypes.Float64, c.wDims...))
	z := c.fn(x, w)
	r := Parameter(g, "r", z.Shape())
	Gradient(ReduceAllSum(Mul(r, z)), x, w)
	for _, n := range g.Nodes() {
		if n.NumOutputs() == 1 && n.Rank() > maxRank {
			maxRank, largest = n.Rank(), n.Shape()
		}
	}
	return maxRank, largest
}

// TestNoRank3Intermediate checks that the gradient graph of a plain 2-D product only has
// matrices in it, while GoMLX's stock gradient builds a batch×in×out tensor.
func TestNoRank3Intermediate(t *testing.T) {
	Install()
	b := newBackend(t)
	defer b.Finalize()
	for _, c := range gradCases {
		if !c.plain {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			if rank, shape := maxRankOfGradientGraph(t, b, c); rank > 2 {
				t.Errorf("%s: gradient graph has a rank-%d node %s, want only matrices", c.name, rank, shape)
			}
			var stockRank int
			withStock(func() { stockRank, _ = maxRankOfGradientGraph(t, b, c) })
			if stockRank < 3 {
				t.Errorf("%s: the stock gradient graph has max rank %d; expected the batch×in×out tensor this package avoids (did GoMLX change?)", c.name, stockRank)
			}
		})
	}
}

func funcPointer(f VJP) uintptr { return reflect.ValueOf(f).Pointer() }

func TestInstallIdempotent(t *testing.T) {
	for range 3 {
		Install()
	}
	if !Installed() {
		t.Fatal("Installed() = false after Install()")
	}
	for _, tc := range []struct {
		typ         NodeType
		mine, stock VJP
	}{
		{NodeTypeDot, dotVJP, stockDot},
		{NodeTypeDotGeneral, dotGeneralVJP, stockDotGeneral},
	} {
		if got := funcPointer(VJPRegistration[tc.typ]); got != funcPointer(tc.mine) {
			t.Errorf("VJPRegistration[%s] is not this package's gradient after Install", tc.typ)
		}
		if tc.stock == nil || funcPointer(tc.stock) == funcPointer(tc.mine) {
			t.Errorf("the saved stock gradient of %s is missing or was overwritten by ours", tc.typ)
		}
	}
}

// TestDotGeneralParams checks that the axes of a DotGeneral node are read correctly,
// so that a change in GoMLX's internals fails here instead of silently falling back.
func TestDotGeneralParams(t *testing.T) {
	b := newBackend(t)
	defer b.Finalize()
	g := NewGraph(b, "params")
	defer g.Finalize()
	x := Parameter(g, "x", shapes.Make(dtypes.Float32, 2, 3, 4, 5))
	w := Parameter(g, "w", shapes.Make(dtypes.Float32, 2, 5, 4, 6))
	z := DotGeneral(x, []int{3, 2}, []int{0}, w, []int{1, 2}, []int{0})
	p, ok := dotGeneralParams(z)
	if !ok {
		t.Fatal("dotGeneralParams could not read the DotGeneral axes (GoMLX internals changed?)")
	}
	want := dotGeneralAxes{lhsContracting: []int{3, 2}, lhsBatch: []int{0}, rhsContracting: []int{1, 2}, rhsBatch: []int{0}}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("dotGeneralParams = %+v, want %+v", p, want)
	}
	if _, ok := dotGeneralParams(x); ok {
		t.Errorf("dotGeneralParams accepted a Parameter node")
	}
}
