package imaging

import (
	"bytes"
	"image"
	"image/jpeg"

	xdraw "golang.org/x/image/draw"
)

// ThumbnailWidth is the width Thumbnail uses when asked for 0.
const ThumbnailWidth = 320

// Thumbnail returns img scaled to width pixels across (ThumbnailWidth when
// width is 0), keeping its proportions, as a JPEG of quality 80. Images
// narrower than width keep their size. It fails only if JPEG encoding
// fails, which it does not for an in-memory image.
func Thumbnail(img image.Image, width int) ([]byte, error) {
	if width <= 0 {
		width = ThumbnailWidth
	}
	b := img.Bounds()
	dst := img
	if b.Dx() > width {
		height := max(1, int(int64(b.Dy())*int64(width)/int64(b.Dx())))
		dst = scale(img, width, height)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// scale resizes img to w×h. Shrinking by half or more first averages
// whole blocks of pixels, down to less than twice the target size, which
// is quick and loses nothing a smaller picture can show; Catmull-Rom
// finishes on the few pixels left.
func scale(img image.Image, w, h int) image.Image {
	b := img.Bounds()
	if f := min(b.Dx()/w, b.Dy()/h); f >= 2 {
		img = boxShrink(img, f)
		b = img.Bounds()
	}
	var dst xdraw.Image
	if _, grey := img.(*image.Gray); grey {
		dst = image.NewGray(image.Rect(0, 0, w, h))
	} else {
		dst = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), img, b, xdraw.Src, nil)
	return dst
}

// boxShrink divides img's size by f, each output pixel the mean of an f×f
// block. Grey stays grey; anything else becomes RGBA.
func boxShrink(img image.Image, f int) image.Image {
	b := img.Bounds()
	w, h := b.Dx()/f, b.Dy()/f
	if g, ok := img.(*image.Gray); ok {
		out := image.NewGray(image.Rect(0, 0, w, h))
		acc := make([]int, w)
		for oy := range h {
			clear(acc)
			for y := oy * f; y < oy*f+f; y++ {
				row := g.Pix[g.PixOffset(b.Min.X, b.Min.Y+y):]
				for ox := range w {
					s := 0
					for _, v := range row[ox*f : ox*f+f] {
						s += int(v)
					}
					acc[ox] += s
				}
			}
			for ox, s := range acc {
				out.Pix[oy*out.Stride+ox] = uint8(s / (f * f))
			}
		}
		return out
	}
	rgba, ok := img.(*image.RGBA)
	if !ok {
		rgba = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		xdraw.Draw(rgba, rgba.Rect, img, b.Min, xdraw.Src)
		b = rgba.Rect
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	acc := make([]int, 4*w)
	for oy := range h {
		clear(acc)
		for y := oy * f; y < oy*f+f; y++ {
			row := rgba.Pix[rgba.PixOffset(b.Min.X, b.Min.Y+y):]
			for ox := range w {
				a := acc[ox*4 : ox*4+4 : ox*4+4]
				px := row[ox*f*4 : (ox+1)*f*4]
				for i := 0; i+3 < len(px); i += 4 {
					a[0] += int(px[i])
					a[1] += int(px[i+1])
					a[2] += int(px[i+2])
					a[3] += int(px[i+3])
				}
			}
		}
		for i, s := range acc {
			out.Pix[oy*out.Stride+i] = uint8(s / (f * f))
		}
	}
	return out
}
