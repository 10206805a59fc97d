package denseres

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The homework's sizes: MNIST input, h = 256, 10 classes, batch 128
// (469 minibatches per epoch of 60 000).
const (
	benchD, benchH, benchC, benchB = 784, 256, 10, 128
	stepsPerEpoch                  = 469
)

func benchModel[T Float](b *testing.B, ln bool, rows int) (*Model[T], []T, []uint8) {
	m, err := New[T](Config{Input: benchD, Hidden: benchH, Classes: benchC, LayerNorm: ln, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]T, rows*benchD)
	for i := range x {
		x[i] = T(rng.Float64())
	}
	y := make([]uint8, rows)
	for i := range y {
		y[i] = uint8(rng.IntN(benchC))
	}
	return m, x, y
}

func benchTrain[T Float](b *testing.B, ln, fused bool) {
	m, x, y := benchModel[T](b, ln, benchB)
	var lr T = 0.01
	if !ln {
		lr = 0.001
	}
	step := func() {
		if fused {
			if _, err := m.TrainBatch(x, y, lr); err != nil {
				b.Fatal(err)
			}
			return
		}
		if _, err := m.Forward(x, benchB); err != nil {
			b.Fatal(err)
		}
		if _, err := m.Backward(y); err != nil {
			b.Fatal(err)
		}
		if err := m.Step(lr); err != nil {
			b.Fatal(err)
		}
	}
	step() // buffers
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		step()
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(sec*1e3, "ms/step")
	b.ReportMetric(sec*stepsPerEpoch, "s/469steps")
	b.ReportMetric((processCPU()-cpu0).Seconds()*1e3/float64(b.N), "cpu-ms/step")
}

// BenchmarkTrainBatch is one SGD step at the homework's sizes. Add the
// evaluation time of BenchmarkAccuracy for an epoch estimate.
func BenchmarkTrainBatch(b *testing.B) {
	b.Run("f32/LN", func(b *testing.B) { benchTrain[float32](b, true, true) })
	b.Run("f64/LN", func(b *testing.B) { benchTrain[float64](b, true, true) })
	b.Run("f32/noLN", func(b *testing.B) { benchTrain[float32](b, false, true) })
}

// BenchmarkForwardBackwardStep is the same step through the unfused API, which
// stores the gradients and updates in a separate pass.
func BenchmarkForwardBackwardStep(b *testing.B) {
	b.Run("f32/LN", func(b *testing.B) { benchTrain[float32](b, true, false) })
	b.Run("f64/LN", func(b *testing.B) { benchTrain[float64](b, true, false) })
}

// BenchmarkAccuracy evaluates 10 000 samples (the MNIST test set's size).
func BenchmarkAccuracy(b *testing.B) {
	run := func(b *testing.B, f func() error) {
		if err := f(); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		cpu0 := processCPU()
		for b.Loop() {
			_ = f()
		}
		b.ReportMetric((processCPU()-cpu0).Seconds()*1e3/float64(b.N), "cpu-ms/op")
	}
	b.Run("f32/10k", func(b *testing.B) {
		m, x, y := benchModel[float32](b, true, 10000)
		run(b, func() error { _, err := m.Accuracy(x, y); return err })
	})
	b.Run("f64/10k", func(b *testing.B) {
		m, x, y := benchModel[float64](b, true, 10000)
		run(b, func() error { _, err := m.Accuracy(x, y); return err })
	})
}

// BenchmarkRowPass times the fused forward and backward row passes of one
// hidden layer (h = 256) on one and on two workers, for batches of 8, 32 and
// 128 rows: the evidence for minParallelElems.
func BenchmarkRowPass(b *testing.B) {
	for _, rows := range []int{8, 32, benchB} {
		for _, kind := range []string{"forward", "backward"} {
			for _, workers := range []int{1, 2} {
				benchRowPass(b, kind, rows, workers)
			}
		}
	}
}

func benchRowPass(b *testing.B, kind string, rows, workers int) {
	b.Run(fmt.Sprintf("%s/rows=%d/workers=%d", kind, rows, workers), func(b *testing.B) {
		m, x, y := benchModel[float32](b, true, benchB)
		if _, err := m.Forward(x, benchB); err != nil {
			b.Fatal(err)
		}
		if _, err := m.Backward(y); err != nil {
			b.Fatal(err)
		}
		ws := &m.train
		m.job.ws, m.job.layer = ws, 1
		m.job.kind = passForward
		if kind == "backward" {
			m.job.kind = passBackward
		}
		// Rerun on the cached inputs (the copy, ~128 KB, is timed too).
		ds := append([]float32(nil), ws.ds...)
		b.ResetTimer()
		for b.Loop() {
			if kind == "backward" {
				copy(ws.ds, ds)
			}
			runParallel(&m.job, rows, workers, &m.wg)
		}
		if math.IsNaN(float64(ws.ds[0])) {
			b.Fatal("NaN")
		}
	})
}
