package learningcurve

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"feedforward.dev/feedforward/pkg/mode"
)

// fakeResult is a two-shape, three-size result with two repeats.
func fakeResult() *Result {
	cfg := DefaultConfig(mode.Quick)
	cfg.Sizes = []int{250, 1000, 4000}
	cfg.Repeats = 2
	r := &Result{Config: cfg, Backend: "test"}
	accs := map[string][3][2]float64{ // test accuracies per size and repeat
		"784,10":         {{0.80, 0.82}, {0.87, 0.87}, {0.90, 0.90}},
		"784,300,100,10": {{0.78, 0.80}, {0.88, 0.88}, {0.94, 0.94}},
	}
	for _, shape := range cfg.Shapes {
		for i, n := range cfg.Sizes {
			for rep := range 2 {
				test := accs[FormatShape(shape)][i][rep]
				p := fakePoint(shape, n, rep, 1-0.5*(1-test), test)
				p.Backend = "test"
				r.Points = append(r.Points, p)
			}
		}
	}
	return r
}

func TestWriteFiles(t *testing.T) {
	r := fakeResult()
	dir := filepath.Join(t.TempDir(), "out")
	written, err := r.WriteFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{JSONFile, CSVFile, FigureFile(Shallow), FigureFile(Deep), OverlayFile}
	if len(written) != len(want) {
		t.Fatalf("wrote %v, want %v", written, want)
	}
	for i, name := range want {
		if written[i] != filepath.Join(dir, name) {
			t.Errorf("file %d is %s, want %s", i, written[i], name)
		}
	}
	if FigureFile(Deep) != "learning-curve-784-300-100-10.png" {
		t.Errorf("FigureFile(Deep) = %q", FigureFile(Deep))
	}

	// JSON: the documented layout, and a lossless round trip.
	data, err := os.ReadFile(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Config map[string]any   `json:"config"`
		Points []map[string]any `json:"points"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"shapes", "sizes", "lr", "batch_size", "patience", "max_epochs", "val_size", "seed", "hash", "backend"} {
		if _, ok := raw.Config[k]; !ok {
			t.Errorf("JSON config lacks %q", k)
		}
	}
	if len(raw.Points) != len(r.Points) {
		t.Fatalf("JSON has %d points, want %d", len(raw.Points), len(r.Points))
	}
	for _, k := range []string{"shape", "train_size", "train_acc", "test_acc", "epochs_trained", "best_epoch", "seconds", "backend"} {
		if _, ok := raw.Points[0][k]; !ok {
			t.Errorf("JSON point lacks %q", k)
		}
	}
	if raw.Points[0]["shape"] != "784,10" || raw.Points[0]["train_size"] != 250.0 {
		t.Errorf("first JSON point is %v", raw.Points[0])
	}
	back, err := ReadResult(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Points, r.Points) || !reflect.DeepEqual(back.Config, r.Config) || back.Backend != r.Backend {
		t.Error("ReadResult does not give back the result written")
	}

	// CSV: a header and one row per point.
	f, err := os.Open(filepath.Join(dir, CSVFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(r.Points) || !reflect.DeepEqual(rows[0], csvHeader) {
		t.Fatalf("CSV has %d rows starting with %v", len(rows), rows[0])
	}
	if rows[0][len(rows[0])-1] != "backend" || rows[1][len(rows[1])-1] != "test" {
		t.Errorf("CSV header %v, first row %v: want a last column backend = test", rows[0], rows[1])
	}
	if rows[1][0] != "784,10" || rows[1][1] != "250" || rows[1][6] != "0.8" {
		t.Errorf("first CSV row %v", rows[1])
	}

	// PNGs decode.
	for _, name := range want[2:] {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() < 300 || b.Dy() < 200 {
			t.Errorf("%s is only %v", name, b)
		}
	}
}

// TestWriteFilesAllOrNothing checks that a figure that cannot be drawn
// stops WriteFiles before it writes the JSON and CSV files.
func TestWriteFilesAllOrNothing(t *testing.T) {
	r := fakeResult()
	r.Config.Shapes = append(r.Config.Shapes, []int{784, 30, 10}) // a shape without points
	dir := filepath.Join(t.TempDir(), "out")
	written, err := r.WriteFiles(dir)
	if err == nil || !strings.Contains(err.Error(), "no points of shape 784,30,10") {
		t.Fatalf("WriteFiles = %v, %v; want an error naming the shape without points", written, err)
	}
	if len(written) != 0 {
		t.Errorf("wrote %v despite the error", written)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the output directory was created despite the error (%v)", err)
	}
}

func TestFigures(t *testing.T) {
	r := fakeResult()
	fig, err := r.Figure(Deep)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fig.Title, "(784, 300, 100, 10)") || !strings.Contains(fig.Title, "mean of 2 runs") {
		t.Errorf("title %q lacks the shape or the repeats", fig.Title)
	}
	if len(fig.Series) != 2 || fig.Series[0].Name != "training accuracy" || fig.Series[1].Name != "test accuracy" {
		t.Fatalf("series %+v", fig.Series)
	}
	// Means over the repeats.
	if got := fig.Series[1].Y[0]; math.Abs(got-0.79) > 1e-12 {
		t.Errorf("test accuracy at 250 = %v, want the mean 0.79", got)
	}
	if !reflect.DeepEqual(fig.Series[1].X, []float64{250, 1000, 4000}) {
		t.Errorf("x = %v", fig.Series[1].X)
	}
	if fig.XLabel == "" || fig.YLabel == "" {
		t.Error("unlabelled axes")
	}
	// The lowest mean is 0.79: the axis starts at the multiple of 0.05 below 0.78, and ends above 1.
	if fig.YMin != 0.75 || fig.YMax <= 1 {
		t.Errorf("Y range [%v, %v], want [0.75, >1]", fig.YMin, fig.YMax)
	}
	if _, err := r.Figure([]int{784, 30, 10}); err == nil || !strings.Contains(err.Error(), "no points of shape 784,30,10") {
		t.Errorf("Figure of a missing shape: %v", err)
	}
	over, err := r.OverlayFigure()
	if err != nil {
		t.Fatal(err)
	}
	if len(over.Series) != 4 {
		t.Fatalf("overlay has %d series, want 4", len(over.Series))
	}
	for _, s := range over.Series {
		if !strings.HasPrefix(s.Name, "(784, ") {
			t.Errorf("overlay series %q does not name its shape", s.Name)
		}
	}
	if _, err := (&Result{Config: r.Config}).OverlayFigure(); err == nil {
		t.Error("OverlayFigure of an empty result: no error")
	}
}

func TestReadResultErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadResult(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "run the sweep first") {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("[1, 2]"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadResult(bad); err == nil {
		t.Error("ReadResult of a JSON array: no error")
	}
}
