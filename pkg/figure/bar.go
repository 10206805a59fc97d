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

// BarGroup is one group of a [BarChart]: one value per category label.
type BarGroup struct {
	// Name labels the group in the legend. Unnamed groups get no legend entry.
	Name string
	// Values holds one finite value per BarChart label.
	Values []float64
}

// label names the group in error messages.
func (g BarGroup) label(i int) string {
	if g.Name == "" {
		return fmt.Sprintf("group %d (unnamed)", i)
	}
	return fmt.Sprintf("group %d %q", i, g.Name)
}

// BarChart draws grouped bars: for each category label, one bar per group,
// side by side, with the labels on the X axis and a legend for the named
// groups. The Y axis always includes 0.
type BarChart struct {
	Title, XLabel, YLabel string
	// Labels names the categories along the X axis.
	Labels []string
	// Groups holds the bar values; each group has one value per label.
	Groups []BarGroup

	// Width and Height are the size of the PNG in pixels; 0 means
	// DefaultWidth×DefaultHeight.
	Width, Height int

	// LegendPosition places the legend; the zero value, LegendAuto, picks the
	// emptiest corner and raises the Y axis when needed so that the legend
	// does not cover any bar.
	LegendPosition LegendPosition
}

// validate checks the chart and returns its pixel size.
func (c BarChart) validate() (w, h int, err error) {
	if len(c.Labels) == 0 {
		return 0, 0, errors.New("figure: BarChart has no Labels: give one label per category (bar position)")
	}
	if len(c.Groups) == 0 {
		return 0, 0, errors.New("figure: BarChart has no Groups: add at least one BarGroup{Name, Values}")
	}
	for i, g := range c.Groups {
		if len(g.Values) != len(c.Labels) {
			return 0, 0, fmt.Errorf("figure: BarChart %s has %d values but there are %d labels: give one value per label",
				g.label(i), len(g.Values), len(c.Labels))
		}
		for j, v := range g.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, 0, fmt.Errorf("figure: BarChart %s: Values[%d] (label %q) is %v: bars need finite values",
					g.label(i), j, c.Labels[j], v)
			}
		}
	}
	if err := c.LegendPosition.check("BarChart"); err != nil {
		return 0, 0, err
	}
	if w, err = checkSize("BarChart", "Width", c.Width, DefaultWidth); err != nil {
		return 0, 0, err
	}
	if h, err = checkSize("BarChart", "Height", c.Height, DefaultHeight); err != nil {
		return 0, 0, err
	}
	return w, h, nil
}

// PNG validates the chart and renders it as a PNG of Width×Height pixels.
func (c BarChart) PNG() ([]byte, error) {
	cv, _, err := c.render()
	if err != nil {
		return nil, err
	}
	return encodePNG(cv)
}

// render draws the chart, returning the canvas and where the legend went.
func (c BarChart) render() (*vgimg.Canvas, legendInfo, error) {
	w, h, err := c.validate()
	if err != nil {
		return nil, legendInfo{}, err
	}
	nl, ng := len(c.Labels), len(c.Groups)
	p := newPlot(c.Title, c.XLabel, c.YLabel)
	p.Add(newGrid(false))
	p.NominalX(c.Labels...)
	p.Y.Padding = vg.Points(5)

	// Value range, always including 0.
	lo, hi := 0.0, 0.0
	for _, g := range c.Groups {
		for _, v := range g.Values {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if lo == hi {
		hi = 1
	}
	setRange := func(lo, hi float64) {
		p.X.Min, p.X.Max = -0.5, float64(nl)-0.5
		p.Y.Min, p.Y.Max = lo, hi
	}
	span := hi - lo
	hi0, lo0 := hi, lo
	if hi > 0 {
		hi0 = hi + 0.04*span
	}
	if lo < 0 {
		lo0 = lo - 0.04*span
	}
	setRange(lo0, hi0)

	cv := newCanvas(w, h)
	dc := frameCanvas(draw.New(cv))

	// Rotate the category labels when they would not fit side by side.
	da := p.DataCanvas(dc)
	slot := (da.Max.X - da.Min.X) / vg.Length(nl)
	maxLabel := vg.Length(0)
	for _, l := range c.Labels {
		maxLabel = max(maxLabel, p.X.Tick.Label.Width(l))
	}
	if maxLabel > 0.95*slot {
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
		p.Y.Padding = 0
		da = p.DataCanvas(dc)
		slot = (da.Max.X - da.Min.X) / vg.Length(nl)
	}

	barW := 0.8 * slot / vg.Length(ng)
	lb := newLegendBox()
	var names []string
	var bars []*plotter.BarChart
	for i, g := range c.Groups {
		b, err := plotter.NewBarChart(plotter.Values(g.Values), barW)
		if err != nil {
			return nil, legendInfo{}, fmt.Errorf("figure: BarChart %s: %w", g.label(i), err)
		}
		b.Color = palette[i%len(palette)]
		b.LineStyle = draw.LineStyle{Color: borderColor, Width: vg.Points(0.5)}
		b.Offset = (vg.Length(i) - vg.Length(ng-1)/2) * barW
		bars = append(bars, b)
		if g.Name != "" {
			lb.add(g.Name, b)
			names = append(names, g.Name)
		}
	}
	for _, b := range bars {
		p.Add(b)
	}
	setRange(lo0, hi0) // Add widened the ranges to the data; restore ours.

	var legRect vg.Rectangle
	var info legendInfo
	if lb.n > 0 {
		lw, lh := lb.size(names)
		da = p.DataCanvas(dc)
		cost := func(r vg.Rectangle) float64 { return barCost(p, da, bars, r) }
		pos := lb.choose(c.LegendPosition, da.Rectangle, lw, lh, cost)
		if cost(lb.rect(da.Rectangle, pos, lw, lh)) > 0 && (pos == LegendTopLeft || pos == LegendTopRight) && hi > 0 {
			// Raise the top of the Y axis so the tallest bars end below the legend.
			frac := float64((lh + 2*lb.margin) / (da.Max.Y - da.Min.Y))
			if frac < 0.6 {
				hi0 = lo0 + (hi-lo0)/(1-frac)
				setRange(lo0, hi0)
				da = p.DataCanvas(dc)
			}
		}
		if cost(lb.rect(da.Rectangle, pos, lw, lh)) > 0 && (pos == LegendBottomLeft || pos == LegendBottomRight) && lo < 0 {
			frac := float64((lh + 2*lb.margin) / (da.Max.Y - da.Min.Y))
			if frac < 0.6 {
				lo0 = hi0 - (hi0-lo)/(1-frac)
				setRange(lo0, hi0)
				da = p.DataCanvas(dc)
			}
		}
		legRect = lb.rect(da.Rectangle, pos, lw, lh)
		info = legendInfo{pos: pos, cost: cost(legRect)}
	}
	p.Draw(dc)
	if lb.n > 0 {
		lb.draw(dc, legRect)
	}
	return cv, info, nil
}

// barCost is the area of the bars that r covers.
func barCost(p *plot.Plot, da draw.Canvas, bars []*plotter.BarChart, r vg.Rectangle) float64 {
	trX, trY := p.Transforms(&da)
	cost := 0.0
	for _, b := range bars {
		for i, v := range b.Values {
			x := trX(float64(i)) - b.Width/2 + b.Offset
			y0, y1 := trY(0), trY(v)
			if y0 > y1 {
				y0, y1 = y1, y0
			}
			cost += overlapArea(r, vg.Rectangle{Min: vg.Point{X: x, Y: y0}, Max: vg.Point{X: x + b.Width, Y: y1}})
		}
	}
	return cost
}
