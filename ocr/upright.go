package ocr

import (
	"context"
	"image"
	"image/draw"
)

// UprightConf is the mean word confidence below which RecognizeUpright
// suspects a page is upside down. On SROIE scans, upright pages read at
// 62–86 and the same pages turned half round at 27–39.
const UprightConf = 50

// Conf returns the mean confidence of the page's words, 0–100, or 0 for a
// page without words.
func (p Page) Conf() float64 {
	if len(p.Words) == 0 {
		return 0
	}
	var sum float64
	for _, w := range p.Words {
		sum += w.Conf
	}
	return sum / float64(len(p.Words))
}

// RecognizeUpright reads img with e and, when the result's confidence is
// below UprightConf, reads img turned half round as well and keeps the
// more confident reading; turned reports whether that was the turned one,
// in which case the word boxes are in the pixels of the turned image
// (a point (x, y) of img is (w-1-x, h-1-y) there). An upright page costs
// one recognition, a doubtful one two. Errors are e's.
func RecognizeUpright(ctx context.Context, e Engine, img image.Image, opt Options) (p Page, turned bool, err error) {
	p, err = e.Recognize(ctx, img, opt)
	if err != nil || p.Conf() >= UprightConf {
		return p, false, err
	}
	opt2 := opt
	if !opt.Rect.Empty() {
		b := img.Bounds()
		r := opt.Rect.Sub(b.Min)
		opt2.Rect = image.Rect(b.Dx()-r.Max.X, b.Dy()-r.Max.Y, b.Dx()-r.Min.X, b.Dy()-r.Min.Y)
	}
	q, err := e.Recognize(ctx, halfTurn(img), opt2)
	if err != nil {
		return Page{}, false, err
	}
	if q.Conf() > p.Conf() {
		return q, true, nil
	}
	return p, false, nil
}

// halfTurn returns img turned by 180 degrees as a grey image with its
// origin at (0, 0).
func halfTurn(img image.Image) *image.Gray {
	g, ok := img.(*image.Gray)
	if !ok || g.Rect.Min != (image.Point{}) {
		b := img.Bounds()
		g = image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(g, g.Rect, img, b.Min, draw.Src)
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		src := g.Pix[y*g.Stride : y*g.Stride+w]
		dst := out.Pix[(h-1-y)*out.Stride : (h-1-y)*out.Stride+w]
		for x, v := range src {
			dst[w-1-x] = v
		}
	}
	return out
}
