package catalog

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
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
		p := &c.Products[rng.IntN(n)]
		want[i] = p.GTIN
		items[i] = tillLine(rng, p)
	}
	return c, items, want
}

// tillLine prints p as a till might: each word of its name in full, cut
// to its first three to five letters or reduced to its consonants, and
// its size.
func tillLine(rng *rand.Rand, p *till.Product) extract.Item {
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
	return extract.Item{Name: name, Line: name + " 4.99"}
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

// TestSyntheticLines measures matching on generated lines against a
// generated catalogue of 100,000 products: of lines whose product is in the
// catalogue, how many are auto-accepted and how many of those rightly; of
// lines whose product is not, how many are auto-accepted at all. The
// products left out are of two kinds: as unlike the catalogue's as any
// two generated products, and siblings of a catalogued product with one
// word of the name changed, as a flavour or a variety would be. It checks
// the confidences with data that owes nothing to the labelled set.
func TestSyntheticLines(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a catalogue of 100,000 products")
	}
	const n = 100_000
	c, items, want := syntheticCatalogue(n+n/10, 4000, 2)
	rng := rand.New(rand.NewPCG(3, 3))
	kept := map[string]bool{}
	c.Products = c.Products[:n]
	for _, p := range c.Products {
		kept[p.GTIN] = true
	}
	ix := New(c, Config{})
	var siblings []extract.Item
	for range 1000 {
		p := c.Products[rng.IntN(n)]
		ws := strings.Fields(p.Name)
		ws[rng.IntN(len(ws))] = "qu" + []string{"ba", "ri", "tas", "mel"}[rng.IntN(4)] + "no" // no generated word starts so
		p.Name = strings.Join(ws, " ")
		siblings = append(siblings, tillLine(rng, &p))
	}
	// Lines with two words run together, as tills print PKGTAPE.
	var joined []extract.Item
	var joinedWant []string
	for len(joined) < 1000 {
		p := &c.Products[rng.IntN(n)]
		it := tillLine(rng, p)
		ws := strings.Fields(it.Name)
		if len(ws) < 4 { // two words to run together, another and the size
			continue
		}
		j := rng.IntN(len(ws) - 2)
		run := ws[j] + ws[j+1]
		ws = slices.Insert(slices.Delete(ws, j, j+2), j, run)
		name := strings.Join(ws, " ")
		joined = append(joined, extract.Item{Name: name, Line: name + " 4.99"})
		joinedWant = append(joinedWant, p.GTIN)
	}
	var in, auto, right, out, outAuto, sibAuto, review int
	for i := range items {
		m := ix.MatchItem("", &items[i])
		if !kept[want[i]] {
			out++
			if m.Status == StatusAuto {
				outAuto++
			}
			continue
		}
		in++
		switch m.Status {
		case StatusAuto:
			auto++
			if m.GTIN == want[i] {
				right++
			}
		case StatusNeedsValidation:
			review++
		}
	}
	for i := range siblings {
		if ix.MatchItem("", &siblings[i]).Status == StatusAuto {
			sibAuto++
		}
	}
	var jAuto, jRight int
	for i := range joined {
		if m := ix.MatchItem("", &joined[i]); m.Status == StatusAuto {
			jAuto++
			if m.GTIN == joinedWant[i] {
				jRight++
			} else if testing.Verbose() {
				pi, _ := ix.find(joinedWant[i])
				t.Logf("%q want %q got %.2f %q", joined[i].Name, ix.text(pi), m.Confidence, m.Product)
			}
		}
	}
	t.Logf("two words run together %d: auto %d, right %d", len(joined), jAuto, jRight)
	if jAuto > 0 && float64(jRight)/float64(jAuto) < 0.95 {
		t.Errorf("precision %.3f on lines with words run together, want 0.95 or more", float64(jRight)/float64(jAuto))
	}
	precision := float64(right) / float64(max(auto, 1))
	t.Logf("in the catalogue %d: auto %d (%.1f%%), right %d (precision %.1f%%), validation %d", in, auto, 100*float64(auto)/float64(in), right, 100*precision, review)
	t.Logf("not in the catalogue: unlike %d, auto %d; siblings %d, auto %d (%.1f%%)", out, outAuto, len(siblings), sibAuto, 100*float64(sibAuto)/float64(len(siblings)))
	if precision < 0.95 {
		t.Errorf("precision %.3f, want 0.95 or more", precision)
	}
	if f := float64(outAuto+sibAuto) / float64(out+len(siblings)); f > 0.05 {
		t.Errorf("%.1f%% of lines whose product is not in the catalogue auto-accepted, want 5%% or less", 100*f)
	}
}
