package autograd_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"feedforward.dev/feedforward/pkg/autograd"
	"feedforward.dev/feedforward/pkg/backend"
	"feedforward.dev/feedforward/pkg/examplenet"
	"feedforward.dev/feedforward/pkg/mnist"
)

// TestSameModelAsExampleNet starts the autograd network from the example
// network's initial weights: both must then follow the same loss curve, since
// they compute the same function and take the same gradient-descent steps.
func TestSameModelAsExampleNet(t *testing.T) {
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	train, _, err := mnist.Load("")
	if err != nil {
		t.Fatal(err)
	}
	d, err := train.First(100)
	if err != nil {
		t.Fatal(err)
	}
	shape := []int{784, 12, 10}
	ex, err := examplenet.New(shape, &examplenet.Options{Seed: 5, Backend: b})
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	if _, err := ex.Predict(d.Images); err != nil { // creates and initialises the variables
		t.Fatal(err)
	}
	layers := make([]autograd.Layer, len(shape)-1)
	for l := range layers {
		read := func(name string) []float64 {
			v := ex.Context().GetVariableByScopeAndName(fmt.Sprintf("/layer_%d/dense", l), name)
			if v == nil {
				t.Fatalf("examplenet has no variable %s in layer %d", name, l)
			}
			val, err := v.Value()
			if err != nil {
				t.Fatal(err)
			}
			f := tensors.MustCopyFlatData[float32](val)
			out := make([]float64, len(f))
			for i, x := range f {
				out[i] = float64(x)
			}
			return out
		}
		layers[l] = autograd.Layer{In: shape[l], Out: shape[l+1], W: read("weights"), B: read("biases")}
	}
	ag, err := autograd.New(shape, &autograd.Options{Backend: b})
	if err != nil {
		t.Fatal(err)
	}
	defer ag.Close()
	if err := ag.SetParams(layers); err != nil {
		t.Fatal(err)
	}
	for epoch := 1; epoch <= 5; epoch++ {
		le, err := ex.TrainOneEpoch(d.Images, d.Labels, nil, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		la, err := ag.TrainOneEpoch(d.Images, d.Labels, nil, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(le-la) > 1e-5*math.Max(1, le) {
			t.Errorf("epoch %d: loss %.7f (examplenet) vs %.7f (autograd)", epoch, le, la)
		}
	}
}
