package imaging

import (
	"image"
	"image/draw"
	"math"
	"testing"
)

// receiptLines is a few lines of a typical receipt.
var receiptLines = []string{
	"FRESH MART SDN BHD (123456-X)",
	"NO 12 JALAN BESAR, 81200 JOHOR",
	"MILK 1L              2 x 4.50     9.00",
	"BREAD WHOLEMEAL                   3.20",
	"EGGS GRADE A 10S                  5.90",
	"SUBTOTAL                         18.10",
	"TOTAL                            18.10",
	"CASH                             20.00",
	"CHANGE                            1.90",
	"THANK YOU, PLEASE COME AGAIN",
}

func TestPrepareOCR(t *testing.T) {
	small := receipt(t, 9, receiptLines...)
	normal := receipt(t, 28, receiptLines...)
	large := receipt(t, 120, receiptLines...)
	tilted := tilt(receipt(t, 28, receiptLines...), 3)
	blank := image.NewGray(image.Rect(0, 0, 800, 1200))
	draw.Draw(blank, blank.Rect, image.White, image.Point{}, draw.Src)

	tests := []struct {
		name             string
		img              image.Image
		opt              PrepareOptions
		minScale         float64
		maxScale         float64
		skew             float64 // expected, ±0.3
		minLine, maxLine int     // expected estimate in the source
	}{
		// Capitals and digits of a font of size s are about 0.75 s tall.
		{name: "small print is enlarged", img: small, minScale: 2.5, maxScale: 3, minLine: 6, maxLine: 10},
		{name: "normal print is kept", img: normal, minScale: 1, maxScale: 1.2, minLine: 18, maxLine: 26},
		{name: "large print is shrunk", img: large, minScale: 0.35, maxScale: 0.5, minLine: 80, maxLine: 110},
		{name: "a tilt is undone", img: tilted, minScale: 1, maxScale: 1.2, skew: 3, minLine: 18, maxLine: 30},
		{name: "a tilt is kept when asked", img: tilted, opt: PrepareOptions{NoDeskew: true}, minScale: 1, maxScale: 1.2, minLine: 18, maxLine: 30},
		{name: "chosen bounds", img: normal, opt: PrepareOptions{MinLineHeight: 40, MaxLineHeight: 80}, minScale: 1.5, maxScale: 2.5, minLine: 18, maxLine: 26},
		{name: "blank page", img: blank, minScale: 1, maxScale: 1},
		{name: "tiny image", img: image.NewGray(image.Rect(0, 0, 3, 3)), minScale: 1, maxScale: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := PrepareOCR(tc.img, tc.opt)
			if p.Scale < tc.minScale-1e-9 || p.Scale > tc.maxScale+1e-9 {
				t.Errorf("scale %.2f, want %.2f to %.2f (line height %d)", p.Scale, tc.minScale, tc.maxScale, p.LineHeight)
			}
			if math.Abs(p.Skew-tc.skew) > 0.3 {
				t.Errorf("skew %.1f°, want %.1f°", p.Skew, tc.skew)
			}
			if p.LineHeight < tc.minLine || p.LineHeight > tc.maxLine {
				t.Errorf("line height %d, want %d to %d", p.LineHeight, tc.minLine, tc.maxLine)
			}
			b := tc.img.Bounds()
			want := image.Pt(int(math.Round(float64(b.Dx())*p.Scale)), int(math.Round(float64(b.Dy())*p.Scale)))
			if got := p.Image.Rect.Size(); got != want {
				t.Errorf("prepared size %v, want %v", got, want)
			}
		})
	}
}

// TestPreparedToSource maps the prepared image's corners and centre back
// to the source.
func TestPreparedToSource(t *testing.T) {
	tests := []struct {
		name string
		img  image.Image
	}{
		{name: "enlarged", img: receipt(t, 9, receiptLines...)},
		{name: "shrunk", img: receipt(t, 90, receiptLines...)},
		{name: "straightened", img: tilt(receipt(t, 26, receiptLines...), 3)},
		{name: "straightened and enlarged", img: tilt(receipt(t, 12, receiptLines...), -2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := PrepareOCR(tc.img, PrepareOptions{})
			src := tc.img.Bounds()
			whole := p.ToSource(p.Image.Rect)
			if whole != src {
				t.Errorf("whole prepared image maps to %v, want %v", whole, src)
			}
			c := p.Image.Rect.Size().Div(2)
			got := p.ToSource(image.Rectangle{Min: c, Max: c.Add(image.Pt(1, 1))})
			want := src.Size().Div(2)
			if abs(got.Min.X-want.X) > 3 || abs(got.Min.Y-want.Y) > 3 {
				t.Errorf("centre maps to %v, want about %v", got, want)
			}
		})
	}
}

func abs(x int) int { return max(x, -x) }

// tilt turns g by deg degrees clockwise, as a page laid crooked on a
// scanner.
func tilt(g *image.Gray, deg float64) *image.Gray {
	return rotate(g, -deg, g.Rect.Dx(), g.Rect.Dy())
}

func TestResizeGray(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 100, 50))
	for i := range src.Pix {
		src.Pix[i] = 200
	}
	tests := []struct {
		name string
		w, h int
	}{
		{name: "enlarge", w: 173, h: 87},
		{name: "shrink a little", w: 83, h: 41},
		{name: "shrink a lot", w: 9, h: 4},
		{name: "one pixel", w: 1, h: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := resizeGray(src, tc.w, tc.h)
			if out.Rect.Dx() != tc.w || out.Rect.Dy() != tc.h {
				t.Fatalf("size %v", out.Rect)
			}
			for i, v := range out.Pix {
				if v != 200 {
					t.Fatalf("pixel %d is %d; a flat grey must stay 200", i, v)
				}
			}
		})
	}
}
