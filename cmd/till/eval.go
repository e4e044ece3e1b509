package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/tillhq/till/extract"
)

// readFunc reads the receipt in one image file.
type readFunc func(ctx context.Context, path string) (*extract.Receipt, error)

func runEval(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	var oc ocrConfig
	oc.register(fs)
	verbose := fs.Bool("v", false, "print every miss")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: till eval [flags] DIR...")
		fmt.Fprintln(fs.Output(), "\nScores extraction against labelled receipt folders (SROIE, Softmatic, US grocery layouts).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("eval: no folder given")
	}
	read, workers, closeFn, err := oc.open()
	if err != nil {
		return err
	}
	defer closeFn()
	return evaluate(ctx, os.Stdout, os.Stderr, fs.Args(), read, workers, *verbose)
}

// labelKind is the layout of a labelled folder.
type labelKind string

const (
	kindSROIE     labelKind = "sroie"
	kindSoftmatic labelKind = "softmatic"
	kindGrocery   labelKind = "us-grocery"
)

// sample is one labelled receipt.
type sample struct {
	ID    string
	Image string
	Label map[string]json.RawMessage
}

// loadFolder finds the labelled receipts in dir and the folder's kind.
func loadFolder(dir string) (labelKind, []sample, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return "", nil, err
	}
	var kind labelKind
	var out []sample
	for _, n := range names {
		if strings.HasSuffix(n, ".textract.json") {
			continue
		}
		b, err := os.ReadFile(n)
		if err != nil {
			return "", nil, err
		}
		var lab map[string]json.RawMessage
		if err := json.Unmarshal(b, &lab); err != nil {
			continue
		}
		var k labelKind
		switch {
		case lab["company"] != nil && lab["total"] != nil:
			k = kindSROIE
		case lab["merchant"] != nil && lab["num_items"] != nil:
			k = kindSoftmatic
		case lab["item"] != nil:
			k = kindGrocery
		default:
			continue
		}
		if kind == "" {
			kind = k
		}
		if k != kind {
			continue
		}
		id := strings.TrimSuffix(filepath.Base(n), ".json")
		img := ""
		if k == kindGrocery {
			var f string
			_ = json.Unmarshal(lab["image_file"], &f)
			img = filepath.Join(dir, f)
		} else {
			for _, ext := range []string{".jpg", ".jpeg", ".png", ".JPG", ".webp"} {
				if _, err := os.Stat(filepath.Join(dir, id+ext)); err == nil {
					img = filepath.Join(dir, id+ext)
					break
				}
			}
		}
		if img == "" {
			continue
		}
		out = append(out, sample{ID: id, Image: img, Label: lab})
	}
	if kind == "" {
		return "", nil, fmt.Errorf("eval: %s holds no labelled receipts", dir)
	}
	return kind, out, nil
}

// score tallies one field.
type score struct{ hit, n int }

func (s *score) add(ok bool) {
	s.n++
	if ok {
		s.hit++
	}
}

func (s score) String() string {
	if s.n == 0 {
		return "-"
	}
	return fmt.Sprintf("%5.1f %% (%d/%d)", 100*float64(s.hit)/float64(s.n), s.hit, s.n)
}

// folderReport is the outcome over one folder.
type folderReport struct {
	dir    string
	kind   labelKind
	fields map[string]*score
	order  []string
	// Item lines: true positives, predicted, labelled.
	tp, pred, gold int
	secs           []float64
	errs           []string
	misses         []string
}

func (f *folderReport) field(name string) *score {
	if s, ok := f.fields[name]; ok {
		return s
	}
	s := &score{}
	f.fields[name] = s
	f.order = append(f.order, name)
	return s
}

// evaluate scores every folder and prints the report to out, with a
// progress bar on progress.
func evaluate(ctx context.Context, out, progress io.Writer, dirs []string, read readFunc, workers int, verbose bool) error {
	type job struct {
		f *folderReport
		s sample
	}
	var jobs []job
	var reports []*folderReport
	for _, dir := range dirs {
		kind, samples, err := loadFolder(dir)
		if err != nil {
			return err
		}
		f := &folderReport{dir: dir, kind: kind, fields: map[string]*score{}}
		reports = append(reports, f)
		for _, s := range samples {
			jobs = append(jobs, job{f, s})
		}
	}
	bar := newProgress(progress, len(jobs))
	var mu sync.Mutex
	ch := make(chan job)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				start := time.Now()
				r, err := read(ctx, j.s.Image)
				secs := time.Since(start).Seconds()
				mu.Lock()
				if err != nil {
					j.f.errs = append(j.f.errs, fmt.Sprintf("%s: %v", j.s.ID, err))
				} else {
					j.f.secs = append(j.f.secs, secs)
					j.f.scoreSample(j.s, r)
				}
				bar.step()
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		ch <- j
	}
	close(ch)
	wg.Wait()
	bar.done()
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, f := range reports {
		f.print(out, verbose)
	}
	return nil
}

func (f *folderReport) print(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "%s (%s, %d receipts)\n", f.dir, f.kind, len(f.secs)+len(f.errs))
	for _, name := range f.order {
		fmt.Fprintf(w, "  %-10s %s\n", name, f.fields[name])
	}
	if f.gold > 0 {
		p := ratio(f.tp, f.pred)
		r := ratio(f.tp, f.gold)
		f1 := 0.0
		if p+r > 0 {
			f1 = 2 * p * r / (p + r)
		}
		fmt.Fprintf(w, "  items      precision %.1f %%  recall %.1f %%  F1 %.1f %%  (%d matched, %d predicted, %d labelled)\n",
			100*p, 100*r, 100*f1, f.tp, f.pred, f.gold)
	}
	if len(f.secs) > 0 {
		s := append([]float64(nil), f.secs...)
		sort.Float64s(s)
		fmt.Fprintf(w, "  seconds    p50 %.2f  p90 %.2f  per receipt\n", quantile(s, 0.5), quantile(s, 0.9))
	}
	for i, e := range f.errs {
		if i == 5 && !verbose {
			fmt.Fprintf(w, "  error      ... and %d more\n", len(f.errs)-i)
			break
		}
		fmt.Fprintf(w, "  error      %s\n", e)
	}
	if verbose {
		sort.Strings(f.misses)
		for _, m := range f.misses {
			fmt.Fprintf(w, "  miss       %s\n", m)
		}
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// quantile returns the q-quantile of sorted s, by the nearest rank.
func quantile(s []float64, q float64) float64 {
	i := int(q*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func labelString(lab map[string]json.RawMessage, key string) string {
	var s string
	_ = json.Unmarshal(lab[key], &s)
	return s
}

// scoreSample compares one prediction with its label.
func (f *folderReport) scoreSample(s sample, r *extract.Receipt) {
	check := func(field string, ok bool, want, got string) {
		f.field(field).add(ok)
		if !ok {
			why := ""
			if ev := r.Evidence[field]; len(ev) > 0 {
				why = " (" + strings.Join(ev, "; ") + ")"
			}
			f.misses = append(f.misses, fmt.Sprintf("%s %-8s want %q got %q%s", s.ID, field, want, got, why))
		}
	}
	gotDate := ""
	if r.Date != nil {
		gotDate = r.Date.String()
	}
	gotTotal := ""
	if r.Total != nil {
		gotTotal = r.Total.String()
	}
	switch f.kind {
	case kindSROIE:
		company, address := labelString(s.Label, "company"), labelString(s.Label, "address")
		check("company", letters(company) == letters(r.Merchant.Name), company, r.Merchant.Name)
		check("address", letters(address) == letters(r.Merchant.Address), address, r.Merchant.Address)
		date := labelString(s.Label, "date")
		want, ok := extract.ParseDate(date, extract.DayFirst)
		check("date", ok && gotDate == want.String(), date, gotDate)
		check("total", sameAmount(labelString(s.Label, "total"), r.Total), labelString(s.Label, "total"), gotTotal)
	case kindSoftmatic:
		m := labelString(s.Label, "merchant")
		check("merchant", m != "" && strings.Contains(letters(r.Merchant.Name+" "+r.Merchant.Address), letters(m)), m, r.Merchant.Name)
		date := labelString(s.Label, "date")
		check("date", date == gotDate, date, gotDate)
		check("total", sameAmount(labelString(s.Label, "total"), r.Total), labelString(s.Label, "total"), gotTotal)
	case kindGrocery:
		var boxes map[string][]struct {
			Text string `json:"text"`
		}
		raw := map[string]json.RawMessage{}
		for _, k := range []string{"shop", "date_time", "total", "item"} {
			if v, ok := s.Label[k]; ok {
				raw[k] = v
			}
		}
		b, _ := json.Marshal(raw)
		_ = json.Unmarshal(b, &boxes)
		if len(boxes["shop"]) > 0 {
			shop := boxes["shop"][0].Text
			check("merchant", strings.Contains(letters(r.Merchant.Name), letters(shop)) && letters(shop) != "", shop, r.Merchant.Name)
		}
		if len(boxes["date_time"]) > 0 {
			dt := boxes["date_time"][0].Text
			want, ok := labelDate(dt)
			check("date", ok && want.String() == gotDate, dt, gotDate)
		}
		if len(boxes["total"]) > 0 {
			t := boxes["total"][0].Text
			check("total", sameAmount(lastAmountText(t), r.Total), t, gotTotal)
		}
		var gold []extract.Item
		for _, it := range boxes["item"] {
			if g, ok := extract.ParseLine(it.Text); ok {
				gold = append(gold, g)
			} else {
				gold = append(gold, extract.Item{Name: it.Text})
			}
		}
		tp := matchItems(r.Items, gold)
		f.tp += tp
		f.pred += len(r.Items)
		f.gold += len(gold)
		if tp < len(gold) || tp < len(r.Items) {
			f.misses = append(f.misses, fmt.Sprintf("%s items    %d matched, %d predicted, %d labelled", s.ID, tp, len(r.Items), len(gold)))
		}
	}
}

// labelDate reads a US grocery date label: month first with slashes, day
// first with dots, whichever order is the only valid one otherwise.
func labelDate(s string) (extract.Date, bool) {
	order := extract.MonthFirst
	if strings.Contains(s, ".") {
		order = extract.DayFirst
	}
	return extract.ParseDate(s, order)
}

// lastAmountText returns the last amount-looking word of s.
func lastAmountText(s string) string {
	f := strings.Fields(strings.ReplaceAll(s, ", ", ","))
	for i := len(f) - 1; i >= 0; i-- {
		if _, err := extract.ParseAmount(f[i]); err == nil {
			return f[i]
		}
	}
	return s
}

// matchItems counts the predicted items that match a labelled item line
// one to one: the same value, and names alike (normalised edit distance
// at most a third of the longer name, which tolerates OCR noise).
func matchItems(pred, gold []extract.Item) int {
	used := make([]bool, len(gold))
	n := 0
	for _, p := range pred {
		for j, g := range gold {
			if used[j] || !p.Value.Equal(g.Value) || g.Value.IsZero() {
				continue
			}
			a, b := letters(p.Name), letters(g.Name)
			if extract.EditDistance(a, b)*3 <= max(len(a), len(b)) {
				used[j] = true
				n++
				break
			}
		}
	}
	return n
}

// letters keeps the letters and digits of s, upper-cased.
func letters(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// sameAmount compares a label's amount text with a predicted amount.
func sameAmount(label string, got *extract.Amount) bool {
	want, err := extract.ParseAmount(strings.ReplaceAll(label, " ", ""))
	return err == nil && got != nil && want.Equal(*got)
}

// progress is a one-line progress bar, redrawn in place.
type progress struct {
	w     io.Writer
	n, of int
	start time.Time
}

func newProgress(w io.Writer, of int) *progress {
	p := &progress{w: w, of: of, start: time.Now()}
	p.draw()
	return p
}

func (p *progress) step() {
	p.n++
	p.draw()
}

func (p *progress) draw() {
	const width = 30
	filled := 0
	if p.of > 0 {
		filled = p.n * width / p.of
	}
	eta := ""
	if p.n > 0 && p.n < p.of {
		left := time.Duration(float64(time.Since(p.start)) / float64(p.n) * float64(p.of-p.n))
		eta = " eta " + left.Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d%s   ", strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.n, p.of, eta)
}

func (p *progress) done() {
	fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", 60))
}
