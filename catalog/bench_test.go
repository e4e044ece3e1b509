package catalog

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tillhq/till"
	"github.com/tillhq/till/extract"
)

// syntheticCatalogue returns n products named from a generated vocabulary
// of 200,000 words whose frequencies fall off as in real catalogues (a few
// words such as "MILK" are everywhere, most are rare; Open Food Facts' names
// hold several hundred thousand distinct words), and item lines abbreviated
// from some of them the way tills print them.
func syntheticCatalogue(n, lines int, seed uint64) (*Contents, []extract.Item, []string) {
	rng := rand.New(rand.NewPCG(seed, seed))
	syll := []string{"ba", "ko", "ri", "men", "tas", "lo", "vi", "der", "po", "sun", "kra", "mel", "to", "fi", "gar",
		"nu", "ple", "cho", "ves", "tin", "wa", "zu", "bre", "sko", "gal", "hu", "ja", "ret", "mi", "dro"}
	word := func() string {
		k := 2 + rng.IntN(3)
		var b strings.Builder
		for range k {
			b.WriteString(syll[rng.IntN(len(syll))])
		}
		return b.String()
	}
	vocab := make([]string, 200000)
	for i := range vocab {
		vocab[i] = word()
	}
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(vocab)-1))
	brands := make([]till.Brand, 5000)
	for i := range brands {
		brands[i] = till.Brand{ID: fmt.Sprintf("brand-%d", i), Name: word() + " " + word()}
	}
	units := []string{"g", "kg", "ml", "l"}
	c := &Contents{Brands: brands, Products: make([]till.Product, n)}
	for i := range c.Products {
		k := 2 + rng.IntN(4)
		ws := make([]string, k)
		for j := range ws {
			ws[j] = vocab[zipf.Uint64()]
		}
		body := fmt.Sprintf("%012d", 100000000000+i*7)
		c.Products[i] = till.Product{
			GTIN:    "0" + body + string(upcCheck(body)),
			Name:    strings.Join(ws, " "),
			BrandID: brands[rng.IntN(len(brands))].ID,
			Size:    fmt.Sprint(50 * (1 + rng.IntN(40))),
			Unit:    units[rng.IntN(len(units))],
		}
	}
	items := make([]extract.Item, lines)
	want := make([]string, lines)
	for i := range items {
		p := c.Products[rng.IntN(n)]
		want[i] = p.GTIN
		ws := strings.Fields(strings.ToUpper(p.Name))
		for j, w := range ws {
			switch rng.IntN(3) {
			case 0:
				ws[j] = skeleton(w)
			case 1:
				ws[j] = w[:min(len(w), 3+rng.IntN(3))]
			}
		}
		name := strings.Join(ws, " ") + " " + strings.ToUpper(p.Size+p.Unit)
		items[i] = extract.Item{Name: name, Line: name + " 4.99"}
	}
	return c, items, want
}

// cpuTime returns the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMatch matches abbreviated item lines against a generated
// catalogue of a million products on one goroutine, and reports lines per
// second and the heap the index holds.
func BenchmarkMatch(b *testing.B) {
	c, items, want := syntheticCatalogue(1_000_000, 20000, 1)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	ix := New(c, Config{})
	build := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(c)
	c = nil
	indexMiB := float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
	for _, it := range items[:2000] { // warm the word cache as a running service would be
		ix.MatchItem("", &it)
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	var auto, right int
	for i := 0; b.Loop(); i++ {
		m := ix.MatchItem("", &items[i%len(items)])
		if m.Status == StatusAuto {
			auto++
			if m.GTIN == want[i%len(items)] {
				right++
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	// Other processes may share the machine: lines per second of this
	// process's own CPU time is what one core does.
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu0).Seconds(), "lines/cpu-s")
	b.ReportMetric(float64(auto)/float64(b.N), "auto/line")
	b.ReportMetric(float64(right)/float64(max(auto, 1)), "auto-precision")
	b.ReportMetric(indexMiB, "index-MiB")
	b.ReportMetric(build.Seconds(), "build-s")
	b.ReportMetric(float64(ix.Len()), "products")
	runtime.KeepAlive(ix)
}
