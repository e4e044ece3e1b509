package imaging

import (
	"image"
	"testing"
)

func TestThumbnail(t *testing.T) {
	tests := []struct {
		name  string
		img   image.Image
		width int
		want  image.Point
	}{
		{name: "phone photo", img: image.NewRGBA(image.Rect(0, 0, 3000, 4000)), want: image.Pt(320, 426)},
		{name: "grey scan", img: image.NewGray(image.Rect(0, 0, 1000, 3000)), want: image.Pt(320, 960)},
		{name: "YCbCr with an offset origin", img: image.NewYCbCr(image.Rect(10, 10, 650, 1290), image.YCbCrSubsampleRatio420), want: image.Pt(320, 640)},
		{name: "chosen width", img: image.NewGray(image.Rect(0, 0, 1000, 500)), width: 100, want: image.Pt(100, 50)},
		{name: "narrower than the thumbnail", img: image.NewGray(image.Rect(0, 0, 200, 300)), want: image.Pt(200, 300)},
		{name: "a thin strip", img: image.NewGray(image.Rect(0, 0, 5000, 3)), want: image.Pt(320, 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := Thumbnail(tc.img, tc.width)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Decode(data, DecodeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if d.Format != JPEG || d.Image.Bounds().Size() != tc.want {
				t.Errorf("thumbnail is a %s of %v, want a JPEG of %v", d.Format, d.Image.Bounds().Size(), tc.want)
			}
		})
	}
}

// TestThumbnailKeepsTheText checks that shrinking averages rather than
// samples: a receipt's text must stay visible as grey, not vanish between
// sampled pixels.
func TestThumbnailKeepsTheText(t *testing.T) {
	page := receipt(t, 14, "TOTAL 12.34 CASH 20.00 CHANGE 7.66 THANK YOU")
	big := scale(page, page.Rect.Dx()*4, page.Rect.Dy()*4)
	small := Luma(scale(big, page.Rect.Dx()/2, page.Rect.Dy()/2))
	var darkest uint8 = 255
	for _, v := range small.Pix {
		darkest = min(darkest, v)
	}
	if darkest > 160 {
		t.Errorf("darkest pixel of the shrunk text is %d; the text was lost", darkest)
	}
}
