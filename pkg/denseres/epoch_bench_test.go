package denseres

import (
	"testing"

	"feedforward.dev/feedforward/pkg/mnist"
)

// BenchmarkEpoch is one training epoch at the homework's setting — all 60000
// MNIST training images in a fresh random order, h = 256, batch 128 (469 SGD
// steps, the last of 96), lr 0.01, with LayerNorm — in float32 and float64.
// It times what Train's Epoch.Seconds and the numpy reference's epoch time
// measure: the shuffle, the batching and the steps, without evaluation. Run
// it with -benchtime=1x -count=3 for three single epochs (each takes seconds).
// To compare with numpy on the same machine, alternate it with
// refs/q5_numpy.py --epochs 1 --configs ln32,ln64 and quote the ratio.
func BenchmarkEpoch(b *testing.B) {
	train, _, err := mnist.Load("")
	if err != nil {
		b.Skip("MNIST not available:", err)
	}
	b.Run("f32/LN", func(b *testing.B) { benchEpoch[float32](b, train) })
	b.Run("f64/LN", func(b *testing.B) { benchEpoch[float64](b, train) })
}

func benchEpoch[T Float](b *testing.B, d *mnist.Dataset) {
	set, err := FromMNIST[T](d)
	if err != nil {
		b.Fatal(err)
	}
	m, err := New[T](Config{Input: d.Features(), Hidden: 256, Classes: mnist.Classes, LayerNorm: true, Seed: 0})
	if err != nil {
		b.Fatal(err)
	}
	opts := TrainOptions{Epochs: 1, BatchSize: 128, LR: 0.01, Seed: 0}
	s := newSGD(m, set, &opts, 1)
	// Size the model's buffers outside the timing (lr 0 leaves the weights as they are).
	if _, err := m.TrainBatch(set.X[:128*d.Features()], set.Labels[:128], 0); err != nil {
		b.Fatal(err)
	}
	epoch := 0
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		epoch++
		if _, _, err := s.epoch(epoch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
	b.ReportMetric((processCPU()-cpu0).Seconds()/float64(b.N), "cpu-s/epoch")
}
