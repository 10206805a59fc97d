package activations

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// refSoftmax is an independent float64 reference: a_k = 1 / Σ_c exp(z_c − z_k).
// It is exact in the limits (exp overflow gives 1/Inf = 0) and needs no shift.
func refSoftmax(z []float64) []float64 {
	out := make([]float64, len(z))
	for k := range z {
		s := 0.0
		for _, c := range z {
			s += math.Exp(c - z[k])
		}
		out[k] = 1 / s
	}
	return out
}

func nanRow(n int) []float64 {
	r := make([]float64, n)
	for i := range r {
		r[i] = nan
	}
	return r
}

func TestMatrix(t *testing.T) {
	m, err := NewMatrix[float64](2, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := m.Dims(); r != 2 || c != 3 || len(m.Data) != 6 {
		t.Fatalf("NewMatrix(2, 3, nil) = %d×%d with %d values, want 2×3 with 6", r, c, len(m.Data))
	}
	m.Row(1)[2] = 7
	if got := m.At(1, 2); got != 7 {
		t.Errorf("At(1, 2) after writing through Row(1) = %v, want 7 (Row must share storage)", got)
	}
	if got := m.Data[5]; got != 7 {
		t.Errorf("Data[5] = %v, want 7 (row-major layout)", got)
	}

	bad := []struct {
		name       string
		rows, cols int
		data       []float32
	}{
		{"short data", 2, 3, make([]float32, 5)},
		{"long data", 2, 3, make([]float32, 7)},
		{"negative rows", -1, 3, nil},
		{"negative cols", 2, -3, nil},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewMatrix(tc.rows, tc.cols, tc.data); !errors.Is(err, ErrShape) {
				t.Errorf("NewMatrix(%d, %d, len %d) error = %v, want ErrShape", tc.rows, tc.cols, len(tc.data), err)
			}
		})
	}

	if _, err := FromRows([][]float32{{1, 2}, {3}}); !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("FromRows(ragged) error = %v, want ErrShape naming row 1", err)
	}
	if e, err := FromRows[float32](nil); err != nil || e.Rows != 0 || e.Cols != 0 {
		t.Errorf("FromRows(nil) = %+v, %v; want a 0×0 matrix", e, err)
	}

	for name, f := range map[string]func(){
		"At row":  func() { m.At(2, 0) },
		"At col":  func() { m.At(0, 3) },
		"Row":     func() { m.Row(-1) },
		"Row end": func() { m.Row(2) },
	} {
		t.Run(name+" panics", func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s out of range did not panic", name)
				}
			}()
			f()
		})
	}
}

func TestReLU(t *testing.T) {
	bothPrecisions(t, testReLU[float32], testReLU[float64])
}

func testReLU[T Float](t *testing.T) {
	cases := []struct{ x, want float64 }{
		{-2, 0}, {-1e-30, 0}, {0, 0}, {1e-30, 1e-30}, {3.5, 3.5},
		{1000, 1000}, {-1000, 0}, {inf, inf}, {-inf, 0}, {nan, nan},
	}
	x := make([]T, len(cases))
	want := make([]float64, len(cases))
	for i, c := range cases {
		x[i], want[i] = T(c.x), float64(T(c.want))
	}
	got := ReLU(x)
	assertSlicesNear(t, "ReLU", got, want, 0, 0)
	if &got[0] == &x[0] {
		t.Error("ReLU must return a new slice, not modify its input")
	}
	if got := ReLU([]T{}); got == nil || len(got) != 0 {
		t.Errorf("ReLU(empty) = %v, want an empty slice", got)
	}
}

func TestSigmoid(t *testing.T) {
	bothPrecisions(t, testSigmoid[float32], testSigmoid[float64])
}

func testSigmoid[T Float](t *testing.T) {
	cases := []struct{ x, want float64 }{
		{0, 0.5}, {1000, 1}, {-1000, 0}, {inf, 1}, {-inf, 0}, {nan, nan},
	}
	for _, c := range cases {
		got := Sigmoid([]T{T(c.x)})[0]
		if !near(float64(got), c.want, 0, 0) {
			t.Errorf("Sigmoid(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	// Against the textbook formula where it is safe, the symmetry σ(−x) = 1 − σ(x),
	// and relative precision in the far negative tail, where σ(x) ≈ exp(x).
	rel := tol[T](2e-7, 1e-15)
	tail := -700.0
	if isFloat32[T]() {
		tail = -80
	}
	xs := []float64{-30, -5, -1, -0.25, 0.25, 1, 5, 30, tail}
	x := make([]T, len(xs))
	for i, v := range xs {
		x[i] = T(v)
	}
	got := Sigmoid(x)
	for i, v := range x {
		f := float64(v)
		want := math.Exp(f) / (1 + math.Exp(f))
		if !near(float64(got[i]), want, rel, 0) {
			t.Errorf("Sigmoid(%v) = %v, want %v", v, got[i], want)
		}
		if f > 0 {
			continue
		}
		if neg := Sigmoid([]T{-v})[0]; !near(float64(got[i])+float64(neg), 1, rel, 0) {
			t.Errorf("Sigmoid(%v) + Sigmoid(%v) = %v, want 1", v, -v, float64(got[i])+float64(neg))
		}
	}
}

// softmaxCases are shared by the stable softmax, log-softmax and log-sum-exp tests.
// A nil want means "compute with refSoftmax".
var softmaxCases = []struct {
	name   string
	logits [][]float64
	want   [][]float64
}{
	{name: "small", logits: [][]float64{{1, 2, 3}, {-1, 0, 1}}},
	{name: "logits ±1000", logits: [][]float64{{1000, -1000}, {-1000, 1000}}, want: [][]float64{{1, 0}, {0, 1}}},
	{name: "all 1000", logits: [][]float64{{1000, 1000, 999}}},
	{name: "all -1000", logits: [][]float64{{-1000, -1000, -1001}}},
	{name: "equal logits", logits: [][]float64{{5, 5, 5, 5}, {-3, -3, -3, -3}}, want: [][]float64{{.25, .25, .25, .25}, {.25, .25, .25, .25}}},
	{name: "single class", logits: [][]float64{{3}, {-1000}, {1000}}, want: [][]float64{{1}, {1}, {1}}},
	{name: "batch of one", logits: [][]float64{{0.5, -2, 7, 3}}},
	{name: "NaN logit", logits: [][]float64{{0, nan, 1}, {1, 2, 3}}, want: [][]float64{nanRow(3), nil}},
	{name: "+Inf logit", logits: [][]float64{{0, inf, 1}}, want: [][]float64{nanRow(3)}},
	{name: "-Inf logit", logits: [][]float64{{-inf, 0, 0}}, want: [][]float64{{0, .5, .5}}},
	{name: "all -Inf", logits: [][]float64{{-inf, -inf}}, want: [][]float64{nanRow(2)}},
}

func TestStableSoftmax(t *testing.T) {
	bothPrecisions(t, testStableSoftmax[float32], testStableSoftmax[float64])
}

func testStableSoftmax[T Float](t *testing.T) {
	rel := tol[T](2e-7, 1e-15)
	for _, tc := range softmaxCases {
		t.Run(tc.name, func(t *testing.T) {
			in := mustRows(t, convertRows[T](tc.logits))
			got, err := StableSoftmax(in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Rows != in.Rows || got.Cols != in.Cols {
				t.Fatalf("shape %d×%d, want %d×%d", got.Rows, got.Cols, in.Rows, in.Cols)
			}
			for i, row := range convertRows[float64](convertRows[T](tc.logits)) {
				want := refSoftmax(row)
				if tc.want != nil && tc.want[i] != nil {
					want = tc.want[i]
				}
				assertSlicesNear(t, "row", got.Row(i), want, rel, tiny[T]())
				if finite(want) {
					if s := sum(got.Row(i)); !near(s, 1, 4*rel, 0) {
						t.Errorf("row %d sums to %v, want 1", i, s)
					}
				}
			}
		})
	}
}

func finite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

func sum[T Float](x []T) float64 {
	s := 0.0
	for _, v := range x {
		s += float64(v)
	}
	return s
}

// TestSoftmaxAgreesWithStable checks eq. 1 against eq. 2–4 where eq. 1 is finite.
func TestSoftmaxAgreesWithStable(t *testing.T) {
	bothPrecisions(t, testSoftmaxAgrees[float32], testSoftmaxAgrees[float64])
}

func testSoftmaxAgrees[T Float](t *testing.T) {
	rel := tol[T](1e-6, 1e-12)
	for seed, scale := range []float64{1, 5, 20, 60} {
		in := randomLogits[T](uint64(seed), 200, 10, -scale, scale)
		basic, err := Softmax(in)
		if err != nil {
			t.Fatal(err)
		}
		stable, err := StableSoftmax(in)
		if err != nil {
			t.Fatal(err)
		}
		compared := 0
		for i := range in.Rows {
			b := convertRows[float64]([][]T{basic.Row(i)})[0]
			if !finite(b) {
				continue
			}
			compared++
			assertSlicesNear(t, "StableSoftmax vs Softmax", stable.Row(i), b, rel, tiny[T]())
		}
		if compared < in.Rows {
			t.Errorf("scale %v: basic softmax was finite on only %d of %d rows; these logits are meant to be safe", scale, compared, in.Rows)
		}
	}
	// Equal logits and a single class are exact in both.
	for _, rows := range [][][]float64{{{2, 2, 2}}, {{-7}}} {
		in := mustRows(t, convertRows[T](rows))
		b, _ := Softmax(in)
		s, _ := StableSoftmax(in)
		assertSlicesNear(t, "equal/single", b.Data, s.Data, rel, 0)
	}
}

// TestSoftmaxOverflows shows where eq. 1 fails and eq. 2–4 does not.
func TestSoftmaxOverflows(t *testing.T) {
	cases := []struct {
		name    string
		logits  []float64
		only32  bool // overflows in float32 only
		anyNaN  bool // the basic formula gives NaN (otherwise: wrong sum)
		comment string
	}{
		{name: "logits 1000", logits: []float64{1000, 0, -1000}, anyNaN: true, comment: "exp(1000) = +Inf, Inf/Inf = NaN"},
		{name: "all 1000", logits: []float64{1000, 1000}, anyNaN: true},
		{name: "all -1000", logits: []float64{-1000, -1000}, anyNaN: true, comment: "exp underflows to 0, 0/0 = NaN"},
		{name: "just above float64 range", logits: []float64{710, 709}, anyNaN: true},
		{name: "logit 100 in float32", logits: []float64{100, 0}, only32: true, anyNaN: true},
		{name: "sum overflows in float32", logits: []float64{88, 88, 88}, only32: true, comment: "each exp finite, the sum is +Inf, every a_k = 0"},
	}
	for _, tc := range cases {
		t.Run(tc.name+"/float32", func(t *testing.T) { checkOverflow[float32](t, tc.logits, true, tc.anyNaN) })
		t.Run(tc.name+"/float64", func(t *testing.T) { checkOverflow[float64](t, tc.logits, !tc.only32, tc.anyNaN) })
	}
}

func checkOverflow[T Float](t *testing.T, logits []float64, overflows, anyNaN bool) {
	in := mustRows(t, convertRows[T]([][]float64{logits}))
	basic, err := Softmax(in)
	if err != nil {
		t.Fatal(err)
	}
	stable, err := StableSoftmax(in)
	if err != nil {
		t.Fatal(err)
	}
	b := convertRows[float64]([][]T{basic.Data})[0]
	rel := tol[T](2e-7, 1e-15)
	assertSlicesNear(t, "StableSoftmax", stable.Data, refSoftmax(convertRows[float64](convertRows[T]([][]float64{logits}))[0]), rel, tiny[T]())
	if s := sum(stable.Data); !near(s, 1, 4*rel, 0) {
		t.Errorf("StableSoftmax sums to %v, want 1", s)
	}
	basicOK := finite(b) && near(sum(basic.Data), 1, 1e-3, 0)
	switch {
	case overflows && basicOK:
		t.Errorf("Softmax(%v) = %v looks correct; the basic formula must overflow here", logits, b)
	case overflows && anyNaN && !hasNaN(b):
		t.Errorf("Softmax(%v) = %v has no NaN; want NaN from Inf/Inf or 0/0", logits, b)
	case !overflows:
		assertSlicesNear(t, "Softmax where finite", basic.Data, convertRows[float64]([][]T{stable.Data})[0], tol[T](1e-6, 1e-12), 0)
	}
}

func hasNaN(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) {
			return true
		}
	}
	return false
}

func TestLogSumExp(t *testing.T) {
	bothPrecisions(t, testLogSumExp[float32], testLogSumExp[float64])
}

func testLogSumExp[T Float](t *testing.T) {
	rel := tol[T](2e-7, 1e-15)
	cases := []struct {
		name   string
		logits []float64
		want   float64
	}{
		{"small", []float64{1, 2, 3}, math.Log(math.E + math.E*math.E + math.E*math.E*math.E)},
		{"pair at 1000", []float64{1000, 1000}, 1000 + math.Ln2},
		{"pair at -1000", []float64{-1000, -1000}, -1000 + math.Ln2},
		{"±1000", []float64{1000, -1000}, 1000},
		{"equal logits", []float64{4, 4, 4, 4, 4}, 4 + math.Log(5)},
		{"single class", []float64{-1000}, -1000},
		{"NaN", []float64{0, nan}, nan},
		{"+Inf", []float64{0, inf}, nan},
		{"-Inf", []float64{-inf, 0}, 0},
		{"all -Inf", []float64{-inf, -inf}, nan},
	}
	for _, tc := range cases {
		got, err := LogSumExp(mustRows(t, convertRows[T]([][]float64{tc.logits})))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !near(float64(got[0]), tc.want, rel, 0) {
			t.Errorf("%s: LogSumExp(%v) = %v, want [%v]", tc.name, tc.logits, got, tc.want)
		}
	}
	// Shift identity on a random batch: lse(z + c) = lse(z) + c, with c = 900
	// far beyond where the direct formula overflows.
	in := randomLogits[T](7, 50, 10, -3, 3)
	shifted := Matrix[T]{Rows: in.Rows, Cols: in.Cols, Data: make([]T, len(in.Data))}
	for i, v := range in.Data {
		shifted.Data[i] = v + 900
	}
	a, _ := LogSumExp(in)
	b, _ := LogSumExp(shifted)
	for i := range a {
		direct := 0.0
		for _, v := range in.Row(i) {
			direct += math.Exp(float64(v))
		}
		if !near(float64(a[i]), math.Log(direct), rel, 0) {
			t.Errorf("row %d: LogSumExp = %v, direct log Σ exp = %v", i, a[i], math.Log(direct))
		}
		// Shifted logits are rounded in T, so allow the rounding of 900 + v.
		if !near(float64(b[i]), float64(a[i])+900, rel, 2*900*rel) {
			t.Errorf("row %d: LogSumExp(z+900) = %v, want LogSumExp(z)+900 = %v", i, b[i], float64(a[i])+900)
		}
	}
}

func TestLogSoftmax(t *testing.T) {
	bothPrecisions(t, testLogSoftmax[float32], testLogSoftmax[float64])
}

func testLogSoftmax[T Float](t *testing.T) {
	rel := tol[T](4e-7, 1e-14)
	for _, tc := range softmaxCases {
		t.Run(tc.name, func(t *testing.T) {
			in := mustRows(t, convertRows[T](tc.logits))
			got, err := LogSoftmax(in)
			if err != nil {
				t.Fatal(err)
			}
			for i, row := range convertRows[float64](convertRows[T](tc.logits)) {
				p := refSoftmax(row)
				if tc.want != nil && tc.want[i] != nil {
					p = tc.want[i]
				}
				want := make([]float64, len(p))
				for k := range p {
					want[k] = math.Log(p[k])
					if p[k] == 0 && !math.IsInf(row[k], -1) {
						// The probability underflowed; the log-probability does not.
						want[k] = row[k] - float64(rowMax(row))
					}
				}
				assertSlicesNear(t, "row", got.Row(i), want, rel, 1e-12)
			}
		})
	}
	// Where softmax underflows to 0, the log-probability stays finite.
	got, _ := LogSoftmax(mustRows(t, [][]T{{0, -2000}}))
	if !near(float64(got.Data[1]), -2000, 1e-12, 0) {
		t.Errorf("LogSoftmax([0 -2000]) = %v, want [≈0 -2000]", got.Data)
	}
}

// TestAverageCrossEntropy checks eq. 5 on the table and against the probability form.
func TestAverageCrossEntropy(t *testing.T) {
	bothPrecisions(t, testCrossEntropy[float32], testCrossEntropy[float64])
}

func testCrossEntropy[T Float](t *testing.T) {
	rel := tol[T](2e-7, 1e-14)
	cases := []struct {
		name   string
		logits [][]float64
		labels []int
		want   float64 // NaN allowed; 0 with useRef means "reference"
		useRef bool
	}{
		{name: "small", logits: [][]float64{{1, 2, 3}, {3, 1, 0}}, labels: []int{2, 1}, useRef: true},
		{name: "equal logits", logits: [][]float64{{5, 5, 5, 5, 5, 5, 5, 5, 5, 5}}, labels: []int{3}, want: math.Log(10)},
		{name: "single class", logits: [][]float64{{3}, {-1000}}, labels: []int{0, 0}, want: 0},
		{name: "batch of one", logits: [][]float64{{0.5, -2, 7, 3}}, labels: []int{1}, useRef: true},
		{name: "logit 1000 on the label", logits: [][]float64{{1000, -1000}}, labels: []int{0}, want: 0},
		{name: "logit 1000 off the label", logits: [][]float64{{1000, -1000}}, labels: []int{1}, want: 2000},
		{name: "mixed ±1000", logits: [][]float64{{1000, -1000}, {1000, -1000}}, labels: []int{0, 1}, want: 1000},
		{name: "NaN logit", logits: [][]float64{{0, nan}, {1, 2}}, labels: []int{0, 0}, want: nan},
		{name: "+Inf logit", logits: [][]float64{{0, inf}}, labels: []int{1}, want: nan},
		{name: "-Inf off the label", logits: [][]float64{{-inf, 0, 0}}, labels: []int{1}, want: math.Ln2},
		{name: "-Inf on the label", logits: [][]float64{{-inf, 0}}, labels: []int{0}, want: inf},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := mustRows(t, convertRows[T](tc.logits))
			got, err := AverageCrossEntropy(in, tc.labels)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if tc.useRef {
				want = 0
				for d, row := range convertRows[float64](convertRows[T](tc.logits)) {
					want -= math.Log(refSoftmax(row)[tc.labels[d]])
				}
				want /= float64(len(tc.labels))
			}
			if !near(float64(got), want, rel, 0) {
				t.Errorf("AverageCrossEntropy = %v, want %v", got, want)
			}
		})
	}

	// From logits = from probabilities = one-hot form of eq. 5, where finite.
	for seed := range uint64(3) {
		in := randomLogits[T](seed, 64, 10, -4, 4)
		labels := randomLabels(seed, 64, 10)
		fromLogits, err := AverageCrossEntropy(in, labels)
		if err != nil {
			t.Fatal(err)
		}
		probs, _ := StableSoftmax(in)
		fromProbs, err := AverageCrossEntropyFromProbs(probs, labels)
		if err != nil {
			t.Fatal(err)
		}
		if !near(float64(fromLogits), float64(fromProbs), tol[T](1e-6, 1e-12), 0) {
			t.Errorf("seed %d: from logits %v, from probabilities %v", seed, fromLogits, fromProbs)
		}
		onehot, _ := OneHot[T](labels, 10)
		logp, _ := LogSoftmax(in)
		e := 0.0
		for i := range onehot.Data {
			if onehot.Data[i] != 0 {
				e -= float64(onehot.Data[i]) * float64(logp.Data[i])
			}
		}
		e /= float64(in.Rows)
		if !near(float64(fromLogits), e, tol[T](1e-6, 1e-13), 0) {
			t.Errorf("seed %d: from logits %v, one-hot form %v", seed, fromLogits, e)
		}
	}

	// MNIST-style uint8 labels are accepted as they are.
	if _, err := AverageCrossEntropy(mustRows(t, [][]T{{1, 2}}), []uint8{1}); err != nil {
		t.Errorf("uint8 labels: %v", err)
	}
}

func TestAverageCrossEntropyFromProbs(t *testing.T) {
	bothPrecisions(t, testCrossEntropyFromProbs[float32], testCrossEntropyFromProbs[float64])
}

func testCrossEntropyFromProbs[T Float](t *testing.T) {
	cases := []struct {
		name   string
		probs  [][]float64
		labels []int
		want   float64
	}{
		{"certain and right", [][]float64{{1, 0}}, []int{0}, 0},
		{"uniform", [][]float64{{.25, .25, .25, .25}}, []int{2}, math.Log(4)},
		{"probability 0 on the label (no clipping)", [][]float64{{1, 0}, {.5, .5}}, []int{1, 0}, inf},
		{"NaN probability on the label", [][]float64{{.5, nan}}, []int{1}, nan},
		{"NaN probability off the label", [][]float64{{nan, .5}}, []int{1}, nan},
		{"single class", [][]float64{{1}}, []int{0}, 0},
	}
	for _, tc := range cases {
		got, err := AverageCrossEntropyFromProbs(mustRows(t, convertRows[T](tc.probs)), tc.labels)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !near(float64(got), tc.want, tol[T](2e-7, 1e-15), 0) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	// Softmax of logits ±1000 underflows to exactly 0: from probabilities the
	// loss is +Inf, from logits it is the finite, exact 2000.
	logits := mustRows(t, [][]T{{1000, -1000}})
	probs, _ := StableSoftmax(logits)
	fromProbs, _ := AverageCrossEntropyFromProbs(probs, []int{1})
	fromLogits, _ := AverageCrossEntropy(logits, []int{1})
	if !math.IsInf(float64(fromProbs), 1) || fromLogits != 2000 {
		t.Errorf("label on a logit 2000 below the max: from probs %v (want +Inf), from logits %v (want 2000)", fromProbs, fromLogits)
	}

	for _, bad := range [][]T{{-0.1, 1.1}, {2, 3}} {
		_, err := AverageCrossEntropyFromProbs(mustRows(t, [][]T{bad}), []int{0})
		if !errors.Is(err, ErrProbability) || !strings.Contains(err.Error(), "(0, 0)") || !strings.Contains(err.Error(), "AverageCrossEntropy") {
			t.Errorf("probs %v: error = %v, want ErrProbability naming element (0, 0) and suggesting AverageCrossEntropy", bad, err)
		}
	}
}

func TestOneHot(t *testing.T) {
	labels := []uint8{3, 0, 9, 3}
	m, err := OneHot[float32](labels, 10)
	if err != nil {
		t.Fatal(err)
	}
	if m.Rows != 4 || m.Cols != 10 {
		t.Fatalf("shape %d×%d, want 4×10", m.Rows, m.Cols)
	}
	for d, l := range labels {
		for c := range 10 {
			want := float32(0)
			if c == int(l) {
				want = 1
			}
			if got := m.At(d, c); got != want {
				t.Errorf("OneHot(%v)[%d][%d] = %v, want %v", labels, d, c, got, want)
			}
		}
	}
	single, err := OneHot[float64]([]int{0}, 1)
	if err != nil || len(single.Data) != 1 || single.Data[0] != 1 {
		t.Errorf("OneHot([0], 1) = %v, %v; want [[1]]", single, err)
	}
	// ArgMax inverts OneHot.
	back, _ := ArgMax(m)
	for d := range labels {
		if back[d] != int(labels[d]) {
			t.Errorf("ArgMax(OneHot(labels))[%d] = %d, want %d", d, back[d], labels[d])
		}
	}
}

func TestArgMax(t *testing.T) {
	bothPrecisions(t, testArgMax[float32], testArgMax[float64])
}

func testArgMax[T Float](t *testing.T) {
	cases := []struct {
		name string
		row  []float64
		want int
	}{
		{"plain", []float64{0.1, 0.7, 0.2}, 1},
		{"last", []float64{-3, -2, -1}, 2},
		{"tie returns first", []float64{5, 9, 9, 1}, 1},
		{"all equal", []float64{2, 2, 2}, 0},
		{"single class", []float64{-1000}, 0},
		{"±1000", []float64{-1000, 1000}, 1},
		{"+Inf", []float64{1, inf, 2}, 1},
		{"-Inf", []float64{-inf, -5}, 1},
		{"NaN returns first NaN", []float64{1, nan, 5, nan}, 1},
		{"NaN first", []float64{nan, 5}, 0},
	}
	for _, tc := range cases {
		got, err := ArgMax(mustRows(t, convertRows[T]([][]float64{tc.row})))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("%s: ArgMax(%v) = %v, want [%d]", tc.name, tc.row, got, tc.want)
		}
	}
	// Softmax is monotonic: the predicted class of logits and probabilities agree.
	in := randomLogits[T](11, 100, 10, -5, 5)
	p, _ := StableSoftmax(in)
	a, _ := ArgMax(in)
	b, _ := ArgMax(p)
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("row %d: ArgMax(logits) = %d, ArgMax(StableSoftmax(logits)) = %d", i, a[i], b[i])
		}
	}
}

// TestErrors checks the error contract of every batch function.
func TestErrors(t *testing.T) {
	empty := Matrix[float64]{Rows: 0, Cols: 3, Data: []float64{}}
	noClasses := Matrix[float64]{Rows: 2, Cols: 0, Data: []float64{}}
	badData := Matrix[float64]{Rows: 2, Cols: 3, Data: make([]float64, 5)}
	good := Matrix[float64]{Rows: 3, Cols: 10, Data: make([]float64, 30)}
	batchFns := map[string]func(Matrix[float64]) error{
		"Softmax":       func(m Matrix[float64]) error { _, err := Softmax(m); return err },
		"StableSoftmax": func(m Matrix[float64]) error { _, err := StableSoftmax(m); return err },
		"LogSumExp":     func(m Matrix[float64]) error { _, err := LogSumExp(m); return err },
		"LogSoftmax":    func(m Matrix[float64]) error { _, err := LogSoftmax(m); return err },
		"ArgMax":        func(m Matrix[float64]) error { _, err := ArgMax(m); return err },
		"AverageCrossEntropy": func(m Matrix[float64]) error {
			_, err := AverageCrossEntropy(m, make([]int, m.Rows))
			return err
		},
		"AverageCrossEntropyFromProbs": func(m Matrix[float64]) error {
			_, err := AverageCrossEntropyFromProbs(m, make([]int, m.Rows))
			return err
		},
	}
	for name, f := range batchFns {
		for _, tc := range []struct {
			what string
			m    Matrix[float64]
			want error
		}{
			{"empty batch", empty, ErrEmpty},
			{"no classes", noClasses, ErrEmpty},
			{"Data length", badData, ErrShape},
			{"valid", good, nil},
		} {
			err := f(tc.m)
			if !errors.Is(err, tc.want) || (tc.want != nil && !strings.Contains(err.Error(), name)) {
				t.Errorf("%s(%s): error = %v, want %v naming the function", name, tc.what, err, tc.want)
			}
		}
	}

	labelCases := []struct {
		name   string
		labels []int
		want   error
		needle []string
	}{
		{"too large", []int{0, 1, 10}, ErrLabel, []string{"label 10", "index 2", "10 classes", "[0, 10)"}},
		{"negative", []int{-1, 0, 0}, ErrLabel, []string{"label -1", "index 0", "10 classes"}},
		{"too few labels", []int{0, 1}, ErrShape, []string{"2 labels", "3 rows"}},
		{"too many labels", []int{0, 1, 2, 3}, ErrShape, []string{"4 labels", "3 rows"}},
	}
	for _, tc := range labelCases {
		for name, f := range map[string]func() error{
			"AverageCrossEntropy":          func() error { _, err := AverageCrossEntropy(good, tc.labels); return err },
			"AverageCrossEntropyFromProbs": func() error { _, err := AverageCrossEntropyFromProbs(good, tc.labels); return err },
		} {
			err := f()
			if !errors.Is(err, tc.want) {
				t.Errorf("%s(%s): error = %v, want %v", name, tc.name, err, tc.want)
				continue
			}
			for _, s := range tc.needle {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%s(%s): error %q does not mention %q", name, tc.name, err, s)
				}
			}
		}
	}

	oneHotCases := []struct {
		name    string
		labels  []uint8
		classes int
		want    error
	}{
		{"no labels", nil, 10, ErrEmpty},
		{"no classes", []uint8{0}, 0, ErrEmpty},
		{"label = C", []uint8{3, 10}, 10, ErrLabel},
		{"label 255", []uint8{255}, 10, ErrLabel},
		{"valid", []uint8{9}, 10, nil},
	}
	for _, tc := range oneHotCases {
		if _, err := OneHot[float32](tc.labels, tc.classes); !errors.Is(err, tc.want) {
			t.Errorf("OneHot(%s): error = %v, want %v", tc.name, err, tc.want)
		}
		if err := CheckLabels(tc.labels, tc.classes); !errors.Is(err, tc.want) {
			t.Errorf("CheckLabels(%s): error = %v, want %v", tc.name, err, tc.want)
		}
	}
	// Unsigned values too large for int must not wrap into range.
	if err := CheckLabels([]uint64{1<<64 - 1}, 10); !errors.Is(err, ErrLabel) {
		t.Errorf("CheckLabels(2^64−1): error = %v, want ErrLabel", err)
	}
}

// TestCrossEntropyGradient compares (softmax − onehot)/N with central finite
// differences of the plain-Go loss, in float64.
func TestCrossEntropyGradient(t *testing.T) {
	const n, c, h = 5, 7, 1e-5
	in := randomLogits[float64](3, n, c, -2, 2)
	labels := randomLabels(3, n, c)
	analytic := analyticGradient(t, in, labels)
	fd := make([]float64, len(in.Data))
	for i := range in.Data {
		x := in.Data[i]
		in.Data[i] = x + h
		up, _ := AverageCrossEntropy(in, labels)
		in.Data[i] = x - h
		down, _ := AverageCrossEntropy(in, labels)
		in.Data[i] = x
		fd[i] = (up - down) / (2 * h)
	}
	if e := relErr(fd, analytic); e > 1e-7 {
		t.Errorf("finite differences vs (softmax − onehot)/N: relative error %.3g > 1e-7", e)
	}
}

// analyticGradient returns (StableSoftmax(logits) − OneHot(labels)) / N.
func analyticGradient(t *testing.T, logits Matrix[float64], labels []int) []float64 {
	t.Helper()
	p, err := StableSoftmax(logits)
	if err != nil {
		t.Fatal(err)
	}
	y, err := OneHot[float64](labels, logits.Cols)
	if err != nil {
		t.Fatal(err)
	}
	g := make([]float64, len(p.Data))
	for i := range g {
		g[i] = (p.Data[i] - y.Data[i]) / float64(logits.Rows)
	}
	return g
}

// relErr is ‖a − b‖ / max(‖a‖, ‖b‖) in the Euclidean norm.
func relErr(a, b []float64) float64 {
	var d, na, nb float64
	for i := range a {
		d += (a[i] - b[i]) * (a[i] - b[i])
		na += a[i] * a[i]
		nb += b[i] * b[i]
	}
	den := math.Sqrt(math.Max(na, nb))
	if den == 0 {
		return math.Sqrt(d)
	}
	return math.Sqrt(d) / den
}
