package autograd

import (
	"testing"

	"feedforward.dev/feedforward/pkg/mnist"
)

// BenchmarkFullBatchEpoch60k times one full-batch epoch (forward, backward and
// update) on all 60000 MNIST training images for shape 784,300,100,10, the
// homework's Q3 setting. Compilation and the upload of the images happen in an
// untimed warm-up epoch.
func BenchmarkFullBatchEpoch60k(b *testing.B) {
	if testing.Short() {
		b.Skip("full MNIST epoch skipped in -short mode")
	}
	train, _, err := mnist.Load("")
	if err != nil {
		b.Fatal(err)
	}
	y1hot, err := mnist.OneHot(train.Labels, 10)
	if err != nil {
		b.Fatal(err)
	}
	net, err := New([]int{784, 300, 100, 10}, &Options{Backend: testBackend(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer net.Close()
	if _, err := net.TrainOneEpoch(train.Images, train.Labels, y1hot, 0.1); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := net.TrainOneEpoch(train.Images, train.Labels, y1hot, 0.1); err != nil {
			b.Fatal(err)
		}
	}
}
