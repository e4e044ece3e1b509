// Package testreceipt draws receipts for tests, so that tests of reading
// receipts need no data set: clean black text on white, in Go's fonts, the
// way a flatbed scan of a till receipt looks.
package testreceipt

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Lines is a small, clean till receipt whose total is 7.70, dated
// 12 March 2024 at 10:15.
var Lines = []string{
	"FRESHMART SDN BHD",
	"12 JALAN BUNGA 50450 KUALA LUMPUR",
	"DATE: 12/03/2024  10:15",
	"INVOICE NO: 100231",
	"MILK 1L            4.50",
	"WHOLEMEAL BREAD    3.20",
	"TOTAL              7.70",
	"CASH              10.00",
	"CHANGE             2.30",
}

// Image draws lines, one per row, in Go Mono at 28 pixels on a page at
// least 700 pixels wide.
func Image(t testing.TB, lines ...string) *image.Gray {
	t.Helper()
	img, _ := render(t, gomono.TTF, 28, 700, lines)
	return img
}

// Render draws lines in Go Regular at size pixels, on a page as wide as
// the longest line, and returns it with each line's bounding rectangle.
func Render(t testing.TB, size float64, lines ...string) (*image.Gray, []image.Rectangle) {
	t.Helper()
	return render(t, goregular.TTF, size, 0, lines)
}

func render(t testing.TB, ttf []byte, size float64, minWidth int, lines []string) (*image.Gray, []image.Rectangle) {
	t.Helper()
	f, err := opentype.Parse(ttf)
	if err != nil {
		t.Fatal(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		t.Fatal(err)
	}
	defer face.Close()
	lineH, margin := int(size*1.5), int(size)
	width := minWidth
	for _, l := range lines {
		width = max(width, font.MeasureString(face, l).Ceil()+2*margin)
	}
	img := image.NewGray(image.Rect(0, 0, width, lineH*max(len(lines), 4)+2*margin))
	draw.Draw(img, img.Rect, image.White, image.Point{}, draw.Src)
	d := &font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: face}
	boxes := make([]image.Rectangle, len(lines))
	for i, l := range lines {
		top := margin + i*lineH
		d.Dot = fixed.P(margin, top+int(size))
		d.DrawString(l)
		boxes[i] = image.Rect(0, top, width, top+lineH)
	}
	return img, boxes
}

// PNG draws lines and encodes them as PNG.
func PNG(t testing.TB, lines ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, Image(t, lines...)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
