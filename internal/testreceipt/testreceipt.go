// Package testreceipt draws receipts for tests, so that tests of reading
// receipts need no data set: clean black text on white, in Go's monospaced
// font, the way a flatbed scan of a till receipt looks.
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

// Image draws lines, one per row.
func Image(t testing.TB, lines ...string) *image.Gray {
	t.Helper()
	f, err := opentype.Parse(gomono.TTF)
	if err != nil {
		t.Fatal(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 28, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		t.Fatal(err)
	}
	defer face.Close()
	img := image.NewGray(image.Rect(0, 0, 700, 60+45*max(len(lines), 4)))
	draw.Draw(img, img.Rect, image.White, image.Point{}, draw.Src)
	d := &font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: face}
	for i, l := range lines {
		d.Dot = fixed.P(30, 60+45*i)
		d.DrawString(l)
	}
	return img
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
