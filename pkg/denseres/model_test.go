package denseres

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// naiveGemm is a textbook triple loop with the signature of matmul. It is the
// reference for TestMatmul and, since it allocates nothing, the stand-in GEMM
// for TestNoAllocations.
func naiveGemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	for i := range m {
		for j := range n {
			var s T
			for p := range k {
				var av, bv T
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}

func TestMatmul(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	fill := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return v
	}
	const m, n, k, pad = 7, 5, 9, 3
	for _, tA := range []bool{false, true} {
		for _, tB := range []bool{false, true} {
			for _, beta := range []float64{0, 1, 0.5} {
				lda, ldb, ldc := k+pad, n+pad, n+pad
				ra, rb := m, k
				if tA {
					lda, ra = m+pad, k
				}
				if tB {
					ldb, rb = k+pad, n
				}
				a, b, c := fill(ra*lda), fill(rb*ldb), fill(m*ldc)
				want := append([]float64(nil), c...)
				naiveGemm(tA, tB, m, n, k, -0.7, a, lda, b, ldb, beta, want, ldc)
				got := append([]float64(nil), c...)
				matmul(tA, tB, m, n, k, -0.7, a, lda, b, ldb, beta, got, ldc)
				if e := relErr(got, want); e > 1e-14 {
					t.Errorf("float64 transA=%v transB=%v beta=%v: rel err %.2e", tA, tB, beta, e)
				}
				a32, b32, c32 := to32(a), to32(b), to32(c)
				matmul(tA, tB, m, n, k, -0.7, a32, lda, b32, ldb, float32(beta), c32, ldc)
				if e := relErr(c32, want); e > 1e-5 {
					t.Errorf("float32 transA=%v transB=%v beta=%v: rel err %.2e", tA, tB, beta, e)
				}
			}
		}
	}
}

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func TestNewValidates(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Input: 0, Hidden: 4, Classes: 3}, "Config.Input = 0"},
		{Config{Input: 5, Hidden: -1, Classes: 3}, "Config.Hidden = -1"},
		{Config{Input: 5, Hidden: 4, Classes: 0}, "Config.Classes = 0"},
		{Config{Input: 5, Hidden: 4, Classes: 300}, "at most 256"},
	} {
		if _, err := New[float64](tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v): error %v, want one containing %q", tc.cfg, err, tc.want)
		}
	}
}

func TestInitialisation(t *testing.T) {
	cfg := Config{Input: 784, Hidden: 256, Classes: 10, LayerNorm: true, Seed: 42}
	m64, err := New[float64](cfg)
	if err != nil {
		t.Fatal(err)
	}
	m32, _ := New[float32](cfg)
	again, _ := New[float64](cfg)
	cfg.Seed++
	other, _ := New[float64](cfg)
	wantShapes := map[string][]int{"W1": {785, 256}, "W2": {1041, 256}, "W3": {1297, 256}, "W4": {257, 10}, "gamma2": {256}, "beta3": {256}}
	for _, name := range m64.Params() {
		p, shape, err := m64.Param(name)
		if err != nil {
			t.Fatal(err)
		}
		if ws, ok := wantShapes[name]; ok && (len(shape) != len(ws) || shape[0] != ws[0] || shape[len(shape)-1] != ws[len(ws)-1]) {
			t.Errorf("%s: shape %v, want %v", name, shape, ws)
		}
		p32, _, _ := m32.Param(name)
		pa, _, _ := again.Param(name)
		po, _, _ := other.Param(name)
		for i := range p {
			if p32[i] != float32(p[i]) || pa[i] != p[i] {
				t.Fatalf("%s[%d]: float64 %v, float32 %v, same seed again %v: want identical (rounded) values", name, i, p[i], p32[i], pa[i])
			}
		}
		switch name[0] {
		case 'W':
			rows, cols := shape[0], shape[1]
			fanIn := rows - 1
			var s, ss float64
			for _, v := range p[:fanIn*cols] {
				s += v
				ss += v * v
			}
			n := float64(fanIn * cols)
			std, want := math.Sqrt(ss/n-(s/n)*(s/n)), math.Sqrt(2/float64(fanIn))
			if math.Abs(std/want-1) > 0.05 || math.Abs(s/n) > 4*want/math.Sqrt(n) {
				t.Errorf("%s: weight mean %.3g std %.4g, want He N(0, %.4g²)", name, s/n, std, want)
			}
			for _, v := range p[fanIn*cols:] {
				if v != 0 {
					t.Fatalf("%s: bias row has %v, want zeros", name, v)
				}
			}
			if relErr(p, po) < 0.5 {
				t.Errorf("%s: seeds %d and %d give nearly the same weights", name, cfg.Seed-1, cfg.Seed)
			}
		case 'g', 'b':
			want := 0.0
			if name[0] == 'g' {
				want = 1
			}
			for _, v := range p {
				if v != want {
					t.Fatalf("%s = %v, want all %v", name, v, want)
				}
			}
		}
	}
	noLN, _ := New[float64](Config{Input: 3, Hidden: 2, Classes: 2})
	if got := strings.Join(noLN.Params(), ","); got != "W1,W2,W3,W4" {
		t.Errorf("Params() without LayerNorm = %s, want W1..W4 only", got)
	}
	if _, _, err := noLN.Param("gamma1"); err == nil {
		t.Errorf("Param(gamma1) without LayerNorm: no error")
	}
}

func TestAPIErrors(t *testing.T) {
	m, err := New[float64](Config{Input: 3, Hidden: 4, Classes: 2, LayerNorm: true})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, 6)
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"Backward before Forward", func() error { _, err := m.Backward([]uint8{0, 1}); return err }, "call Forward"},
		{"Step before Backward", func() error { return m.Step(0.1) }, "call Backward"},
		{"Forward short x", func() error { _, err := m.Forward(x[:5], 2); return err }, "len(x) = 5"},
		{"Forward zero batch", func() error { _, err := m.Forward(nil, 0); return err }, "batch size 0"},
		{"TrainBatch label range", func() error { _, err := m.TrainBatch(x, []uint8{0, 2}, 0.1); return err }, "label[1] = 2"},
		{"TrainBatch label count", func() error { _, err := m.TrainBatch(x, []uint8{0}, 0.1); return err }, "len(x) = 6"},
		{"LossAndGrads batch mismatch", func() error { _, _, err := m.LossAndGrads(x, []uint8{0, 1, 1}, 2); return err }, "3 labels"},
		{"Backward label count", func() error {
			if _, err := m.Forward(x, 2); err != nil {
				return nil
			}
			_, err := m.Backward([]uint8{0})
			return err
		}, "1 labels for the cached batch of 2"},
		{"Loss label range", func() error { _, err := m.Loss(x, []uint8{5, 0}); return err }, "label[0] = 5"},
		{"Accuracy shape", func() error { _, err := m.Accuracy(x, []uint8{0}); return err }, "want batch×Input"},
		{"Predict shape", func() error { _, err := m.Predict(x[:4]); return err }, "multiple of Input = 3"},
		{"Param name", func() error { _, _, err := m.Param("W5"); return err }, `no parameter "W5"`},
		{"SetParam length", func() error { return m.SetParam("gamma2", []float64{1}) }, "1 values, want 4"},
		{"LayerNormForward shape", func() error { _, _, err := LayerNormForward(x, 4, []float64{1, 1}, []float64{0, 0}); return err }, "len(z) = 6"},
		{"LayerNormForward beta", func() error { _, _, err := LayerNormForward(x, 3, []float64{1, 1}, []float64{0}); return err }, "len(beta) = 1"},
		{"LayerNormBackward nil", func() error { _, _, _, err := LayerNormBackward(x, []float64{1, 1}, nil); return err }, "cache is nil"},
	} {
		err := tc.call()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// TestTrainBatchEqualsBackwardStep checks that the fused update of TrainBatch
// is Forward + Backward + Step, and that Step is θ − lr·∂L/∂θ.
func TestTrainBatchEqualsBackwardStep(t *testing.T) {
	for _, ln := range []bool{true, false} {
		tc := testCase{"", 12, 64, 5, 300, ln, 9} // 300×64 rows: the passes run on two workers
		a, x, y := randomSetup[float64](t, tc)
		b, _, _ := randomSetup[float64](t, tc)
		const lr = 0.05
		lossA, err := a.TrainBatch(x, y, lr)
		if err != nil {
			t.Fatal(err)
		}
		lossB, grads, err := b.LossAndGrads(x, y, tc.b)
		if err != nil {
			t.Fatal(err)
		}
		before := map[string][]float64{}
		for _, name := range b.Params() {
			before[name], _, _ = b.Param(name)
		}
		if err := b.Step(lr); err != nil {
			t.Fatal(err)
		}
		if lossA != lossB {
			t.Errorf("LN=%v: TrainBatch loss %v, Backward loss %v", ln, lossA, lossB)
		}
		for _, name := range b.Params() {
			pa, _, _ := a.Param(name)
			pb, _, _ := b.Param(name)
			want := before[name]
			for i := range want {
				want[i] -= lr * grads[name][i]
			}
			if e := relErr(pb, want); e > 1e-15 {
				t.Errorf("LN=%v %s: Step differs from θ − lr·g by %.2e", ln, name, e)
			}
			if e := relErr(pa, pb); e > 1e-13 {
				t.Errorf("LN=%v %s: TrainBatch and Backward+Step differ by %.2e", ln, name, e)
			}
		}
		if err := a.Step(lr); err == nil {
			t.Errorf("Step after TrainBatch: no error, want 'no gradients'")
		}
	}
}

// TestParallelMatchesSerial checks the two-worker row passes (and their
// partial-sum reductions) against one worker.
func TestParallelMatchesSerial(t *testing.T) {
	tc := testCase{"", 12, 64, 5, 257, true, 4}
	m, x, y := randomSetup[float64](t, tc)
	saved := minParallelElems
	defer func() { minParallelElems = saved }()
	minParallelElems = math.MaxInt
	_, serial, _ := m.LossAndGrads(x, y, tc.b)
	minParallelElems = 1
	_, parallel, _ := m.LossAndGrads(x, y, tc.b)
	for name, g := range serial {
		if e := relErr(parallel[name], g); e > 1e-14 {
			t.Errorf("%s: two workers differ from one by %.2e", name, e)
		}
	}
}

// TestFloat32MatchesFloat64 runs the same model in both precisions.
func TestFloat32MatchesFloat64(t *testing.T) {
	for _, ln := range []bool{true, false} {
		cfg := Config{Input: 30, Hidden: 32, Classes: 10, LayerNorm: ln, Seed: 5}
		m64, _ := New[float64](cfg)
		m32, _ := New[float32](cfg)
		rng := rand.New(rand.NewPCG(8, 8))
		const B = 40
		x64 := make([]float64, B*cfg.Input)
		for i := range x64 {
			x64[i] = float64(float32(rng.Float64())) // exactly representable in both
		}
		y := make([]uint8, B)
		for i := range y {
			y[i] = uint8(rng.IntN(cfg.Classes))
		}
		l64, g64, err := m64.LossAndGrads(x64, y, B)
		if err != nil {
			t.Fatal(err)
		}
		l32, g32, err := m32.LossAndGrads(to32(x64), y, B)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(float64(l32)-l64) > 1e-5*l64 {
			t.Errorf("LN=%v: loss float32 %v, float64 %v", ln, l32, l64)
		}
		worst := 0.0
		for _, name := range m64.Params() {
			e := relErr(g32[name], g64[name])
			worst = max(worst, e)
			if e > 1e-4 {
				t.Errorf("LN=%v %s: float32 gradient differs from float64 by %.2e", ln, name, e)
			}
		}
		t.Logf("LN=%v: loss rel diff %.2e, worst gradient rel diff %.2e", ln, math.Abs(float64(l32)-l64)/l64, worst)
		// A few training steps keep them together too.
		for range 5 {
			if _, err := m64.TrainBatch(x64, y, 0.05); err != nil {
				t.Fatal(err)
			}
			if _, err := m32.TrainBatch(to32(x64), y, 0.05); err != nil {
				t.Fatal(err)
			}
		}
		for _, name := range m64.Params() {
			p64, _, _ := m64.Param(name)
			p32, _, _ := m32.Param(name)
			if e := relErr(p32, p64); e > 1e-5 {
				t.Errorf("LN=%v %s: after 5 steps float32 and float64 parameters differ by %.2e", ln, name, e)
			}
		}
	}
}

// TestEvaluation checks the chunked Loss, Accuracy and Predict against one
// big Forward, on more rows than one chunk.
func TestEvaluation(t *testing.T) {
	tc := testCase{"", 9, 16, 4, 2*evalChunk + 37, true, 6}
	m, x, y := randomSetup[float64](t, tc)
	logp, err := m.Forward(x, tc.b)
	if err != nil {
		t.Fatal(err)
	}
	c := tc.c
	var want float64
	correct := 0
	for r := range tc.b {
		row := logp[r*c : (r+1)*c]
		var s float64
		for _, v := range row {
			s += math.Exp(v)
		}
		if math.Abs(s-1) > 1e-12 {
			t.Fatalf("row %d: Σ exp(log-prob) = %v, want 1", r, s)
		}
		want -= row[y[r]]
		if argmax(row) == int(y[r]) {
			correct++
		}
	}
	want /= float64(tc.b)
	loss, _ := m.Loss(x, y)
	acc, _ := m.Accuracy(x, y)
	pred, _ := m.Predict(x)
	if math.Abs(loss-want) > 1e-13 {
		t.Errorf("Loss %v, want %v", loss, want)
	}
	if acc != float64(correct)/float64(tc.b) {
		t.Errorf("Accuracy %v, want %v", acc, float64(correct)/float64(tc.b))
	}
	for r := range tc.b {
		if pred[r] != argmax(logp[r*c:(r+1)*c]) {
			t.Fatalf("Predict[%d] = %d, want %d", r, pred[r], argmax(logp[r*c:(r+1)*c]))
		}
	}
	// Evaluation does not disturb the cached forward pass.
	if _, err := m.Backward(y); err != nil {
		t.Errorf("Backward after evaluation: %v", err)
	}
}

// TestNoAllocations checks that, once buffers exist, a training step and an
// evaluation allocate nothing, with the real GEMM (pkg/gemm), in both
// precisions, with and without LayerNorm. The batch and widths make the
// products large enough for pkg/gemm to use both cores, and minParallelElems
// is lowered so that every row pass is split across the workers as well.
func TestNoAllocations(t *testing.T) {
	saved := minParallelElems
	defer func() { minParallelElems = saved }()
	minParallelElems = 1
	for _, ln := range []bool{true, false} {
		tc := testCase{fmt.Sprintf("LN=%v", ln), 200, 256, 10, 128, ln, 1}
		t.Run("float32/"+tc.name, func(t *testing.T) { checkNoAllocations[float32](t, tc) })
		t.Run("float64/"+tc.name, func(t *testing.T) { checkNoAllocations[float64](t, tc) })
	}
}

func checkNoAllocations[T Float](t *testing.T, tc testCase) {
	m, x, y := randomSetup[T](t, tc)
	check := func(name string, f func() error) {
		t.Helper()
		if err := f(); err != nil { // warm up: buffers, worker pool
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(5, func() { _ = f() }); n != 0 {
			t.Errorf("%s: %v allocations per call, want 0", name, n)
		}
	}
	check("TrainBatch", func() error { _, err := m.TrainBatch(x, y, 0.01); return err })
	check("TrainBatch, smaller last batch", func() error { _, err := m.TrainBatch(x[:97*tc.d], y[:97], 0.01); return err })
	check("Forward+Backward+Step", func() error {
		if _, err := m.Forward(x, tc.b); err != nil {
			return err
		}
		if _, err := m.Backward(y); err != nil {
			return err
		}
		return m.Step(0.01)
	})
	check("Loss", func() error { _, err := m.Loss(x, y); return err })
	check("Accuracy", func() error { _, err := m.Accuracy(x, y); return err })
}

// TestBackwardAfterUpdateNeedsForward checks that the cached forward pass is
// not reused once the parameters change: its activations would give stale
// gradients without any error.
func TestBackwardAfterUpdateNeedsForward(t *testing.T) {
	m, x, y := randomSetup[float64](t, testCase{"", 6, 5, 3, 8, true, 2})
	if _, err := m.TrainBatch(x, y, 0.1); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Backward(y); err == nil || !strings.Contains(err.Error(), "Forward") {
		t.Errorf("Backward after TrainBatch: err = %v, want an error asking for Forward", err)
	}
	if _, err := m.Forward(x, len(y)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Backward(y); err != nil {
		t.Fatal(err)
	}
	if err := m.Step(0.1); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Backward(y); err == nil {
		t.Error("Backward after Step reused the forward pass of the old parameters")
	}
}

func TestReluStep(t *testing.T) {
	check := func(name string, got, want float64) {
		t.Helper()
		if got != want {
			t.Errorf("%s: [H > 0] = %v, want %v", name, got, want)
		}
	}
	b32, b64 := stepScale[float32](), stepScale[float64]()
	for _, c := range []struct {
		h32  float32
		h64  float64
		want float64
	}{
		{0, 0, 0},
		{float32(math.Copysign(0, -1)), math.Copysign(0, -1), 0},
		{math.SmallestNonzeroFloat32, math.SmallestNonzeroFloat64, 1},
		{1e-30, 1e-200, 1},
		{1, 1, 1},
		{math.MaxFloat32, math.MaxFloat64, 1},
		{float32(math.Inf(1)), math.Inf(1), 1},
	} {
		check(fmt.Sprintf("float32 %g", c.h32), math.Abs(float64(min(c.h32*b32*b32, 1))), c.want)
		check(fmt.Sprintf("float64 %g", c.h64), math.Abs(min(c.h64*b64*b64, 1)), c.want)
	}
}
