package learningcurve

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"feedforward.dev/feedforward/internal/atomicfile"
	"feedforward.dev/feedforward/pkg/figure"
)

// Names of the files WriteFiles writes.
const (
	JSONFile    = "learning-curves.json"
	CSVFile     = "learning-curves.csv"
	OverlayFile = "learning-curves-overlay.png"
)

// filePermission is the permission of the files written.
const filePermission = 0o644

// FigureFile returns the name of the learning-curve PNG of shape,
// "learning-curve-784-300-100-10.png".
func FigureFile(shape []int) string {
	return "learning-curve-" + strings.ReplaceAll(FormatShape(shape), ",", "-") + ".png"
}

// resultFile is the JSON form of a Result:
// {"config": {...Config, "hash", "backend", "engine_version"}, "points": [...]}.
type resultFile struct {
	Config resultConfig `json:"config"`
	Points []Point      `json:"points"`
}

type resultConfig struct {
	Config
	Hash          string  `json:"hash"`
	Backend       string  `json:"backend"`
	EngineVersion int     `json:"engine_version"`
	Seconds       float64 `json:"run_seconds"`
}

// MarshalJSON encodes r as {"config": {...}, "points": [...]}; the config holds
// Config's fields and the hash, backend, engine version and run time.
func (r Result) MarshalJSON() ([]byte, error) {
	return json.Marshal(resultFile{
		Config: resultConfig{Config: r.Config, Hash: r.Config.Hash(), Backend: r.Backend, EngineVersion: EngineVersion, Seconds: r.Seconds},
		Points: r.Points,
	})
}

// UnmarshalJSON decodes the form written by MarshalJSON.
func (r *Result) UnmarshalJSON(data []byte) error {
	var f resultFile
	if err := json.Unmarshal(data, &f); err != nil {
		return err
	}
	*r = Result{Config: f.Config.Config, Backend: f.Config.Backend, Points: f.Points, Seconds: f.Config.Seconds, Resumed: len(f.Points)}
	return nil
}

// ReadResult reads a Result written by WriteFiles (its JSON file).
func ReadResult(path string) (*Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("learningcurve: %w; run the sweep first (Run and WriteFiles, or cmd/hw1-learning-curves -out DIR)", err)
	}
	r := new(Result)
	if err := json.Unmarshal(data, r); err != nil {
		return nil, fmt.Errorf("learningcurve: %s is not a learning-curve result: %w", path, err)
	}
	return r, nil
}

// csvHeader are the CSV columns, one row per point.
var csvHeader = []string{"shape", "train_size", "repeat", "fit_size", "val_size", "train_acc", "test_acc", "val_acc",
	"epochs_trained", "best_epoch", "stopped_by", "seconds", "epoch_seconds", "backend"}

// CSV returns the points as CSV with a header row.
func (r *Result) CSV() ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(csvHeader)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }
	for _, p := range r.Points {
		_ = w.Write([]string{p.Shape, strconv.Itoa(p.TrainSize), strconv.Itoa(p.Repeat), strconv.Itoa(p.FitSize), strconv.Itoa(p.ValSize),
			f(p.TrainAcc), f(p.TestAcc), f(p.ValAcc), strconv.Itoa(p.EpochsTrained), strconv.Itoa(p.BestEpoch), p.StoppedBy,
			f(p.Seconds), f(p.EpochSeconds), p.Backend})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// Figure returns the learning-curve figure of one shape: training and test
// accuracy of the selected models against the training-set size (means over
// repeats), with the shape in the title.
func (r *Result) Figure(shape []int) (figure.LineChart, error) {
	curve := r.Curve(shape)
	if len(curve) == 0 {
		return figure.LineChart{}, fmt.Errorf("learningcurve: the result has no points of shape %s; it has %s", FormatShape(shape), r.shapeList())
	}
	x, train, test := curveXY(curve)
	fig := figure.LineChart{
		Title:  "Learning curve, network " + ShapeTitle(shape) + r.repeatsNote(),
		XLabel: "training-set size (images)",
		YLabel: "accuracy of the early-stopped model",
		Series: []figure.Series{
			{Name: "training accuracy", X: x, Y: train},
			{Name: "test accuracy", X: x, Y: test},
		},
	}
	fig.YMin, fig.YMax = accuracyRange(fig.Series)
	return fig, nil
}

// accuracyRange returns a Y range for accuracies: from a margin below the
// lowest value, rounded down to a multiple of 0.05, to just above 1, so that
// no point sits on the frame.
func accuracyRange(series []figure.Series) (lo, hi float64) {
	lo = 1
	for _, s := range series {
		for _, y := range s.Y {
			lo = min(lo, y)
		}
	}
	lo = max(0, math.Floor((lo-0.01)*20)/20)
	return lo, 1.01
}

// OverlayFigure returns one figure with the training and test curves of every
// shape of the result.
func (r *Result) OverlayFigure() (figure.LineChart, error) {
	fig := figure.LineChart{
		Title:  "Learning curves, deep vs. shallow" + r.repeatsNote(),
		XLabel: "training-set size (images)",
		YLabel: "accuracy of the early-stopped model",
	}
	var titles []string
	for _, shape := range r.Config.Shapes {
		curve := r.Curve(shape)
		if len(curve) == 0 {
			continue
		}
		x, train, test := curveXY(curve)
		name := ShapeTitle(shape)
		titles = append(titles, name)
		fig.Series = append(fig.Series,
			figure.Series{Name: name + " train", X: x, Y: train},
			figure.Series{Name: name + " test", X: x, Y: test})
	}
	if len(fig.Series) == 0 {
		return fig, fmt.Errorf("learningcurve: the result has no points to plot; run the sweep first")
	}
	fig.YMin, fig.YMax = accuracyRange(fig.Series)
	if len(titles) != 2 {
		fig.Title = "Learning curves of " + strings.Join(titles, ", ") + r.repeatsNote()
	}
	return fig, nil
}

func (r *Result) repeatsNote() string {
	if r.Config.Repeats > 1 {
		return fmt.Sprintf(" (mean of %d runs)", r.Config.Repeats)
	}
	return ""
}

func (r *Result) shapeList() string {
	seen := map[string]bool{}
	var s []string
	for _, p := range r.Points {
		if !seen[p.Shape] {
			seen[p.Shape] = true
			s = append(s, p.Shape)
		}
	}
	if len(s) == 0 {
		return "no points"
	}
	return strings.Join(s, " and ")
}

func curveXY(curve []Summary) (x, train, test []float64) {
	for _, s := range curve {
		x = append(x, float64(s.TrainSize))
		train = append(train, s.TrainAcc)
		test = append(test, s.TestAcc)
	}
	return x, train, test
}

// WriteFiles writes the result into dir (created if needed): JSONFile,
// CSVFile, one FigureFile per shape and, with two shapes or more,
// OverlayFile. It returns the paths written. Every file is encoded or drawn
// before the first one is written, so that a figure that cannot be drawn
// leaves nothing behind, and every file is written atomically.
func (r *Result) WriteFiles(dir string) ([]string, error) {
	type file struct {
		name string
		data []byte
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("learningcurve: encoding JSON: %w", err)
	}
	files := []file{{JSONFile, append(data, '\n')}}
	if data, err = r.CSV(); err != nil {
		return nil, fmt.Errorf("learningcurve: encoding CSV: %w", err)
	}
	files = append(files, file{CSVFile, data})
	var figs []figure.Figure
	var names []string
	for _, shape := range r.Config.Shapes {
		fig, err := r.Figure(shape)
		if err != nil {
			return nil, err
		}
		figs, names = append(figs, fig), append(names, FigureFile(shape))
	}
	if len(r.Config.Shapes) >= 2 {
		fig, err := r.OverlayFigure()
		if err != nil {
			return nil, err
		}
		figs, names = append(figs, fig), append(names, OverlayFile)
	}
	for i, fig := range figs {
		data, err := fig.PNG()
		if err != nil {
			return nil, fmt.Errorf("learningcurve: drawing %s: %w", names[i], err)
		}
		files = append(files, file{names[i], data})
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("learningcurve: creating the output directory: %w", err)
	}
	var written []string
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := atomicfile.WriteFile(path, f.data, filePermission); err != nil {
			return written, fmt.Errorf("learningcurve: %w", err)
		}
		written = append(written, path)
	}
	return written, nil
}
