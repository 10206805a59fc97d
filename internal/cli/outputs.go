package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"feedforward.dev/feedforward/internal/atomicfile"
	"feedforward.dev/feedforward/pkg/figure"
)

// filePermission is the permission of the files Outputs writes.
const filePermission = 0o644

// Outputs are the files a command writes at the end of a run: a metrics file
// and figures. [Outputs.Write] renders every figure before it writes
// anything, so that a figure that cannot be drawn does not leave a metrics
// file without its plots.
type Outputs struct {
	// MetricsFlag and MetricsPath name the metrics file, e.g. "-metrics-out"
	// and "q3.json"; no metrics file is written if MetricsPath is "".
	MetricsFlag, MetricsPath string
	// Metrics is encoded as indented JSON.
	Metrics any
	// PlotFlag and PlotDir name the directory of the figures, e.g.
	// "-plot-dir" and "q3-plots"; it is created if needed. No figure is
	// written if PlotDir is "".
	PlotFlag, PlotDir string
	// Plots are the figures, each written as PlotDir/Name.
	Plots []Plot
}

// Stopped is the "stopped" field of a metrics file whose run ended early:
// the metrics hold what was completed before.
type Stopped struct {
	// Epoch is the epoch at which training stopped (from 1); 0, and left
	// out of the JSON, when the run stopped between epochs.
	Epoch int `json:"epoch,omitempty"`
	// Reason says why, e.g. "the training loss is NaN: training diverged".
	Reason string `json:"reason"`
}

// Plot is a figure to write, and the name of its PNG file.
type Plot struct {
	Name   string // file name, e.g. "loss-vs-epochs.png"
	Figure figure.Figure
}

// Write renders the plots to PNG and encodes the metrics, then writes the
// metrics file and the plots, each atomically. It returns the paths written,
// in that order. If rendering or encoding fails, nothing is written.
func (o Outputs) Write() (written []string, err error) {
	var pngs [][]byte
	if o.PlotDir != "" {
		for _, p := range o.Plots {
			data, err := render(p.Figure)
			if err != nil {
				return nil, fmt.Errorf("%s: drawing %s: %w (nothing was written)", o.PlotFlag, p.Name, err)
			}
			pngs = append(pngs, data)
		}
	}
	var metrics []byte
	if o.MetricsPath != "" {
		if metrics, err = json.MarshalIndent(o.Metrics, "", "  "); err != nil {
			return nil, fmt.Errorf("%s: encoding the metrics: %w (nothing was written)", o.MetricsFlag, err)
		}
		if err := atomicfile.WriteFile(o.MetricsPath, append(metrics, '\n'), filePermission); err != nil {
			return nil, fmt.Errorf("%s: %w", o.MetricsFlag, err)
		}
		written = append(written, o.MetricsPath)
	}
	if len(pngs) == 0 {
		return written, nil
	}
	if err := os.MkdirAll(o.PlotDir, 0o755); err != nil {
		return written, fmt.Errorf("%s: %w", o.PlotFlag, err)
	}
	for i, p := range o.Plots {
		path := filepath.Join(o.PlotDir, p.Name)
		if err := atomicfile.WriteFile(path, pngs[i], filePermission); err != nil {
			return written, fmt.Errorf("%s: %w", o.PlotFlag, err)
		}
		written = append(written, path)
	}
	return written, nil
}

// render returns the PNG of f, turning a panic in the plotting library into
// an error.
func render(f figure.Figure) (data []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			data, err = nil, fmt.Errorf("internal error rendering %T (please report it): %v", f, r)
		}
	}()
	if f == nil {
		return nil, fmt.Errorf("no figure")
	}
	return f.PNG()
}
