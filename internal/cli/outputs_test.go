package cli

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"feedforward.dev/feedforward/pkg/figure"
)

func lineChart(y ...float64) figure.LineChart {
	x := make([]float64, len(y))
	for i := range x {
		x[i] = float64(i + 1)
	}
	return figure.LineChart{Title: "t", XLabel: "epoch", YLabel: "loss", Series: []figure.Series{{Name: "loss", X: x, Y: y}}}
}

func TestOutputsWrite(t *testing.T) {
	dir := t.TempDir()
	o := Outputs{
		MetricsFlag: "-metrics-out", MetricsPath: filepath.Join(dir, "m.json"), Metrics: map[string]int{"epochs": 2},
		PlotFlag: "-plot-dir", PlotDir: filepath.Join(dir, "plots", "q3"),
		Plots: []Plot{{"a.png", lineChart(2, 1)}, {"b.png", lineChart(0.5)}},
	}
	written, err := o.Write()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{o.MetricsPath, filepath.Join(o.PlotDir, "a.png"), filepath.Join(o.PlotDir, "b.png")}
	if !slices.Equal(written, want) {
		t.Errorf("wrote %v, want %v", written, want)
	}
	var m map[string]int
	if data, err := os.ReadFile(o.MetricsPath); err != nil || json.Unmarshal(data, &m) != nil || m["epochs"] != 2 {
		t.Errorf("metrics file: %q, %v", data, err)
	}
	for _, p := range written[1:] {
		if data, err := os.ReadFile(p); err != nil || !strings.HasPrefix(string(data), "\x89PNG") {
			t.Errorf("%s is not a PNG (%v)", p, err)
		}
	}

	// Without a plot directory only the metrics are written, and the reverse.
	o2 := o
	o2.MetricsPath, o2.PlotDir = filepath.Join(dir, "only.json"), ""
	if written, err := o2.Write(); err != nil || !slices.Equal(written, []string{o2.MetricsPath}) {
		t.Errorf("metrics only: wrote %v, %v", written, err)
	}
	o3 := o
	o3.MetricsPath, o3.PlotDir = "", filepath.Join(dir, "only-plots")
	if written, err := o3.Write(); err != nil || len(written) != 2 {
		t.Errorf("plots only: wrote %v, %v", written, err)
	}
}

func TestOutputsWriteNothingOnFailure(t *testing.T) {
	for _, tc := range []struct {
		name    string
		metrics any
		plots   []Plot
		want    []string
	}{
		{"a figure cannot be drawn", 1, []Plot{{"a.png", lineChart(1)}, {"b.png", lineChart(math.NaN())}}, []string{"-plot-dir", "b.png", "nothing was written"}},
		{"a nil figure", 1, []Plot{{"a.png", nil}}, []string{"-plot-dir", "a.png"}},
		{"metrics cannot be encoded", math.Inf(1), []Plot{{"a.png", lineChart(1)}}, []string{"-metrics-out", "nothing was written"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			o := Outputs{MetricsFlag: "-metrics-out", MetricsPath: filepath.Join(dir, "m.json"), Metrics: tc.metrics,
				PlotFlag: "-plot-dir", PlotDir: filepath.Join(dir, "plots"), Plots: tc.plots}
			written, err := o.Write()
			if err == nil || written != nil {
				t.Fatalf("Write = %v, %v; want an error and nothing written", written, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("files written despite the failure: %v", entries)
			}
		})
	}
}
