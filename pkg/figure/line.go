package figure

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Default sizes of a LineChart or BarChart, in pixels.
const (
	DefaultWidth  = 800
	DefaultHeight = 500
)

// maxMarkers is the number of markers drawn on a long series; series with
// at most this many points get a marker on every point.
const maxMarkers = 20

// Series is one curve of a [LineChart]: the points (X[i], Y[i]).
type Series struct {
	// Name labels the series in the legend. Unnamed series get no legend entry.
	Name string
	// X and Y are the coordinates; they must have the same, non-zero length
	// and hold no NaN or infinity.
	X, Y []float64
}

// label names the series in error messages.
func (s Series) label(i int) string {
	if s.Name == "" {
		return fmt.Sprintf("series %d (unnamed)", i)
	}
	return fmt.Sprintf("series %d %q", i, s.Name)
}

// LineChart plots one or more series as lines with point markers, on a grid,
// with a legend for the named series. Each series gets its own colour, dash
// pattern and marker shape, so curves stay distinguishable in grayscale.
type LineChart struct {
	Title, XLabel, YLabel string
	Series                []Series

	// Width and Height are the size of the PNG in pixels; 0 means
	// DefaultWidth×DefaultHeight.
	Width, Height int

	// YMin and YMax fix the Y axis range; when both are 0 it is chosen from
	// the data. Points outside a fixed range are clipped.
	YMin, YMax float64

	// LegendPosition places the legend; the zero value, LegendAuto, picks the
	// corner of the data area that covers the least of the curves.
	LegendPosition LegendPosition
}

// validate checks the chart and returns its pixel size.
func (c LineChart) validate() (w, h int, err error) {
	if len(c.Series) == 0 {
		return 0, 0, errors.New("figure: LineChart has no Series: add at least one Series{Name, X, Y}")
	}
	for i, s := range c.Series {
		if len(s.X) != len(s.Y) {
			return 0, 0, fmt.Errorf("figure: LineChart %s: len(X) = %d but len(Y) = %d: X and Y need one entry per point",
				s.label(i), len(s.X), len(s.Y))
		}
		if len(s.X) == 0 {
			return 0, 0, fmt.Errorf("figure: LineChart %s has no points: give it X and Y values or leave it out", s.label(i))
		}
		for j := range s.X {
			for _, v := range [...]struct {
				axis string
				v    float64
			}{{"X", s.X[j]}, {"Y", s.Y[j]}} {
				if math.IsNaN(v.v) || math.IsInf(v.v, 0) {
					return 0, 0, fmt.Errorf("figure: LineChart %s: %s[%d] is %v: plot only finite values (a NaN loss usually means training diverged: lower the learning rate)",
						s.label(i), v.axis, j, v.v)
				}
			}
		}
	}
	if c.YMin != 0 || c.YMax != 0 {
		if math.IsNaN(c.YMin) || math.IsNaN(c.YMax) || math.IsInf(c.YMin, 0) || math.IsInf(c.YMax, 0) || c.YMin >= c.YMax {
			return 0, 0, fmt.Errorf("figure: LineChart YMin = %v, YMax = %v: a fixed Y range needs finite YMin < YMax (set both to 0 for automatic)",
				c.YMin, c.YMax)
		}
	}
	if err := c.LegendPosition.check("LineChart"); err != nil {
		return 0, 0, err
	}
	if w, err = checkSize("LineChart", "Width", c.Width, DefaultWidth); err != nil {
		return 0, 0, err
	}
	if h, err = checkSize("LineChart", "Height", c.Height, DefaultHeight); err != nil {
		return 0, 0, err
	}
	return w, h, nil
}

// PNG validates the chart and renders it as a PNG of Width×Height pixels.
func (c LineChart) PNG() ([]byte, error) {
	cv, _, err := c.render()
	if err != nil {
		return nil, err
	}
	return encodePNG(cv)
}

// render draws the chart, returning the canvas and where the legend went.
func (c LineChart) render() (*vgimg.Canvas, legendInfo, error) {
	w, h, err := c.validate()
	if err != nil {
		return nil, legendInfo{}, err
	}
	p := newPlot(c.Title, c.XLabel, c.YLabel)
	p.Add(newGrid(true))

	lb := newLegendBox()
	var names []string
	for i, s := range c.Series {
		xys := make(plotter.XYs, len(s.X))
		for j := range s.X {
			xys[j] = plotter.XY{X: s.X[j], Y: s.Y[j]}
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, legendInfo{}, fmt.Errorf("figure: LineChart %s: %w", s.label(i), err)
		}
		line.LineStyle = draw.LineStyle{
			Color:  palette[i%len(palette)],
			Width:  vg.Points(1.75),
			Dashes: dashes[i%len(dashes)],
		}
		marks, err := plotter.NewScatter(markerPoints(xys))
		if err != nil {
			return nil, legendInfo{}, fmt.Errorf("figure: LineChart %s: %w", s.label(i), err)
		}
		marks.GlyphStyle = draw.GlyphStyle{
			Color:  palette[i%len(palette)],
			Radius: vg.Points(3),
			Shape:  glyphs[i%len(glyphs)],
		}
		p.Add(line, marks)
		if s.Name != "" {
			lb.add(s.Name, line, marks)
			names = append(names, s.Name)
		}
	}
	if c.YMin != 0 || c.YMax != 0 {
		p.Y.Min, p.Y.Max = c.YMin, c.YMax
	}

	cv := newCanvas(w, h)
	dc := frameCanvas(draw.New(cv))
	p.Draw(dc)
	var info legendInfo
	if lb.n > 0 {
		da := p.DataCanvas(dc)
		lw, lh := lb.size(names)
		cost := func(r vg.Rectangle) float64 { return lineCost(p, da, c.Series, r) }
		info.pos = lb.choose(c.LegendPosition, da.Rectangle, lw, lh, cost)
		r := lb.rect(da.Rectangle, info.pos, lw, lh)
		info.cost = cost(r)
		lb.draw(dc, r)
	}
	return cv, info, nil
}

// newGrid returns light, thin grid lines at the major ticks; vertical
// lines only when vertical is true.
func newGrid(vertical bool) *plotter.Grid {
	g := plotter.NewGrid()
	g.Horizontal = draw.LineStyle{Color: gridColor, Width: vg.Points(0.6)}
	g.Vertical = draw.LineStyle{}
	if vertical {
		g.Vertical = g.Horizontal
	}
	return g
}

// markerPoints returns at most maxMarkers evenly spaced points of xys.
func markerPoints(xys plotter.XYs) plotter.XYs {
	n := len(xys)
	if n <= maxMarkers {
		return xys
	}
	out := make(plotter.XYs, maxMarkers)
	for k := range out {
		out[k] = xys[int(math.Round(float64(k)*float64(n-1)/float64(maxMarkers-1)))]
	}
	return out
}

// lineCost measures how much of the series' drawn curves falls inside r:
// each segment is sampled every few points and samples inside r counted.
func lineCost(p *plot.Plot, da draw.Canvas, series []Series, r vg.Rectangle) float64 {
	trX, trY := p.Transforms(&da)
	r.Min.X -= vg.Points(2)
	r.Min.Y -= vg.Points(2)
	r.Max.X += vg.Points(2)
	r.Max.Y += vg.Points(2)
	step := vg.Points(2)
	cost := 0.0
	for _, s := range series {
		prev := vg.Point{X: trX(s.X[0]), Y: trY(s.Y[0])}
		if inside(prev, r) {
			cost++
		}
		for j := 1; j < len(s.X); j++ {
			cur := vg.Point{X: trX(s.X[j]), Y: trY(s.Y[j])}
			d := cur.Sub(prev)
			dist := vg.Length(math.Hypot(float64(d.X), float64(d.Y)))
			k := max(1, int(math.Ceil(float64(dist/step))))
			for t := 1; t <= k; t++ {
				q := prev.Add(d.Scale(vg.Length(t) / vg.Length(k)))
				if inside(q, r) {
					cost++
				}
			}
			prev = cur
		}
	}
	return cost
}
