package imaging

import (
	"image"
	"image/color"
	"image/draw"
	"slices"
	"testing"
)

// photo lays paper on a background as a phone photo would show it: the
// receipt, dimmed to grey-white paper, on a darker brown, mottled surface
// (a table), at offset.
func photo(paper *image.Gray, w, h int, offset image.Point) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			// Blotches of two shades, so that the background is no
			// flat colour.
			v := uint8(90 + 30*((x/23+y/17)%2))
			out.SetRGBA(x, y, color.RGBA{v + 30, v, v - 40, 255})
		}
	}
	b := paper.Rect
	for y := range b.Dy() {
		for x := range b.Dx() {
			// Paper at about 220 rather than white, ink kept dark.
			v := uint8(int(paper.GrayAt(x, y).Y) * 220 / 255)
			out.SetRGBA(offset.X+x, offset.Y+y, color.RGBA{v, v, v, 255})
		}
	}
	return out
}

// longReceipt is a receipt of many lines at size pixels, as long and
// narrow as a till's.
func longReceipt(t *testing.T, size float64) *image.Gray {
	var lines []string
	for range 4 {
		lines = append(lines, receiptLines...)
	}
	return receipt(t, size, lines...)
}

func TestFindPaper(t *testing.T) {
	paper := longReceipt(t, 10)
	at := image.Pt(120, 100)
	w, h := paper.Rect.Dx()+260, paper.Rect.Dy()+220
	onTable := photo(paper, w, h, at)
	scan := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(scan, scan.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(scan, paper.Rect.Add(at), paper, image.Point{}, draw.Src)

	want := paper.Rect.Add(at)
	shape, ok := findPaper(onTable)
	if !ok {
		t.Fatal("no paper found on a table")
	}
	got := shape.Rect
	if !got.In(want.Inset(-30)) || !want.In(got) {
		t.Errorf("paper %v, want about %v and all of it", got, want)
	}
	if s, ok := findPaper(scan); ok {
		t.Errorf("paper %v found on a white scan", s.Rect)
	}
	full := photo(paper, paper.Rect.Dx(), paper.Rect.Dy(), image.Point{})
	if s, ok := findPaper(full); ok {
		t.Errorf("paper %v found on a photo filled by the receipt", s.Rect)
	}
}

func TestPrepareOCRPhotos(t *testing.T) {
	paper := longReceipt(t, 10)
	onTable := photo(paper, paper.Rect.Dx()+260, paper.Rect.Dy()+220, image.Pt(120, 100))

	p := PrepareOCR(onTable, PrepareOptions{MinLineHeight: 1, Photos: true})
	if p.Paper == onTable.Rect {
		t.Fatal("the photo was not cut to its paper")
	}
	if got := float64(p.LineHeight) * p.Scale; got < PhotoMinLineHeight-2 {
		t.Errorf("text %.0f pixels tall after preparation, want at least %d", got, PhotoMinLineHeight)
	}
	// The paper is white after the lighting is evened out; the middle
	// of the prepared page is paper between printed lines or print.
	var light int
	for _, v := range p.Image.Pix {
		if v >= 240 {
			light++
		}
	}
	if share := float64(light) / float64(len(p.Image.Pix)); share < 0.6 {
		t.Errorf("%.0f%% of the prepared page is white, want most", 100*share)
	}
	// The page's corner maps back into the paper.
	if c := p.ToSource(image.Rect(0, 0, 1, 1)); !c.In(p.Paper.Inset(-1)) {
		t.Errorf("the prepared page's corner maps to %v, outside the paper %v", c, p.Paper)
	}

	// Without Photos, or on a scan, nothing is cut.
	if p := PrepareOCR(onTable, PrepareOptions{MinLineHeight: 1}); p.Paper != onTable.Rect {
		t.Errorf("paper %v without Photos", p.Paper)
	}
	scan := longReceipt(t, 10)
	q := PrepareOCR(scan, PrepareOptions{MinLineHeight: 1, Photos: true})
	if q.Paper != scan.Rect || q.Scale != 1 {
		t.Errorf("a scan was cut to %v and scaled by %.2f", q.Paper, q.Scale)
	}
}

func TestNormaliseLight(t *testing.T) {
	// Text on paper lit from the left: 250 on the left, 150 on the
	// right.
	g := receipt(t, 20, receiptLines...)
	w := g.Rect.Dx()
	for y := range g.Rect.Dy() {
		for x := range w {
			i := y*g.Stride + x
			g.Pix[i] = uint8(int(g.Pix[i]) * (250 - 100*x/w) / 255)
		}
	}
	normaliseLight(g, 60)
	// Blank paper towards the right, below the last line, is white
	// again.
	right := g.Pix[(g.Rect.Dy()-3)*g.Stride+w*9/10]
	if right < 225 {
		t.Errorf("shaded paper is %d after normalising, want above 225 (it was under 160)", right)
	}
	var dark int
	for _, v := range g.Pix {
		if v < 100 {
			dark++
		}
	}
	if dark == 0 {
		t.Error("the print was washed out")
	}
}

func TestLineOffsets(t *testing.T) {
	level := longReceipt(t, 14)
	// The left part of the top half some half a line higher, as the
	// name column of a curled receipt.
	bent := longReceipt(t, 14)
	w, h := bent.Rect.Dx(), bent.Rect.Dy()
	shifted := crop(bent, bent.Rect)
	for y := range h / 2 {
		for x := range w * 2 / 5 {
			const lift = 6
			v := uint8(255)
			if y+lift < h {
				v = bent.Pix[(y+lift)*bent.Stride+x]
			}
			shifted.Pix[y*shifted.Stride+x] = v
		}
	}

	tests := []struct {
		name string
		img  *image.Gray
		bent bool
	}{
		{name: "level page", img: level},
		{name: "tilted page", img: tilt(longReceipt(t, 14), 3), bent: true},
		{name: "name column raised", img: shifted, bent: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ink := inkMap(tc.img)
			lh := lineHeight(ink)
			mids, xs, off := lineOffsets(ink, lh)
			if got := mids != nil; got != tc.bent {
				t.Fatalf("bent %v (offsets %v), want %v", got, off, tc.bent)
			}
			if !tc.bent {
				return
			}
			// Once levelled, the lines wander far less.
			flat := unwarp(tc.img, mids, xs, off, 1)
			ink = inkMap(flat)
			_, _, after := lineOffsets(ink, lineHeight(ink))
			if before, after := spread(off), spread(after); after > before/2 {
				t.Errorf("lines wander by %.1f pixels after levelling, %.1f before", after, before)
			}
		})
	}
}

// spread is the mean, over bands, of how far the highest and the lowest
// strip's lines lie apart; 0 for none.
func spread(off [][]float64) float64 {
	if len(off) == 0 {
		return 0
	}
	var s float64
	for _, o := range off {
		s += slices.Max(o) - slices.Min(o)
	}
	return s / float64(len(off))
}

// TestPrepareOCRPhotosOddPages prepares pages of odd shapes and contents
// with Photos, which must not fail however little they hold.
func TestPrepareOCRPhotosOddPages(t *testing.T) {
	noise := func(w, h int) *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for i := range img.Pix {
			img.Pix[i] = uint8(i * 7919 % 251)
		}
		return img
	}
	strip := longReceipt(t, 8)
	paper := longReceipt(t, 10)
	onTable := photo(paper, paper.Rect.Dx()+260, paper.Rect.Dy()+220, image.Pt(120, 100))
	tests := []struct {
		name string
		img  image.Image
	}{
		{name: "one pixel", img: noise(1, 1)},
		{name: "thin and tall", img: noise(9, 2000)},
		{name: "wide and short", img: noise(2000, 9)},
		{name: "noise", img: noise(640, 480)},
		{name: "narrow strip of paper", img: photo(strip, strip.Rect.Dx()+40, strip.Rect.Dy()+40, image.Pt(20, 20))},
		{name: "offset bounds", img: noise(300, 400).SubImage(image.Rect(50, 60, 250, 390))},
		{name: "photo with offset bounds", img: onTable.SubImage(image.Rect(30, 40, onTable.Rect.Dx(), onTable.Rect.Dy()))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := PrepareOCR(tc.img, PrepareOptions{MinLineHeight: 1, Photos: true})
			if p.Image == nil || p.Image.Rect.Empty() {
				t.Fatalf("no page prepared from %v", tc.img.Bounds())
			}
			if !p.Paper.In(image.Rectangle{Max: tc.img.Bounds().Size()}) {
				t.Errorf("paper %v outside the image's %v", p.Paper, tc.img.Bounds().Size())
			}
		})
	}
}
