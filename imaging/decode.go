// Package imaging turns uploaded receipt images into what the rest of Till
// needs: a decoded, upright picture; a thumbnail; hashes to spot the same
// receipt twice; a grey page prepared for OCR; and the barcodes printed on
// it.
//
// Everything here reads untrusted bytes, so every parser checks its bounds,
// refuses images too large to decode safely, and reports failures as
// *till.Error values: KindUnsupported for formats Till does not read,
// KindInvalid for corrupt data and KindTooLarge for images over the pixel
// limit.
package imaging

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"github.com/tillhq/till"
	"golang.org/x/image/webp"
)

// Format is an image file format, as found in the file's content rather
// than its name.
type Format string

// The formats Sniff recognises. Only JPEG, PNG and WebP can be decoded.
const (
	JPEG    Format = "JPEG"
	PNG     Format = "PNG"
	WebP    Format = "WebP"
	HEIF    Format = "HEIC/HEIF"
	AVIF    Format = "AVIF"
	GIF     Format = "GIF"
	TIFF    Format = "TIFF"
	BMP     Format = "BMP"
	PDF     Format = "PDF"
	JPEGXL  Format = "JPEG XL"
	Unknown Format = "unknown"
)

// ContentType returns the format's media type, or
// "application/octet-stream" for Unknown.
func (f Format) ContentType() string {
	switch f {
	case JPEG:
		return "image/jpeg"
	case PNG:
		return "image/png"
	case WebP:
		return "image/webp"
	case HEIF:
		return "image/heic"
	case AVIF:
		return "image/avif"
	case GIF:
		return "image/gif"
	case TIFF:
		return "image/tiff"
	case BMP:
		return "image/bmp"
	case PDF:
		return "application/pdf"
	case JPEGXL:
		return "image/jxl"
	}
	return "application/octet-stream"
}

// Supported reports whether Decode reads the format.
func (f Format) Supported() bool { return f == JPEG || f == PNG || f == WebP }

// supportedNames is how error messages list the formats Till reads.
const supportedNames = "JPEG, PNG or WebP"

// Sniff names the format of data from its first bytes. File names and
// declared content types are not trusted: phone uploads often carry a
// ".jpg" name on WebP, PNG or HEIC content.
func Sniff(data []byte) Format {
	has := func(off int, sig string) bool {
		return len(data) >= off+len(sig) && string(data[off:off+len(sig)]) == sig
	}
	switch {
	case has(0, "\xff\xd8"):
		return JPEG
	case has(0, "\x89PNG\r\n\x1a\n"):
		return PNG
	case has(0, "RIFF") && has(8, "WEBP"):
		return WebP
	case has(0, "GIF87a"), has(0, "GIF89a"):
		return GIF
	case has(0, "II*\x00"), has(0, "MM\x00*"):
		return TIFF
	case has(0, "BM"):
		return BMP
	case has(0, "%PDF-"):
		return PDF
	case has(0, "\xff\x0a"), has(0, "\x00\x00\x00\x0cJXL \r\n\x87\n"):
		return JPEGXL
	case has(4, "ftyp") && len(data) >= 12:
		switch string(data[8:12]) {
		case "avif", "avis":
			return AVIF
		case "heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs", "mif1", "msf1":
			return HEIF
		}
	}
	return Unknown
}

// DefaultMaxPixels is the pixel limit Decode applies when the options give
// none: 40 megapixels, above any phone camera Till expects, and about
// 160 MB once decoded.
const DefaultMaxPixels = 40_000_000

// DecodeOptions tune Decode. The zero value is ready to use.
type DecodeOptions struct {
	// MaxPixels is the largest width × height Decode accepts, checked on
	// the header before any pixel is decoded; 0 means DefaultMaxPixels.
	MaxPixels int
}

// Decoded is an image read from a file, turned upright.
type Decoded struct {
	Image  image.Image
	Format Format
	// Orientation is the EXIF orientation (1–8) that was applied to make
	// Image upright; 1 when the file had none.
	Orientation int
}

// Decode reads a JPEG, PNG or WebP image from data, whatever the file was
// called, and applies a JPEG's EXIF orientation so that the result is
// upright.
//
// It fails with KindUnsupported for any other format (the message names
// the format found and the formats supported), KindInvalid for empty,
// corrupt or truncated data, and KindTooLarge when the header announces
// more pixels than opt.MaxPixels; in that last case no pixel is decoded.
func Decode(data []byte, opt DecodeOptions) (Decoded, error) {
	if len(data) == 0 {
		return Decoded{}, till.Errorf(till.KindInvalid, "the image is empty (0 bytes)")
	}
	format := Sniff(data)
	if !format.Supported() {
		if format == Unknown {
			return Decoded{}, till.Errorf(till.KindUnsupported, "the file is not an image format Till recognises; send %s", supportedNames)
		}
		return Decoded{}, till.Errorf(till.KindUnsupported, "%s images are not supported; send %s", format, supportedNames)
	}
	var (
		decodeConfig func(io.Reader) (image.Config, error)
		decode       func(io.Reader) (image.Image, error)
	)
	switch format {
	case JPEG:
		decodeConfig, decode = jpeg.DecodeConfig, jpeg.Decode
	case PNG:
		decodeConfig, decode = png.DecodeConfig, png.Decode
	case WebP:
		decodeConfig, decode = webp.DecodeConfig, webp.Decode
	}
	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return Decoded{}, corrupt(format, err)
	}
	if err := checkSize(cfg.Width, cfg.Height, opt.MaxPixels); err != nil {
		return Decoded{}, err
	}
	img, err := decode(bytes.NewReader(data))
	if err != nil {
		return Decoded{}, corrupt(format, err)
	}
	d := Decoded{Image: img, Format: format, Orientation: 1}
	if format == JPEG {
		if o := JPEGOrientation(data); o != 1 {
			d.Image, d.Orientation = Orient(img, o), o
		}
	}
	return d, nil
}

// checkSize applies the pixel limit to a header's dimensions.
func checkSize(w, h, maxPixels int) error {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	if w <= 0 || h <= 0 {
		return till.Errorf(till.KindInvalid, "the image has no pixels (%d×%d)", w, h)
	}
	// Dimensions come from at most 32-bit header fields, so the product
	// fits in an int64.
	if int64(w)*int64(h) > int64(maxPixels) {
		return till.Errorf(till.KindTooLarge, "the image is %d×%d pixels; the limit is %.0f megapixels", w, h, float64(maxPixels)/1e6)
	}
	return nil
}

// corrupt classifies a decoder's error: the bytes are not a valid image of
// the format they claim to be.
func corrupt(format Format, err error) error {
	msg := "corrupt"
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		msg = "truncated"
	}
	return till.Wrap(till.KindInvalid, err, "the %s image is %s", format, msg)
}

// String returns the format's name, as used in messages.
func (f Format) String() string { return string(f) }
