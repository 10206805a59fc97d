package figure

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
)

// Layout constants of ImageGrid, in pixels.
const (
	gridMargin     = 12
	gridGapX       = 12
	gridGapY       = 10
	gridTargetSide = 84 // natural size of the longer image side
	gridCaptionGap = 3
	captionSize    = 11 // points
)

// DefaultColumns is the number of images per row of an ImageGrid whose
// Columns is 0 (or the number of images, when fewer).
const DefaultColumns = 10

// ImageGrid shows grayscale images (such as MNIST digits) in a grid, with an
// optional caption under each image and a title. Images are upscaled with
// nearest-neighbour sampling by an integer factor whenever they fit, so each
// source pixel becomes a crisp square.
type ImageGrid struct {
	Title string
	// Images holds the images, each Rows*Cols values in row-major order.
	// Values must be in [0, 1] (0 is drawn black, 1 white) unless Normalize
	// is set.
	Images [][]float32
	// Rows and Cols are the height and width of every image in pixels
	// (28 and 28 for MNIST).
	Rows, Cols int
	// Columns is the number of images per grid row; 0 means
	// min(DefaultColumns, len(Images)).
	Columns int
	// Captions, if not empty, holds one caption per image, drawn under it
	// (e.g. "label 7" or "pred 3 / true 5"). Empty strings are allowed.
	Captions []string
	// Width and Height are the size of the PNG in pixels. When both are 0
	// the size follows from the images (about 84 pixels per image side);
	// when only one is set, the other follows from the layout; when both are
	// set, the grid is scaled to fit and centred.
	Width, Height int

	// Normalize rescales each image from its own [min, max] to [0, 1], for
	// images whose values are not intensities (e.g. first-layer weights).
	Normalize bool
	// Invert draws 0 as white and 1 as black (dark ink on white paper).
	Invert bool
}

// gridLayout is the resolved geometry of an ImageGrid.
type gridLayout struct {
	w, h          int // canvas
	cols, rows    int // grid
	imgW, imgH    int // size of each drawn image
	cellW, cellH  int // pitch between images, without gaps
	x0, y0        int // top-left of the first cell (y down)
	titleH, capH  int
	titleY        float64
	titleS, captS text.Style
	hasCap        bool
}

// validate checks the grid's fields.
func (g ImageGrid) validate() error {
	n := len(g.Images)
	if n == 0 {
		return errors.New("figure: ImageGrid has no Images: give at least one image")
	}
	if g.Rows <= 0 || g.Cols <= 0 {
		return fmt.Errorf("figure: ImageGrid Rows = %d, Cols = %d: set both to the image size in pixels (28 and 28 for MNIST)", g.Rows, g.Cols)
	}
	if g.Columns < 0 {
		return fmt.Errorf("figure: ImageGrid Columns = %d is negative: use 0 for the default (%d) or the number of images per row", g.Columns, DefaultColumns)
	}
	if len(g.Captions) != 0 && len(g.Captions) != n {
		return fmt.Errorf("figure: ImageGrid has %d Captions for %d Images: give one caption per image, or none", len(g.Captions), n)
	}
	for i, img := range g.Images {
		if len(img) != g.Rows*g.Cols {
			return fmt.Errorf("figure: ImageGrid image %d has %d values but Rows*Cols = %d*%d = %d: check Rows and Cols match the images",
				i, len(img), g.Rows, g.Cols, g.Rows*g.Cols)
		}
		for j, v := range img {
			f := float64(v)
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("figure: ImageGrid image %d, pixel %d (row %d, col %d) is %v: images need finite values",
					i, j, j/g.Cols, j%g.Cols, v)
			}
			if !g.Normalize && (v < 0 || v > 1) {
				return fmt.Errorf("figure: ImageGrid image %d, pixel %d (row %d, col %d) is %v, outside [0, 1]: scale the image to [0, 1] or set Normalize",
					i, j, j/g.Cols, j%g.Cols, v)
			}
		}
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"Width", g.Width}, {"Height", g.Height}} {
		if f.v != 0 && (f.v < MinSize || f.v > MaxSize) {
			return fmt.Errorf("figure: ImageGrid.%s = %d is out of range: use 0 to size the grid from the images, or a size in [%d, %d] pixels",
				f.name, f.v, MinSize, MaxSize)
		}
	}
	return nil
}

// layout resolves the geometry of a validated grid.
func (g ImageGrid) layout() (gridLayout, error) {
	var L gridLayout
	n := len(g.Images)
	L.cols = g.Columns
	if L.cols == 0 {
		L.cols = DefaultColumns
	}
	L.cols = min(L.cols, n)
	L.rows = (n + L.cols - 1) / L.cols

	L.titleS = text.Style{
		Color: color.Black, Font: sansFont(titleSize, true),
		XAlign: vgdraw.XCenter, YAlign: vgdraw.YTop, Handler: plot.DefaultTextHandler,
	}
	L.captS = text.Style{
		Color: color.Black, Font: sansFont(captionSize, false),
		XAlign: vgdraw.XCenter, YAlign: vgdraw.YTop, Handler: plot.DefaultTextHandler,
	}
	titleW := 0
	if g.Title != "" {
		L.titleH = int(math.Ceil(toPx(L.titleS.Height(g.Title)))) + 10
		titleW = int(math.Ceil(toPx(L.titleS.Width(g.Title))))
	}
	capW := 0
	for _, c := range g.Captions {
		if c != "" {
			L.hasCap = true
			capW = max(capW, int(math.Ceil(toPx(L.captS.Width(c)))))
			L.capH = max(L.capH, int(math.Ceil(toPx(L.captS.Height(c))))+gridCaptionGap)
		}
	}

	// Space for images once margins, title, captions and gaps are taken.
	fixedW := 2*gridMargin + (L.cols-1)*gridGapX
	fixedH := 2*gridMargin + L.titleH + L.rows*L.capH + (L.rows-1)*gridGapY
	scale := float64(max(1, int(math.Round(gridTargetSide/float64(max(g.Rows, g.Cols))))))
	if g.Width != 0 {
		avail := float64(g.Width-fixedW) / float64(L.cols)
		scale = avail / float64(g.Cols)
	}
	if g.Height != 0 {
		s := float64(g.Height-fixedH) / float64(L.rows) / float64(g.Rows)
		if g.Width == 0 || s < scale {
			scale = s
		}
	}
	if scale >= 1 {
		scale = math.Floor(scale)
	}
	L.imgW = int(math.Floor(scale * float64(g.Cols)))
	L.imgH = int(math.Floor(scale * float64(g.Rows)))
	if L.imgW < 1 || L.imgH < 1 {
		return L, fmt.Errorf("figure: ImageGrid of %d images (%d per row) does not fit in %dx%d pixels: make Width/Height larger, or 0 for automatic",
			n, L.cols, g.Width, g.Height)
	}
	// Cells are as wide as the captions when there is room.
	L.cellW = max(L.imgW, capW+4)
	if g.Width != 0 {
		L.cellW = max(L.imgW, min(L.cellW, (g.Width-fixedW)/L.cols))
	}
	L.cellH = L.imgH + L.capH

	blockW := L.cols*L.cellW + (L.cols-1)*gridGapX
	blockH := L.rows*L.cellH + (L.rows-1)*gridGapY
	L.w, L.h = g.Width, g.Height
	if L.w == 0 {
		L.w = max(blockW+2*gridMargin, titleW+2*gridMargin, MinSize)
	}
	if L.h == 0 {
		L.h = max(blockH+L.titleH+2*gridMargin, MinSize)
	}
	if L.w > MaxSize || L.h > MaxSize {
		return L, fmt.Errorf("figure: ImageGrid of %d images (%d per row) would be %dx%d pixels, more than %d: show fewer images, or set Width/Height",
			n, L.cols, L.w, L.h, MaxSize)
	}
	L.x0 = (L.w - blockW) / 2
	L.titleY = gridMargin
	L.y0 = gridMargin + L.titleH + (L.h-2*gridMargin-L.titleH-blockH)/2
	return L, nil
}

// PNG validates the grid and renders it as a PNG.
func (g ImageGrid) PNG() ([]byte, error) {
	if err := g.validate(); err != nil {
		return nil, err
	}
	L, err := g.layout()
	if err != nil {
		return nil, err
	}
	cv := newCanvas(L.w, L.h)
	dc := vgdraw.New(cv)
	dst, ok := cv.Image().(*image.RGBA)
	if !ok {
		return nil, fmt.Errorf("figure: ImageGrid: unexpected canvas image type %T", cv.Image())
	}
	top := func(y float64) vg.Length { return px(float64(L.h) - y) } // y down (px) -> vg y up

	if g.Title != "" {
		dc.FillText(L.titleS, vg.Point{X: px(float64(L.w) / 2), Y: top(L.titleY)}, g.Title)
	}
	tile := image.NewRGBA(image.Rect(0, 0, L.imgW, L.imgH))
	for i, img := range g.Images {
		r, c := i/L.cols, i%L.cols
		x := L.x0 + c*(L.cellW+gridGapX) + (L.cellW-L.imgW)/2
		y := L.y0 + r*(L.cellH+gridGapY)
		g.paint(tile, img)
		draw.Draw(dst, image.Rect(x, y, x+L.imgW, y+L.imgH), tile, image.Point{}, draw.Src)
		frame(dst, image.Rect(x-1, y-1, x+L.imgW+1, y+L.imgH+1), borderColor)
		if L.hasCap && g.Captions[i] != "" {
			cx := float64(x) + float64(L.imgW)/2
			dc.FillText(L.captS, vg.Point{X: px(cx), Y: top(float64(y + L.imgH + gridCaptionGap))}, g.Captions[i])
		}
	}
	return encodePNG(cv)
}

// paint draws one source image into tile with nearest-neighbour sampling.
func (g ImageGrid) paint(tile *image.RGBA, img []float32) {
	lo, hi := float32(0), float32(1)
	if g.Normalize {
		lo, hi = img[0], img[0]
		for _, v := range img {
			lo, hi = min(lo, v), max(hi, v)
		}
		if hi == lo {
			hi = lo + 1
		}
	}
	b := tile.Bounds()
	w, h := b.Dx(), b.Dy()
	for ty := 0; ty < h; ty++ {
		sy := ty * g.Rows / h
		for tx := 0; tx < w; tx++ {
			sx := tx * g.Cols / w
			v := (img[sy*g.Cols+sx] - lo) / (hi - lo)
			v = min(max(v, 0), 1)
			if g.Invert {
				v = 1 - v
			}
			gray := uint8(math.Round(float64(v) * 255))
			o := tile.PixOffset(tx, ty)
			tile.Pix[o], tile.Pix[o+1], tile.Pix[o+2], tile.Pix[o+3] = gray, gray, gray, 0xFF
		}
	}
}

// frame draws a 1-pixel rectangle outline r (clipped to dst).
func frame(dst *image.RGBA, r image.Rectangle, c color.Color) {
	u := image.NewUniform(c)
	for _, e := range []image.Rectangle{
		image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+1),
		image.Rect(r.Min.X, r.Max.Y-1, r.Max.X, r.Max.Y),
		image.Rect(r.Min.X, r.Min.Y, r.Min.X+1, r.Max.Y),
		image.Rect(r.Max.X-1, r.Min.Y, r.Max.X, r.Max.Y),
	} {
		draw.Draw(dst, e.Intersect(dst.Bounds()), u, image.Point{}, draw.Src)
	}
}
