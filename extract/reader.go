package extract

import (
	"context"
	"fmt"
	"image"
	"slices"

	"golang.org/x/image/draw"

	"github.com/tillhq/till/ocr"
)

// Reader reads receipts from images: one full-page OCR pass, then, when
// asked, second readings of only the regions whose fields decide the most
// – the header with the merchant's name and address, the total rows and
// the date rows – with the segmentation that reads them best. A Reader is safe for concurrent use when its Engine is.
type Reader struct {
	Engine ocr.Engine
	Hints  Hints
	// PSM is the page segmentation of the full-page pass; zero means
	// Tesseract's automatic segmentation, which reads names and addresses
	// best.
	PSM int
	// Reread turns on the re-reads of the total and date rows. They cost a
	// fraction of a page each and add the amounts and dates they read as
	// candidates, so a figure both readings agree on wins.
	Reread bool
	// RereadHeader turns on the re-read of the header: the rows from the
	// top of the page to the end of the merchant's address, read again on
	// their own with HeaderPSM. The merchant's name and address are each
	// taken from the reading whose words were recognised with more
	// confidence.
	RereadHeader bool
	// RereadLines turns on the re-reads of single rows: the total rows
	// and the first dated rows, each cut out, enlarged twice and read as
	// one line of text, which reads figures more surely than the page.
	RereadLines bool
	// HeaderPSM is the page segmentation of the header's re-read; zero
	// means 4, a single column of text of varied sizes.
	HeaderPSM int
	// RereadGaps turns on, for pages on which no date was read, the
	// re-read of the tall gaps between the rows that were: a row printed
	// right under a barcode or a logo is often lost with it, and the
	// date is often that row. The dates read count as candidates.
	RereadGaps bool
}

// Read recognises img and extracts its receipt. It fails only when the
// full-page recognition fails; a failed region re-read is ignored.
func (rd Reader) Read(ctx context.Context, img image.Image) (*Receipt, error) {
	p, err := rd.Engine.Recognize(ctx, img, ocr.Options{PSM: rd.PSM})
	if err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	if wordsRead(p) < minPageWords {
		// Next to nothing read: faint print beside dark borders, which
		// Tesseract's global threshold takes for the ink. The page is
		// read again with its contrast stretched between the ink and
		// the paper.
		img = stretch(img)
		sp, err := rd.Engine.Recognize(ctx, img, ocr.Options{PSM: rd.PSM})
		if err != nil && ctx.Err() != nil {
			return nil, fmt.Errorf("extract: %w", ctx.Err())
		}
		if err == nil && wordsRead(sp) > wordsRead(p) {
			p = sp
		}
	}
	rows := buildRows(p)
	var alt [][]row
	var head []row
	if rd.RereadHeader {
		if rect := headerRegion(rows, p, rd.Hints); !rect.Empty() {
			hp, err := rd.Engine.Recognize(ctx, img, ocr.Options{PSM: rd.headerPSM(), Rect: rect.Add(img.Bounds().Min)})
			if err == nil {
				head = buildRows(hp)
			} else if ctx.Err() != nil {
				return nil, fmt.Errorf("extract: %w", ctx.Err())
			}
		}
	}
	if rd.RereadLines {
		for _, rect := range lineRegions(rows, p, rd.Hints) {
			lp, err := rd.Engine.Recognize(ctx, enlarge(img, rect.Add(img.Bounds().Min)), ocr.Options{PSM: 7})
			if err != nil {
				if ctx.Err() != nil {
					return nil, fmt.Errorf("extract: %w", ctx.Err())
				}
				continue
			}
			alt = append(alt, buildRows(lp))
		}
	}
	if rd.RereadGaps {
		for _, rect := range gapRegions(rows, p, rd.Hints) {
			gp, err := rd.Engine.Recognize(ctx, img, ocr.Options{PSM: gapPSM, Rect: rect.Add(img.Bounds().Min)})
			if err != nil {
				if ctx.Err() != nil {
					return nil, fmt.Errorf("extract: %w", ctx.Err())
				}
				continue
			}
			alt = append(alt, buildRows(gp))
		}
	}
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
	return extractRows(rows, p, rd.Hints, alt, head), nil
}

// headerPSM is the segmentation of the header re-read.
func (rd Reader) headerPSM() int {
	if rd.HeaderPSM != 0 {
		return rd.HeaderPSM
	}
	return 4
}

// sureHeaderConf is the mean word confidence (0-100) of the merchant's name
// and address rows above which the header is not read again.
const sureHeaderConf = 90

// headerRegion is the band of the page from just above the merchant's
// name (or from the top, when no name was found) down to the last row of
// its address (or of the header, when no address was found), where a
// second reading of the name and address pays. It is empty when the
// name and the address were both read with confidence.
func headerRegion(rows []row, p ocr.Page, h Hints) image.Rectangle {
	if len(rows) == 0 {
		return image.Rectangle{}
	}
	d := newDoc(rows, h)
	d.merchant(&Receipt{Confidence: map[string]float64{}})
	if min(d.meanConf(d.nameRows), d.meanConf(d.addrRows)) >= sureHeaderConf {
		// Both read clearly: a second reading would not be believed
		// over this one.
		return image.Rectangle{}
	}
	last := d.headerEnd() - 1
	if n := len(d.addrRows); n > 0 {
		last = max(last, d.addrRows[n-1])
	}
	last = min(max(last, 0), len(rows)-1)
	r := rows[last].Box
	bottom := r.Max.Y + max(r.Dy()/2, 4)
	// Above the name there are logos and blank paper, which cost time
	// and read as nothing.
	top := 0
	if len(d.nameRows) > 0 {
		first := rows[d.nameRows[0]].Box
		top = max(0, first.Min.Y-2*first.Dy())
	}
	return image.Rect(0, top, p.Width, bottom).Intersect(image.Rect(0, 0, p.Width, p.Height))
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

// maxLineRereads bounds the rows read again on their own.
const maxLineRereads = 4

// lineRegions returns the rows worth reading again on their own: the total
// rows, from the bottom of the page up, and the first rows with a date,
// each across the page's width with a little margin.
func lineRegions(rows []row, p ocr.Page, h Hints) []image.Rectangle {
	d := newDoc(rows, h)
	var picks []int
	for i := len(rows) - 1; i >= 0 && len(picks) < maxLineRereads-1; i-- {
		if k := d.kind(i); (k == kindTotal || k == kindRounded) && len(d.money[i]) > 0 {
			picks = append(picks, i)
		}
	}
	for i := range rows {
		if len(findDates(rows[i].Text, d.order)) > 0 {
			picks = append(picks, i)
			break
		}
	}
	var out []image.Rectangle
	for _, i := range picks {
		b := rows[i].Box
		pad := max(b.Dy()/4, 2)
		r := image.Rect(0, b.Min.Y-pad, p.Width, b.Max.Y+pad).Intersect(image.Rect(0, 0, p.Width, p.Height))
		if !r.Empty() {
			out = append(out, r)
		}
	}
	return out
}

// gapPSM is the segmentation of the gap re-reads.
var gapPSM = 6

// maxGapRereads bounds the gaps read again on a page.
const maxGapRereads = 2

// gapRegions returns, when no date was read on the page, its tallest
// gaps between rows: at least three rows high, across the page's width,
// tallest first.
func gapRegions(rows []row, p ocr.Page, h Hints) []image.Rectangle {
	if len(rows) < 2 {
		return nil
	}
	d := newDoc(rows, h)
	hs := make([]int, len(rows))
	for i, r := range rows {
		if len(findDates(r.Text, d.order)) > 0 {
			return nil
		}
		hs[i] = r.Box.Dy()
	}
	slices.Sort(hs)
	rowH := hs[len(hs)/2]
	var gaps []image.Rectangle
	for i := 1; i < len(rows); i++ {
		top, bottom := rows[i-1].Box.Max.Y, rows[i].Box.Min.Y
		if bottom-top >= 3*rowH {
			gaps = append(gaps, image.Rect(0, top, p.Width, bottom))
		}
	}
	slices.SortFunc(gaps, func(a, b image.Rectangle) int { return b.Dy() - a.Dy() })
	// A barcode or logo fills the gap; the lost row lies at its top or
	// bottom edge, where a strip one and a half rows high is read.
	var out []image.Rectangle
	// A row with a time but no date read: the date beside it misread.
	for i := range rows {
		if _, ok := ParseClock(rows[i].Text); ok && len(out) < maxGapRereads {
			b := rows[i].Box
			pad := max(b.Dy()/4, 2)
			out = append(out, image.Rect(0, b.Min.Y-pad, p.Width, b.Max.Y+pad))
		}
	}
	for _, g := range gaps[:min(len(gaps), maxGapRereads)] {
		strip := rowH * 3 / 2
		out = append(out, image.Rect(0, g.Max.Y-strip, p.Width, g.Max.Y), image.Rect(0, g.Min.Y, p.Width, g.Min.Y+strip))
	}
	return out
}

// enlarge returns the region r of img, grey and twice its size, for the
// line re-reads: Tesseract reads small figures better when they are
// larger, and a single row costs little to enlarge.
func enlarge(img image.Image, r image.Rectangle) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, 2*r.Dx(), 2*r.Dy()))
	draw.CatmullRom.Scale(out, out.Rect, img, r, draw.Src, nil)
	return out
}

// minPageWords is the number of words under which a page is taken to be
// unread rather than nearly blank; receipts print dozens.
const minPageWords = 10

// wordsRead counts the words of p with two letters or digits or more.
func wordsRead(p ocr.Page) int {
	n := 0
	for _, w := range p.Words {
		if len(alnum(w.Text)) >= 2 {
			n++
		}
	}
	return n
}

// stretch returns img in grey with its contrast stretched: the darkest
// 2 % of the pixels that are not black already (borders, shadows) and
// darker become black, the median (the paper) and lighter white, so that
// faint print is dark whatever else lies on the page.
func stretch(img image.Image) *image.Gray {
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Rect, img, b.Min, draw.Src)
	const black = 64
	var hist [256]int
	total := 0
	for _, v := range g.Pix {
		if v >= black {
			hist[v]++
			total++
		}
	}
	quantile := func(q float64) int {
		n, want := 0, int(q*float64(total))
		for v, c := range hist {
			n += c
			if n > want {
				return v
			}
		}
		return 255
	}
	lo, hi := quantile(0.02), quantile(0.5)
	if hi-lo < 8 {
		return g
	}
	var lut [256]uint8
	for v := range lut {
		lut[v] = uint8(min(max((v-lo)*255/(hi-lo), 0), 255))
	}
	for i, v := range g.Pix {
		g.Pix[i] = lut[v]
	}
	// Regions are read in the stretched image's coordinates.
	g.Rect = g.Rect.Add(b.Min)
	return g
}
