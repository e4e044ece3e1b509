package imaging

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"os"
	"strings"
	"testing"

	"github.com/tillhq/till"
)

// tinyWebP is a 1×1 lossless WebP, the smallest valid file of the format.
const tinyWebP = "RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"

// pngHeader returns the signature and IHDR chunk of a w×h grey PNG: enough
// for DecodeConfig, and nothing to decode.
func pngHeader(w, h uint32) []byte {
	ihdr := make([]byte, 4+13)
	copy(ihdr, "IHDR")
	binary.BigEndian.PutUint32(ihdr[4:], w)
	binary.BigEndian.PutUint32(ihdr[8:], h)
	ihdr[12] = 8 // bit depth; colour type 0 (grey)
	b := []byte("\x89PNG\r\n\x1a\n")
	b = binary.BigEndian.AppendUint32(b, 13)
	b = append(b, ihdr...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(ihdr))
}

// withJPEGSize rewrites the dimensions in a JPEG's start-of-frame header.
func withJPEGSize(t testing.TB, data []byte, w, h uint16) []byte {
	t.Helper()
	out := bytes.Clone(data)
	i := bytes.Index(out, []byte{0xff, 0xc0})
	if i < 0 {
		t.Fatal("no SOF0 marker")
	}
	binary.BigEndian.PutUint16(out[i+5:], h)
	binary.BigEndian.PutUint16(out[i+7:], w)
	return out
}

func TestDecode(t *testing.T) {
	page := receipt(t, 20, "TOTAL 12.34")
	jpg := encodeJPEG(t, page, 90)
	pngData := encodePNG(t, page)
	var gifData bytes.Buffer
	if err := gif.Encode(&gifData, image.NewPaletted(image.Rect(0, 0, 4, 4), []color.Color{color.White}), nil); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name      string
		data      []byte
		opt       DecodeOptions
		format    Format
		size      image.Point
		kind      till.Kind
		msgHas    []string
		wantError bool
	}{
		{name: "JPEG", data: jpg, format: JPEG, size: page.Rect.Size()},
		{name: "PNG", data: pngData, format: PNG, size: page.Rect.Size()},
		{name: "WebP", data: []byte(tinyWebP), format: WebP, size: image.Pt(1, 1)},
		{name: "empty", data: nil, wantError: true, kind: till.KindInvalid, msgHas: []string{"empty"}},
		{name: "truncated JPEG", data: jpg[:len(jpg)/2], wantError: true, kind: till.KindInvalid, msgHas: []string{"JPEG"}},
		{name: "JPEG header only", data: jpg[:2], wantError: true, kind: till.KindInvalid},
		{name: "corrupt PNG", data: append(pngHeader(100, 100), "IDAT garbage"...), wantError: true, kind: till.KindInvalid, msgHas: []string{"PNG"}},
		{name: "truncated WebP", data: []byte(tinyWebP[:20]), wantError: true, kind: till.KindInvalid, msgHas: []string{"WebP"}},
		{name: "GIF", data: gifData.Bytes(), wantError: true, kind: till.KindUnsupported, msgHas: []string{"GIF", "JPEG, PNG or WebP"}},
		{name: "HEIC", data: []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), wantError: true, kind: till.KindUnsupported, msgHas: []string{"HEIC", "JPEG, PNG or WebP"}},
		{name: "AVIF", data: []byte("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00"), wantError: true, kind: till.KindUnsupported, msgHas: []string{"AVIF"}},
		{name: "TIFF", data: []byte("II*\x00\x08\x00\x00\x00"), wantError: true, kind: till.KindUnsupported, msgHas: []string{"TIFF"}},
		{name: "BMP", data: []byte("BM\x36\x00\x00\x00\x00\x00"), wantError: true, kind: till.KindUnsupported, msgHas: []string{"BMP"}},
		{name: "PDF", data: []byte("%PDF-1.7\n"), wantError: true, kind: till.KindUnsupported, msgHas: []string{"PDF"}},
		{name: "text", data: []byte("hello, this is not an image"), wantError: true, kind: till.KindUnsupported, msgHas: []string{"JPEG, PNG or WebP"}},
		{name: "PNG over the default limit", data: pngHeader(8000, 6000), wantError: true, kind: till.KindTooLarge, msgHas: []string{"8000×6000", "40 megapixels"}},
		{name: "JPEG over the default limit", data: withJPEGSize(t, jpg, 65000, 65000), wantError: true, kind: till.KindTooLarge},
		{name: "JPEG over a set limit", data: jpg, opt: DecodeOptions{MaxPixels: 100}, wantError: true, kind: till.KindTooLarge},
		{name: "JPEG of zero height", data: withJPEGSize(t, jpg, 10, 0), wantError: true, kind: till.KindInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Decode(tc.data, tc.opt)
			if tc.wantError {
				if err == nil {
					t.Fatalf("no error; decoded a %s of %v", d.Format, d.Image.Bounds())
				}
				if k := till.ErrorKind(err); k != tc.kind {
					t.Errorf("kind %v, want %v (%v)", k, tc.kind, err)
				}
				msg, _ := till.ErrorMessage(err)
				for _, s := range tc.msgHas {
					if !strings.Contains(msg, s) {
						t.Errorf("message %q lacks %q", msg, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Format != tc.format || d.Image.Bounds().Size() != tc.size || d.Orientation != 1 {
				t.Errorf("got %s %v orientation %d, want %s %v orientation 1", d.Format, d.Image.Bounds().Size(), d.Orientation, tc.format, tc.size)
			}
		})
	}
}

// TestDecodeReceipts decodes the phone photos, whose file names often lie
// about their format.
func TestDecodeReceipts(t *testing.T) {
	seen := map[Format]int{}
	for _, p := range receiptFiles(t, "us-grocery-items-dev") {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Decode(data, DecodeOptions{})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		seen[d.Format]++
		if b := d.Image.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
			t.Errorf("%s: decoded size %v", p, b)
		}
	}
	if len(seen) < 2 {
		t.Errorf("formats seen %v; the folder mixes JPEG, WebP and PNG under .jpg names", seen)
	}
}

func FuzzDecode(f *testing.F) {
	page := receipt(f, 12, "TOTAL 1.00")
	f.Add(encodeJPEG(f, page, 50))
	f.Add(encodePNG(f, page))
	f.Add([]byte(tinyWebP))
	f.Add(pngHeader(100000, 100000))
	f.Add([]byte("\x00\x00\x00\x18ftypheic"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// A small limit keeps each run quick; the header check comes first.
		d, err := Decode(data, DecodeOptions{MaxPixels: 1 << 20})
		if err != nil {
			switch till.ErrorKind(err) {
			case till.KindInvalid, till.KindUnsupported, till.KindTooLarge:
			default:
				t.Fatalf("error of kind %v: %v", till.ErrorKind(err), err)
			}
			return
		}
		if b := d.Image.Bounds(); b.Empty() || b.Dx()*b.Dy() > 1<<20 {
			t.Fatalf("decoded %v", b)
		}
	})
}
