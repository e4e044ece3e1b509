package extract

import (
	"context"
	"fmt"
	"image"

	"github.com/tillhq/till/ocr"
)

// Reader reads receipts from images: one full-page OCR pass, then, when
// Reread is set, second readings of only the regions whose fields decide
// the most (the total rows and the date rows) with the segmentation that
// reads them best. A Reader is safe for concurrent use when its Engine is.
type Reader struct {
	Engine ocr.Engine
	Hints  Hints
	// PSM is the page segmentation of the full-page pass; zero means
	// Tesseract's automatic segmentation, which reads names and addresses
	// best.
	PSM int
	// Reread turns on the region re-reads. They cost a fraction of a page
	// each and add the amounts and dates they read as candidates, so a
	// figure both readings agree on wins.
	Reread bool
}

// Read recognises img and extracts its receipt. It fails only when the
// full-page recognition fails; a failed region re-read is ignored.
func (rd Reader) Read(ctx context.Context, img image.Image) (*Receipt, error) {
	p, err := rd.Engine.Recognize(ctx, img, ocr.Options{PSM: rd.PSM})
	if err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	rows := buildRows(p)
	var alt [][]row
	if rd.Reread {
		for _, rect := range rereadRegions(rows, p, rd.Hints) {
			ap, err := rd.Engine.Recognize(ctx, img, ocr.Options{PSM: 6, Rect: rect.Add(img.Bounds().Min)})
			if err != nil {
				if ctx.Err() != nil {
					return nil, fmt.Errorf("extract: %w", ctx.Err())
				}
				continue
			}
			alt = append(alt, buildRows(ap))
		}
	}
	return extractRows(rows, p, rd.Hints, alt), nil
}

// rereadRegions returns the page regions worth a second reading: a band
// around each total-like row and each dated row, across the page's width.
// Bands that touch are merged so no pixel is read twice.
func rereadRegions(rows []row, p ocr.Page, h Hints) []image.Rectangle {
	d := newDoc(rows, h)
	var bands []image.Rectangle
	for i, r := range rows {
		k := d.kind(i)
		if k != kindTotal && k != kindRounded && len(findDates(r.Text, d.order)) == 0 {
			continue
		}
		hgt := max(r.Box.Dy(), 10)
		b := image.Rect(0, r.Box.Min.Y-hgt, p.Width, r.Box.Max.Y+hgt)
		bands = append(bands, b.Intersect(image.Rect(0, 0, p.Width, p.Height)))
	}
	var out []image.Rectangle
	for _, b := range bands {
		if b.Empty() {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Max.Y >= b.Min.Y {
			out[n-1] = out[n-1].Union(b)
			continue
		}
		out = append(out, b)
	}
	return out
}
