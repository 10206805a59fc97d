package figure

import (
	"fmt"
	"image/color"
	"math"

	"golang.org/x/image/font"
	"gonum.org/v1/plot"
	pfont "gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// palette is the Okabe–Ito colour-blind-safe palette (yellow omitted: too
// pale on white), in the order series are coloured.
var palette = []color.Color{
	color.RGBA{0x00, 0x72, 0xB2, 0xFF}, // blue
	color.RGBA{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	color.RGBA{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	color.RGBA{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	color.RGBA{0xE6, 0x9F, 0x00, 0xFF}, // orange
	color.RGBA{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	color.RGBA{0x00, 0x00, 0x00, 0xFF}, // black
}

// dashes are the line styles cycled through by series.
var dashes = [][]vg.Length{
	nil,                              // solid
	{vg.Points(6), vg.Points(3)},     // dashed
	{vg.Points(1.5), vg.Points(2.5)}, // dotted
	{vg.Points(7), vg.Points(3), vg.Points(1.5), vg.Points(3)}, // dash-dot
}

// glyphs are the point markers cycled through by series.
var glyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{},
	draw.BoxGlyph{},
	draw.TriangleGlyph{},
	draw.PyramidGlyph{},
	draw.RingGlyph{},
	draw.CrossGlyph{},
}

var (
	gridColor   = color.RGBA{0xDD, 0xDD, 0xDD, 0xFF}
	borderColor = color.RGBA{0xAA, 0xAA, 0xAA, 0xFF}
)

// sansFont is the Liberation Sans font (registered by gonum/plot) at size pt.
func sansFont(size float64, bold bool) pfont.Font {
	f := pfont.Font{Typeface: "Liberation", Variant: "Sans"}
	if bold {
		f.Weight = font.WeightBold
	}
	return pfont.From(f, vg.Points(size))
}

// Font sizes in points (1 pt = 4/3 px at 96 DPI).
const (
	titleSize = 15
	labelSize = 13
	tickSize  = 11
	legSize   = 12
)

// newPlot returns a plot with the package's fonts and a title.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sansFont(titleSize, true)
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sansFont(labelSize, false)
		a.Tick.Label.Font = sansFont(tickSize, false)
		a.Label.Padding = vg.Points(4)
		a.Tick.Marker = niceTicks{target: 6}
	}
	p.Legend.TextStyle.Font = sansFont(legSize, false)
	return p
}

// LegendPosition says where a chart's legend goes, inside the data area.
type LegendPosition int

// Legend positions. The zero value, LegendAuto, picks the corner that
// covers the least data.
const (
	LegendAuto LegendPosition = iota
	LegendTopRight
	LegendTopLeft
	LegendBottomRight
	LegendBottomLeft
)

// String returns the constant's name.
func (l LegendPosition) String() string {
	switch l {
	case LegendAuto:
		return "LegendAuto"
	case LegendTopRight:
		return "LegendTopRight"
	case LegendTopLeft:
		return "LegendTopLeft"
	case LegendBottomRight:
		return "LegendBottomRight"
	case LegendBottomLeft:
		return "LegendBottomLeft"
	}
	return fmt.Sprintf("LegendPosition(%d)", int(l))
}

func (l LegendPosition) check(kind string) error {
	if l < LegendAuto || l > LegendBottomLeft {
		return fmt.Errorf("figure: %s.LegendPosition = %d is invalid: use LegendAuto, LegendTopRight, LegendTopLeft, LegendBottomRight or LegendBottomLeft",
			kind, int(l))
	}
	return nil
}

// legendInfo reports where a chart's legend was drawn (pos is LegendAuto
// when there is no legend) and how much data it covers (cost, in the units
// of the chart's cost function: 0 means none).
type legendInfo struct {
	pos  LegendPosition
	cost float64
}

// legendBox is a legend drawn by this package (instead of plot.Legend) with
// a translucent background and border, placed in a corner of the data area.
type legendBox struct {
	leg     plot.Legend
	n       int
	margin  vg.Length // distance from the data area's edges
	padding vg.Length // space between border and entries
}

func newLegendBox() *legendBox {
	l := plot.NewLegend()
	l.TextStyle.Font = sansFont(legSize, false)
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(28)
	l.Padding = vg.Points(3)
	return &legendBox{leg: l, margin: vg.Points(6), padding: vg.Points(5)}
}

func (lb *legendBox) add(name string, thumbs ...plot.Thumbnailer) {
	lb.leg.Add(name, thumbs...)
	lb.n++
}

// size returns the outer size of the box (including padding).
func (lb *legendBox) size(names []string) (w, h vg.Length) {
	sty := lb.leg.TextStyle
	var eh vg.Length
	for _, n := range names {
		r := sty.Rectangle(n)
		eh = max(eh, r.Max.Y)
		w = max(w, lb.leg.ThumbnailWidth+sty.Rectangle(" "+n).Max.X)
	}
	h = vg.Length(len(names))*eh + vg.Length(len(names)-1)*lb.leg.Padding
	return w + 2*lb.padding, h + 2*lb.padding
}

// rect returns the box rectangle for pos inside the data area da.
func (lb *legendBox) rect(da vg.Rectangle, pos LegendPosition, w, h vg.Length) vg.Rectangle {
	var r vg.Rectangle
	switch pos {
	case LegendTopLeft, LegendBottomLeft:
		r.Min.X = da.Min.X + lb.margin
	default:
		r.Min.X = da.Max.X - lb.margin - w
	}
	switch pos {
	case LegendBottomLeft, LegendBottomRight:
		r.Min.Y = da.Min.Y + lb.margin
	default:
		r.Min.Y = da.Max.Y - lb.margin - h
	}
	r.Max = vg.Point{X: r.Min.X + w, Y: r.Min.Y + h}
	return r
}

// choose resolves LegendAuto by picking the corner with the smallest cost
// (ties go to the earlier of top-right, top-left, bottom-right, bottom-left).
func (lb *legendBox) choose(pos LegendPosition, da vg.Rectangle, w, h vg.Length, cost func(vg.Rectangle) float64) LegendPosition {
	if pos != LegendAuto {
		return pos
	}
	best, bestCost := LegendTopRight, math.Inf(1)
	for _, p := range []LegendPosition{LegendTopRight, LegendTopLeft, LegendBottomRight, LegendBottomLeft} {
		if c := cost(lb.rect(da, p, w, h)); c < bestCost {
			best, bestCost = p, c
		}
	}
	return best
}

// draw draws the legend box at r.
func (lb *legendBox) draw(c draw.Canvas, r vg.Rectangle) {
	c.SetColor(color.NRGBA{0xFF, 0xFF, 0xFF, 0xE0})
	c.Fill(r.Path())
	c.SetLineStyle(draw.LineStyle{Color: borderColor, Width: vg.Points(0.75)})
	c.Stroke(r.Path())
	inner := c
	inner.Rectangle = vg.Rectangle{
		Min: vg.Point{X: r.Min.X + lb.padding, Y: r.Min.Y + lb.padding},
		Max: vg.Point{X: r.Max.X - lb.padding, Y: r.Max.Y - lb.padding},
	}
	lb.leg.Draw(inner)
}

// inside reports whether p is inside r.
func inside(p vg.Point, r vg.Rectangle) bool {
	return p.X >= r.Min.X && p.X <= r.Max.X && p.Y >= r.Min.Y && p.Y <= r.Max.Y
}

// overlapArea returns the area of the intersection of a and b.
func overlapArea(a, b vg.Rectangle) float64 {
	w := min(a.Max.X, b.Max.X) - max(a.Min.X, b.Min.X)
	h := min(a.Max.Y, b.Max.Y) - max(a.Min.Y, b.Min.Y)
	if w <= 0 || h <= 0 {
		return 0
	}
	return float64(w) * float64(h)
}
