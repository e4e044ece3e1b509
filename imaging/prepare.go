package imaging

import (
	"image"
	"math"
	"slices"
)

// PrepareOptions tune PrepareOCR. The zero value is the tuned default.
type PrepareOptions struct {
	// MinLineHeight and MaxLineHeight bound the height of the text lines'
	// ink (see Prepared.LineHeight), in pixels, that Tesseract is given:
	// pages whose lines are shorter are enlarged, by at most maxUpscale,
	// and pages whose lines are taller are shrunk, to the nearest bound.
	// Zero means DefaultMinLineHeight and DefaultMaxLineHeight.
	MinLineHeight, MaxLineHeight int
	// NoDeskew turns off straightening.
	NoDeskew bool
	// Photos turns on the preparation of photographed receipts: when the
	// receipt lies against a darker background (see findPaper), the
	// page is cut to the paper and the background beside it blanked, its
	// lines are levelled where a curl bends or tilts them (see
	// lineOffsets), its lighting is evened out, and its text is brought
	// to at least PhotoMinLineHeight, whatever MinLineHeight says. Scans
	// and photos filled by the paper are prepared as without it: on
	// those, the same steps read fewer item lines.
	Photos bool
}

// PhotoMinLineHeight is the smallest line height PrepareOCR gives the
// text of a photographed receipt with PrepareOptions.Photos. Photos sent
// from phones are often scaled down until their print is 8–15 pixels
// tall, which Tesseract misreads; enlarged, the same pixels read well.
const PhotoMinLineHeight = 32

// The line heights PrepareOCR aims for by default. Tesseract reads best
// with an x-height of 20–30 pixels, which capitals of 24–40 pixels give.
// Taller text only costs time: on the 600 dpi SROIE scans, whose capitals
// are 50–76 pixels tall, shrinking them to 40 read as many fields (37 of
// 52 against 35) in 57% of the CPU time; shorter text loses characters.
const (
	DefaultMinLineHeight = 24
	DefaultMaxLineHeight = 40
)

// maxUpscale limits enlargement: Tesseract's time grows with the pixel
// count, and text smaller than a third of the target is rarely legible
// at any size.
const maxUpscale = 3.0

// maxPhotoUpscale limits the enlargement of photos, whose print is often
// small but sharp.
const maxPhotoUpscale = 4.0

// maxSkew is the largest tilt, in degrees, that PrepareOCR looks for; a
// scan or a photo framed by hand is rarely further off, and a page on its
// side is a matter for orientation, not skew.
const maxSkew = 6.0

// minSkew is the smallest tilt worth a rotation: Tesseract's own line
// finding copes with less.
const minSkew = 0.6

// Prepared is a page ready for OCR and how it was derived from the image.
type Prepared struct {
	// Image is the grey page to recognise, with its origin at (0, 0).
	Image *image.Gray
	// Scale is the factor the image was resized by: 1 when it was not.
	Scale float64
	// Skew is the tilt, in degrees clockwise, that was found and undone;
	// 0 when the page was not rotated.
	Skew float64
	// Bent reports that the page's text lines were tilted by different
	// amounts or bent, as on a curled receipt, and that each part was
	// levelled; boxes in the prepared image then map to the source only
	// roughly.
	Bent bool
	// Paper is the part of the image that was kept: the receipt's paper
	// when a photo was cut to it, else the whole image.
	Paper image.Rectangle
	// LineHeight is the height of the text lines' ink estimated in the
	// original image, in pixels: from the tallest letters to the lowest
	// descenders, which for the capitals and digits of most receipts is
	// the cap height. It is 0 when no text lines were found.
	LineHeight int

	srcSize image.Point
}

// PrepareOCR turns img into a grey page sized and straightened for
// Tesseract: it estimates the height of the text lines and resizes the
// page so that they fall between opt's bounds (small scans enlarged,
// phone photos of many megapixels shrunk), and it finds a tilt of up to
// a few degrees by projection profiles and rotates it away. With
// opt.Photos it also prepares photographed receipts as that option says.
// A page without detectable text is returned grey but otherwise
// unchanged. It does not binarise the page, which Tesseract does better
// itself.
func PrepareOCR(img image.Image, opt PrepareOptions) Prepared {
	lo, hi := opt.MinLineHeight, opt.MaxLineHeight
	if lo <= 0 {
		lo = DefaultMinLineHeight
	}
	if hi <= 0 {
		hi = DefaultMaxLineHeight
	}
	g := Luma(img)
	p := Prepared{Image: g, Scale: 1, Paper: g.Rect, srcSize: g.Rect.Size()}
	if g.Rect.Dx() < 8 || g.Rect.Dy() < 8 {
		return p
	}
	photo := false
	var paper *paperShape
	if opt.Photos {
		if shape, ok := findPaper(img); ok {
			photo = true
			p.Paper = shape.Rect.Sub(img.Bounds().Min)
			g = crop(g, p.Paper)
			paper = &shape
			lo = max(lo, PhotoMinLineHeight)
			hi = max(hi, lo)
		}
	}

	// Analysis runs on a copy about 1000 pixels across: enough to see
	// lines of text, and cheap.
	f := max(1, g.Rect.Dx()/1000)
	small := g
	if f > 1 {
		small = boxShrink(g, f).(*image.Gray)
	}
	ink := inkMap(small)
	lh := lineHeight(ink)
	p.LineHeight = lh * f
	if paper != nil {
		// Once the page has been measured, the background left beside
		// the paper goes, so that Tesseract does not read its texture.
		// (Measured with it, the tilt of text near the paper's edge
		// comes out surer.)
		paper.whiten(g)
	}
	if photo && !opt.NoDeskew {
		// A curled or slanted receipt's lines are tilted more in one
		// part than another, or bent: level each part.
		if mids, xs, off := lineOffsets(ink, lh); mids != nil {
			g = unwarp(g, mids, xs, off, f)
			p.Bent = true
			small = g
			if f > 1 {
				small = boxShrink(g, f).(*image.Gray)
			}
			ink = inkMap(small)
		}
	}
	var skew float64
	if !opt.NoDeskew && lh > 0 {
		skew = findSkew(ink)
	}

	if p.LineHeight > 0 {
		switch {
		case p.LineHeight < lo:
			p.Scale = min(maxUpscale, float64(lo)/float64(p.LineHeight))
			if photo {
				p.Scale = min(maxPhotoUpscale, float64(lo)/float64(p.LineHeight))
			}
		case p.LineHeight > hi:
			p.Scale = float64(hi) / float64(p.LineHeight)
		}
	}
	w := max(1, int(math.Round(float64(g.Rect.Dx())*p.Scale)))
	h := max(1, int(math.Round(float64(g.Rect.Dy())*p.Scale)))
	switch {
	case math.Abs(skew) >= minSkew:
		// Rotation and resizing in one pass over the page.
		g = rotate(g, skew, w, h)
		p.Skew = skew
	case p.Scale != 1:
		g = resizeGray(g, w, h)
	}
	if photo {
		// g is the cut-out or made from it, never the caller's image.
		// Blocks of three text lines; a tenth of the page across
		// when no lines were found.
		block := g.Rect.Dx() / 10
		if p.LineHeight > 0 {
			block = int(3 * float64(p.LineHeight) * p.Scale)
		}
		normaliseLight(g, block)
	}
	p.Image = g
	return p
}

// ToSource maps a rectangle in the prepared image, such as a word's box,
// back to the pixels of the image PrepareOCR was given. After a rotation
// the result is the bounding box of the rotated rectangle, clipped to the
// image.
func (p Prepared) ToSource(r image.Rectangle) image.Rectangle {
	if p.Skew != 0 {
		// Undo the rotation about the prepared image's centre.
		c := image.Pt(p.Image.Rect.Dx()/2, p.Image.Rect.Dy()/2)
		sin, cos := math.Sincos(p.Skew * math.Pi / 180)
		out := image.Rectangle{Min: image.Pt(math.MaxInt32, math.MaxInt32), Max: image.Pt(math.MinInt32, math.MinInt32)}
		for _, q := range []image.Point{r.Min, {r.Max.X, r.Min.Y}, r.Max, {r.Min.X, r.Max.Y}} {
			dx, dy := float64(q.X-c.X), float64(q.Y-c.Y)
			x := int(math.Round(dx*cos - dy*sin + float64(c.X)))
			y := int(math.Round(dx*sin + dy*cos + float64(c.Y)))
			out.Min.X, out.Min.Y = min(out.Min.X, x), min(out.Min.Y, y)
			out.Max.X, out.Max.Y = max(out.Max.X, x), max(out.Max.Y, y)
		}
		r = out
	}
	if p.Scale != 1 {
		r = image.Rect(
			int(math.Floor(float64(r.Min.X)/p.Scale)), int(math.Floor(float64(r.Min.Y)/p.Scale)),
			int(math.Ceil(float64(r.Max.X)/p.Scale)), int(math.Ceil(float64(r.Max.Y)/p.Scale)))
	}
	return r.Add(p.Paper.Min).Intersect(image.Rectangle{Max: p.srcSize})
}

// bitmap is a binary image: true where there is ink.
type bitmap struct {
	w, h int
	on   []bool
}

// inkMap marks the pixels clearly darker than their neighbourhood, which
// finds printed text under the uneven light of a phone photo as well as
// on a scan, and ignores flat dark areas such as a table top.
func inkMap(g *image.Gray) bitmap {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	// Integral image for local means over a window of about 3% of the
	// width, at least a few text lines tall.
	sum := make([]int64, (w+1)*(h+1))
	for y := range h {
		var row int64
		for x := range w {
			row += int64(g.Pix[y*g.Stride+x])
			sum[(y+1)*(w+1)+x+1] = sum[y*(w+1)+x+1] + row
		}
	}
	r := max(8, w/30)
	b := bitmap{w: w, h: h, on: make([]bool, w*h)}
	for y := range h {
		y0, y1 := max(0, y-r), min(h, y+r+1)
		for x := range w {
			x0, x1 := max(0, x-r), min(w, x+r+1)
			s := sum[y1*(w+1)+x1] - sum[y0*(w+1)+x1] - sum[y1*(w+1)+x0] + sum[y0*(w+1)+x0]
			mean := s / int64((y1-y0)*(x1-x0))
			v := int64(g.Pix[y*g.Stride+x])
			// Darker than the surroundings by a fifth of their brightness,
			// and by at least 24 levels so that paper grain is not ink.
			b.on[y*w+x] = v*5 < mean*4 && mean-v >= 24
		}
	}
	return b
}

// lineHeight estimates the height of the text lines in b, in its pixels,
// from the runs of inked rows in narrow vertical strips (narrow so that a
// tilted line still forms a run). It returns 0 when no lines are found.
func lineHeight(b bitmap) int {
	const strips = 8
	sw := b.w / strips
	if sw < 4 {
		return 0
	}
	var runs []int
	counts := make([]int, b.h)
	for s := range strips {
		x0, x1 := s*sw, (s+1)*sw
		for y := range b.h {
			n := 0
			for _, on := range b.on[y*b.w+x0 : y*b.w+x1] {
				if on {
					n++
				}
			}
			counts[y] = n
		}
		// A row belongs to a line when a few of its pixels are ink.
		minInk := max(1, sw/100)
		start := -1
		for y := 0; y <= b.h; y++ {
			inked := y < b.h && counts[y] >= minInk
			switch {
			case inked && start < 0:
				start = y
			case !inked && start >= 0:
				if n := y - start; n >= 4 && n < b.h/4 {
					runs = append(runs, n)
				}
				start = -1
			}
		}
	}
	if len(runs) < 3 {
		return 0
	}
	slices.Sort(runs)
	return runs[len(runs)/2]
}

// findSkew returns the tilt of the text in b, in degrees clockwise, as the
// shear that makes the row profile of the ink sharpest: lines of text then
// fall into few rows and the gaps between them into empty ones. It
// returns 0 when no tilt within maxSkew is found.
func findSkew(b bitmap) float64 {
	deg, _ := skewWithin(b, maxSkew)
	return deg
}

// skewWithin is findSkew searching tilts up to limit degrees either way.
// It reports false, with 0, when there is too little ink to tell or the
// sharpest profile lies at the end of the range, where no real optimum
// was found.
func skewWithin(b bitmap, limit float64) (float64, bool) {
	// Sample the ink, at most about 60 000 points: plenty for a profile.
	var n int
	for _, on := range b.on {
		if on {
			n++
		}
	}
	if n < 100 {
		return 0, false
	}
	step := max(1, n/60_000)
	pts := make([][2]float64, 0, n/step+1)
	cx, cy := float64(b.w)/2, float64(b.h)/2
	i := 0
	for y := range b.h {
		for x := range b.w {
			if b.on[y*b.w+x] {
				if i%step == 0 {
					pts = append(pts, [2]float64{float64(x) - cx, float64(y) - cy})
				}
				i++
			}
		}
	}
	diag := int(math.Hypot(float64(b.w), float64(b.h))) + 2
	rows := make([]float64, 2*diag)
	score := func(deg float64) float64 {
		clear(rows)
		sin, cos := math.Sincos(deg * math.Pi / 180)
		for _, p := range pts {
			// The row of the point once the page is turned back by deg.
			r := int(-p[0]*sin+p[1]*cos) + diag
			if r >= 0 && r < len(rows) {
				rows[r]++
			}
		}
		var s float64
		for _, v := range rows {
			s += v * v
		}
		return s
	}
	// A coarse search over the whole range, then a fine one around the
	// best coarse angle.
	best, bestScore := 0.0, score(0)
	for d := -limit; d <= limit+1e-9; d += 0.5 {
		if s := score(d); s > bestScore {
			best, bestScore = d, s
		}
	}
	centre := best
	for d := centre - 0.4; d <= centre+0.4+1e-9; d += 0.1 {
		if s := score(d); s > bestScore {
			best, bestScore = d, s
		}
	}
	// A sharper profile at the edge of the range means no real optimum
	// was found inside it: leave the page alone.
	if math.Abs(best) >= limit-0.05 {
		return 0, false
	}
	return math.Round(best*10) / 10, true
}

// rotate turns g by deg degrees anticlockwise about its centre, undoing a
// clockwise tilt of deg, and resizes it to w×h, with bilinear
// interpolation in fixed point. Corners brought in from outside the page
// are white. When shrinking to less than half, whole blocks of pixels are
// averaged first so that no text falls between samples.
func rotate(g *image.Gray, deg float64, w, h int) *image.Gray {
	if f := min(g.Rect.Dx()/w, g.Rect.Dy()/h); f >= 2 {
		g = boxShrink(g, f).(*image.Gray)
	}
	sw, sh := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	sin, cos := math.Sincos(deg * math.Pi / 180)
	// Source pixels per output pixel, along each axis.
	kx, ky := float64(sw)/float64(w), float64(sh)/float64(h)
	scx, scy := float64(sw-1)/2, float64(sh-1)/2
	dcx, dcy := float64(w-1)/2, float64(h-1)/2
	const one = 1 << 16
	// Moving one output pixel right moves the source point by (cos, sin),
	// scaled to source pixels.
	dxx, dxy := int(math.Round(cos*kx*one)), int(math.Round(sin*ky*one))
	for y := range h {
		dy := float64(y) - dcy
		// Source position of (0, y) in 16.16 fixed point.
		fx := int(math.Round(((-dcx*cos-dy*sin)*kx + scx) * one))
		fy := int(math.Round(((-dcx*sin+dy*cos)*ky + scy) * one))
		row := out.Pix[y*out.Stride : y*out.Stride+w]
		for x := range row {
			x0, y0 := fx>>16, fy>>16
			if x0 < 0 || y0 < 0 || x0+1 >= sw || y0+1 >= sh {
				row[x] = 255
			} else {
				ax, ay := fx&(one-1), fy&(one-1)
				i := y0*g.Stride + x0
				top := int(g.Pix[i])*(one-ax) + int(g.Pix[i+1])*ax
				bot := int(g.Pix[i+g.Stride])*(one-ax) + int(g.Pix[i+g.Stride+1])*ax
				row[x] = uint8((top>>8*(one-ay)>>8 + bot>>8*ay>>8 + 1<<15) >> 16)
			}
			fx += dxx
			fy += dxy
		}
	}
	return out
}

// resizeGray resizes g to w×h by bilinear interpolation in fixed point,
// several times faster than x/image/draw's kernels on large pages. When
// shrinking to less than half, it first averages whole blocks of pixels so
// that no text falls between samples.
func resizeGray(g *image.Gray, w, h int) *image.Gray {
	if f := min(g.Rect.Dx()/w, g.Rect.Dy()/h); f >= 2 {
		g = boxShrink(g, f).(*image.Gray)
	}
	sw, sh := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	// Source positions in 16.16 fixed point, pixel centres aligned.
	const one = 1 << 16
	xs := make([]int, w)
	for x := range w {
		xs[x] = min(max(0, ((2*x+1)*sw*one/(2*w))-one/2), max(0, (sw-1)*one-1))
	}
	for y := range h {
		fy := min(max(0, ((2*y+1)*sh*one/(2*h))-one/2), max(0, (sh-1)*one-1))
		y0, ay := fy>>16, fy&(one-1)
		r0 := g.Pix[y0*g.Stride:]
		r1 := r0
		if y0+1 < sh {
			r1 = g.Pix[(y0+1)*g.Stride:]
		}
		row := out.Pix[y*out.Stride : y*out.Stride+w]
		for x, fx := range xs {
			x0, ax := fx>>16, fx&(one-1)
			x1 := min(x0+1, sw-1)
			top := int(r0[x0])*(one-ax) + int(r0[x1])*ax
			bot := int(r1[x0])*(one-ax) + int(r1[x1])*ax
			row[x] = uint8((top>>8*(one-ay)>>8 + bot>>8*ay>>8 + 1<<15) >> 16)
		}
	}
	return out
}
