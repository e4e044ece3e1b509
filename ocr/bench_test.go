package ocr

import (
	"context"
	"image"
	"image/draw"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The benchmarks below read every image of a receipt folder per operation
// and report the mean and median time per image ("ms/img", "p50-ms/img")
// and the throughput ("img/s"). TILL_BENCH_IMAGES limits how many images
// are read; TILL_TESSDATA names a tessdata folder for the "best" runs.
// Run them with, for example:
//
//	go test -run '^$' -bench Recognize -benchtime 1x ./ocr/

// benchImages decodes the images of folder to grey, outside the timings.
func benchImages(b *testing.B, folder string) ([]*image.Gray, []string) {
	b.Helper()
	paths := receiptImages(b, folder)
	slices.Sort(paths)
	if n, err := strconv.Atoi(os.Getenv("TILL_BENCH_IMAGES")); err == nil && n > 0 && n < len(paths) {
		paths = paths[:n]
	}
	imgs := make([]*image.Gray, len(paths))
	for i, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			b.Fatalf("%s: %v", p, err)
		}
		g := image.NewGray(img.Bounds())
		draw.Draw(g, g.Rect, img, img.Bounds().Min, draw.Src)
		imgs[i] = g
	}
	return imgs, paths
}

// report records the per-image mean and median and the throughput of one
// or more passes over a folder.
func report(b *testing.B, per []time.Duration, wall time.Duration) {
	b.Helper()
	if len(per) == 0 {
		return
	}
	slices.Sort(per)
	var sum time.Duration
	for _, d := range per {
		sum += d
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(sum)/float64(len(per)), "ms/img")
	b.ReportMetric(ms(per[len(per)/2]), "p50-ms/img")
	b.ReportMetric(float64(len(per))/wall.Seconds(), "img/s")
}

func BenchmarkRecognizeSROIE(b *testing.B) {
	imgs, _ := benchImages(b, "sroie-dev")
	models := []struct{ name, dir string }{{"installed", ""}}
	if dir := os.Getenv("TILL_TESSDATA"); dir != "" {
		models = append(models, struct{ name, dir string }{"tessdata", dir})
	}
	for _, m := range models {
		for _, size := range []int{1, 2} {
			b.Run(m.name+"/engines="+strconv.Itoa(size), func(b *testing.B) {
				rss0 := rssMB()
				p, err := NewPool(Config{Size: size, TessdataDir: m.dir})
				if err != nil {
					b.Fatal(err)
				}
				defer p.Close()
				if m.dir != "" && p.Models() != m.dir {
					b.Skipf("no models in %s", m.dir)
				}
				var (
					mu  sync.Mutex
					per []time.Duration
				)
				start := time.Now()
				for b.Loop() {
					var wg sync.WaitGroup
					next := make(chan *image.Gray)
					for range size {
						wg.Go(func() {
							for g := range next {
								t0 := time.Now()
								if _, err := p.Recognize(context.Background(), g, Options{}); err != nil {
									b.Error(err)
								}
								mu.Lock()
								per = append(per, time.Since(t0))
								mu.Unlock()
							}
						})
					}
					for _, g := range imgs {
						next <- g
					}
					close(next)
					wg.Wait()
				}
				report(b, per, time.Since(start))
				b.ReportMetric(rssMB()-rss0, "pool-RSS-MB")
			})
		}
	}
}

// rssMB returns the process's resident set size in MiB, from
// /proc/self/status, or 0 where that is not available.
func rssMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkRecognizeSROIECLI runs the tesseract command on each file, one
// process per image as in ocr-ceiling.md, for comparison with the engine.
func BenchmarkRecognizeSROIECLI(b *testing.B) {
	_, paths := benchImages(b, "sroie-dev")
	if _, err := exec.LookPath("tesseract"); err != nil {
		b.Skip("tesseract command not installed")
	}
	for _, format := range []string{"txt", "tsv"} {
		b.Run(format, func(b *testing.B) {
			var per []time.Duration
			start := time.Now()
			for b.Loop() {
				for _, p := range paths {
					t0 := time.Now()
					args := []string{p, "-"}
					if format == "tsv" {
						args = append(args, "tsv")
					}
					cmd := exec.Command("tesseract", args...)
					cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
					if out, err := cmd.Output(); err != nil || len(out) == 0 {
						b.Fatalf("tesseract %s: %v", p, err)
					}
					per = append(per, time.Since(t0))
				}
			}
			report(b, per, time.Since(start))
		})
	}
}
