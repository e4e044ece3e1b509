package extract

import (
	"bytes"
	"encoding/json"
	"flag"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tillhq/till/ocr"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// textPage lays out text as an OCR page: one Tesseract line per text line,
// words 12 pixels per character wide and lines 30 pixels apart, every word
// read with confidence 90.
func textPage(text string) ocr.Page {
	var p ocr.Page
	p.Width = 600
	for i, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		x := 10
		for k, w := range strings.Fields(line) {
			wd := 12 * len([]rune(w))
			p.Words = append(p.Words, ocr.Word{
				Text: w, Conf: 90,
				Box:   image.Rect(x, 10+30*i, x+wd, 30+30*i),
				Block: 1, Par: 1, Line: i + 1, Num: k + 1,
			})
			x += wd + 12
		}
		p.Height = 40 + 30*i
	}
	return p
}

// TestGolden extracts each testdata/*.txt receipt and compares the
// analysed receipt with testdata/*.golden.json; -update rewrites them.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name, func(t *testing.T) {
			text, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(Extract(textPage(string(text)), Hints{}).Analyzed(), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := strings.TrimSuffix(f, ".txt") + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the extraction:\n%s", golden, got)
			}
		})
	}
}
