package denseres

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"golang.org/x/image/font/sfnt"

	"feedforward.dev/feedforward/pkg/figure"
)

var _ figure.Figure = GradientDiagram{}

// TestGradientDiagram renders the diagram, checks its size and that it is not
// blank, and checks that the font has a glyph for every character written
// (a missing glyph would silently render as nothing). Set
// DENSERES_DIAGRAM_OUT=dir to keep the PNG for a look.
func TestGradientDiagram(t *testing.T) {
	var texts []string
	diagramTextHook = func(s string) { texts = append(texts, s) }
	defer func() { diagramTextHook = nil }()
	data, err := GradientDiagram{}.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != DiagramWidth || b.Dy() != DiagramHeight {
		t.Errorf("diagram is %v, want %dx%d", b, DiagramWidth, DiagramHeight)
	}
	// Nothing is cut off: the margins are blank.
	for y := 0; y < DiagramHeight; y++ {
		for x := 0; x < DiagramWidth; x++ {
			if x >= 8 && x < DiagramWidth-8 && y >= 8 && y < DiagramHeight-15 {
				continue
			}
			if r, g, b, _ := img.At(x, y).RGBA(); r>>8 < 0xF0 || g>>8 < 0xF0 || b>>8 < 0xF0 {
				t.Fatalf("pixel (%d, %d) in the margin is not white: something is cut off", x, y)
			}
		}
	}
	// Count the pixels in the highlight colour of the residual paths.
	residual := 0
	for y := 0; y < DiagramHeight; y++ {
		for x := 0; x < DiagramWidth; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r>>8 == 0xD5 && g>>8 == 0x5E && b>>8 == 0x00 {
				residual++
			}
		}
	}
	if dir := os.Getenv("DENSERES_DIAGRAM_OUT"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "gradient-diagram.png"), data, 0o644)
	}
	if residual < 1000 {
		t.Errorf("only %d pixels in the residual colour; the residual arcs are missing", residual)
	}
	for _, want := range []string{"X", "Z₁", "N₁", "H₁", "C₁", "Z₂", "N₂", "H₂", "C₂", "Z₃", "N₃", "H₃", "Z₄", "Ŷ", "L"} {
		found := false
		for _, s := range texts {
			found = found || s == want
		}
		if !found {
			t.Errorf("no box labelled %q", want)
		}
	}
	var buf sfnt.Buffer
	for _, ttf := range [][]byte{liberationsansregular.TTF, liberationsansbold.TTF} {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range texts {
			for _, r := range s {
				if r == ' ' {
					continue
				}
				if i, err := f.GlyphIndex(&buf, r); err != nil || i == 0 {
					t.Errorf("the font has no glyph for %q (%U) in %q", r, r, s)
				}
			}
		}
	}
	if dir := os.Getenv("DENSERES_DIAGRAM_OUT"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "gradient-diagram.png"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
