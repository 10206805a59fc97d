package dotgrad_test

import (
	"fmt"
	"io"

	. "github.com/gomlx/gomlx/pkg/core/graph"

	"feedforward.dev/feedforward/pkg/backend"
	"feedforward.dev/feedforward/pkg/dotgrad"
)

// Install once, then build gradients as usual: the results are the same, only
// cheaper. For loss = Σ X·W the gradients are dX = 1·Wᵀ and dW = Xᵀ·1.
func ExampleInstall() {
	dotgrad.Install()
	backend.NoticeWriter = io.Discard
	b, err := backend.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Finalize()
	exec, err := NewExec(b, func(x, w *Node) []*Node {
		return Gradient(ReduceAllSum(Dot(x, w)), x, w)
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	grads, err := exec.Exec([][]float64{{1, 2}, {3, 4}, {5, 6}}, [][]float64{{1, 0, 2}, {0, 1, 3}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("dX:", grads[0].Value())
	fmt.Println("dW:", grads[1].Value())
	// Output:
	// dX: [[3 4] [3 4] [3 4]]
	// dW: [[9 9 9] [12 12 12]]
}
