package imaging

import (
	"errors"
	"image"
	"math"
	"slices"

	"github.com/makiuchi-d/gozxing"
	mqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/oned"

	"github.com/tillhq/till"
)

// Barcode is a barcode or QR code found in an image.
type Barcode struct {
	// Format is the symbology: "EAN-13", "EAN-8", "UPC-A", "UPC-E",
	// "Code 128", "ITF" or "QR".
	Format string
	// Text is what the code holds; for UPC-E it is the 8 printed digits.
	Text string
	// GTIN is the product number for the EAN, UPC and 14-digit ITF
	// formats (UPC-E expanded to UPC-A), and "" for the others.
	GTIN string
	// ValidGTIN reports whether GTIN's check digit is right. The EAN and
	// UPC readers only return codes whose check digit is right, so it
	// matters for ITF, whose reader does not check it.
	ValidGTIN bool
	// Box encloses the code, in the pixels of the image searched: for a QR
	// code, its finder patterns; for a 1-D code, the bars as far up and
	// down as they could be followed from the line they were read along.
	Box image.Rectangle
}

var formatNames = map[gozxing.BarcodeFormat]string{
	gozxing.BarcodeFormat_EAN_13:   "EAN-13",
	gozxing.BarcodeFormat_EAN_8:    "EAN-8",
	gozxing.BarcodeFormat_UPC_A:    "UPC-A",
	gozxing.BarcodeFormat_UPC_E:    "UPC-E",
	gozxing.BarcodeFormat_CODE_128: "Code 128",
	gozxing.BarcodeFormat_ITF:      "ITF",
	gozxing.BarcodeFormat_QR_CODE:  "QR",
}

// Barcodes finds the barcodes and QR codes in img: a receipt's own code
// (Code 128, ITF, EAN or QR) and the EAN-13, UPC-A and EAN-8 codes of
// items in a photo. It returns each distinct code once, in reading order
// (top to bottom, then left to right), or none.
//
// The 1-D readers stop at the first code they find, so the page is also
// searched in overlapping horizontal bands and in the halves of each band;
// a code must lie mostly within one band to be found, which holds for
// codes printed across a receipt or photographed side by side. Codes
// turned on their side are not found: orient the image first.
func Barcodes(img image.Image) []Barcode {
	g := Luma(img)
	if g.Rect.Dx() < 16 || g.Rect.Dy() < 16 {
		return nil
	}
	// Very large photos are searched at about 2000 pixels across: still
	// several pixels per bar for a code that fills a tenth of the width.
	f := max(1, g.Rect.Dx()/2000)
	if f > 1 {
		g = boxShrink(g, f).(*image.Gray)
	}
	if g.Stride != g.Rect.Dx() {
		// The luminance source wants rows without padding.
		c := image.NewGray(g.Rect)
		for y := range g.Rect.Dy() {
			copy(c.Pix[y*c.Stride:], g.Pix[y*g.Stride:y*g.Stride+g.Rect.Dx()])
		}
		g = c
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	src, err := gozxing.NewPlanarYUVLuminanceSource(g.Pix, w, h, 0, 0, w, h, false)
	if err != nil {
		return nil
	}

	var found []Barcode
	add := func(r *gozxing.Result, off image.Point) {
		b, ok := toBarcode(r, off, f)
		if !ok {
			return
		}
		for _, o := range found {
			if o.Format == b.Format && o.Text == b.Text {
				return
			}
		}
		found = append(found, b)
	}

	// QR codes: the multi-reader finds them all in one pass.
	if bm, err := binaryBitmap(src, image.Rect(0, 0, w, h)); err == nil {
		results, _ := mqr.NewQRCodeMultiReader().DecodeMultiple(bm, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
		for _, r := range results {
			add(r, image.Point{})
		}
	}

	// 1-D codes: the whole page, then bands a sixth of its height with half
	// a band's overlap, then each band's left and right halves.
	regions := []image.Rectangle{image.Rect(0, 0, w, h)}
	band := max(16, h/6)
	for top := 0; top < h; top += band / 2 {
		r := image.Rect(0, top, w, min(h, top+band))
		regions = append(regions, r, image.Rect(0, r.Min.Y, w/2, r.Max.Y), image.Rect(w/2, r.Min.Y, w, r.Max.Y))
		if r.Max.Y == h {
			break
		}
	}
	readers := []gozxing.Reader{
		oned.NewMultiFormatUPCEANReader(nil),
		oned.NewCode128Reader(),
		oned.NewITFReader(),
	}
	for _, r := range regions {
		bm, err := binaryBitmap(src, r)
		if err != nil {
			continue
		}
		for _, rd := range readers {
			res, err := rd.DecodeWithoutHints(bm)
			if err == nil {
				add(res, r.Min)
			}
		}
	}
	for i := range found {
		if found[i].Format != "QR" {
			found[i].Box = barsExtent(g, found[i].Box, f)
		}
	}
	readingOrder(found)
	return found
}

// barsExtent grows the box of a 1-D code, found as the line it was read
// along, up and down for as long as the rows look like that line: the bars
// run the code's whole height, and text or paper does not. box is in the
// pixels of the image that g was shrunk from by f.
func barsExtent(g *image.Gray, box image.Rectangle, f int) image.Rectangle {
	r := image.Rect(box.Min.X/f, box.Min.Y/f, box.Max.X/f, box.Max.Y/f).Intersect(g.Rect)
	if r.Empty() {
		return box
	}
	y0 := r.Min.Y
	line := g.Pix[y0*g.Stride+r.Min.X : y0*g.Stride+r.Max.X]
	like := func(y int) bool {
		row := g.Pix[y*g.Stride+r.Min.X : y*g.Stride+r.Max.X]
		diff := 0
		for i, v := range row {
			d := int(v) - int(line[i])
			diff += max(d, -d)
		}
		return diff < 40*len(row)
	}
	top, bottom := y0, y0
	for top > 0 && like(top-1) {
		top--
	}
	for bottom+1 < g.Rect.Dy() && like(bottom+1) {
		bottom++
	}
	return image.Rect(box.Min.X, top*f, box.Max.X, (bottom+1)*f)
}

// readingOrder sorts codes top to bottom and, among codes that overlap the
// first of their row vertically, left to right.
func readingOrder(codes []Barcode) {
	slices.SortStableFunc(codes, func(a, b Barcode) int { return a.Box.Min.Y - b.Box.Min.Y })
	for i := 0; i < len(codes); {
		j := i + 1
		for j < len(codes) && codes[j].Box.Min.Y < codes[i].Box.Max.Y {
			j++
		}
		slices.SortStableFunc(codes[i:j], func(a, b Barcode) int { return a.Box.Min.X - b.Box.Min.X })
		i = j
	}
}

// binaryBitmap crops the luminance source to r and binarises it.
func binaryBitmap(src gozxing.LuminanceSource, r image.Rectangle) (*gozxing.BinaryBitmap, error) {
	if r.Dx() < 16 || r.Dy() < 8 {
		return nil, errors.New("region too small")
	}
	crop, err := src.Crop(r.Min.X, r.Min.Y, r.Dx(), r.Dy())
	if err != nil {
		return nil, err
	}
	return gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(crop))
}

// toBarcode converts a reader's result found in a region at off of an
// image shrunk by f.
func toBarcode(r *gozxing.Result, off image.Point, f int) (Barcode, bool) {
	name, ok := formatNames[r.GetBarcodeFormat()]
	if !ok || r.GetText() == "" {
		return Barcode{}, false
	}
	b := Barcode{Format: name, Text: r.GetText()}
	format := r.GetBarcodeFormat()
	// The EAN-13 reader reads a UPC-A code as an EAN-13 with a leading 0,
	// which is what a UPC-A code is; name it as printed.
	if format == gozxing.BarcodeFormat_EAN_13 && len(b.Text) == 13 && b.Text[0] == '0' {
		format, b.Format, b.Text = gozxing.BarcodeFormat_UPC_A, formatNames[gozxing.BarcodeFormat_UPC_A], b.Text[1:]
	}
	switch format {
	case gozxing.BarcodeFormat_EAN_13, gozxing.BarcodeFormat_EAN_8, gozxing.BarcodeFormat_UPC_A:
		b.GTIN = b.Text
	case gozxing.BarcodeFormat_UPC_E:
		b.GTIN = upcEToUPCA(b.Text)
	case gozxing.BarcodeFormat_ITF:
		if len(b.Text) == 14 {
			b.GTIN = b.Text
		}
	}
	b.ValidGTIN = b.GTIN != "" && till.ValidGTIN(b.GTIN)
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, p := range r.GetResultPoints() {
		minX, maxX = min(minX, p.GetX()), max(maxX, p.GetX())
		minY, maxY = min(minY, p.GetY()), max(maxY, p.GetY())
	}
	if !math.IsInf(minX, 0) {
		b.Box = image.Rect(
			(int(minX)+off.X)*f, (int(minY)+off.Y)*f,
			(int(math.Ceil(maxX))+off.X+1)*f, (int(math.Ceil(maxY))+off.Y+1)*f)
	}
	return b, true
}

// upcEToUPCA expands an 8-digit UPC-E code (number system, six digits,
// check digit) to the 12-digit UPC-A code it stands for, or returns ""
// when s is not of that shape.
func upcEToUPCA(s string) string {
	if len(s) != 8 {
		return ""
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return ""
		}
	}
	ns, d, check := s[:1], s[1:7], s[7:]
	var body string
	switch d[5] {
	case '0', '1', '2':
		body = d[:2] + d[5:6] + "0000" + d[2:5]
	case '3':
		body = d[:3] + "00000" + d[3:5]
	case '4':
		body = d[:4] + "00000" + d[4:5]
	default:
		body = d[:5] + "0000" + d[5:6]
	}
	return ns + body + check
}
