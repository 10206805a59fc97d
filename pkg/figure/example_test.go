package figure_test

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"

	"feedforward.dev/feedforward/pkg/figure"
)

// size decodes a PNG and returns its size as "WxH".
func size(data []byte) string {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%dx%d", img.Bounds().Dx(), img.Bounds().Dy())
}

func ExampleLineChart() {
	var epochs, train, test []float64
	for e := 1; e <= 20; e++ {
		epochs = append(epochs, float64(e))
		train = append(train, 1-0.9*math.Exp(-float64(e)/4))
		test = append(test, 0.97-0.9*math.Exp(-float64(e)/5))
	}
	fig := figure.LineChart{
		Title:  "Accuracy vs. epochs",
		XLabel: "epoch",
		YLabel: "accuracy",
		Series: []figure.Series{
			{Name: "train", X: epochs, Y: train},
			{Name: "test", X: epochs, Y: test},
		},
		YMin: 0, YMax: 1, // fixed range; both 0 means automatic
	}
	data, err := fig.PNG()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(size(data))
	// Output: 800x500
}

func ExampleLineChart_validation() {
	fig := figure.LineChart{Series: []figure.Series{
		{Name: "train loss", X: []float64{1, 2, 3}, Y: []float64{0.9, math.NaN(), 0.4}},
	}}
	_, err := fig.PNG()
	fmt.Println(err)
	// Output: figure: LineChart series 0 "train loss": Y[1] is NaN: plot only finite values (a NaN loss usually means training diverged: lower the learning rate)
}

func ExampleImageGrid() {
	// Two 3×3 "images": a plus sign and a cross.
	plus := []float32{0, 1, 0, 1, 1, 1, 0, 1, 0}
	cross := []float32{1, 0, 1, 0, 1, 0, 1, 0, 1}
	fig := figure.ImageGrid{
		Title:    "Tiny images",
		Images:   [][]float32{plus, cross},
		Rows:     3,
		Cols:     3,
		Captions: []string{"label +", "pred x / true +"},
		Width:    400,
		Height:   200,
	}
	data, err := fig.PNG()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(size(data))
	// Output: 400x200
}

func ExampleBarChart() {
	fig := figure.BarChart{
		Title:  "Test accuracy by digit",
		XLabel: "digit",
		YLabel: "accuracy",
		Labels: []string{"0", "1", "2"},
		Groups: []figure.BarGroup{
			{Name: "784-300-100-10", Values: []float64{0.99, 0.98, 0.95}},
			{Name: "784-100-10", Values: []float64{0.98, 0.97, 0.93}},
		},
		Width: 600, Height: 400,
	}
	data, err := fig.PNG()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(size(data))
	// Output: 600x400
}

func ExampleSave() {
	dir, err := os.MkdirTemp("", "figure-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	fig := figure.LineChart{
		Title:  "Loss",
		Series: []figure.Series{{Name: "train", X: []float64{1, 2, 3}, Y: []float64{2.3, 0.9, 0.5}}},
	}
	path := filepath.Join(dir, "plots", "loss.png") // missing directories are created
	if err := figure.Save(fig, path); err != nil {
		fmt.Println(err)
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(size(data))

	// The file must be a .png.
	fmt.Println(figure.Save(fig, filepath.Join(dir, "loss.jpg")) != nil)
	// Output:
	// 800x500
	// true
}

func ExampleShow() {
	dir, err := os.MkdirTemp("", "figure-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	// In a notebook Show displays the figure in the cell; with
	// FEEDFORWARD_FIGURE_DIR set it also saves NAME.png there.
	os.Setenv(figure.FigureDirEnv, dir)
	defer os.Unsetenv(figure.FigureDirEnv)

	fig := figure.BarChart{Labels: []string{"a", "b"}, Groups: []figure.BarGroup{{Values: []float64{1, 2}}}}
	if err := figure.Show(fig, "bars"); err != nil {
		fmt.Println(err)
		return
	}
	_, err = os.Stat(filepath.Join(dir, "bars.png"))
	fmt.Println("saved:", err == nil)
	// Output: saved: true
}
