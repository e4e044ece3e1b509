package imaging

import (
	"image"
	"image/draw"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/tillhq/till"
)

// code draws text as a barcode of the given format, about w pixels wide
// and h tall, including the quiet zone the writer adds.
func code(t testing.TB, format gozxing.BarcodeFormat, text string, w, h int) image.Image {
	t.Helper()
	var wr gozxing.Writer
	switch format {
	case gozxing.BarcodeFormat_EAN_13:
		wr = oned.NewEAN13Writer()
	case gozxing.BarcodeFormat_EAN_8:
		wr = oned.NewEAN8Writer()
	case gozxing.BarcodeFormat_UPC_A:
		wr = oned.NewUPCAWriter()
	case gozxing.BarcodeFormat_UPC_E:
		wr = oned.NewUPCEWriter()
	case gozxing.BarcodeFormat_CODE_128:
		wr = oned.NewCode128Writer()
	case gozxing.BarcodeFormat_ITF:
		wr = oned.NewITFWriter()
	case gozxing.BarcodeFormat_QR_CODE:
		wr = qrcode.NewQRCodeWriter()
	}
	m, err := wr.Encode(text, format, w, h, nil)
	if err != nil {
		t.Fatalf("encode %v %q: %v", format, text, err)
	}
	return m
}

// placed is a picture and where to put it on a page.
type placed struct {
	img image.Image
	at  image.Point
}

// page draws pictures on a white page of the given size.
func page(w, h int, items ...placed) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(g, g.Rect, image.White, image.Point{}, draw.Src)
	for _, it := range items {
		draw.Draw(g, it.img.Bounds().Add(it.at), it.img, it.img.Bounds().Min, draw.Src)
	}
	return g
}

func TestBarcodes(t *testing.T) {
	const (
		ean13 = gozxing.BarcodeFormat_EAN_13
		ean8  = gozxing.BarcodeFormat_EAN_8
		upcA  = gozxing.BarcodeFormat_UPC_A
		upcE  = gozxing.BarcodeFormat_UPC_E
		c128  = gozxing.BarcodeFormat_CODE_128
		itf   = gozxing.BarcodeFormat_ITF
		qr    = gozxing.BarcodeFormat_QR_CODE
	)
	text := receipt(t, 20, "FRESH MART SDN BHD", "MILK 1L 4.50", "TOTAL 4.50")
	tests := []struct {
		name string
		img  image.Image
		want []Barcode // Box is not compared
	}{
		{
			name: "receipt with its Code 128 at the foot",
			img:  page(600, 500, placed{text, image.Pt(20, 20)}, placed{code(t, c128, "TX2026-000123", 400, 80), image.Pt(100, 380)}),
			want: []Barcode{{Format: "Code 128", Text: "TX2026-000123"}},
		},
		{
			name: "receipt with a QR code",
			img:  page(600, 600, placed{text, image.Pt(20, 20)}, placed{code(t, qr, "https://till.example/r/abc123", 200, 200), image.Pt(200, 350)}),
			want: []Barcode{{Format: "QR", Text: "https://till.example/r/abc123"}},
		},
		{
			name: "item codes one under another",
			img: page(500, 720,
				placed{code(t, ean13, "4006381333931", 300, 90), image.Pt(50, 20)},
				placed{code(t, upcA, "036000291452", 300, 90), image.Pt(50, 150)},
				placed{code(t, ean8, "96385074", 200, 90), image.Pt(50, 280)},
				placed{code(t, ean13, "5901234123457", 300, 90), image.Pt(50, 410)},
				placed{code(t, upcE, "01234565", 200, 90), image.Pt(50, 560)}),
			want: []Barcode{
				{Format: "EAN-13", Text: "4006381333931", GTIN: "4006381333931", ValidGTIN: true},
				{Format: "UPC-A", Text: "036000291452", GTIN: "036000291452", ValidGTIN: true},
				{Format: "EAN-8", Text: "96385074", GTIN: "96385074", ValidGTIN: true},
				{Format: "EAN-13", Text: "5901234123457", GTIN: "5901234123457", ValidGTIN: true},
				{Format: "UPC-E", Text: "01234565", GTIN: "012345000065", ValidGTIN: true},
			},
		},
		{
			name: "item codes side by side",
			img: page(800, 300,
				placed{code(t, ean13, "4006381333931", 300, 100), image.Pt(40, 100)},
				placed{code(t, ean13, "5901234123457", 300, 100), image.Pt(440, 100)}),
			want: []Barcode{
				{Format: "EAN-13", Text: "4006381333931", GTIN: "4006381333931", ValidGTIN: true},
				{Format: "EAN-13", Text: "5901234123457", GTIN: "5901234123457", ValidGTIN: true},
			},
		},
		{
			name: "ITF-14 with a right and a wrong check digit",
			img: page(600, 400,
				placed{code(t, itf, "10012345678902", 500, 100), image.Pt(50, 30)},
				placed{code(t, itf, "10012345678909", 500, 100), image.Pt(50, 250)}),
			want: []Barcode{
				{Format: "ITF", Text: "10012345678902", GTIN: "10012345678902", ValidGTIN: true},
				{Format: "ITF", Text: "10012345678909", GTIN: "10012345678909", ValidGTIN: false},
			},
		},
		{
			name: "text only",
			img:  text,
		},
		{
			name: "tiny image",
			img:  image.NewGray(image.Rect(0, 0, 10, 10)),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Barcodes(tc.img)
			if len(got) != len(tc.want) {
				t.Fatalf("found %d codes %+v, want %d", len(got), got, len(tc.want))
			}
			for i, w := range tc.want {
				g := got[i]
				if !g.Box.In(tc.img.Bounds()) || g.Box.Empty() {
					t.Errorf("code %d box %v outside the image %v", i, g.Box, tc.img.Bounds())
				}
				g.Box = image.Rectangle{}
				if g != w {
					t.Errorf("code %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
	if !till.ValidGTIN("10012345678902") || till.ValidGTIN("10012345678909") {
		t.Fatal("the ITF case's check digits are not what it assumes")
	}
}
