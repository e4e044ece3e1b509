package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tillhq/till"
	"github.com/tillhq/till/catalog"
)

func runCatalog(ctx context.Context, args []string) error {
	usage := func() {
		fmt.Fprint(os.Stderr, `Usage:
  till catalog import [--kind KIND] [--skip-invalid] [--dry-run] FILE...
      load retailers, outlets, brands or products into the catalogue
  till catalog eval [--catalog FILE]... [--json] CASES.jsonl
      measure item-line matching on a labelled set

import reads CSV (comma- or tab-separated, with a header row) or JSON Lines.
KIND is retailers, outlets, brands or products; without --kind it is told
from the header or the first object's keys. Open Food Facts' product export
(columns code, product_name, brands, quantity) is read as products. Rows
are inserted or replaced by their natural key (id, retailer_id+store_id,
gtin), so importing a file again changes nothing.

Each file is imported in one transaction. A file with rejected rows is not
imported at all unless --skip-invalid is given, which imports its good rows
and lists the rejected ones; either way the rejected rows are listed with
their row number, field and reason.

eval builds the index from the --catalog files, or from the store when none
is given, matches each line of CASES and prints precision and recall.
`)
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		usage()
		if len(args) == 0 {
			return till.Invalid("command", "catalog needs a subcommand: import or eval")
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "import":
		return runCatalogImport(ctx, args[1:])
	case "eval":
		return runCatalogEval(ctx, args[1:])
	}
	usage()
	return till.Invalid("command", "unknown catalog subcommand %q", args[0])
}

func runCatalogImport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("catalog import", flag.ContinueOnError)
	var sc storeConfig
	sc.register(fs)
	kindName := fs.String("kind", "", "retailers, outlets, brands or products (default: from the header)")
	skip := fs.Bool("skip-invalid", false, "import a file's good rows even when some are rejected")
	dry := fs.Bool("dry-run", false, "read and check the files, import nothing")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return till.Invalid("file", "catalog import needs at least one FILE")
	}
	var kind catalog.Kind
	if *kindName != "" {
		if kind, err = catalog.ParseKind(*kindName); err != nil {
			return err
		}
	}
	var st store
	if !*dry {
		if st, err = sc.openStore(ctx); err != nil {
			return err
		}
		defer st.Close()
	}
	failed := 0
	for _, name := range files {
		sum, err := importFile(ctx, st, name, kind, *skip, *dry)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := json.NewEncoder(os.Stdout).Encode(sum); err != nil {
			return err
		}
		if !sum.Imported && !*dry {
			failed++
		}
	}
	if failed > 0 {
		return till.Errorf(till.KindInvalid, "%d of %d files had rejected rows and were not imported; fix them or give --skip-invalid", failed, len(files))
	}
	return nil
}

// importSummary is what catalog import prints for each file, one JSON
// line.
type importSummary struct {
	File     string           `json:"file"`
	Kind     catalog.Kind     `json:"kind"`
	Rows     int              `json:"rows"`
	Good     int              `json:"good"`
	Rejected int              `json:"rejected"`
	Imported bool             `json:"imported"`
	Rejects  []catalog.Reject `json:"rejects,omitempty"`
}

// maxListedRejects caps the rejects listed per file; the count is exact.
const maxListedRejects = 1000

// importFile reads one file and imports it in one transaction.
func importFile(ctx context.Context, st store, name string, kind catalog.Kind, skip, dry bool) (importSummary, error) {
	f, err := os.Open(name)
	if err != nil {
		return importSummary{}, err
	}
	defer f.Close()
	var size int64
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	bar := newReadProgress(os.Stderr, name, size)
	file, err := catalog.ReadFile(f, kind, bar.set)
	bar.done()
	if err != nil {
		return importSummary{}, err
	}
	b := &file.Batch
	sum := importSummary{
		File: name, Kind: file.Kind, Rows: file.Rows,
		Good:     len(b.Retailers) + len(b.Outlets) + len(b.Brands) + len(b.Products),
		Rejected: len(file.Rejects),
		Rejects:  file.Rejects[:min(len(file.Rejects), maxListedRejects)],
	}
	for _, r := range sum.Rejects {
		fmt.Fprintf(os.Stderr, "%s: %s\n", name, r)
	}
	if dry || len(file.Rejects) > 0 && !skip {
		return sum, nil
	}
	start := time.Now()
	if err := st.ImportCatalog(ctx, b); err != nil {
		return sum, err
	}
	fmt.Fprintf(os.Stderr, "%s: %d rows imported in %s\n", name, sum.Good, time.Since(start).Round(time.Millisecond))
	sum.Imported = true
	return sum, nil
}

// readProgress draws "name [#####.....] 50%" on one line of stderr while a
// file of more than a megabyte is read, at most a few times a second.
type readProgress struct {
	w     io.Writer
	name  string
	size  int64
	last  time.Time
	drawn bool
}

func newReadProgress(w io.Writer, name string, size int64) *readProgress {
	return &readProgress{w: w, name: name, size: size}
}

func (p *readProgress) set(n int64) {
	if p.size < 1<<20 || time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last, p.drawn = time.Now(), true
	const width = 30
	frac := min(float64(n)/float64(p.size), 1)
	filled := int(frac * width)
	fmt.Fprintf(p.w, "\r%s [%s%s] %3.0f%% ", p.name, strings.Repeat("#", filled), strings.Repeat(".", width-filled), frac*100)
}

func (p *readProgress) done() {
	if p.drawn {
		p.last = time.Time{}
		p.set(p.size)
		fmt.Fprintln(p.w)
	}
}

func runCatalogEval(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("catalog eval", flag.ContinueOnError)
	var sc storeConfig
	sc.register(fs)
	var files listFlag
	fs.Var(&files, "catalog", "catalogue `file` to match against instead of the store (repeatable)")
	asJSON := fs.Bool("json", false, "print every outcome as JSON")
	noCompletion := fs.Bool("no-completion", false, "do not complete codes printed without their check digit")
	var mc matchConfig
	mc.register(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return till.Invalid("file", "catalog eval takes exactly one CASES file")
	}
	cfg, err := mc.config()
	if err != nil {
		return err
	}
	cfg.NoCompletion = *noCompletion
	var ix *catalog.Index
	if len(files) > 0 {
		var c catalog.Contents
		for _, name := range files {
			if err := readContents(&c, name); err != nil {
				return err
			}
		}
		ix = catalog.New(&c, cfg)
	} else {
		st, err := sc.openStore(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		if ix, err = catalog.Build(ctx, st, cfg); err != nil {
			return err
		}
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	cases, err := catalog.ReadCases(f)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	res := catalog.Evaluate(ix, cases)
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	for _, o := range res.Outcomes {
		mark := "ok "
		if !o.Right {
			mark = "BAD"
		}
		want := "-"
		if o.GTIN != nil {
			want = *o.GTIN
		}
		fmt.Printf("%s %-40q want %-14s got %-16s %.2f %-14s %s\n", mark, o.Line, want, o.Match.Status, o.Match.Confidence, o.Match.GTIN, o.Match.Product)
	}
	fmt.Println(res)
	return nil
}

// readContents adds a catalogue file to c. A file with rejected rows is
// refused, as catalog import would.
func readContents(c *catalog.Contents, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	file, err := catalog.ReadFile(f, "", nil)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(file.Rejects) > 0 {
		return fmt.Errorf("%s: %s", name, file.Rejects[0])
	}
	b := file.Batch
	c.Retailers = append(c.Retailers, b.Retailers...)
	c.Outlets = append(c.Outlets, b.Outlets...)
	c.Brands = append(append(c.Brands, b.Brands...), b.NewBrands...)
	c.Products = append(c.Products, b.Products...)
	return nil
}
