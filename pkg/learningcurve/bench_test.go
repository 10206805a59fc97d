package learningcurve

import (
	"testing"

	"feedforward.dev/feedforward/pkg/autograd"
)

// BenchmarkEpoch measures one training epoch of the deep network on 10000
// images — the most expensive epoch of the homework's sweep — with
// mini-batches of 64 (the sweep's default) and with full-batch gradient
// descent. Compare with the PyTorch reference, e.g.
//
//	/usr/bin/python3 ../shared/refs/q3_torch.py --n 10000 --epochs 3
//
// (full batch). Run with: go test -bench Epoch -run '^$' ./pkg/learningcurve
func BenchmarkEpoch(b *testing.B) {
	pool, _ := loadMNIST(b)
	fit := view(pool, 0, 10000)
	targets, err := OneHot(fit.Labels, Classes)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		batch int
	}{{"minibatch64", 64}, {"fullbatch", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			net, err := autograd.New(Deep, &autograd.Options{Backend: sharedBackend(b), Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			defer net.Close()
			sgd := newEpochTrainer(net, fit, targets, bc.batch, 0.1, 1)
			if _, err := sgd.epoch(); err != nil { // compiles the step
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := sgd.epoch(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "s/epoch")
		})
	}
}

// BenchmarkValidate measures one validation of the deep network as Run does
// it: copy the weights into the evaluation network, then accuracy and loss on
// a 2000-image hold-out.
func BenchmarkValidate(b *testing.B) {
	pool, _ := loadMNIST(b)
	val := view(pool, 0, 2000)
	bk := sharedBackend(b)
	net, err := autograd.New(Deep, &autograd.Options{Backend: bk, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer net.Close()
	eval, err := autograd.New(Deep, &autograd.Options{Backend: bk, EvalBatchSize: evalBatchSize})
	if err != nil {
		b.Fatal(err)
	}
	defer eval.Close()
	validate := func() {
		w, err := net.Params()
		if err != nil {
			b.Fatal(err)
		}
		if err := eval.SetParams(w); err != nil {
			b.Fatal(err)
		}
		if _, err := eval.Accuracy(val.Images, val.Labels); err != nil {
			b.Fatal(err)
		}
		if _, err := eval.Loss(val.Images, val.Labels); err != nil {
			b.Fatal(err)
		}
	}
	validate() // compiles
	b.ResetTimer()
	for range b.N {
		validate()
	}
}
