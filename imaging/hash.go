package imaging

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"math"
	"math/bits"
	"slices"
	"strconv"
)

// SHA256 returns the hex SHA-256 of an image file's bytes, which
// identifies an exact re-upload.
func SHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Hash is a 64-bit perceptual hash: pictures that look alike have hashes
// a small Hamming distance apart, whatever their size, encoding or
// compression.
type Hash uint64

// String returns the hash as 16 hex digits.
func (h Hash) String() string { return fmt.Sprintf("%016x", uint64(h)) }

// ParseHash reads a hash written by Hash.String.
func ParseHash(s string) (Hash, error) {
	if len(s) != 16 {
		return 0, fmt.Errorf("imaging: hash %q: want 16 hex digits", s)
	}
	v, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("imaging: hash %q: %w", s, err)
	}
	return Hash(v), nil
}

// Distance returns the number of bits in which a and b differ, 0 to 64.
// On the SROIE scans, copies rescaled and re-compressed as JPEG are within
// 4 bits, and different receipts are 30 apart in the median; but receipts
// printed from one shop's template can be as near as copies, so a small
// distance makes two uploads candidates for one receipt, to be confirmed by
// what they say.
func Distance(a, b Hash) int { return bits.OnesCount64(uint64(a ^ b)) }

// PerceptualHash computes a DCT hash (pHash) of img: the picture's
// brightness averaged down to 32×32, its 8×8 lowest 2-D cosine
// frequencies, and one bit per frequency saying whether it is above their
// median. Unlike a difference hash, it separates receipts, which are all
// dark text on light paper, by the layout of their text.
func PerceptualHash(img image.Image) Hash {
	const n = 32
	small := areaMean(Luma(img), n, n)
	// Separable DCT-II, keeping the first 8 frequencies in each direction.
	var rows [n][8]float64
	for y := range n {
		for u := range 8 {
			var s float64
			for x := range n {
				s += small[y*n+x] * dctCos[u][x]
			}
			rows[y][u] = s
		}
	}
	var coef [64]float64
	for v := range 8 {
		for u := range 8 {
			var s float64
			for y := range n {
				s += rows[y][u] * dctCos[v][y]
			}
			coef[v*8+u] = s
		}
	}
	// The DC term only measures overall brightness; leave it out of the
	// median so that the other 63 bits split evenly.
	sorted := slices.Clone(coef[1:])
	slices.Sort(sorted)
	median := (sorted[31] + sorted[30]) / 2
	var h Hash
	for i, c := range coef {
		if c > median {
			h |= 1 << uint(63-i)
		}
	}
	return h
}

var dctCos = func() (t [8][32]float64) {
	for u := range 8 {
		for x := range 32 {
			t[u][x] = math.Cos(float64(2*x+1) * float64(u) * math.Pi / 64)
		}
	}
	return t
}()

// areaMean shrinks g to w×h by averaging every source pixel into the
// destination cell that covers it, so that no detail is skipped.
func areaMean(g *image.Gray, w, h int) []float64 {
	sum := make([]float64, w*h)
	cnt := make([]float64, w*h)
	gw, gh := g.Rect.Dx(), g.Rect.Dy()
	cx := make([]int, gw)
	for x := range gw {
		cx[x] = x * w / gw
	}
	for y := range gh {
		row := g.Pix[y*g.Stride : y*g.Stride+gw]
		base := (y * h / gh) * w
		for x, v := range row {
			sum[base+cx[x]] += float64(v)
			cnt[base+cx[x]]++
		}
	}
	for i := range sum {
		if cnt[i] > 0 {
			sum[i] /= cnt[i]
		}
	}
	return sum
}
