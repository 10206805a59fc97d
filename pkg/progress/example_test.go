package progress_test

import (
	"fmt"
	"os"

	"feedforward.dev/feedforward/pkg/progress"
)

func Example() {
	// New writes to standard error (or the notebook); NewWriter picks the
	// writer. Under "go test", standard output is a pipe, so each display is
	// its own line, and updates closer than progress.LogInterval are skipped.
	bar := progress.NewWriter(os.Stdout, "train", 3)
	for epoch := 0; epoch <= 3; epoch++ {
		loss := 1.0 / float64(epoch+1)
		bar.Update(epoch, fmt.Sprintf("loss=%.3f", loss))
	}
	bar.Done("test acc=0.912")
	// Output:
	// train: 0/3 (0%) elapsed 0s | loss=1.000
	// train: 3/3 (100%) elapsed 0s | test acc=0.912
}

func ExampleFormatDuration() {
	fmt.Println(progress.FormatDuration(75e9)) // 75 s
	// Output: 1m15s
}
