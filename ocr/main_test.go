package ocr

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
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
