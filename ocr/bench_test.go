package ocr

import (
	"context"
	"encoding/json"
	"image"
	"image/draw"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/tillhq/till/imaging"
)

// The benchmarks below read every image of a receipt folder per operation
// and report the mean and median time per image ("ms/img", "p50-ms/img"),
// the throughput ("img/s") and the process's CPU time per image
// ("cpu-ms/img"), which stays comparable when other work shares the
// machine and wall times do not. TILL_BENCH_IMAGES limits how many images
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
				debug.FreeOSMemory()
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
				start, cpu0 := time.Now(), processCPU()
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
				b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(len(per)), "cpu-ms/img")
				// The engines' memory is C memory, which Go's collector
				// neither counts nor frees: what remains after returning
				// Go's free memory to the system is theirs.
				debug.FreeOSMemory()
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

// sroieLabels are the fields of a SROIE receipt's label file.
type sroieLabels struct {
	Company, Date, Address, Total string
}

// alnum keeps the upper-cased letters and digits of s, for comparing
// names and addresses regardless of spacing and punctuation.
func alnum(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// present counts which labelled fields appear verbatim in the OCR text,
// as in docs of the OCR ceiling: company and address on letters and
// digits, the total as a two-decimal amount, the date as printed.
func present(l sroieLabels, text string) (company, address, total, date bool) {
	a := alnum(text)
	company = l.Company != "" && strings.Contains(a, alnum(l.Company))
	address = l.Address != "" && strings.Contains(a, alnum(l.Address))
	date = l.Date != "" && strings.Contains(text, l.Date)
	amount := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '.' {
			return r
		}
		return -1
	}, l.Total)
	if v, err := strconv.ParseFloat(amount, 64); err == nil {
		total = strings.Contains(text, strconv.FormatFloat(v, 'f', 2, 64))
	}
	return company, address, total, date
}

// BenchmarkScanSROIE measures Till's whole reading of a scan (decode,
// preparation and recognition, two engines on two workers) and how many
// labelled fields the text then contains, for each way of preparing the
// page. The field rates are the ceiling any extractor can reach.
func BenchmarkScanSROIE(b *testing.B) {
	paths := receiptImages(b, "sroie-dev")
	slices.Sort(paths)
	if n, err := strconv.Atoi(os.Getenv("TILL_BENCH_IMAGES")); err == nil && n > 0 && n < len(paths) {
		paths = paths[:n]
	}
	files := make([][]byte, len(paths))
	labels := make([]sroieLabels, len(paths))
	for i, p := range paths {
		var err error
		if files[i], err = os.ReadFile(p); err != nil {
			b.Fatal(err)
		}
		js, err := os.ReadFile(strings.TrimSuffix(p, filepath.Ext(p)) + ".json")
		if err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal(js, &labels[i]); err != nil {
			b.Fatal(err)
		}
	}
	prepares := []struct {
		name    string
		prepare func(image.Image) image.Image
	}{
		{"grey", func(img image.Image) image.Image { return imaging.Luma(img) }},
		{"scaled", func(img image.Image) image.Image {
			return imaging.PrepareOCR(img, imaging.PrepareOptions{NoDeskew: true}).Image
		}},
		{"scaled+deskewed", func(img image.Image) image.Image {
			return imaging.PrepareOCR(img, imaging.PrepareOptions{}).Image
		}},
	}
	models := []struct{ name, dir string }{{"installed", ""}}
	if dir := os.Getenv("TILL_TESSDATA"); dir != "" {
		models = append(models, struct{ name, dir string }{"tessdata", dir})
	}
	const workers = 2
	for _, m := range models {
		p, err := NewPool(Config{Size: workers, TessdataDir: m.dir})
		if err != nil {
			b.Fatal(err)
		}
		for _, pr := range prepares {
			b.Run(m.name+"/"+pr.name, func(b *testing.B) {
				var (
					mu             sync.Mutex
					per, prep      []time.Duration
					company, addr  int
					total, date, n int
				)
				start, cpu0 := time.Now(), processCPU()
				for b.Loop() {
					var wg sync.WaitGroup
					next := make(chan int)
					for range workers {
						wg.Go(func() {
							for i := range next {
								t0 := time.Now()
								d, err := imaging.Decode(files[i], imaging.DecodeOptions{})
								if err != nil {
									b.Error(err)
									continue
								}
								img := pr.prepare(d.Image)
								t1 := time.Now()
								page, err := p.Recognize(context.Background(), img, Options{})
								if err != nil {
									b.Error(err)
									continue
								}
								c, a, t, dt := present(labels[i], page.Text())
								mu.Lock()
								per = append(per, time.Since(t0))
								prep = append(prep, t1.Sub(t0))
								n++
								for _, ok := range []struct {
									hit bool
									sum *int
								}{{c, &company}, {a, &addr}, {t, &total}, {dt, &date}} {
									if ok.hit {
										*ok.sum++
									}
								}
								mu.Unlock()
							}
						})
					}
					for i := range files {
						next <- i
					}
					close(next)
					wg.Wait()
				}
				report(b, per, time.Since(start))
				b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(n), "cpu-ms/img")
				var prepSum time.Duration
				for _, d := range prep {
					prepSum += d
				}
				b.ReportMetric(float64(prepSum.Milliseconds())/float64(len(prep)), "decode+prep-ms/img")
				pct := func(k int) float64 { return 100 * float64(k) / float64(n) }
				b.ReportMetric(pct(company), "company-%")
				b.ReportMetric(pct(addr), "address-%")
				b.ReportMetric(pct(total), "total-%")
				b.ReportMetric(pct(date), "date-%")
			})
		}
		p.Close()
	}
}

// threadCPU returns the CPU time the calling OS thread has used.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// processCPU returns the CPU time the whole process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rusageThread is RUSAGE_THREAD, which the syscall package does not name.
const rusageThread = 1

// BenchmarkRecognizeVsCLI reads each SROIE scan with one engine and with
// the tesseract command, one after the other, and reports both in CPU time
// as well as wall time, which stays comparable on a busy machine. The
// engine is given the decoded grey page, the command the file; the
// decode's own cost is in BenchmarkDecode of package imaging.
func BenchmarkRecognizeVsCLI(b *testing.B) {
	imgs, paths := benchImages(b, "sroie-dev")
	if _, err := exec.LookPath("tesseract"); err != nil {
		b.Skip("tesseract command not installed")
	}
	models := []struct{ name, dir string }{{"installed", ""}}
	if dir := os.Getenv("TILL_TESSDATA"); dir != "" {
		models = append(models, struct{ name, dir string }{"tessdata", dir})
	}
	for _, m := range models {
		b.Run(m.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			t, err := NewTesseract(DefaultLangs, m.dir)
			if err != nil {
				b.Fatal(err)
			}
			defer t.Close()
			var engWall, engCPU, cliWall, cliCPU []time.Duration
			for b.Loop() {
				for i, g := range imgs {
					w0, c0 := time.Now(), threadCPU()
					if _, err := t.Recognize(context.Background(), g, Options{}); err != nil {
						b.Fatal(err)
					}
					engCPU = append(engCPU, threadCPU()-c0)
					engWall = append(engWall, time.Since(w0))

					args := []string{paths[i], "-"}
					if m.dir != "" {
						args = append(args, "--tessdata-dir", m.dir)
					}
					cmd := exec.Command("tesseract", append(args, "tsv")...)
					cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
					w0 = time.Now()
					if err := cmd.Run(); err != nil {
						b.Fatalf("tesseract %s: %v", paths[i], err)
					}
					cliWall = append(cliWall, time.Since(w0))
					cliCPU = append(cliCPU, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
				}
			}
			mean := func(ds []time.Duration) float64 {
				var s time.Duration
				for _, d := range ds {
					s += d
				}
				return float64(s.Microseconds()) / 1000 / float64(len(ds))
			}
			p50 := func(ds []time.Duration) float64 {
				s := slices.Clone(ds)
				slices.Sort(s)
				return float64(s[len(s)/2].Microseconds()) / 1000
			}
			b.ReportMetric(mean(engWall), "engine-ms/img")
			b.ReportMetric(p50(engWall), "engine-p50-ms/img")
			b.ReportMetric(mean(engCPU), "engine-cpu-ms/img")
			b.ReportMetric(mean(cliWall), "cli-ms/img")
			b.ReportMetric(p50(cliWall), "cli-p50-ms/img")
			b.ReportMetric(mean(cliCPU), "cli-cpu-ms/img")
		})
	}
}
