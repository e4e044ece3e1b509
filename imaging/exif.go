package imaging

import (
	"encoding/binary"
	"image"
	"image/draw"
)

// JPEGOrientation returns the EXIF orientation (1–8) recorded in a JPEG
// file's APP1 segment, or 1 when there is none or it cannot be read. It
// reads only the segment headers before the image data and never fails:
// a malformed EXIF block just means "upright".
func JPEGOrientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xff || data[1] != 0xd8 {
		return 1
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xff {
			return 1
		}
		marker := data[i+1]
		switch {
		case marker == 0xff: // fill byte
			i++
			continue
		case marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7):
			i += 2 // markers without a length
			continue
		case marker == 0xda || marker == 0xd9: // start of scan, end of image
			return 1
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return 1
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xe1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			if o := tiffOrientation(seg[6:]); o != 0 {
				return o
			}
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation reads tag 0x0112 from the first IFD of a TIFF-structured
// EXIF block, or returns 0 when it is absent or malformed.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 0
	}
	ifd := int64(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > int64(len(t)) {
		return 0
	}
	n := int64(bo.Uint16(t[ifd:]))
	for e := ifd + 2; e+12 <= int64(len(t)) && n > 0; e, n = e+12, n-1 {
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		// SHORT, one value, stored in the first two bytes of the value field.
		if bo.Uint16(t[e+2:]) != 3 || bo.Uint32(t[e+4:]) != 1 {
			return 0
		}
		if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
			return o
		}
		return 0
	}
	return 0
}

// Orient returns img turned by an EXIF orientation so that it appears
// upright: 2 mirrors it, 3 turns it half round, 4 flips it, 5 transposes
// it, 6 turns it a quarter clockwise, 7 transverses it and 8 turns it a
// quarter anticlockwise. Orientation 1 or an unknown value returns img
// itself. The result is an *image.Gray for grey input and an *image.RGBA
// otherwise, with its origin at (0, 0).
func Orient(img image.Image, orientation int) image.Image {
	if orientation < 2 || orientation > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	// Pixels are moved whole, so the source is first made into one of the
	// two layouts with 1 or 4 bytes per pixel.
	var src, dst []byte
	var srcStride, dstStride, bpp int
	var out image.Image
	ow, oh := w, h
	if orientation >= 5 {
		ow, oh = h, w
	}
	if g, ok := img.(*image.Gray); ok {
		bpp = 1
		src, srcStride = g.Pix[g.PixOffset(b.Min.X, b.Min.Y):], g.Stride
		o := image.NewGray(image.Rect(0, 0, ow, oh))
		dst, dstStride, out = o.Pix, o.Stride, o
	} else {
		bpp = 4
		rgba, ok := img.(*image.RGBA)
		if !ok {
			rgba = image.NewRGBA(image.Rect(0, 0, w, h))
			draw.Draw(rgba, rgba.Rect, img, b.Min, draw.Src)
			b = rgba.Rect
		}
		src, srcStride = rgba.Pix[rgba.PixOffset(b.Min.X, b.Min.Y):], rgba.Stride
		o := image.NewRGBA(image.Rect(0, 0, ow, oh))
		dst, dstStride, out = o.Pix, o.Stride, o
	}
	for y := range h {
		row := src[y*srcStride : y*srcStride+w*bpp]
		for x := range w {
			var dx, dy int
			switch orientation {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			}
			copy(dst[dy*dstStride+dx*bpp:dy*dstStride+dx*bpp+bpp], row[x*bpp:x*bpp+bpp])
		}
	}
	return out
}
