package pipeline

import (
	"context"
	"image"
	"image/draw"

	"github.com/tillhq/till/extract"
	"github.com/tillhq/till/imaging"
	"github.com/tillhq/till/ocr"
)

// NewReader returns how Till reads receipts, with the settings the service
// uses; till scan and till eval start from the same. The full page is read
// as one block of text (--psm 6 reads totals and dates best), and a
// doubtful header is read again on its own with --psm 4, which reads names
// and addresses best; on a page where no date was read, the rows beside
// tall gaps (barcodes, logos) and rows with a time are read again (see
// docs/extraction.md for the figures).
func NewReader(engine ocr.Engine) *extract.Reader {
	return &extract.Reader{Engine: engine, PSM: 6, RereadHeader: true, HeaderPSM: 4, RereadGaps: true}
}

// Prepare is how Till prepares images for OCR: text taller than Tesseract
// needs is shrunk and tilt is undone, while small text is left as it is
// (enlarging it read SROIE's names no better and cost a third of a pass).
// A photo of a receipt against a background is cut to the paper, its
// lighting is evened out, its bent lines are levelled and its text is
// enlarged: that is most of what took item-line F1 on the US grocery
// photos from 18 % to 84 %. Scans are prepared as before.
var Prepare = imaging.PrepareOptions{MinLineHeight: 1, Photos: true}

// Read reads one receipt from its decoded images, the way Till always
// does: each image is prepared for OCR with prep (grey, text scaled to suit
// Tesseract, tilt undone; nil prep leaves the images as they are but
// grey), the parts of a long receipt photographed in
// several images are joined top to bottom, and the page is read with rd.
// When that reading is so unsure that the page is likely upside down (mean
// word confidence under ocr.UprightConf) the page is read again turned
// half round, and the more confident reading wins.
func Read(ctx context.Context, rd *extract.Reader, prep *imaging.PrepareOptions, imgs ...image.Image) (*extract.Receipt, error) {
	parts := make([]*image.Gray, len(imgs))
	for i, img := range imgs {
		if prep == nil {
			parts[i] = imaging.Luma(img)
			continue
		}
		parts[i] = imaging.PrepareOCR(img, *prep).Image
	}
	page := stack(parts)
	rec, err := rd.Read(ctx, page)
	if err != nil || rec.AccuracyRate*100 >= ocr.UprightConf {
		return rec, err
	}
	turned, err := rd.Read(ctx, imaging.Orient(page, 3)) // EXIF orientation 3: turned 180°
	if err != nil {
		return nil, err
	}
	if turned.AccuracyRate > rec.AccuracyRate {
		return turned, nil
	}
	return rec, nil
}

// stack joins images top to bottom, as one long page, on white.
func stack(pages []*image.Gray) *image.Gray {
	if len(pages) == 1 {
		return pages[0]
	}
	w, h := 0, 0
	for _, p := range pages {
		w = max(w, p.Bounds().Dx())
		h += p.Bounds().Dy()
	}
	out := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	y := 0
	for _, p := range pages {
		b := p.Bounds()
		draw.Draw(out, image.Rect(0, y, b.Dx(), y+b.Dy()), p, b.Min, draw.Src)
		y += b.Dy()
	}
	return out
}
