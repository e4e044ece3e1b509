package imaging

import (
	"image"
	"os"
	"slices"
	"testing"

	xdraw "golang.org/x/image/draw"
)

// copyOf returns img re-encoded as a JPEG of the given quality after
// scaling it by factor, the way a re-upload through a messaging app
// changes a photo.
func copyOf(t testing.TB, img image.Image, factor float64, quality int) image.Image {
	t.Helper()
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, int(float64(b.Dx())*factor), int(float64(b.Dy())*factor)))
	xdraw.ApproxBiLinear.Scale(dst, dst.Rect, img, b, xdraw.Src, nil)
	d, err := Decode(encodeJPEG(t, dst, quality), DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d.Image
}

func TestPerceptualHash(t *testing.T) {
	a := receipt(t, 24, "FRESH MART SDN BHD", "NO 12 JALAN BESAR", "", "MILK 1L        4.50", "BREAD          3.20", "EGGS 10        5.90", "", "TOTAL         13.60", "CASH          20.00", "CHANGE         6.40")
	b := receipt(t, 24, "KEDAI RUNCIT ANEKA", "", "SUGAR 1KG      2.85", "RICE 5KG      18.90", "COOKING OIL   10.50", "SALT           0.90", "FLOUR 1KG      2.60", "", "TOTAL         35.75", "THANK YOU")
	tests := []struct {
		name     string
		x, y     image.Image
		near     bool
		maxOrMin int // the most bits apart when near, the fewest when not
	}{
		{name: "itself", x: a, y: a, near: true, maxOrMin: 0},
		{name: "re-encoded at quality 40", x: a, y: copyOf(t, a, 1, 40), near: true, maxOrMin: 4},
		{name: "halved and re-encoded", x: a, y: copyOf(t, a, 0.5, 70), near: true, maxOrMin: 6},
		{name: "doubled", x: a, y: copyOf(t, a, 2, 90), near: true, maxOrMin: 6},
		{name: "another receipt", x: a, y: b, near: false, maxOrMin: 16},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Distance(PerceptualHash(tc.x), PerceptualHash(tc.y))
			if tc.near && d > tc.maxOrMin {
				t.Errorf("distance %d, want at most %d", d, tc.maxOrMin)
			}
			if !tc.near && d < tc.maxOrMin {
				t.Errorf("distance %d, want at least %d", d, tc.maxOrMin)
			}
		})
	}
}

// TestPerceptualHashReceipts checks on real scans that each receipt's
// rescaled, re-compressed copy stays near it while different receipts are
// far apart, typically. Receipts printed from one shop's template can be as
// near as copies (two SROIE receipts of one stationery shop hash alike), so
// the hash finds candidates; it does not decide that two uploads are one
// receipt.
func TestPerceptualHashReceipts(t *testing.T) {
	paths := receiptFiles(t, "sroie-dev")
	if len(paths) > 40 {
		paths = paths[:40]
	}
	orig := make([]Hash, len(paths))
	maxNear := 0
	for i, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Decode(data, DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		orig[i] = PerceptualHash(d.Image)
		maxNear = max(maxNear, Distance(orig[i], PerceptualHash(copyOf(t, d.Image, 0.6, 60))))
	}
	var far []int
	for i := range orig {
		for j := i + 1; j < len(orig); j++ {
			far = append(far, Distance(orig[i], orig[j]))
		}
	}
	slices.Sort(far)
	median := far[len(far)/2]
	t.Logf("%d receipts: copies at most %d bits away; other receipts %d at least, %d in the median", len(paths), maxNear, far[0], median)
	if maxNear > 6 {
		t.Errorf("a rescaled copy is %d bits away, want at most 6", maxNear)
	}
	if median < 20 {
		t.Errorf("different receipts are %d bits apart in the median, want at least 20", median)
	}
}

func TestHashString(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Hash
		wantErr bool
	}{
		{name: "round trip", in: Hash(0x0123456789abcdef).String(), want: 0x0123456789abcdef},
		{name: "zero", in: "0000000000000000", want: 0},
		{name: "too short", in: "abc", wantErr: true},
		{name: "not hex", in: "zzzzzzzzzzzzzzzz", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseHash(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("ParseHash(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestSHA256(t *testing.T) {
	const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got := SHA256(nil); got != empty {
		t.Errorf("SHA256(nil) = %s, want %s", got, empty)
	}
}
