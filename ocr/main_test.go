package ocr

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// TestMain re-executes the test binary with OMP_THREAD_LIMIT=1, as
// cmd/till does for the server: Tesseract's OpenMP runtime reads it when
// the library loads, which is before any Go code runs.
func TestMain(m *testing.M) {
	if err := EnsureThreadLimit(); err != nil {
		fmt.Fprintln(os.Stderr, "ocr tests:", err)
	}
	os.Exit(m.Run())
}

// renderText draws lines of black text on white in Go Regular at size
// pixels, the way a clean receipt scan looks, and returns the image and
// each line's bounding rectangle.
func renderText(t testing.TB, size float64, lines ...string) (*image.Gray, []image.Rectangle) {
	t.Helper()
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		t.Fatal(err)
	}
	defer face.Close()
	lineH := int(size * 1.6)
	margin := int(size)
	width := 0
	for _, l := range lines {
		width = max(width, font.MeasureString(face, l).Ceil())
	}
	img := image.NewGray(image.Rect(0, 0, width+2*margin, lineH*len(lines)+2*margin))
	draw.Draw(img, img.Rect, image.White, image.Point{}, draw.Src)
	d := &font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: face}
	boxes := make([]image.Rectangle, len(lines))
	for i, l := range lines {
		top := margin + i*lineH
		d.Dot = fixed.P(margin, top+int(size))
		d.DrawString(l)
		boxes[i] = image.Rect(0, top, img.Rect.Dx(), top+lineH)
	}
	return img, boxes
}

// receiptImages returns the paths of the images in one folder of the
// labelled receipt collection (TILL_RECEIPT_DATA, by default
// ../../shared/data beside the checkout), or skips the test when the
// folder is absent.
func receiptImages(t testing.TB, folder string) []string {
	t.Helper()
	root := os.Getenv("TILL_RECEIPT_DATA")
	if root == "" {
		root = filepath.Join("..", "..", "shared", "data")
	}
	dir := filepath.Join(root, folder)
	var paths []string
	for _, pat := range []string{"*.jpg", "*.JPG", "*.png", "*.webp"} {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		paths = append(paths, m...)
	}
	if len(paths) == 0 {
		t.Skipf("no receipt images in %s (set TILL_RECEIPT_DATA); skipping", dir)
	}
	return paths
}
