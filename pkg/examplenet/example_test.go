package examplenet_test

import (
	"fmt"

	"feedforward.dev/feedforward/pkg/examplenet"
)

// Train the example network on a toy problem: two features per example, the
// class is 1 when the second is larger.
func Example() {
	var X []float32
	var y []uint8
	for i := range 8 {
		for j := range 8 {
			if i != j {
				X = append(X, float32(i)/7, float32(j)/7)
				y = append(y, map[bool]uint8{false: 0, true: 1}[j > i])
			}
		}
	}
	net, err := examplenet.New([]int{2, 8, 2}, &examplenet.Options{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer net.Close()
	var first, last float64
	for epoch := 1; epoch <= 300; epoch++ {
		loss, err := net.TrainOneEpoch(X, y, nil, 1.0)
		if err != nil {
			fmt.Println(err)
			return
		}
		if epoch == 1 {
			first = loss
		}
		last = loss
	}
	acc, err := net.Accuracy(X, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("loss fell below a third: %v\n", last < first/3)
	fmt.Printf("training accuracy: %.2f\n", acc)
	// Output:
	// loss fell below a third: true
	// training accuracy: 1.00
}
