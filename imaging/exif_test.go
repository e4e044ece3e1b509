package imaging

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/draw"
	"testing"
)

// exifSegment returns an APP1 segment whose first IFD holds an
// orientation tag, in the given byte order.
func exifSegment(bo binary.AppendByteOrder, orientation uint16) []byte {
	var t []byte
	if bo == binary.LittleEndian {
		t = []byte("II*\x00")
	} else {
		t = []byte("MM\x00*")
	}
	t = bo.AppendUint32(t, 8)      // first IFD right after the header
	t = bo.AppendUint16(t, 2)      // two entries
	t = bo.AppendUint16(t, 0x010f) // Make, ASCII, pointing nowhere useful
	t = bo.AppendUint16(t, 2)
	t = bo.AppendUint32(t, 4)
	t = append(t, "Til\x00"...)
	t = bo.AppendUint16(t, 0x0112) // Orientation, SHORT, 1 value
	t = bo.AppendUint16(t, 3)
	t = bo.AppendUint32(t, 1)
	t = bo.AppendUint16(t, orientation)
	t = append(t, 0, 0)
	t = bo.AppendUint32(t, 0) // no next IFD
	seg := append([]byte("Exif\x00\x00"), t...)
	out := []byte{0xff, 0xe1}
	out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
	return append(out, seg...)
}

// withSegment inserts a segment right after a JPEG's start-of-image marker.
func withSegment(jpg, seg []byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func TestJPEGOrientation(t *testing.T) {
	jpg := encodeJPEG(t, image.NewGray(image.Rect(0, 0, 8, 8)), 90)
	tests := []struct {
		name string
		data []byte
		want int
	}{
		{name: "no EXIF", data: jpg, want: 1},
		{name: "little-endian 6", data: withSegment(jpg, exifSegment(binary.LittleEndian, 6)), want: 6},
		{name: "big-endian 8", data: withSegment(jpg, exifSegment(binary.BigEndian, 8)), want: 8},
		{name: "after a JFIF segment", data: withSegment(withSegment(jpg, exifSegment(binary.BigEndian, 3)), []byte("\xff\xe0\x00\x07JFIF\x00")), want: 3},
		{name: "out of range value", data: withSegment(jpg, exifSegment(binary.LittleEndian, 9)), want: 1},
		{name: "zero value", data: withSegment(jpg, exifSegment(binary.LittleEndian, 0)), want: 1},
		{name: "segment longer than the file", data: withSegment(jpg, exifSegment(binary.LittleEndian, 6))[:30], want: 1},
		{name: "not a JPEG", data: []byte("\x89PNG\r\n\x1a\n"), want: 1},
		{name: "empty", data: nil, want: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := JPEGOrientation(tc.data); got != tc.want {
				t.Errorf("JPEGOrientation = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestDecodeOrientation checks each EXIF orientation on a 32×16 picture
// with a dark square in its top-left corner: after Decode the square must
// be where the viewer would see it.
func TestDecodeOrientation(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 32, 16))
	draw.Draw(src, src.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(src, image.Rect(0, 0, 8, 8), image.Black, image.Point{}, draw.Src)
	jpg := encodeJPEG(t, src, 95)

	const tl, tr, br, bl = "top-left", "top-right", "bottom-right", "bottom-left"
	tests := []struct {
		orientation int
		wide        bool // whether the result is still 32 wide
		corner      string
	}{
		{1, true, tl}, {2, true, tr}, {3, true, br}, {4, true, bl},
		{5, false, tl}, {6, false, tr}, {7, false, br}, {8, false, bl},
	}
	for _, tc := range tests {
		for _, bo := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
			t.Run(bo.String()+"/"+string(rune('0'+tc.orientation)), func(t *testing.T) {
				data := withSegment(jpg, exifSegment(bo, uint16(tc.orientation)))
				d, err := Decode(data, DecodeOptions{})
				if err != nil {
					t.Fatal(err)
				}
				b := d.Image.Bounds()
				if wide := b.Dx() == 32 && b.Dy() == 16; wide != tc.wide {
					t.Fatalf("size %v after orientation %d", b.Size(), tc.orientation)
				}
				if d.Orientation != tc.orientation {
					t.Errorf("Orientation = %d, want %d", d.Orientation, tc.orientation)
				}
				corners := map[string]image.Point{
					tl: {b.Min.X + 3, b.Min.Y + 3}, tr: {b.Max.X - 4, b.Min.Y + 3},
					br: {b.Max.X - 4, b.Max.Y - 4}, bl: {b.Min.X + 3, b.Max.Y - 4},
				}
				for name, p := range corners {
					y := Luma(d.Image).GrayAt(p.X-b.Min.X, p.Y-b.Min.Y).Y
					if dark := y < 100; dark != (name == tc.corner) {
						t.Errorf("corner %s has brightness %d; the dark square should be %s", name, y, tc.corner)
					}
				}
			})
		}
	}
}

func FuzzJPEGOrientation(f *testing.F) {
	jpg := encodeJPEG(f, image.NewGray(image.Rect(0, 0, 8, 8)), 90)
	f.Add(jpg)
	f.Add(withSegment(jpg, exifSegment(binary.LittleEndian, 6)))
	f.Add(withSegment(jpg, exifSegment(binary.BigEndian, 8))[:40])
	f.Fuzz(func(t *testing.T, data []byte) {
		o := JPEGOrientation(data)
		if o < 1 || o > 8 {
			t.Fatalf("orientation %d out of range", o)
		}
		if !bytes.HasPrefix(data, []byte{0xff, 0xd8}) && o != 1 {
			t.Fatalf("orientation %d for data that is not a JPEG", o)
		}
	})
}
