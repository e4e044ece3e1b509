package imaging

import (
	"os"
	"testing"
	"time"
)

// The benchmarks read every image of the receipt folders per operation and
// report the mean time per image ("ms/img"), for comparing each step with
// the OCR that follows it (about 0.5 s a page). Run them with:
//
//	go test -run '^$' -bench . -benchtime 1x ./imaging/

var benchFolders = []string{"sroie-dev", "us-grocery-items-dev", "softmatic-de-dev"}

// decodedFolder decodes a folder's images, outside the timings.
func decodedFolder(b *testing.B, folder string) ([][]byte, []Decoded) {
	b.Helper()
	paths := receiptFiles(b, folder)
	files := make([][]byte, len(paths))
	imgs := make([]Decoded, len(paths))
	for i, p := range paths {
		var err error
		if files[i], err = os.ReadFile(p); err != nil {
			b.Fatal(err)
		}
		if imgs[i], err = Decode(files[i], DecodeOptions{}); err != nil {
			b.Fatalf("%s: %v", p, err)
		}
	}
	return files, imgs
}

// perImage runs step on every image index and reports the mean time.
func perImage(b *testing.B, n int, step func(i int)) {
	b.Helper()
	var total time.Duration
	count := 0
	for b.Loop() {
		t0 := time.Now()
		for i := range n {
			step(i)
		}
		total += time.Since(t0)
		count += n
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(count), "ms/img")
}

func BenchmarkDecode(b *testing.B) {
	for _, folder := range benchFolders {
		b.Run(folder, func(b *testing.B) {
			files, _ := decodedFolder(b, folder)
			perImage(b, len(files), func(i int) {
				if _, err := Decode(files[i], DecodeOptions{}); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

func BenchmarkPrepareOCR(b *testing.B) {
	for _, folder := range benchFolders {
		b.Run(folder, func(b *testing.B) {
			_, imgs := decodedFolder(b, folder)
			perImage(b, len(imgs), func(i int) { PrepareOCR(imgs[i].Image, PrepareOptions{}) })
		})
	}
}

func BenchmarkThumbnail(b *testing.B) {
	for _, folder := range benchFolders {
		b.Run(folder, func(b *testing.B) {
			_, imgs := decodedFolder(b, folder)
			perImage(b, len(imgs), func(i int) {
				if _, err := Thumbnail(imgs[i].Image, 0); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

func BenchmarkHashes(b *testing.B) {
	for _, folder := range benchFolders {
		b.Run(folder, func(b *testing.B) {
			files, imgs := decodedFolder(b, folder)
			perImage(b, len(imgs), func(i int) {
				SHA256(files[i])
				PerceptualHash(imgs[i].Image)
			})
		})
	}
}

func BenchmarkBarcodes(b *testing.B) {
	for _, folder := range benchFolders {
		b.Run(folder, func(b *testing.B) {
			_, imgs := decodedFolder(b, folder)
			found := 0
			perImage(b, len(imgs), func(i int) { found += len(Barcodes(imgs[i].Image)) })
			b.ReportMetric(float64(found)/float64(b.N), "codes/pass")
		})
	}
}
