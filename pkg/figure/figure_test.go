package figure

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// curves returns a decreasing "loss" and two increasing "accuracy" series.
func curves(n int) (loss, train, test Series) {
	loss = Series{Name: "train loss"}
	train = Series{Name: "train"}
	test = Series{Name: "test"}
	for i := 1; i <= n; i++ {
		x := float64(i)
		loss.X, loss.Y = append(loss.X, x), append(loss.Y, 2.3*math.Exp(-x/15)+0.05)
		train.X, train.Y = append(train.X, x), append(train.Y, 1-0.9*math.Exp(-x/10))
		test.X, test.Y = append(test.X, x), append(test.Y, 0.97-0.9*math.Exp(-x/12))
	}
	return
}

// digits returns n synthetic 28×28 images with values in [0, 1].
func digits(n int) [][]float32 {
	out := make([][]float32, n)
	for i := range out {
		img := make([]float32, 28*28)
		for y := 0; y < 28; y++ {
			for x := 0; x < 28; x++ {
				d := (x-14)*(x-14) + (y-14)*(y-14)
				if d > 12 && d < 40+2*i {
					img[y*28+x] = float32((x+y+i)%5+5) / 9
				}
			}
		}
		out[i] = img
	}
	return out
}

func decode(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("output is not a valid PNG: %v", err)
	}
	return img
}

func TestPNGSize(t *testing.T) {
	loss, train, test := curves(50)
	bars := BarChart{
		Title: "bars", Labels: []string{"a", "b", "c"},
		Groups: []BarGroup{{Name: "x", Values: []float64{1, 2, 3}}, {Name: "y", Values: []float64{3, 1, -1}}},
	}
	tests := []struct {
		name string
		fig  Figure
		w, h int
	}{
		{"line default", LineChart{Title: "loss", Series: []Series{loss}}, DefaultWidth, DefaultHeight},
		{"line custom", LineChart{Series: []Series{train, test}, Width: 641, Height: 479}, 641, 479},
		{"line pointer", &LineChart{Series: []Series{train}, Width: 300, Height: 200}, 300, 200},
		{"line fixed range", LineChart{Series: []Series{train, test}, YMin: 0, YMax: 1, Width: 1000, Height: 700}, 1000, 700},
		{"bar default", bars, DefaultWidth, DefaultHeight},
		{"bar custom", BarChart{Labels: bars.Labels, Groups: bars.Groups, Width: 333, Height: 222}, 333, 222},
		{"grid sized", ImageGrid{Images: digits(7), Rows: 28, Cols: 28, Columns: 4, Width: 500, Height: 300}, 500, 300},
		{"grid odd size", ImageGrid{Title: "t", Images: digits(3), Rows: 28, Cols: 28, Width: 123, Height: 77}, 123, 77},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := tc.fig.PNG()
			if err != nil {
				t.Fatal(err)
			}
			b := decode(t, data).Bounds()
			if b.Dx() != tc.w || b.Dy() != tc.h {
				t.Errorf("decoded PNG is %dx%d, want %dx%d", b.Dx(), b.Dy(), tc.w, tc.h)
			}
		})
	}
}

// TestPNGNotBlank checks that each figure draws something besides the
// white background, in more than one colour.
func TestPNGNotBlank(t *testing.T) {
	loss, train, _ := curves(30)
	for _, fig := range []Figure{
		LineChart{Title: "x", Series: []Series{loss, train}},
		BarChart{Labels: []string{"a"}, Groups: []BarGroup{{Name: "g", Values: []float64{2}}}},
		ImageGrid{Images: digits(2), Rows: 28, Cols: 28},
	} {
		data, err := fig.PNG()
		if err != nil {
			t.Fatal(err)
		}
		img := decode(t, data)
		colours := map[color.RGBA]int{}
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, a := img.At(x, y).RGBA()
				colours[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}]++
			}
		}
		white := colours[color.RGBA{255, 255, 255, 255}]
		if len(colours) < 3 || white == b.Dx()*b.Dy() {
			t.Errorf("%T: image has %d colours (%d white pixels of %d): nothing drawn?", fig, len(colours), white, b.Dx()*b.Dy())
		}
	}
}

func TestValidation(t *testing.T) {
	loss, _, _ := curves(5)
	nan := Series{Name: "bad loss", X: []float64{1, 2, 3}, Y: []float64{1, math.NaN(), 3}}
	inf := Series{Name: "inf x", X: []float64{1, math.Inf(1)}, Y: []float64{1, 2}}
	short := Series{Name: "short", X: []float64{1, 2, 3}, Y: []float64{1, 2}}
	empty := Series{Name: "empty"}
	grid := func(g ImageGrid) ImageGrid {
		if g.Images == nil {
			g.Images = digits(3)
		}
		if g.Rows == 0 && g.Cols == 0 {
			g.Rows, g.Cols = 28, 28
		}
		return g
	}
	bad := digits(2)
	bad[1] = bad[1][:100]
	over := digits(2)
	over[1][5] = 1.5
	nanImg := digits(2)
	nanImg[0][3] = float32(math.NaN())
	tests := []struct {
		name string
		fig  Figure
		want []string // substrings of the error
	}{
		{"no series", LineChart{}, []string{"no Series"}},
		{"length mismatch", LineChart{Series: []Series{loss, short}}, []string{`"short"`, "len(X) = 3", "len(Y) = 2"}},
		{"unnamed mismatch", LineChart{Series: []Series{{X: []float64{1}, Y: nil}}}, []string{"series 0 (unnamed)"}},
		{"empty series", LineChart{Series: []Series{empty}}, []string{`"empty"`, "no points"}},
		{"NaN", LineChart{Series: []Series{loss, nan}}, []string{`"bad loss"`, "Y[1]", "NaN"}},
		{"Inf", LineChart{Series: []Series{inf}}, []string{`"inf x"`, "X[1]", "+Inf"}},
		{"bad Y range", LineChart{Series: []Series{loss}, YMin: 1, YMax: 0.5}, []string{"YMin < YMax"}},
		{"negative width", LineChart{Series: []Series{loss}, Width: -1}, []string{"Width = -1"}},
		{"tiny height", LineChart{Series: []Series{loss}, Height: 10}, []string{"Height = 10"}},
		{"bad legend", LineChart{Series: []Series{loss}, LegendPosition: 42}, []string{"LegendPosition = 42"}},
		{"bar no labels", BarChart{Groups: []BarGroup{{Values: []float64{1}}}}, []string{"no Labels"}},
		{"bar no groups", BarChart{Labels: []string{"a"}}, []string{"no Groups"}},
		{"bar mismatch", BarChart{Labels: []string{"a", "b"}, Groups: []BarGroup{{Name: "g1", Values: []float64{1}}}}, []string{`"g1"`, "1 values", "2 labels"}},
		{"bar NaN", BarChart{Labels: []string{"a", "b"}, Groups: []BarGroup{{Name: "g", Values: []float64{1, math.NaN()}}}}, []string{`"g"`, `label "b"`, "NaN"}},
		{"bar width", BarChart{Labels: []string{"a"}, Groups: []BarGroup{{Values: []float64{1}}}, Width: 20000}, []string{"Width = 20000"}},
		{"grid empty", ImageGrid{Rows: 28, Cols: 28}, []string{"no Images"}},
		{"grid no size", ImageGrid{Images: digits(1)}, []string{"Rows = 0, Cols = 0"}},
		{"grid wrong len", grid(ImageGrid{Images: bad}), []string{"image 1 has 100 values", "28*28 = 784"}},
		{"grid captions", grid(ImageGrid{Captions: []string{"a"}}), []string{"1 Captions for 3 Images"}},
		{"grid out of range", grid(ImageGrid{Images: over}), []string{"image 1", "1.5", "Normalize"}},
		{"grid NaN", grid(ImageGrid{Images: nanImg}), []string{"image 0", "NaN"}},
		{"grid columns", grid(ImageGrid{Columns: -2}), []string{"Columns = -2"}},
		{"grid width", grid(ImageGrid{Width: 5}), []string{"Width = 5"}},
		{"grid too small", grid(ImageGrid{Images: digits(40), Columns: 40, Width: 64, Height: 64}), []string{"does not fit"}},
		{"grid too big", grid(ImageGrid{Images: digits(2000), Columns: 10}), []string{"more than 10000"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := tc.fig.PNG()
			if err == nil {
				t.Fatalf("PNG() succeeded (%d bytes), want an error containing %q", len(data), tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestImageGridNormalizeAcceptsAnyRange(t *testing.T) {
	imgs := [][]float32{{-3, 0, 2, 5}, {7, 7, 7, 7}}
	if _, err := (ImageGrid{Images: imgs, Rows: 2, Cols: 2, Normalize: true}).PNG(); err != nil {
		t.Fatalf("Normalize should accept values outside [0, 1]: %v", err)
	}
}

func TestImageGridPaintNearestNeighbour(t *testing.T) {
	src := []float32{0, 1, 0.5, 0.25} // 2×2
	tests := []struct {
		name     string
		g        ImageGrid
		img      []float32
		w, h     int
		wantTopL uint8 // source pixel (0,0)
		wantTopR uint8 // source pixel (0,1)
		wantBotL uint8 // source pixel (1,0)
		wantBotR uint8 // source pixel (1,1)
	}{
		{"plain x3", ImageGrid{Rows: 2, Cols: 2}, src, 6, 6, 0, 255, 128, 64},
		{"inverted x2", ImageGrid{Rows: 2, Cols: 2, Invert: true}, src, 4, 4, 255, 0, 128, 191},
		{"normalized", ImageGrid{Rows: 2, Cols: 2, Normalize: true}, []float32{-1, 3, 1, 0}, 4, 4, 0, 255, 128, 64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tile := image.NewRGBA(image.Rect(0, 0, tc.w, tc.h))
			tc.g.paint(tile, tc.img)
			bw, bh := tc.w/2, tc.h/2
			want := [2][2]uint8{{tc.wantTopL, tc.wantTopR}, {tc.wantBotL, tc.wantBotR}}
			for y := 0; y < tc.h; y++ {
				for x := 0; x < tc.w; x++ {
					got := tile.RGBAAt(x, y)
					w := want[y/bh][x/bw]
					if got.R != w || got.G != w || got.B != w || got.A != 255 {
						t.Fatalf("pixel (%d,%d) = %v, want gray %d (each source pixel must become a uniform %dx%d block)", x, y, got, w, bw, bh)
					}
				}
			}
		})
	}
}

func TestImageGridLayout(t *testing.T) {
	tests := []struct {
		name       string
		g          ImageGrid
		cols, rows int
	}{
		{"default columns", ImageGrid{Images: digits(25), Rows: 28, Cols: 28}, DefaultColumns, 3},
		{"fewer than default", ImageGrid{Images: digits(4), Rows: 28, Cols: 28}, 4, 1},
		{"explicit", ImageGrid{Images: digits(7), Rows: 28, Cols: 28, Columns: 3, Captions: make([]string, 7)}, 3, 3},
		{"width only", ImageGrid{Images: digits(6), Rows: 28, Cols: 28, Columns: 3, Width: 700}, 3, 2},
		{"height only", ImageGrid{Images: digits(6), Rows: 28, Cols: 28, Columns: 3, Height: 400}, 3, 2},
		{"non-square", ImageGrid{Images: [][]float32{make([]float32, 12)}, Rows: 3, Cols: 4}, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.g.validate(); err != nil {
				t.Fatal(err)
			}
			L, err := tc.g.layout()
			if err != nil {
				t.Fatal(err)
			}
			if L.cols != tc.cols || L.rows != tc.rows {
				t.Errorf("grid is %d columns × %d rows, want %d × %d", L.cols, L.rows, tc.cols, tc.rows)
			}
			if L.imgW%tc.g.Cols != 0 || L.imgH%tc.g.Rows != 0 || L.imgW/tc.g.Cols != L.imgH/tc.g.Rows {
				t.Errorf("images drawn %dx%d from %dx%d: want the same integer scale on both axes", L.imgW, L.imgH, tc.g.Cols, tc.g.Rows)
			}
			blockW := L.cols*L.cellW + (L.cols-1)*gridGapX
			blockH := L.rows*L.cellH + (L.rows-1)*gridGapY
			if L.x0 < 0 || L.x0+blockW > L.w || L.y0 < L.titleH || L.y0+blockH > L.h {
				t.Errorf("grid block %dx%d at (%d,%d) does not fit the %dx%d canvas", blockW, blockH, L.x0, L.y0, L.w, L.h)
			}
			if tc.g.Width != 0 && L.w != tc.g.Width || tc.g.Height != 0 && L.h != tc.g.Height {
				t.Errorf("canvas %dx%d does not honour Width=%d Height=%d", L.w, L.h, tc.g.Width, tc.g.Height)
			}
		})
	}
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		labels []string
	}{
		{0, 1, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{1, 100, []string{"20", "40", "60", "80", "100"}},
		{0.05, 2.35, []string{"0.5", "1.0", "1.5", "2.0"}},
		{5500, 56000, []string{"10000", "20000", "30000", "40000", "50000"}},
		{-1, 1, []string{"-1.0", "-0.5", "0.0", "0.5", "1.0"}},
		{0, 0.1, []string{"0.00", "0.02", "0.04", "0.06", "0.08", "0.10"}},
		{0, 0.15, []string{"0.000", "0.025", "0.050", "0.075", "0.100", "0.125", "0.150"}},
	}
	for _, tc := range tests {
		var got []string
		for _, tk := range (niceTicks{target: 6}).Ticks(tc.lo, tc.hi) {
			if tk.Value < tc.lo-1e-12 || tk.Value > tc.hi+1e-12 {
				t.Errorf("[%v, %v]: tick %v outside the range", tc.lo, tc.hi, tk.Value)
			}
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if strings.Join(got, " ") != strings.Join(tc.labels, " ") {
			t.Errorf("[%v, %v]: labels %q, want %q", tc.lo, tc.hi, got, tc.labels)
		}
	}
	if got := (niceTicks{target: 6}).Ticks(1, 1); got != nil {
		t.Errorf("empty range: got %v ticks, want none", got)
	}
}

// TestLegendAvoidsData checks that the automatically placed legend covers
// none of the curves, both by the placement cost and pixel by pixel: the
// pixels the legend changes must be background in the chart without it.
func TestLegendAvoidsData(t *testing.T) {
	loss, train, test := curves(100)
	// A curve that fills the top-right and bottom-left corners.
	diag := Series{Name: "diagonal", X: []float64{0, 1}, Y: []float64{0, 1}}
	tests := []struct {
		name   string
		series []Series
	}{
		{"decreasing loss", []Series{loss}},
		{"rising accuracy", []Series{train, test}},
		{"diagonal", []Series{diag}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := LineChart{Title: tc.name, Series: tc.series}
			cv, info, err := c.render()
			if err != nil {
				t.Fatal(err)
			}
			if info.pos == LegendAuto || info.cost != 0 {
				t.Fatalf("legend placed at %v covering %v samples of the curves, want an empty corner", info.pos, info.cost)
			}
			unnamed := c
			unnamed.Series = append([]Series(nil), tc.series...)
			for i := range unnamed.Series {
				unnamed.Series[i].Name = ""
			}
			cv0, info0, err := unnamed.render()
			if err != nil {
				t.Fatal(err)
			}
			if info0.pos != LegendAuto {
				t.Errorf("chart without named series got a legend at %v", info0.pos)
			}
			with, without := cv.Image(), cv0.Image()
			changed := 0
			b := with.Bounds()
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					if with.At(x, y) == without.At(x, y) {
						continue
					}
					changed++
					r, g, bl, _ := without.At(x, y).RGBA()
					if isSeriesColour(r>>8, g>>8, bl>>8) {
						t.Fatalf("legend covers curve pixel (%d,%d)", x, y)
					}
				}
			}
			if changed == 0 {
				t.Error("legend changed no pixels: was it drawn?")
			}
		})
	}
}

// isSeriesColour reports whether an RGB pixel is close to one of the first
// palette colours (anti-aliasing blends them with white).
func isSeriesColour(r, g, b uint32) bool {
	for _, c := range palette[:3] {
		pr, pg, pb, _ := c.RGBA()
		d := math.Abs(float64(r)-float64(pr>>8)) + math.Abs(float64(g)-float64(pg>>8)) + math.Abs(float64(b)-float64(pb>>8))
		if d < 60 {
			return true
		}
	}
	return false
}

func TestLegendFixedPosition(t *testing.T) {
	loss, _, _ := curves(20)
	for _, pos := range []LegendPosition{LegendTopRight, LegendTopLeft, LegendBottomRight, LegendBottomLeft} {
		_, info, err := LineChart{Series: []Series{loss}, LegendPosition: pos}.render()
		if err != nil {
			t.Fatal(err)
		}
		if info.pos != pos {
			t.Errorf("LegendPosition %v: legend drawn at %v", pos, info.pos)
		}
	}
}

func TestBarLegendAvoidsBars(t *testing.T) {
	labels := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	flat := make([]float64, 10)
	for i := range flat {
		flat[i] = 0.95
	}
	tests := []struct {
		name   string
		groups []BarGroup
	}{
		{"all bars tall", []BarGroup{{Name: "deep", Values: flat}, {Name: "shallow", Values: flat}}},
		{"one group", []BarGroup{{Name: "only", Values: []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}}},
		{"negative", []BarGroup{{Name: "neg", Values: []float64{-1, -2, -3, -4, -5, -6, -7, -8, -9, -10}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, info, err := BarChart{Labels: labels, Groups: tc.groups}.render()
			if err != nil {
				t.Fatal(err)
			}
			if info.pos == LegendAuto || info.cost != 0 {
				t.Errorf("legend at %v covers %v of bar area, want none", info.pos, info.cost)
			}
		})
	}
}

func TestSave(t *testing.T) {
	dir := t.TempDir()
	loss, _, _ := curves(10)
	fig := LineChart{Series: []Series{loss}, Width: 200, Height: 100}
	path := filepath.Join(dir, "sub", "deeper", "loss.png")
	if err := Save(fig, path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if b := decode(t, data).Bounds(); b.Dx() != 200 || b.Dy() != 100 {
		t.Errorf("saved PNG is %dx%d, want 200x100", b.Dx(), b.Dy())
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("saved file mode = %v (err %v), want -rw-r--r--", fi.Mode(), err)
	}
	// Overwriting replaces the file.
	fig.Width = 300
	if err := Save(fig, path); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(path)
	if b := decode(t, data).Bounds(); b.Dx() != 300 {
		t.Errorf("overwritten PNG is %d wide, want 300", b.Dx())
	}
	assertOnlyFiles(t, filepath.Join(dir, "sub", "deeper"), "loss.png")
}

func TestSaveErrors(t *testing.T) {
	loss, _, _ := curves(10)
	good := LineChart{Series: []Series{loss}, Width: 100, Height: 100}
	dir := t.TempDir()
	file := filepath.Join(dir, "afile")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	existingDir := filepath.Join(dir, "taken.png")
	if err := os.Mkdir(existingDir, 0o755); err != nil {
		t.Fatal(err)
	}
	var nilChart *LineChart
	tests := []struct {
		name string
		fig  Figure
		path string
		want string
	}{
		{"parent is a file", good, filepath.Join(file, "x.png"), "creating directory"},
		{"target is a directory", good, existingDir, "taken.png"},
		{"wrong extension", good, filepath.Join(dir, "x.jpg"), `"` + filepath.Join(dir, "x.png") + `"`},
		{"empty path", good, "", "empty path"},
		{"invalid figure", LineChart{}, filepath.Join(dir, "bad.png"), "no Series"},
		{"nil figure", nil, filepath.Join(dir, "nil.png"), "nil Figure"},
		{"nil pointer", nilChart, filepath.Join(dir, "nilptr.png"), "nil *figure.LineChart"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Save(tc.fig, tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Save error = %v, want one containing %q", err, tc.want)
			}
		})
	}
	// Nothing half-written and no temporary files left anywhere.
	assertOnlyFiles(t, dir, "afile", "taken.png")
	assertOnlyFiles(t, existingDir)
}

// assertOnlyFiles fails unless dir holds exactly the named entries.
func assertOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("%s holds %q, want exactly %q (leftover temporary files?)", dir, got, names)
	}
}

func TestShowSavesToFigureDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "figs")
	t.Setenv(FigureDirEnv, dir)
	loss, _, _ := curves(10)
	if err := Show(LineChart{Series: []Series{loss}, Width: 320, Height: 240}, "loss-curve_1"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "loss-curve_1.png"))
	if err != nil {
		t.Fatalf("Show did not save into %s: %v", FigureDirEnv, err)
	}
	if b := decode(t, data).Bounds(); b.Dx() != 320 || b.Dy() != 240 {
		t.Errorf("saved PNG is %dx%d, want 320x240", b.Dx(), b.Dy())
	}
	assertOnlyFiles(t, dir, "loss-curve_1.png")
}

func TestShowDisplaysInNotebook(t *testing.T) {
	t.Setenv(FigureDirEnv, "")
	var shown [][]byte
	oldNB, oldDisp := isNotebook, displayPNG
	defer func() { isNotebook, displayPNG = oldNB, oldDisp }()
	displayPNG = func(b []byte) { shown = append(shown, b) }

	fig := ImageGrid{Images: digits(2), Rows: 28, Cols: 28}
	isNotebook = func() bool { return false }
	if err := Show(fig, "digits"); err != nil {
		t.Fatal(err)
	}
	if len(shown) != 0 {
		t.Fatalf("outside a notebook Show displayed %d images, want none", len(shown))
	}
	isNotebook = func() bool { return true }
	if err := Show(fig, "digits"); err != nil {
		t.Fatal(err)
	}
	if len(shown) != 1 {
		t.Fatalf("in a notebook Show displayed %d images, want 1", len(shown))
	}
	want, err := fig.PNG()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(shown[0], want) {
		t.Error("displayed bytes differ from fig.PNG()")
	}
	// Invalid figures are reported, not displayed.
	if err := Show(ImageGrid{}, "digits"); err == nil {
		t.Error("Show of an invalid figure returned no error")
	}
	if len(shown) != 1 {
		t.Error("Show displayed an invalid figure")
	}
}

func TestShowErrors(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	loss, _, _ := curves(5)
	good := LineChart{Series: []Series{loss}, Width: 100, Height: 100}
	tests := []struct {
		name, figName, env, want string
	}{
		{"empty name", "", "", "empty figure name"},
		{"slash", "a/b", "", `contains '/'`},
		{"backslash", `a\b`, "", `contains '\\'`},
		{"dot-dot", "..", "", "starts with '.'"},
		{"hidden", ".x", "", "starts with '.'"},
		{"space", "my loss", "", `"my_loss"`},
		{"extension", "loss.png", "", `use "loss"`},
		{"dir is a file", "loss", blocker, FigureDirEnv},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(FigureDirEnv, tc.env)
			err := Show(good, tc.figName)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Show error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestRenderRecoversPanics(t *testing.T) {
	_, err := render(panicky{})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("render error = %v, want the panic turned into an error", err)
	}
}

type panicky struct{}

func (panicky) PNG() ([]byte, error) { panic("boom") }
