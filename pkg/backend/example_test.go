package backend_test

import (
	"fmt"
	"io"

	. "github.com/gomlx/gomlx/pkg/core/graph"

	"feedforward.dev/feedforward/pkg/backend"
)

// New builds the backend every notebook, CLI and test uses; the result is the same
// on SimpleGo and XLA.
func ExampleNew() {
	backend.NoticeWriter = io.Discard // Normally the one-line notice goes to stderr.
	b, err := backend.New()
	if err != nil {
		fmt.Println(err) // E.g. GOMLX_BACKEND names no backend; the error says how to fix it.
		return
	}
	defer b.Finalize()
	exec, err := NewExec(b, func(x, w *Node) *Node { return Dot(x, w) })
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := exec.Exec([][]float32{{1, 2}, {3, 4}}, [][]float32{{1, 0}, {0, 10}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out[0].Value())
	// Output: [[1 20] [3 40]]
}

func ExampleChoice_Notice() {
	c := backend.Choice{Config: "go", Name: "SimpleGo", Reason: "no local PJRT plugin"}
	fmt.Println(c.Notice())
	// Output: feedforward: backend SimpleGo (no local PJRT plugin); for XLA's speed run `make setup` (scripts/install-pjrt.sh installs a PJRT CPU plugin)
}
