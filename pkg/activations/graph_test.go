package activations

import (
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"feedforward.dev/feedforward/pkg/backend"
)

var (
	backendOnce sync.Once
	testBackend backends.Backend
	backendErr  error
)

// getBackend returns the process-wide test backend, from pkg/backend.
func getBackend(t testing.TB) backends.Backend {
	t.Helper()
	backendOnce.Do(func() { testBackend, backendErr = backend.New() })
	if backendErr != nil {
		t.Fatal(backendErr)
	}
	return testBackend
}

type node = graph.Node

// run1 executes a one-input graph function on m and returns the flat output.
func run1[T Float, O dtypes.Supported](t *testing.T, fn func(*node) *node, m Matrix[T]) []O {
	t.Helper()
	out, err := graph.MustNewExec(getBackend(t), fn).Exec1(tensorOf(m))
	if err != nil {
		t.Fatal(err)
	}
	return tensors.MustCopyFlatData[O](out)
}

func tensorOf[T Float](m Matrix[T]) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(m.Data, m.Rows, m.Cols)
}

// scalarOf runs a two-input graph function (matrix, labels) that returns a scalar.
func scalarOf[T Float, L dtypes.Supported](t *testing.T, fn func(x, labels *node) *node, m Matrix[T], labels []L) float64 {
	t.Helper()
	out, err := graph.MustNewExec(getBackend(t), fn).Exec1(tensorOf(m), labels)
	if err != nil {
		t.Fatal(err)
	}
	return float64(tensors.MustCopyFlatData[T](out)[0])
}

// graphTestMatrix returns random rows followed by the corner cases of the
// package documentation, all with 5 classes.
func graphTestMatrix[T Float]() Matrix[T] {
	m := randomLogits[T](21, 20, 5, -5, 5)
	special := [][]float64{
		{1000, -1000, 0, 3, 999},
		{2, 2, 2, 2, 2},
		{-1000, -1000, -1000, -1000, -999},
		{-inf, 0, 1, 2, -inf},
		{0, nan, 1, 2, 3},
		{0, inf, 1, 2, 3},
		{-inf, -inf, -inf, -inf, -inf},
	}
	for _, r := range convertRows[T](special) {
		m.Data = append(m.Data, r...)
		m.Rows++
	}
	return m
}

// finiteRows returns the rows of m whose values are all finite, and their count.
func finiteRows[T Float](m Matrix[T]) Matrix[T] {
	out := Matrix[T]{Cols: m.Cols}
	for i := range m.Rows {
		r := m.Row(i)
		if finite(convertRows[float64]([][]T{r})[0]) {
			out.Data = append(out.Data, r...)
			out.Rows++
		}
	}
	return out
}

// TestGraphAgreesWithPlainGo runs every graph function and its plain-Go twin
// on the same data, including ±1000, equal logits, NaN and ±Inf rows, a single
// class and a batch of one.
func TestGraphAgreesWithPlainGo(t *testing.T) {
	bothPrecisions(t,
		func(t *testing.T) { testGraphAgrees[float32](t, 1e-5, 1e-6) },
		func(t *testing.T) { testGraphAgrees[float64](t, 1e-12, 1e-13) })
}

func testGraphAgrees[T Float](t *testing.T, rel, abs float64) {
	full := graphTestMatrix[T]()
	inputs := map[string]Matrix[T]{
		"with corner cases": full,
		"batch of one":      randomLogits[T](5, 1, 7, -3, 3),
		"single class":      randomLogits[T](6, 4, 1, -3, 3),
	}
	for name, m := range inputs {
		t.Run(name, func(t *testing.T) {
			relu := ReLU(m.Data)
			assertSlicesNear(t, "ReLUGraph", run1[T, T](t, ReLUGraph, m), relu, 0, 0)
			assertSlicesNear(t, "SigmoidGraph", run1[T, T](t, SigmoidGraph, m), Sigmoid(m.Data), rel, tiny[T]())

			basic, _ := Softmax(m)
			assertSlicesNear(t, "SoftmaxGraph", run1[T, T](t, SoftmaxGraph, m), basic.Data, rel, tiny[T]())
			stable, _ := StableSoftmax(m)
			assertSlicesNear(t, "StableSoftmaxGraph", run1[T, T](t, StableSoftmaxGraph, m), stable.Data, rel, tiny[T]())
			lse, _ := LogSumExp(m)
			assertSlicesNear(t, "LogSumExpGraph", run1[T, T](t, LogSumExpGraph, m), lse, rel, abs)
			logp, _ := LogSoftmax(m)
			assertSlicesNear(t, "LogSoftmaxGraph", run1[T, T](t, LogSoftmaxGraph, m), logp.Data, rel, abs)

			am, _ := ArgMax(m)
			gam := run1[T, int32](t, ArgMaxGraph, m)
			for i := range am {
				row := convertRows[float64]([][]T{m.Row(i)})[0]
				if hasNaN(row) {
					if !math.IsNaN(row[gam[i]]) {
						t.Errorf("ArgMaxGraph row %d = %d, want the index of a NaN in %v", i, gam[i], row)
					}
					continue
				}
				if int(gam[i]) != am[i] {
					t.Errorf("ArgMaxGraph row %d = %d, ArgMax = %d", i, gam[i], am[i])
				}
			}

			labels := randomLabels(9, m.Rows, m.Cols)
			labels32 := make([]int32, len(labels))
			for i, l := range labels {
				labels32[i] = int32(l)
			}
			ce, _ := AverageCrossEntropy(m, labels)
			if g := scalarOf(t, AverageCrossEntropyGraph, m, labels32); !near(g, float64(ce), rel, 0) {
				t.Errorf("AverageCrossEntropyGraph = %v, AverageCrossEntropy = %v", g, ce)
			}
			fin := finiteRows(m)
			finLabels := randomLabels(10, fin.Rows, fin.Cols)
			ce, _ = AverageCrossEntropy(fin, finLabels)
			if g := scalarOf(t, AverageCrossEntropyGraph, fin, finLabels); !near(g, float64(ce), rel, 0) || math.IsNaN(g) {
				t.Errorf("finite rows: AverageCrossEntropyGraph = %v, AverageCrossEntropy = %v", g, ce)
			}
			probs, _ := StableSoftmax(fin)
			cep, _ := AverageCrossEntropyFromProbs(probs, finLabels)
			if g := scalarOf(t, AverageCrossEntropyFromProbsGraph, probs, finLabels); !near(g, float64(cep), rel, 0) {
				t.Errorf("AverageCrossEntropyFromProbsGraph = %v, AverageCrossEntropyFromProbs = %v", g, cep)
			}
			// With NaN rows, both versions give NaN.
			probsAll, _ := StableSoftmax(m)
			cep, _ = AverageCrossEntropyFromProbs(probsAll, labels)
			if g := scalarOf(t, AverageCrossEntropyFromProbsGraph, probsAll, labels32); !near(g, float64(cep), rel, 0) {
				t.Errorf("all rows: AverageCrossEntropyFromProbsGraph = %v, AverageCrossEntropyFromProbs = %v", g, cep)
			}

			oh, _ := OneHot[T](labels, m.Cols)
			ohFn := func(l *node) *node { return OneHotGraph(l, m.Cols, dtypes.FromGenericsType[T]()) }
			out, err := graph.MustNewExec(getBackend(t), ohFn).Exec1(labels32)
			if err != nil {
				t.Fatal(err)
			}
			assertSlicesNear(t, "OneHotGraph", tensors.MustCopyFlatData[T](out), oh.Data, 0, 0)
		})
	}
}

// TestGraphCrossEntropyGradient checks that graph.Gradient of
// AverageCrossEntropyGraph is (softmax − onehot)/N and matches central finite
// differences, in float64.
func TestGraphCrossEntropyGradient(t *testing.T) {
	const n, c, h = 6, 4, 1e-5
	logits := randomLogits[float64](17, n, c, -3, 3)
	labels := randomLabels(17, n, c)
	exec := graph.MustNewExec(getBackend(t), func(z, l *node) (*node, *node) {
		loss := AverageCrossEntropyGraph(z, l)
		return loss, graph.Gradient(loss, z)[0]
	})
	outs, err := exec.Exec(tensorOf(logits), labels)
	if err != nil {
		t.Fatal(err)
	}
	loss := tensors.MustCopyFlatData[float64](outs[0])[0]
	grad := tensors.MustCopyFlatData[float64](outs[1])

	want, _ := AverageCrossEntropy(logits, labels)
	if !near(loss, want, 1e-12, 0) {
		t.Errorf("loss = %v, plain Go = %v", loss, want)
	}
	analytic := analyticGradient(t, logits, labels)
	if e := relErr(grad, analytic); e > 1e-7 {
		t.Errorf("graph gradient vs (softmax − onehot)/N: relative error %.3g > 1e-7", e)
	}
	assertSlicesNear(t, "gradient", grad, analytic, 1e-7, 1e-15)

	fd := make([]float64, len(logits.Data))
	for i := range logits.Data {
		x := logits.Data[i]
		logits.Data[i] = x + h
		up, _ := AverageCrossEntropy(logits, labels)
		logits.Data[i] = x - h
		down, _ := AverageCrossEntropy(logits, labels)
		logits.Data[i] = x
		fd[i] = (up - down) / (2 * h)
	}
	if e := relErr(grad, fd); e > 1e-7 {
		t.Errorf("graph gradient vs central differences: relative error %.3g > 1e-7", e)
	}
}

// TestGraphGradients checks graph.Gradient of Σ w⊙f(z) against central finite
// differences of the plain-Go f, for the softmax family, in float64.
func TestGraphGradients(t *testing.T) {
	const h = 1e-5
	z := randomLogits[float64](31, 3, 5, -2, 2)
	w := randomLogits[float64](32, 3, 5, -1, 1)
	cases := []struct {
		name  string
		graph func(*node) *node
		plain func(Matrix[float64]) []float64
	}{
		{"SoftmaxGraph", SoftmaxGraph, func(m Matrix[float64]) []float64 { s, _ := Softmax(m); return s.Data }},
		{"StableSoftmaxGraph", StableSoftmaxGraph, func(m Matrix[float64]) []float64 { s, _ := StableSoftmax(m); return s.Data }},
		{"LogSoftmaxGraph", LogSoftmaxGraph, func(m Matrix[float64]) []float64 { s, _ := LogSoftmax(m); return s.Data }},
		{"LogSumExpGraph", LogSumExpGraph, func(m Matrix[float64]) []float64 { s, _ := LogSumExp(m); return s }},
		{"SigmoidGraph", SigmoidGraph, func(m Matrix[float64]) []float64 { return Sigmoid(m.Data) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			objective := func(m Matrix[float64]) float64 {
				s := 0.0
				for i, v := range tc.plain(m) {
					s += w.Data[i] * v
				}
				return s
			}
			wFlat := w.Data[:len(tc.plain(z))] // one weight per output
			exec := graph.MustNewExec(getBackend(t), func(x, wt *node) *node {
				y := graph.Reshape(tc.graph(x), -1)
				return graph.Gradient(graph.ReduceAllSum(graph.Mul(wt, y)), x)[0]
			})
			out, err := exec.Exec1(tensorOf(z), wFlat)
			if err != nil {
				t.Fatal(err)
			}
			grad := tensors.MustCopyFlatData[float64](out)
			fd := make([]float64, len(z.Data))
			for i := range z.Data {
				x := z.Data[i]
				z.Data[i] = x + h
				up := objective(z)
				z.Data[i] = x - h
				down := objective(z)
				z.Data[i] = x
				fd[i] = (up - down) / (2 * h)
			}
			if e := relErr(grad, fd); e > 1e-7 {
				t.Errorf("gradient vs central differences: relative error %.3g > 1e-7\ngraph: %v\nfd:    %v", e, grad, fd)
			}
		})
	}
}

// TestGraphLabelsOutOfRange documents what graphs do with bad label values,
// which cannot be checked while building.
func TestGraphLabelsOutOfRange(t *testing.T) {
	logits := randomLogits[float32](3, 3, 4, -1, 1)
	probs, _ := StableSoftmax(logits)
	for _, labels := range [][]int32{{0, 4, 1}, {0, -1, 1}} {
		if g := scalarOf(t, AverageCrossEntropyGraph, logits, labels); !math.IsNaN(g) {
			t.Errorf("AverageCrossEntropyGraph with labels %v = %v, want NaN", labels, g)
		}
		if g := scalarOf(t, AverageCrossEntropyFromProbsGraph, probs, labels); !math.IsNaN(g) {
			t.Errorf("AverageCrossEntropyFromProbsGraph with labels %v = %v, want NaN", labels, g)
		}
		out, err := graph.MustNewExec(getBackend(t), func(l *node) *node { return OneHotGraph(l, 4, dtypes.Float32) }).Exec1(labels)
		if err != nil {
			t.Fatal(err)
		}
		oh := tensors.MustCopyFlatData[float32](out)
		if s := sum(oh[4:8]); s != 0 {
			t.Errorf("OneHotGraph row for label %d sums to %v, want an all-zero row", labels[1], s)
		}
	}
	// MNIST-style uint8 labels work in graphs too.
	ce, _ := AverageCrossEntropy(logits, []uint8{3, 0, 2})
	if g := scalarOf(t, AverageCrossEntropyGraph, logits, []uint8{3, 0, 2}); !near(g, float64(ce), 1e-5, 0) {
		t.Errorf("uint8 labels: graph %v, plain Go %v", g, ce)
	}
}

// TestGraphMisuse checks that shape and dtype misuse panics while building,
// which Exec reports as an error naming the problem.
func TestGraphMisuse(t *testing.T) {
	b := getBackend(t)
	f32 := [][]float32{{1, 2}, {3, 4}}
	cases := []struct {
		name   string
		fn     any
		args   []any
		needle string
	}{
		{"ReLUGraph int", ReLUGraph, []any{[]int32{1, -1}}, "dtype"},
		{"SigmoidGraph int", SigmoidGraph, []any{[]int32{1}}, "dtype"},
		{"SoftmaxGraph scalar", SoftmaxGraph, []any{float32(1)}, "scalar"},
		{"StableSoftmaxGraph int", StableSoftmaxGraph, []any{[][]int32{{1}}}, "dtype"},
		{"StableSoftmaxGraph no classes", StableSoftmaxGraph, []any{tensors.FromShape(shapes.Make(dtypes.Float32, 2, 0))}, "0 classes"},
		{"LogSumExpGraph empty batch", LogSumExpGraph, []any{tensors.FromShape(shapes.Make(dtypes.Float32, 0, 3))}, "empty"},
		{"LogSoftmaxGraph scalar", LogSoftmaxGraph, []any{float64(1)}, "scalar"},
		{"AverageCrossEntropyGraph rank 1", AverageCrossEntropyGraph, []any{[]float32{1, 2}, []int32{0}}, "[batch, classes]"},
		{"AverageCrossEntropyGraph label count", AverageCrossEntropyGraph, []any{f32, []int32{0, 1, 1}}, "labels"},
		{"AverageCrossEntropyGraph float labels", AverageCrossEntropyGraph, []any{f32, []float32{0, 1}}, "integer"},
		{"AverageCrossEntropyGraph empty batch", AverageCrossEntropyGraph, []any{tensors.FromShape(shapes.Make(dtypes.Float32, 0, 3)), tensors.FromShape(shapes.Make(dtypes.Int32, 0))}, "empty batch"},
		{"AverageCrossEntropyFromProbsGraph labels rank 2", AverageCrossEntropyFromProbsGraph, []any{f32, [][]int32{{0}, {1}}}, "labels"},
		{"OneHotGraph float labels", func(l *node) *node { return OneHotGraph(l, 3, dtypes.Float32) }, []any{[]float32{1}}, "integer"},
		{"OneHotGraph no classes", func(l *node) *node { return OneHotGraph(l, 0, dtypes.Float32) }, []any{[]int32{0}}, "classes"},
		{"ArgMaxGraph scalar", ArgMaxGraph, []any{float32(1)}, "ArgMaxGraph"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			exec, err := graph.NewExecAny(b, tc.fn)
			if err == nil {
				_, err = exec.Exec(tc.args...)
			}
			if err == nil {
				t.Fatalf("no error")
			}
			if !strings.Contains(err.Error(), "activations: ") || !strings.Contains(err.Error(), tc.needle) {
				t.Errorf("error %q does not come from this package or does not mention %q", firstLine(err.Error()), tc.needle)
			}
		})
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
