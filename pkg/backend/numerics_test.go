package backend_test

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/backends/xla"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	_ "feedforward.dev/feedforward/pkg/backend" // Switches XLA auto-install off.
)

// requireXLAEnv makes the XLA tests fail instead of skip when the plugin is missing;
// scripts/install-pjrt.sh sets it to verify an installation.
const requireXLAEnv = "FEEDFORWARD_REQUIRE_XLA"

// xlaBackend returns an XLA CPU backend, or skips the test (fails it when
// FEEDFORWARD_REQUIRE_XLA=1) when no PJRT CPU plugin is installed.
func xlaBackend(tb testing.TB) backends.Backend {
	tb.Helper()
	if !slices.Contains(xla.GetAvailablePlugins(), "cpu") {
		msg := "no PJRT CPU plugin installed (run `make setup`, i.e. scripts/install-pjrt.sh, to test XLA); SimpleGo is tested without it"
		if os.Getenv(requireXLAEnv) == "1" {
			tb.Fatalf("%s=1 but %s", requireXLAEnv, msg)
		}
		tb.Skip(msg)
	}
	b, err := backends.NewWithConfig("xla:cpu")
	if err != nil {
		tb.Fatalf("PJRT CPU plugin found, but creating the XLA backend failed: %v", err)
	}
	return b
}

func simpleGoBackend(tb testing.TB) backends.Backend {
	tb.Helper()
	b, err := backends.NewWithConfig(simplego.BackendName)
	if err != nil {
		tb.Fatalf("creating SimpleGo: %v", err)
	}
	return b
}

// matrix is a row-major float32 matrix used as input and for float64 references.
type matrix struct {
	rows, cols int
	data       []float32
}

func randMatrix(rng *rand.Rand, rows, cols int) matrix {
	m := matrix{rows, cols, make([]float32, rows*cols)}
	for i := range m.data {
		m.data[i] = float32(rng.NormFloat64())
	}
	return m
}

func (m matrix) at(i, j int) float64 { return float64(m.data[i*m.cols+j]) }

func (m matrix) tensor() *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(slices.Clone(m.data), m.rows, m.cols)
}

// refMatMul is a float64 reference for a·b.
func refMatMul(a, b matrix) []float64 {
	out := make([]float64, a.rows*b.cols)
	for i := range a.rows {
		for k := range b.cols {
			var s float64
			for j := range a.cols {
				s += a.at(i, j) * b.at(j, k)
			}
			out[i*b.cols+k] = s
		}
	}
	return out
}

// numericCase is one graph computation with a float64 reference.
type numericCase struct {
	name string
	// fn builds the graph from the inputs x (rows×in) and w (in×out).
	fn func(x, w *Node) *Node
	// ref computes the expected output in float64.
	ref func(x, w matrix) []float64
}

var numericCases = []numericCase{
	{
		name: "matmul",
		fn:   func(x, w *Node) *Node { return Dot(x, w) },
		ref:  refMatMul,
	},
	{
		name: "einsum-transposed",
		fn:   func(x, w *Node) *Node { return Einsum("ij,jk->ki", x, w) },
		ref: func(x, w matrix) []float64 {
			z := refMatMul(x, w)
			out := make([]float64, len(z))
			for i := range x.rows {
				for k := range w.cols {
					out[k*x.rows+i] = z[i*w.cols+k]
				}
			}
			return out
		},
	},
	{
		name: "reduce-sum-rows",
		fn:   func(x, _ *Node) *Node { return ReduceSum(x, 0) },
		ref: func(x, _ matrix) []float64 {
			out := make([]float64, x.cols)
			for i := range x.rows {
				for j := range x.cols {
					out[j] += x.at(i, j)
				}
			}
			return out
		},
	},
	{
		name: "reduce-max-cols",
		fn:   func(x, _ *Node) *Node { return ReduceMax(x, 1) },
		ref: func(x, _ matrix) []float64 {
			out := make([]float64, x.rows)
			for i := range x.rows {
				out[i] = math.Inf(-1)
				for j := range x.cols {
					out[i] = max(out[i], x.at(i, j))
				}
			}
			return out
		},
	},
	{
		name: "exp-log-softplus",
		fn:   func(x, _ *Node) *Node { return Log(OnePlus(Exp(x))) },
		ref: func(x, _ matrix) []float64 {
			out := make([]float64, len(x.data))
			for i, v := range x.data {
				out[i] = math.Log(1 + math.Exp(float64(v)))
			}
			return out
		},
	},
	{
		name: "softmax-rows",
		fn:   func(x, _ *Node) *Node { return Softmax(x, 1) },
		ref: func(x, _ matrix) []float64 {
			out := make([]float64, len(x.data))
			for i := range x.rows {
				m, s := math.Inf(-1), 0.0
				for j := range x.cols {
					m = max(m, x.at(i, j))
				}
				for j := range x.cols {
					out[i*x.cols+j] = math.Exp(x.at(i, j) - m)
					s += out[i*x.cols+j]
				}
				for j := range x.cols {
					out[i*x.cols+j] /= s
				}
			}
			return out
		},
	},
	{
		// d/dW sum(tanh(x·W)) = xᵀ·(1 - tanh²(x·W)).
		name: "gradient-tanh-layer",
		fn: func(x, w *Node) *Node {
			return Gradient(ReduceAllSum(Tanh(Dot(x, w))), w)[0]
		},
		ref: func(x, w matrix) []float64 {
			z := refMatMul(x, w)
			out := make([]float64, w.rows*w.cols)
			for i := range x.rows {
				for j := range w.rows {
					for k := range w.cols {
						t := math.Tanh(z[i*w.cols+k])
						out[j*w.cols+k] += x.at(i, j) * (1 - t*t)
					}
				}
			}
			return out
		},
	},
}

// run executes c on backend b and returns the flat float32 output.
func (c numericCase) run(tb testing.TB, b backends.Backend, x, w matrix) []float32 {
	tb.Helper()
	exec, err := NewExec(b, c.fn)
	if err != nil {
		tb.Fatalf("%s: NewExec: %v", c.name, err)
	}
	defer exec.Finalize()
	outs, err := exec.Exec(x.tensor(), w.tensor())
	if err != nil {
		tb.Fatalf("%s on %s: Exec: %v", c.name, b.Name(), err)
	}
	got, err := tensors.CopyFlatData[float32](outs[0])
	if err != nil {
		tb.Fatalf("%s: reading output: %v", c.name, err)
	}
	return got
}

// relErr is the norm-wise relative error ‖got-want‖₂ / ‖want‖₂.
func relErr[T float32 | float64](got []float32, want []T) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var num, den float64
	for i := range got {
		d := float64(got[i]) - float64(want[i])
		num += d * d
		den += float64(want[i]) * float64(want[i])
	}
	if den == 0 {
		return math.Sqrt(num)
	}
	return math.Sqrt(num / den)
}

// float32Tol is the norm-wise relative error allowed for float32 computations.
const float32Tol = 1e-5

func numericInputs() (x, w matrix) {
	rng := rand.New(rand.NewPCG(42, 7))
	return randMatrix(rng, 37, 53), randMatrix(rng, 53, 29)
}

func TestSimpleGoMatchesFloat64Reference(t *testing.T) {
	b := simpleGoBackend(t)
	defer b.Finalize()
	x, w := numericInputs()
	for _, c := range numericCases {
		t.Run(c.name, func(t *testing.T) {
			got := c.run(t, b, x, w)
			if e := relErr(got, c.ref(x, w)); e > float32Tol {
				t.Errorf("SimpleGo %s: relative error %.3g against float64 reference, want <= %g", c.name, e, float32Tol)
			}
		})
	}
}

func TestXLAMatchesSimpleGo(t *testing.T) {
	xb := xlaBackend(t)
	defer xb.Finalize()
	sb := simpleGoBackend(t)
	defer sb.Finalize()
	x, w := numericInputs()
	for _, c := range numericCases {
		t.Run(c.name, func(t *testing.T) {
			gotXLA := c.run(t, xb, x, w)
			gotGo := c.run(t, sb, x, w)
			eGo, eRef := relErr(gotXLA, gotGo), relErr(gotXLA, c.ref(x, w))
			t.Logf("relative error of XLA: %.2g vs SimpleGo, %.2g vs float64 reference", eGo, eRef)
			if eGo > float32Tol {
				t.Errorf("%s: XLA vs SimpleGo relative error %.3g, want <= %g", c.name, eGo, float32Tol)
			}
			if eRef > float32Tol {
				t.Errorf("XLA %s: relative error %.3g against float64 reference, want <= %g", c.name, eRef, float32Tol)
			}
		})
	}
}

// TestXLAFloat64 checks that XLA computes in float64 when asked (gradient checks rely on it).
func TestXLAFloat64(t *testing.T) {
	xb := xlaBackend(t)
	defer xb.Finalize()
	// 1 + 1e-12 is exactly representable enough in float64 but rounds to 1 in float32.
	got := MustExecOnce(xb, func(x *Node) *Node { return Sub(AddScalar(x, 1e-12), x) }, 1.0)
	v, ok := got.Value().(float64)
	if !ok {
		t.Fatalf("XLA returned %s, want float64", got.DType())
	}
	if math.Abs(v-1e-12) > 1e-15 {
		t.Errorf("XLA float64: (1+1e-12)-1 = %g, want 1e-12", v)
	}
}
