// Package figure draws the course's figures — line charts of training curves,
// grids of digit images and grouped bar charts — with gonum.org/v1/plot and
// renders them to PNG.
//
// Every figure type is a plain struct describing what to draw. Its PNG method
// validates the description and returns an error that names the problem and
// the fix (a NaN in a series, mismatched lengths, a bad size, ...); nothing in
// this package panics on user input.
//
// Figures are shown in a GoNB notebook cell with [Show], and written to disk
// with [Save]:
//
//	fig := figure.LineChart{
//		Title:  "Loss vs. epochs",
//		XLabel: "epoch", YLabel: "cross-entropy loss",
//		Series: []figure.Series{{Name: "train", X: epochs, Y: losses}},
//	}
//	if err := figure.Show(fig, "loss"); err != nil {
//		fmt.Println(err)
//	}
//
// When the environment variable FEEDFORWARD_FIGURE_DIR is set, Show also
// saves every figure there as NAME.png, so that notebooks run in batch (or in
// CI) leave their figures behind for inspection.
//
// Sizes are in pixels: the decoded PNG is exactly Width×Height pixels.
// Rendering uses 96 dots per inch, so a 12 pt font is 16 pixels high.
package figure

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"

	"feedforward.dev/feedforward/internal/atomicfile"
)

// Figure is anything that can be rendered to a PNG image.
// [LineChart], [ImageGrid] and [BarChart] implement it.
type Figure interface {
	// PNG validates the figure and renders it to PNG-encoded bytes.
	PNG() ([]byte, error)
}

// FigureDirEnv is the environment variable that, when set to a directory,
// makes [Show] also save each figure there as NAME.png.
const FigureDirEnv = "FEEDFORWARD_FIGURE_DIR"

// DPI is the resolution used to convert between pixels and the typographic
// points in which gonum/plot measures fonts and lines.
const DPI = 96

// Limits on figure sizes, in pixels.
const (
	MinSize = 64    // smallest accepted Width or Height
	MaxSize = 10000 // largest accepted Width or Height
)

// Hooks replaced by tests.
var (
	isNotebook = func() bool { return gonbui.IsNotebook }
	displayPNG = displayAndSync
)

// displayAndSync sends the PNG to GoNB and waits until the kernel has taken
// it. GoNB reads display messages from a pipe that it closes when the cell's
// program exits, so a figure shown just before a cell ends can otherwise be
// lost (seen in headless runs: the cell's text arrived, its PNG did not).
func displayAndSync(png []byte) {
	gonbui.DisplayPng(png)
	gonbui.Sync()
}

// Save renders f and writes it as a PNG file at path, which must end in
// ".png". Missing parent directories are created. The file is written
// atomically: the PNG goes to a temporary file in the same directory that is
// then renamed over path, so path is never left half-written, and nothing is
// written at all if rendering fails.
func Save(f Figure, path string) error {
	if path == "" {
		return errors.New("figure.Save: empty path: give a file name ending in .png")
	}
	if !strings.EqualFold(filepath.Ext(path), ".png") {
		return fmt.Errorf("figure.Save: path %q does not end in .png: figures are encoded as PNG, so name the file e.g. %q",
			path, strings.TrimSuffix(path, filepath.Ext(path))+".png")
	}
	data, err := render(f)
	if err != nil {
		return fmt.Errorf("figure.Save(%q): %w", path, err)
	}
	if err := writeFileAtomic(path, data); err != nil {
		return fmt.Errorf("figure.Save: %w", err)
	}
	return nil
}

// Show renders f and displays it in the current GoNB notebook cell. Outside a
// notebook nothing is displayed, but f is still rendered, so that errors are
// reported the same way everywhere.
//
// When the environment variable FEEDFORWARD_FIGURE_DIR (see [FigureDirEnv]) is
// set, Show also saves the figure as FEEDFORWARD_FIGURE_DIR/NAME.png (creating
// the directory if needed). The name must be a plain file name without
// extension: letters, digits, '-', '_' and '.', not starting with '.'.
func Show(f Figure, name string) error {
	if err := validName(name); err != nil {
		return err
	}
	data, err := render(f)
	if err != nil {
		return fmt.Errorf("figure.Show(%q): %w", name, err)
	}
	if isNotebook() {
		displayPNG(data)
	}
	if dir := os.Getenv(FigureDirEnv); dir != "" {
		if err := writeFileAtomic(filepath.Join(dir, name+".png"), data); err != nil {
			return fmt.Errorf("figure.Show(%q): saving to %s=%q: %w", name, FigureDirEnv, dir, err)
		}
	}
	return nil
}

// validName checks a figure name given to Show.
func validName(name string) error {
	if name == "" {
		return errors.New(`figure.Show: empty figure name: give a short file-name-like name such as "loss"`)
	}
	for i, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
		if !ok {
			return fmt.Errorf("figure.Show: figure name %q contains %q: use only letters, digits, '-', '_' and '.' "+
				"(no path separators or spaces), e.g. %q", name, r, sanitizeName(name))
		}
		if i == 0 && r == '.' {
			return fmt.Errorf("figure.Show: figure name %q starts with '.': start it with a letter or digit", name)
		}
	}
	if strings.HasSuffix(strings.ToLower(name), ".png") {
		return fmt.Errorf("figure.Show: figure name %q ends in .png: Show adds the extension itself, so use %q",
			name, name[:len(name)-4])
	}
	return nil
}

// sanitizeName suggests a valid figure name for an invalid one.
func sanitizeName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_':
			b.WriteRune(r)
		case r == '.' && b.Len() > 0:
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	s := strings.Trim(b.String(), "_")
	if s == "" {
		return "figure"
	}
	return s
}

// render calls f.PNG, turning a nil figure or an unexpected panic inside the
// plotting library into an error.
func render(f Figure) (data []byte, err error) {
	if f == nil {
		return nil, errors.New("nil Figure: pass a LineChart, ImageGrid or BarChart value")
	}
	if v := reflect.ValueOf(f); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, fmt.Errorf("nil %T: pass a non-nil figure", f)
	}
	defer func() {
		if r := recover(); r != nil {
			data, err = nil, fmt.Errorf("internal error rendering %T (please report it): %v", f, r)
		}
	}()
	return f.PNG()
}

// writeFileAtomic creates path's directory if needed and writes data to path
// atomically (package atomicfile), so path is never left half-written.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating directory for %q: %w", path, err)
	}
	return atomicfile.WriteFile(path, data, 0o644)
}

// checkSize validates a Width or Height field and applies its default.
func checkSize(kind, field string, v, def int) (int, error) {
	switch {
	case v == 0:
		return def, nil
	case v < MinSize || v > MaxSize:
		return 0, fmt.Errorf("figure: %s.%s = %d is out of range: use 0 for the default (%d) or a size in [%d, %d] pixels",
			kind, field, v, def, MinSize, MaxSize)
	}
	return v, nil
}

// newCanvas returns an image canvas of exactly w×h pixels at DPI.
func newCanvas(w, h int) *vgimg.Canvas {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	return vgimg.NewWith(vgimg.UseImage(img), vgimg.UseDPI(DPI))
}

// px converts pixels to a vg.Length at DPI.
func px(p float64) vg.Length { return vg.Length(p) * vg.Inch / DPI }

// toPx converts a vg.Length to pixels at DPI.
func toPx(l vg.Length) float64 { return l.Dots(DPI) }

// encodePNG encodes the canvas image.
func encodePNG(c *vgimg.Canvas) ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, c.Image()); err != nil {
		return nil, fmt.Errorf("encoding PNG: %w", err)
	}
	return buf.Bytes(), nil
}
