package imaging

import (
	"image"
	"math"
	"slices"
)

// paperGrid is the number of cells across the longer side of the grid in
// which findPaper looks for the receipt: coarse enough to be quick and to
// see past the print, fine enough to follow a narrow strip of paper.
const paperGrid = 160

// paperMaxShare is the share of the image above which the paper found is
// taken for the whole frame: a scan, or a photo filled by the receipt,
// which has no background to remove.
const paperMaxShare = 0.85

// paperMinShare is the share of the image below which the bright region
// found is too small to be the receipt.
const paperMinShare = 0.08

// paperMinFill is the least share of its bounding box that a region
// taken for the paper fills: a receipt is a rectangle, while the bright
// patches of a background are ragged.
const paperMinFill = 0.75

// paperMinContrast is the least difference in brightness, 0-255, between
// the median paper cell and the median background cell for a photo to be
// cut to its paper. A receipt on beige cloth stands some 23 levels above
// it; the faint show-through and shading of scans that must not count as
// background differ by 17 at most on the SROIE scans.
const paperMinContrast = 20

// findPaper finds a receipt photographed against a background: the
// bright, compact region of the frame that thermal paper makes beside a
// table, a hand, cloth or a car seat. Brightness is each cell's
// brightest channel, so that paper tinted by the light's colour still
// counts as bright. Among the regions that thresholds from Otsu's up to
// the brightest cells give, it takes the one that best fills its own
// bounding box, as a flat receipt does. It returns the region's shape
// and true, or false when no region stands apart
// from the rest of the frame, as on a scan or a photo filled by the
// receipt.
func findPaper(img image.Image) (paperShape, bool) {
	b := img.Bounds()
	cell := max(1, max(b.Dx(), b.Dy())/paperGrid)
	gw, gh := b.Dx()/cell, b.Dy()/cell
	if gw < 8 || gh < 8 {
		return paperShape{}, false
	}
	bright := cellBrightness(img, cell, gw, gh)
	type region struct {
		box   image.Rectangle
		n     int
		fill  float64
		spans [][2]int
	}
	var regions []region
	bestFill := 0.0
	for t := otsu(bright); t < 250; t += 8 {
		r, n, spans := largestRegion(bright, gw, gh, t)
		area := r.Dx() * r.Dy()
		if area == 0 || float64(area) < paperMinShare*float64(gw*gh) {
			break
		}
		fill := float64(n) / float64(area)
		regions = append(regions, region{r, n, fill, spans})
		bestFill = max(bestFill, fill)
	}
	if bestFill < paperMinFill {
		return paperShape{}, false
	}
	// Of the regions nearly as compact as the most compact one, the
	// largest: a higher threshold only eats into the paper's shadows.
	var best region
	for _, r := range regions {
		if r.fill >= bestFill-0.03 && r.n > best.n {
			best = r
		}
	}
	box := best.box
	if share := float64(box.Dx()*box.Dy()) / float64(gw*gh); share > paperMaxShare {
		return paperShape{}, false
	}
	// The background must be clearly darker than the paper; a scan's
	// faint show-through or a shadow on white is not a background.
	var in, out []float64
	for i, v := range bright {
		if (image.Point{i % gw, i / gw}).In(box) {
			in = append(in, v)
		} else {
			out = append(out, v)
		}
	}
	if median(in)-median(out) < paperMinContrast {
		return paperShape{}, false
	}
	// A margin of 2% keeps the paper's edge and the print near it, in
	// the shadow of a hand or a fold.
	m := max(1, paperGrid/50)
	x0, y0 := max(0, box.Min.X-m), max(0, box.Min.Y-m)
	x1, y1 := min(gw, box.Max.X+m), min(gh, box.Max.Y+m)
	r := image.Rect(b.Min.X+x0*cell, b.Min.Y+y0*cell, b.Min.X+x1*cell, b.Min.Y+y1*cell)
	if x1 == gw {
		r.Max.X = b.Max.X
	}
	if y1 == gh {
		r.Max.Y = b.Max.Y
	}
	return paperShape{Rect: r, origin: b.Min, cell: cell, margin: m, spans: best.spans}, true
}

// paperShape is where findPaper found the paper.
type paperShape struct {
	// Rect is the paper's bounding box with a margin, in the image's
	// pixels.
	Rect image.Rectangle

	origin       image.Point // the image's pixel at the grid's origin
	cell, margin int         // the grid's cell size; the margin in cells
	spans        [][2]int    // per grid row, the paper's columns [x0, x1)
}

// whiten paints white what lies beside the paper in g, the part Rect of
// the image: the background left in the corners of the bounding box of a
// tilted or narrow receipt, whose texture Tesseract would read as
// letters. The margin around the paper is kept.
func (s paperShape) whiten(g *image.Gray) {
	gh := len(s.spans)
	// Each grid row keeps the union of the spans within the margin of
	// it, so that the paper's outline is followed loosely.
	keep := make([][2]int, gh)
	for y := range gh {
		lo, hi := math.MaxInt, math.MinInt
		for k := max(0, y-s.margin); k < min(gh, y+s.margin+1); k++ {
			if sp := s.spans[k]; sp[1] > sp[0] {
				lo, hi = min(lo, sp[0]), max(hi, sp[1])
			}
		}
		keep[y] = [2]int{lo - s.margin, hi + s.margin}
	}
	for y := range g.Rect.Dy() {
		gy := (s.Rect.Min.Y + y - s.origin.Y) / s.cell
		if gy < 0 || gy >= gh || keep[gy][0] > keep[gy][1] {
			continue
		}
		x0 := keep[gy][0]*s.cell + s.origin.X - s.Rect.Min.X
		x1 := keep[gy][1]*s.cell + s.origin.X - s.Rect.Min.X
		row := g.Pix[y*g.Stride : y*g.Stride+g.Rect.Dx()]
		for x := range row {
			if x < x0 || x >= x1 {
				row[x] = 255
			}
		}
	}
}

// largestRegion returns the bounding box, in cells, of the largest
// 4-connected region of the cells of the gw×gh grid v brighter than t,
// the number of its cells, and the span of columns it reaches from its
// leftmost to its rightmost cell in each row. The box spans the rows and columns that
// hold at least two of its cells, so that a thin bright thread joined to
// the region does not stretch it.
func largestRegion(v []float64, gw, gh int, t float64) (image.Rectangle, int, [][2]int) {
	label := make([]int32, gw*gh)
	var best, next int32
	bestN := 0
	var stack []int
	for i, x := range v {
		if x <= t || label[i] != 0 {
			continue
		}
		next++
		n := 0
		stack = append(stack[:0], i)
		label[i] = next
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			n++
			x := j % gw
			for _, k := range [4]int{j - 1, j + 1, j - gw, j + gw} {
				switch {
				case k == j-1 && x == 0, k == j+1 && x == gw-1, k < 0, k >= len(v):
					continue
				}
				if v[k] > t && label[k] == 0 {
					label[k] = next
					stack = append(stack, k)
				}
			}
		}
		if n > bestN {
			best, bestN = next, n
		}
	}
	if bestN == 0 {
		return image.Rectangle{}, 0, nil
	}
	cols, rows := make([]int, gw), make([]int, gh)
	spans := make([][2]int, gh)
	for i, l := range label {
		if l == best {
			x, y := i%gw, i/gw
			cols[x]++
			rows[y]++
			if sp := &spans[y]; sp[0] == sp[1] {
				*sp = [2]int{x, x + 1}
			} else {
				sp[1] = x + 1
			}
		}
	}
	x0, x1 := span(cols, 2)
	y0, y1 := span(rows, 2)
	if x1 <= x0 || y1 <= y0 {
		return image.Rectangle{}, 0, nil
	}
	return image.Rect(x0, y0, x1, y1), bestN, spans
}

// median returns the middle of vs, which it sorts; 0 when vs is empty.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	slices.Sort(vs)
	return vs[len(vs)/2]
}

// span returns the first and one past the last index of counts holding at
// least min.
func span(counts []int, min int) (int, int) {
	lo, hi := -1, -1
	for i, n := range counts {
		if n >= min {
			if lo < 0 {
				lo = i
			}
			hi = i + 1
		}
	}
	return lo, hi
}

// cellBrightness samples img in a gw×gh grid of cell×cell blocks and
// returns for each cell the mean brightness of its brighter quarter of
// samples, which on paper is the paper between the letters. A sample's
// brightness is its brightest channel, 0-255.
func cellBrightness(img image.Image, cell, gw, gh int) []float64 {
	b := img.Bounds()
	out := make([]float64, gw*gh)
	// Up to 4×4 samples per cell.
	step := max(1, cell/4)
	var vs []float64
	for gy := range gh {
		for gx := range gw {
			vs = vs[:0]
			for y := gy * cell; y < (gy+1)*cell; y += step {
				for x := gx * cell; x < (gx+1)*cell; x += step {
					vs = append(vs, brightness(img, b.Min.X+x, b.Min.Y+y))
				}
			}
			slices.Sort(vs)
			k := max(1, len(vs)/4)
			var s float64
			for _, v := range vs[len(vs)-k:] {
				s += v
			}
			out[gy*gw+gx] = s / float64(k)
		}
	}
	return out
}

// brightness returns the brightest of one pixel's red, green and blue.
func brightness(img image.Image, x, y int) float64 {
	switch m := img.(type) {
	case *image.Gray:
		return float64(m.Pix[m.PixOffset(x, y)])
	case *image.YCbCr:
		yi, ci := m.YOffset(x, y), m.COffset(x, y)
		cb, cr := float64(m.Cb[ci])-128, float64(m.Cr[ci])-128
		// BT.601, as image/color converts.
		return min(255, float64(m.Y[yi])+max(1.402*cr, -0.344*cb-0.714*cr, 1.772*cb))
	}
	r, g, bl, _ := img.At(x, y).RGBA()
	return float64(max(r, g, bl) >> 8)
}

// otsu returns the threshold that best splits vs, values 0-255, into a
// dark and a bright class (Otsu's method).
func otsu(vs []float64) float64 {
	var hist [256]int
	for _, v := range vs {
		hist[min(255, max(0, int(v)))]++
	}
	total := len(vs)
	var sum float64
	for i, n := range hist {
		sum += float64(i * n)
	}
	var sumB float64
	var wB int
	best, bestVar := 0.0, -1.0
	for i, n := range hist {
		wB += n
		if wB == 0 {
			continue
		}
		wF := total - wB
		if wF == 0 {
			break
		}
		sumB += float64(i * n)
		mB := sumB / float64(wB)
		mF := (sum - sumB) / float64(wF)
		v := float64(wB) * float64(wF) * (mB - mF) * (mB - mF)
		if v > bestVar {
			best, bestVar = float64(i), v
		}
	}
	return best
}

// normaliseLight evens out the lighting of a photographed page: each
// pixel is divided by the brightness of the paper around it, estimated
// from the brightest pixels of blocks a few text lines tall and smoothed,
// so that shadows, gradients and a tint become white paper and the print
// keeps its contrast against it. block is the block size in pixels.
func normaliseLight(g *image.Gray, block int) {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	block = max(4, block)
	bw, bh := (w+block-1)/block, (h+block-1)/block
	bg := make([]float64, bw*bh)
	var vals []int
	for by := range bh {
		for bx := range bw {
			vals = vals[:0]
			for y := by * block; y < min(h, (by+1)*block); y += 2 {
				row := g.Pix[y*g.Stride:]
				for x := bx * block; x < min(w, (bx+1)*block); x += 2 {
					vals = append(vals, int(row[x]))
				}
			}
			// A high percentile, not the maximum, so that a speck of
			// glare does not darken the block.
			slices.Sort(vals)
			bg[by*bw+bx] = float64(vals[len(vals)*9/10])
		}
	}
	// A block that holds only print borrows from its neighbours: take
	// the median of each 3×3 neighbourhood, which follows a gradient of
	// light, then smooth with the mean of it.
	bg = blockFilter(bg, bw, bh, median)
	bg = blockFilter(bg, bw, bh, func(a []float64) float64 {
		var s float64
		for _, v := range a {
			s += v
		}
		return s / float64(len(a))
	})
	// Bilinear interpolation of the block grid at each pixel.
	for y := range h {
		fy := (float64(y)+0.5)/float64(block) - 0.5
		y0 := min(max(0, int(math.Floor(fy))), bh-1)
		y1 := min(y0+1, bh-1)
		ay := min(max(0, fy-float64(y0)), 1)
		row := g.Pix[y*g.Stride : y*g.Stride+w]
		for x := range row {
			fx := (float64(x)+0.5)/float64(block) - 0.5
			x0 := min(max(0, int(math.Floor(fx))), bw-1)
			x1 := min(x0+1, bw-1)
			ax := min(max(0, fx-float64(x0)), 1)
			top := bg[y0*bw+x0]*(1-ax) + bg[y0*bw+x1]*ax
			bot := bg[y1*bw+x0]*(1-ax) + bg[y1*bw+x1]*ax
			p := top*(1-ay) + bot*ay
			if p < 1 {
				p = 1
			}
			row[x] = uint8(min(255, math.Round(float64(row[x])*255/p)))
		}
	}
}

// blockFilter applies f to each cell's 3×3 neighbourhood in a w×h grid.
func blockFilter(v []float64, w, h int, f func([]float64) float64) []float64 {
	out := make([]float64, len(v))
	var nb []float64
	for y := range h {
		for x := range w {
			nb = nb[:0]
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if xx, yy := x+dx, y+dy; xx >= 0 && yy >= 0 && xx < w && yy < h {
						nb = append(nb, v[yy*w+xx])
					}
				}
			}
			out[y*w+x] = f(nb)
		}
	}
	return out
}

// crop copies the part r of g into a new grey image at the origin.
func crop(g *image.Gray, r image.Rectangle) *image.Gray {
	r = r.Intersect(g.Rect)
	out := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := range r.Dy() {
		copy(out.Pix[y*out.Stride:y*out.Stride+r.Dx()], g.Pix[g.PixOffset(r.Min.X, r.Min.Y+y):])
	}
	return out
}

// warpStrips is the number of vertical strips lineOffsets cuts a band
// into.
const warpStrips = 10

// lineOffsets measures how a photographed receipt's lines wander: in
// horizontal bands of some eight lines (lh pixels each) and vertical
// strips of a tenth of the width, how far below the band's mean each
// strip's lines lie, found by matching each strip's row profile of ink
// against its neighbour's within less than a line. This follows a tilt
// that changes down the page and a bend across it, as where the name
// column of a curled receipt sits half a line above the prices. It
// returns the bands' middle rows, the strips' middle columns and the
// offsets by band and strip, or nils when every band's lines are level
// to within half a line or too little text was found to tell.
func lineOffsets(b bitmap, lh int) (mids, xs []float64, off [][]float64) {
	bh := max(8*lh, b.h/8)
	sw := b.w / warpStrips
	if lh < 3 || b.h < 3*bh || sw < 4 {
		return nil, nil, nil
	}
	for s := range warpStrips {
		xs = append(xs, (float64(s)+0.5)*float64(sw))
	}
	n := b.h / bh
	bent := false
	prof := make([][]float64, warpStrips)
	for i := range n {
		y0, y1 := i*b.h/n, (i+1)*b.h/n
		var used []int
		for s := range warpStrips {
			p := make([]float64, y1-y0)
			total := 0
			for y := y0; y < y1; y++ {
				c := 0
				for _, on := range b.on[y*b.w+s*sw : y*b.w+(s+1)*sw] {
					if on {
						c++
					}
				}
				p[y-y0] = float64(c)
				total += c
			}
			prof[s] = p
			// A strip with a few letters' worth of ink says something.
			if total >= sw*lh/2 {
				used = append(used, s)
			}
		}
		if len(used) < 3 {
			continue
		}
		o := make([]float64, warpStrips)
		for k := 1; k < len(used); k++ {
			a, c := prof[used[k-1]], prof[used[k]]
			reach := min(lh, max(1, lh*(used[k]-used[k-1])*2/3))
			best, bestScore := 0, -1.0
			for d := -reach; d <= reach; d++ {
				var sc float64
				for y := max(0, -d); y < min(len(a), len(a)-d); y++ {
					sc += a[y] * c[y+d]
				}
				if sc > bestScore {
					best, bestScore = d, sc
				}
			}
			o[used[k]] = o[used[k-1]] + float64(best)
			// Strips between used ones lie on the line joining them.
			for s := used[k-1] + 1; s < used[k]; s++ {
				a := float64(s-used[k-1]) / float64(used[k]-used[k-1])
				o[s] = o[used[k-1]]*(1-a) + o[used[k]]*a
			}
		}
		for s := 0; s < used[0]; s++ {
			o[s] = o[used[0]]
		}
		for s := used[len(used)-1] + 1; s < warpStrips; s++ {
			o[s] = o[used[len(used)-1]]
		}
		lo, hi := slices.Min(o), slices.Max(o)
		if hi-lo >= float64(lh)/2 {
			bent = true
		}
		var mean float64
		for _, v := range o {
			mean += v
		}
		mean /= float64(len(o))
		for s := range o {
			o[s] -= mean
		}
		mids = append(mids, float64(y0+y1)/2)
		off = append(off, o)
	}
	if !bent || len(mids) < 2 {
		return nil, nil, nil
	}
	return mids, xs, off
}

// unwarp levels the lines of g as lineOffsets measured them (in a grid f
// times smaller than g): each pixel is taken from the rows below or above
// it by the offset interpolated between the bands' and strips' middles.
// Rows brought in from beyond the page are white.
func unwarp(g *image.Gray, mids, xs []float64, off [][]float64, f int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	// locate returns the index i and weight a such that v lies between
	// at[i] and at[i+1], a of the way, clamped at the ends.
	locate := func(at []float64, v float64) (int, float64) {
		if v <= at[0] {
			return 0, 0
		}
		for i := 1; i < len(at); i++ {
			if v <= at[i] {
				return i - 1, (v - at[i-1]) / (at[i] - at[i-1])
			}
		}
		return len(at) - 2, 1
	}
	col := make([]float64, w)
	for y := range h {
		bi, by := locate(mids, float64(y)/float64(f))
		for x := range w {
			si, sx := locate(xs, float64(x)/float64(f))
			top := off[bi][si]*(1-sx) + off[bi][si+1]*sx
			bot := off[bi+1][si]*(1-sx) + off[bi+1][si+1]*sx
			col[x] = (top*(1-by) + bot*by) * float64(f)
		}
		row := out.Pix[y*out.Stride : y*out.Stride+w]
		for x := range row {
			sy := float64(y) + col[x]
			y0 := int(math.Floor(sy))
			a := sy - float64(y0)
			v0, v1 := 255.0, 255.0
			if y0 >= 0 && y0 < h {
				v0 = float64(g.Pix[y0*g.Stride+x])
			}
			if y0+1 >= 0 && y0+1 < h {
				v1 = float64(g.Pix[(y0+1)*g.Stride+x])
			}
			row[x] = uint8(v0*(1-a) + v1*a + 0.5)
		}
	}
	return out
}
