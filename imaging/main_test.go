package imaging

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tillhq/till/internal/testreceipt"
)

// receipt draws a clean synthetic receipt: lines of black text in Go
// Regular at size pixels on white.
func receipt(t testing.TB, size float64, lines ...string) *image.Gray {
	t.Helper()
	img, _ := testreceipt.Render(t, size, lines...)
	return img
}

func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// receiptFiles returns the image files of one folder of the labelled
// receipt collection (TILL_RECEIPT_DATA, by default ../../shared/data
// beside the checkout), sorted, or skips the test when there are none.
func receiptFiles(t testing.TB, folder string) []string {
	t.Helper()
	root := os.Getenv("TILL_RECEIPT_DATA")
	if root == "" {
		root = filepath.Join("..", "..", "shared", "data")
	}
	dir := filepath.Join(root, folder)
	var paths []string
	for _, pat := range []string{"*.jpg", "*.JPG", "*.jpeg", "*.png", "*.webp"} {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		paths = append(paths, m...)
	}
	if len(paths) == 0 {
		t.Skipf("no receipt images in %s (set TILL_RECEIPT_DATA); skipping", dir)
	}
	slices.Sort(paths)
	return paths
}
