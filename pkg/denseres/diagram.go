package denseres

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"

	"golang.org/x/image/font"
	"gonum.org/v1/plot"
	pfont "gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// GradientDiagram is a figure of the backward pass: one box per quantity of
// the forward pass (X, Z1, N1, H1, C1, Z2, N2, H2, C2, Z3, N3, H3, Z4, Ŷ, L,
// plus circles for the sums S2 = Z2 + H1 and S3 = Z3 + H2 that feed the
// LayerNorms) stacked from top to bottom in the order of the forward
// computation, and one arrow per path along which ∂L/∂(·) flows back: the
// chain through each layer, the dense (concatenation) paths, the residual
// paths (highlighted), and the gradients of the weights and of γ, β. It
// implements figure.Figure, so figure.Show and figure.Save display and write it.
//
// The zero value is ready to use; the image is DiagramWidth×DiagramHeight pixels.
type GradientDiagram struct{}

// The size of the GradientDiagram's image in pixels.
const (
	DiagramWidth  = 1150
	DiagramHeight = 1700
)

// Colours of the diagram (the Okabe–Ito palette of package figure).
var (
	colMain     = color.RGBA{0x00, 0x72, 0xB2, 0xFF} // blue: the chain through each layer
	colDense    = color.RGBA{0x00, 0x9E, 0x73, 0xFF} // green: concatenation blocks
	colResidual = color.RGBA{0xD5, 0x5E, 0x00, 0xFF} // vermillion: residual paths
	colParam    = color.RGBA{0x8E, 0x3B, 0x8E, 0xFF} // purple: parameter gradients
	colUnused   = color.RGBA{0xA0, 0xA0, 0xA0, 0xFF} // grey: ∂L/∂X, not computed
	colInk      = color.RGBA{0x22, 0x22, 0x22, 0xFF}
	colSubtle   = color.RGBA{0x66, 0x66, 0x66, 0xFF}
)

// diagramNode is a box (or, for the sums S, a circle) of the diagram.
type diagramNode struct {
	key, label, shape string // shape: the matrix shape, printed beside the label
	fill              color.Color
	circle            bool
	param             string // the parameter gradient computed here
	y, h              float64
}

// Layout constants, in pixels (y grows downwards).
const (
	dgSpineX  = 590.0
	dgTop     = 120.0
	dgBoxW    = 96.0
	dgBoxH    = 46.0
	dgSumR    = 17.0
	dgGap     = 32.0
	dgLabelPt = 15.0
	dgSmallPt = 10.0
	dgEdgePt  = 12.0
)

// PNG renders the diagram.
func (GradientDiagram) PNG() ([]byte, error) {
	const W, H = DiagramWidth, DiagramHeight
	// The canvas copies the image (white background by default), so encode
	// cv.Image(), not this one.
	cv := vgimg.NewWith(vgimg.UseImage(image.NewRGBA(image.Rect(0, 0, W, H))), vgimg.UseDPI(96))
	d := &diagramCanvas{c: draw.New(cv), h: H}

	light := func(r, g, b uint8) color.Color { return color.RGBA{r, g, b, 0xFF} }
	act, pre, norm, cat, out := light(0xDD, 0xEB, 0xF7), light(0xEE, 0xEE, 0xEE), light(0xFF, 0xF3, 0xC4), light(0xD9, 0xF0, 0xE3), light(0xFB, 0xE0, 0xD0)
	list := []*diagramNode{
		{key: "X", label: "X", shape: "B×d", fill: act},
		{key: "Z1", label: "Z₁", shape: "B×h", fill: pre, param: "dW₁ = [X‖1]ᵀ·dS₁"},
		{key: "N1", label: "N₁", shape: "B×h", fill: norm, param: "dγ₁, dβ₁"},
		{key: "H1", label: "H₁", shape: "B×h", fill: act},
		{key: "C1", label: "C₁", shape: "B×(d+h)", fill: cat},
		{key: "Z2", label: "Z₂", shape: "B×h", fill: pre, param: "dW₂ = [C₁‖1]ᵀ·dS₂"},
		{key: "S2", label: "+", circle: true},
		{key: "N2", label: "N₂", shape: "B×h", fill: norm, param: "dγ₂, dβ₂"},
		{key: "H2", label: "H₂", shape: "B×h", fill: act},
		{key: "C2", label: "C₂", shape: "B×(d+2h)", fill: cat},
		{key: "Z3", label: "Z₃", shape: "B×h", fill: pre, param: "dW₃ = [C₂‖1]ᵀ·dS₃"},
		{key: "S3", label: "+", circle: true},
		{key: "N3", label: "N₃", shape: "B×h", fill: norm, param: "dγ₃, dβ₃"},
		{key: "H3", label: "H₃", shape: "B×h", fill: act},
		{key: "Z4", label: "Z₄", shape: "B×C", fill: pre, param: "dW₄ = [H₃‖1]ᵀ·dZ₄"},
		{key: "Y", label: "Ŷ", shape: "B×C", fill: out},
		{key: "L", label: "L", shape: "scalar", fill: out},
	}
	nodes := map[string]*diagramNode{}
	y := dgTop
	for _, n := range list {
		n.h = dgBoxH
		if n.circle {
			n.h = 2 * dgSumR
		}
		n.y = y + n.h/2
		y += n.h + dgGap
		nodes[n.key] = n
	}
	top := func(k string) float64 { return nodes[k].y - nodes[k].h/2 }
	bottom := func(k string) float64 { return nodes[k].y + nodes[k].h/2 }
	half := func(k string) float64 {
		if nodes[k].circle {
			return dgSumR
		}
		return dgBoxW / 2
	}

	// Title and subtitle.
	d.text(W/2, 34, "Backward pass of the dense residual MLP: every path of ∂L/∂(·)", 17, true, colInk, draw.XCenter)
	d.text(W/2, 62, "The forward pass runs from top to bottom; the arrows carry gradients from the loss L back up.", 12, false, colSubtle, draw.XCenter)
	d.text(W/2, 82, "Where several arrows reach a node their gradients add: H₁ receives three, H₂ two.", 12, false, colSubtle, draw.XCenter)

	// The chain through each layer (blue), bottom to top: each arrow is the
	// local backward step, labelled on its right.
	const thick, res = 2.4, 4.5
	chain := []struct {
		from, to, lbl string
		c             color.Color
	}{
		{"L", "Y", "∂L/∂Ŷ = −onehot(y)/B", colMain},
		{"Y", "Z4", "log-softmax′: dZ₄ = (P − onehot(y))/B", colMain},
		{"Z4", "H3", "·W₄ᵀ (bias row dropped)", colMain},
		{"H3", "N3", "ReLU′: ·[N₃ > 0]", colMain},
		{"N3", "S3", "LN′ (γ₃)", colMain},
		{"S3", "Z3", "dS₃", colMain},
		{"Z3", "C2", "·W₃ᵀ", colMain},
		{"C2", "H2", "H₂ block of ∂L/∂C₂", colDense},
		{"H2", "N2", "ReLU′: ·[N₂ > 0]", colMain},
		{"N2", "S2", "LN′ (γ₂)", colMain},
		{"S2", "Z2", "dS₂", colMain},
		{"Z2", "C1", "·W₂ᵀ", colMain},
		{"C1", "H1", "H₁ block of ∂L/∂C₁", colDense},
		{"H1", "N1", "ReLU′: ·[N₁ > 0]", colMain},
		{"N1", "Z1", "LN′ (γ₁)", colMain},
	}
	for _, e := range chain {
		d.vertical(top(e.from), bottom(e.to), e.c, thick, nil, e.lbl)
	}
	dash := []vg.Length{vg.Points(5), vg.Points(3)}
	d.vertical(top("Z1"), bottom("X"), colUnused, 1.4, dash, "∂L/∂X: not needed")

	// Dense paths on the left: C2's H1 block (green) and the X blocks of C1
	// and C2 (grey: never computed).
	left := dgSpineX - dgBoxW/2
	d.arc(left, nodes["C2"].y-6, left, nodes["H1"].y+6, -300, colDense, thick, nil, "H₁ block of ∂L/∂C₂", colDense)
	d.arc(left, nodes["C1"].y+8, left, nodes["X"].y+8, -380, colUnused, 1.4, dash, "X block", colUnused)
	d.arc(left, nodes["C2"].y+8, left, nodes["X"].y-8, -520, colUnused, 1.4, dash, "X block", colUnused)
	// Residual paths on the right (vermillion, highlighted).
	d.arc(dgSpineX+dgSumR, nodes["S2"].y, dgSpineX+dgBoxW/2, nodes["H1"].y, 300, colResidual, res, nil, "residual: dS₂ unchanged", colResidual)
	d.arc(dgSpineX+dgSumR, nodes["S3"].y, dgSpineX+dgBoxW/2, nodes["H2"].y, 300, colResidual, res, nil, "residual: dS₃ unchanged", colResidual)

	// Parameter gradients (purple), left of their nodes.
	for _, n := range list {
		if n.param != "" {
			x0 := dgSpineX - half(n.key)
			d.line([][2]float64{{x0 - 2, n.y}, {x0 - 22, n.y}}, colParam, 1.6, nil)
			d.head(x0-30, n.y, -1, 0, colParam, 1.6)
			d.label(x0-36, n.y, n.param, dgEdgePt, colParam, draw.XRight)
		}
	}
	// Boxes on top of the arrows' ends.
	for _, n := range list {
		d.node(n)
	}
	d.text(dgSpineX-dgSumR-8, nodes["S2"].y, "S₂", 11, false, colSubtle, draw.XRight)
	d.text(dgSpineX-dgSumR-8, nodes["S3"].y, "S₃", 11, false, colSubtle, draw.XRight)

	// Legend and the two sums, at the bottom.
	ly := bottom("L") + 50
	items := []struct {
		c      color.Color
		w      float64
		dashes []vg.Length
		text   []string
	}{
		{colMain, thick, nil, []string{"through a layer: the local backward step. ·Wᵀ multiplies by the weight matrix without its bias row;",
			"ReLU′ keeps the entries where N > 0; LN′ is the LayerNorm backward: with g = γ·dN per entry, dS = (g − mean(g) − ẑ·mean(g·ẑ))/σ per row"}},
		{colDense, thick, nil, []string{"dense connections: ∂L/∂C₁ = dS₂·W₂ᵀ and ∂L/∂C₂ = dS₃·W₃ᵀ split by columns into their X, H₁ (and H₂) blocks"}},
		{colResidual, res, nil, []string{"residual connections: S₂ = Z₂ + H₁ and S₃ = Z₃ + H₂, so dS₂ reaches H₁ and dS₃ reaches H₂ unchanged"}},
		{colParam, 1.6, nil, []string{"parameter gradients: dW = AppendOnes(layer input)ᵀ·dS (dZ₄ for W₄); dγ = Σ over the batch of dN·ẑ, dβ = Σ of dN"}},
		{colUnused, 1.4, dash, []string{"∂L/∂X: the input is data, so this gradient is never computed"}},
	}
	for _, it := range items {
		d.line([][2]float64{{40, ly}, {90, ly}}, it.c, it.w, it.dashes)
		for _, t := range it.text {
			d.text(105, ly, t, 12, false, colInk, draw.XLeft)
			ly += 22
		}
		ly += 6
	}
	ly += 10
	d.text(40, ly, "∂L/∂H₁ = dS₂·W₂[H₁ rows]ᵀ (via C₁) + dS₂ (residual) + dS₃·W₃[H₁ rows]ᵀ (via C₂)", 13.5, true, colInk, draw.XLeft)
	d.text(40, ly+26, "∂L/∂H₂ = dS₃·W₃[H₂ rows]ᵀ (via C₂) + dS₃ (residual)", 13.5, true, colInk, draw.XLeft)

	var buf bytes.Buffer
	if err := png.Encode(&buf, cv.Image()); err != nil {
		return nil, fmt.Errorf("denseres: encoding the gradient diagram: %w", err)
	}
	return buf.Bytes(), nil
}

// diagramTextHook, if not nil, receives every string the diagram writes (tests
// check that the font has a glyph for each rune).
var diagramTextHook func(string)

// diagramCanvas draws in pixel coordinates with y growing downwards.
type diagramCanvas struct {
	c draw.Canvas
	h float64
}

func (d *diagramCanvas) pt(x, y float64) vg.Point {
	return vg.Point{X: vg.Length(x) * vg.Inch / 96, Y: vg.Length(d.h-y) * vg.Inch / 96}
}

func pxLen(p float64) vg.Length { return vg.Length(p) * vg.Inch / 96 }

func diagramFont(pt float64, bold bool) pfont.Font {
	f := pfont.Font{Typeface: "Liberation", Variant: "Sans"}
	if bold {
		f.Weight = font.WeightBold
	}
	return pfont.From(f, vg.Points(pt))
}

func (d *diagramCanvas) style(pt float64, bold bool, c color.Color, xa draw.XAlignment) text.Style {
	return text.Style{Color: c, Font: diagramFont(pt, bold), XAlign: xa, YAlign: draw.YCenter, Handler: plot.DefaultTextHandler}
}

// text writes s centred vertically on y.
func (d *diagramCanvas) text(x, y float64, s string, pt float64, bold bool, c color.Color, xa draw.XAlignment) {
	if diagramTextHook != nil {
		diagramTextHook(s)
	}
	d.c.FillText(d.style(pt, bold, c, xa), d.pt(x, y), s)
}

// label writes s at (x, y) with alignment xa over a white patch, so that it
// stays readable where it crosses a line.
func (d *diagramCanvas) label(x, y float64, s string, pt float64, c color.Color, xa draw.XAlignment) {
	if diagramTextHook != nil {
		diagramTextHook(s)
	}
	st := d.style(pt, false, c, xa)
	w, h := st.Width(s).Dots(96), st.Height(s).Dots(96)
	x0 := x + float64(xa)*w
	d.rect(x0-3, y-h/2-1, x0+w+3, y+h/2+1, color.White, nil, 0)
	d.c.FillText(st, d.pt(x, y), s)
}

func (d *diagramCanvas) rect(x0, y0, x1, y1 float64, fill, stroke color.Color, width float64) {
	var p vg.Path
	p.Move(d.pt(x0, y0))
	p.Line(d.pt(x1, y0))
	p.Line(d.pt(x1, y1))
	p.Line(d.pt(x0, y1))
	p.Close()
	if fill != nil {
		d.c.SetColor(fill)
		d.c.Fill(p)
	}
	if stroke != nil {
		d.c.SetColor(stroke)
		d.c.SetLineWidth(pxLen(width))
		d.c.SetLineDash(nil, 0)
		d.c.Stroke(p)
	}
}

func (d *diagramCanvas) node(n *diagramNode) {
	x := dgSpineX
	if n.circle {
		var p vg.Path
		p.Move(d.pt(x+dgSumR, n.y))
		p.Arc(d.pt(x, n.y), pxLen(dgSumR), 0, 2*math.Pi)
		p.Close()
		d.c.SetColor(color.White)
		d.c.Fill(p)
		d.c.SetColor(colInk)
		d.c.SetLineWidth(pxLen(1.4))
		d.c.SetLineDash(nil, 0)
		d.c.Stroke(p)
		d.text(x, n.y-1, n.label, 17, true, colInk, draw.XCenter)
		return
	}
	d.rect(x-dgBoxW/2, n.y-n.h/2, x+dgBoxW/2, n.y+n.h/2, n.fill, colInk, 1.4)
	d.text(x, n.y-8, n.label, dgLabelPt, true, colInk, draw.XCenter)
	d.text(x, n.y+12, n.shape, dgSmallPt, false, colSubtle, draw.XCenter)
}

// line strokes a polyline.
func (d *diagramCanvas) line(pts [][2]float64, c color.Color, width float64, dashes []vg.Length) {
	var p vg.Path
	for i, q := range pts {
		if i == 0 {
			p.Move(d.pt(q[0], q[1]))
		} else {
			p.Line(d.pt(q[0], q[1]))
		}
	}
	d.c.SetColor(c)
	d.c.SetLineWidth(pxLen(width))
	d.c.SetLineDash(dashes, 0)
	d.c.Stroke(p)
	d.c.SetLineDash(nil, 0)
}

// headSize is the length of an arrowhead for a line of the given width.
func headSize(width float64) float64 { return 9 + 1.5*width }

// head draws a filled arrowhead with its tip at (x, y), pointing along (dx, dy).
func (d *diagramCanvas) head(x, y, dx, dy float64, c color.Color, width float64) {
	l := math.Hypot(dx, dy)
	dx, dy = dx/l, dy/l
	size := headSize(width)
	bx, by := x-dx*size, y-dy*size
	nx, ny := -dy*size*0.45, dx*size*0.45
	var p vg.Path
	p.Move(d.pt(x, y))
	p.Line(d.pt(bx+nx, by+ny))
	p.Line(d.pt(bx-nx, by-ny))
	p.Close()
	d.c.SetColor(c)
	d.c.Fill(p)
}

// vertical draws an upward arrow on the spine from y0 (below) to y1 (above),
// with lbl on its right.
func (d *diagramCanvas) vertical(y0, y1 float64, c color.Color, width float64, dashes []vg.Length, lbl string) {
	size := headSize(width)
	d.line([][2]float64{{dgSpineX, y0 + 1}, {dgSpineX, y1 + size*0.8}}, c, width, dashes)
	d.head(dgSpineX, y1+1, 0, -1, c, width)
	if lbl != "" {
		d.text(dgSpineX+12, (y0+y1)/2, lbl, dgEdgePt, false, c, draw.XLeft)
	}
}

// arc draws a cubic Bézier arrow from (x0, y0) to (x1, y1) that leaves and
// arrives horizontally and bulges sideways by depth pixels (negative: to the
// left), with lbl (in colour lc) at its middle.
func (d *diagramCanvas) arc(x0, y0, x1, y1, depth float64, c color.Color, width float64, dashes []vg.Length, lbl string, lc color.Color) {
	dir := math.Copysign(1, -depth) // the direction of travel at the end
	size := headSize(width)
	ex := x1 - dir*size*0.8
	var p vg.Path
	p.Move(d.pt(x0, y0))
	p.CubeTo(d.pt(x0+depth, y0), d.pt(ex+depth, y1), d.pt(ex, y1))
	d.c.SetColor(c)
	d.c.SetLineWidth(pxLen(width))
	d.c.SetLineDash(dashes, 0)
	d.c.Stroke(p)
	d.c.SetLineDash(nil, 0)
	d.head(x1-dir*1, y1, dir, 0, c, width)
	if lbl != "" {
		// The Bézier midpoint: (P0 + 3C0 + 3C1 + P1)/8.
		mx := (x0 + 3*(x0+depth) + 3*(ex+depth) + ex) / 8
		d.label(mx, (y0+y1)/2, lbl, dgEdgePt, lc, draw.XCenter)
	}
}
