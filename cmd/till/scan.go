package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/tillhq/till/extract"
	"github.com/tillhq/till/imaging"
	"github.com/tillhq/till/ocr"
	"github.com/tillhq/till/pipeline"
)

// ocrConfig holds the flags that choose how receipts are read, shared by
// scan and eval.
type ocrConfig struct {
	tessdata string
	langs    string
	workers  int
	psm      int
	reread   bool
	rehead   bool
	relines  bool
	headPSM  int
	country  string
	cache    string
	prepare  bool
	enlarge  bool
}

func (c *ocrConfig) register(fs *flag.FlagSet) {
	def := pipeline.NewReader(nil) // the service's settings are the defaults
	fs.StringVar(&c.tessdata, "tessdata", os.Getenv("TILL_TESSDATA"), "`folder` of Tesseract models to prefer, such as the best_int ones from scripts/tessdata.sh (env TILL_TESSDATA)")
	fs.StringVar(&c.langs, "langs", envOr("TILL_OCR_LANGS", "eng"), "Tesseract `languages`, such as eng or eng+deu (env TILL_OCR_LANGS)")
	fs.IntVar(&c.workers, "workers", runtime.NumCPU(), "receipts read at once, one OCR engine each")
	fs.IntVar(&c.psm, "psm", def.PSM, "page segmentation `mode` of the full-page pass (6 reads totals and dates best)")
	fs.BoolVar(&c.reread, "reread", def.Reread, "re-read the total and date rows on their own")
	fs.BoolVar(&c.relines, "reread-lines", def.RereadLines, "re-read the total rows and the first dated row one by one, enlarged")
	fs.BoolVar(&c.rehead, "reread-header", def.RereadHeader, "re-read the header (merchant name and address) on its own")
	fs.IntVar(&c.headPSM, "header-psm", def.HeaderPSM, "page segmentation `mode` of the header's re-read (4 or 3 read names and addresses best)")
	fs.StringVar(&c.country, "country", "", "ISO `country` code of the receipts, when known (decides 02/03 day-first or month-first)")
	fs.BoolVar(&c.prepare, "prepare", true, "shrink pages whose text is taller than Tesseract needs and undo their tilt before OCR")
	fs.BoolVar(&c.enlarge, "enlarge", false, "with -prepare, also enlarge pages whose text is small (slower; reads SROIE's names no better)")
	fs.StringVar(&c.cache, "ocr-cache", "", "`folder` that keeps every recognition by image and settings, so that runs which change only extraction skip the OCR")
}

// open loads the OCR engines and returns a function that reads one image
// file, how many reads may run at once, and a function that frees the
// engines.
func (c *ocrConfig) open() (readFunc, int, func(), error) {
	workers := max(c.workers, 1)
	pool, err := ocr.NewPool(ocr.Config{Size: workers, Langs: c.langs, TessdataDir: c.tessdata})
	if err != nil {
		return nil, 0, nil, err
	}
	psm := c.psm
	if psm == 3 {
		psm = 0
	}
	var engine ocr.Engine = pool
	if c.cache != "" {
		if err := os.MkdirAll(c.cache, 0o755); err != nil {
			pool.Close()
			return nil, 0, nil, err
		}
		engine = cachedEngine{next: pool, dir: c.cache, models: pool.Models()}
	}
	rd := pipeline.NewReader(engine)
	rd.Hints = extract.Hints{Country: c.country}
	rd.PSM, rd.Reread, rd.RereadHeader, rd.RereadLines, rd.HeaderPSM = psm, c.reread, c.rehead, c.relines, c.headPSM
	var prep *imaging.PrepareOptions
	if c.prepare {
		prep = &pipeline.Prepare
		if c.enlarge {
			prep = &imaging.PrepareOptions{}
		}
	}
	read := func(ctx context.Context, path string) (*extract.Receipt, error) {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		d, err := imaging.Decode(data, imaging.DecodeOptions{})
		if err != nil {
			return nil, err
		}
		return pipeline.Read(ctx, rd, prep, d.Image)
	}
	return read, workers, func() { pool.Close() }, nil
}

// scanResult is one line of "till scan --json".
type scanResult struct {
	File string `json:"file"`
	extract.Analyzed
}

func runScan(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	var oc ocrConfig
	oc.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON object per image instead of a table")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: till scan [flags] IMAGE...")
		fmt.Fprintln(fs.Output(), "\nReads receipt images and prints what Till extracts from each.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("scan: no image given")
	}
	read, _, closeFn, err := oc.open()
	if err != nil {
		return err
	}
	defer closeFn()
	failed := 0
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	for i, path := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, err := read(ctx, path)
		if err != nil {
			failed++
			fmt.Fprintf(os.Stderr, "till scan: %s: %s\n", path, errorText(err))
			continue
		}
		if *asJSON {
			if err := enc.Encode(scanResult{File: path, Analyzed: r.Analyzed()}); err != nil {
				return err
			}
			continue
		}
		if i > 0 {
			fmt.Println()
		}
		printReceipt(os.Stdout, path, r)
	}
	if failed > 0 {
		return fmt.Errorf("scan: %d of %d images could not be read", failed, fs.NArg())
	}
	return nil
}

// printReceipt writes a receipt as a readable table.
func printReceipt(w io.Writer, path string, r *extract.Receipt) {
	a := r.Analyzed()
	fmt.Fprintf(w, "── %s ──\n", path)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	field := func(name, value, conf string) {
		if value == "" {
			value = "–"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", name, value, confText(r.Confidence[conf]))
	}
	field("merchant", r.Merchant.Name, "merchant.name")
	field("address", r.Merchant.Address, "merchant.address")
	field("phone", r.Merchant.Phone, "merchant.phone")
	field("tax id", r.Merchant.TaxID, "merchant.tax_id")
	field("date", strings.TrimSpace(a.ReceiptDate+" "+a.ReceiptTime), "receipt_date")
	field("receipt no", r.Code, "receipt_code")
	field("terminal", r.Terminal, "term_id")
	field("subtotal", amountText(r.Subtotal, r.Currency), "subtotal")
	field("tax", amountText(r.Tax, r.Currency), "tax")
	field("total", amountText(r.Total, r.Currency), "total")
	if r.Paid != nil {
		field("paid ("+r.Payment+")", amountText(r.Paid, r.Currency), "paid")
	}
	if r.Change != nil {
		field("change", amountText(r.Change, r.Currency), "change")
	}
	tw.Flush()
	if len(r.Items) > 0 {
		fmt.Fprintf(w, "  items (%d, adding up to %s):\n", len(r.Items), r.ComputedTotal())
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		for _, it := range r.Items {
			qty := ""
			if it.Quantity.Cmp(extract.Amount{Units: 1}) != 0 || it.Unit != "each" {
				qty = it.Quantity.String() + " " + it.Unit + " × " + it.Price.String()
			}
			fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t\n", it.Name, qty, it.Value, it.GTIN)
		}
		tw.Flush()
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "  ! %s\n", warn)
	}
	fmt.Fprintf(w, "  %d words, OCR confidence %.0f %%\n", r.WordsCount, 100*r.AccuracyRate)
}

func amountText(a *extract.Amount, currency string) string {
	if a == nil {
		return ""
	}
	return strings.TrimSpace(a.String() + " " + currency)
}

func confText(c float64) string {
	if c == 0 {
		return ""
	}
	return fmt.Sprintf("%3.0f %%", 100*c)
}

// cachedEngine keeps each recognition in a folder, keyed by the image's
// pixels, the options and the models, and answers repeated requests from
// it. Files are written atomically, so concurrent readers are safe.
type cachedEngine struct {
	next   ocr.Engine
	dir    string
	models string
}

// Recognize returns the cached page for img and opt, or recognises it and
// keeps the result.
func (c cachedEngine) Recognize(ctx context.Context, img image.Image, opt ocr.Options) (ocr.Page, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%d|%v|%q|%v|", c.models, opt.PSM, opt.Rect, opt.Whitelist, img.Bounds())
	g, ok := img.(*image.Gray)
	if !ok {
		return c.next.Recognize(ctx, img, opt)
	}
	for y := g.Rect.Min.Y; y < g.Rect.Max.Y; y++ {
		i := g.PixOffset(g.Rect.Min.X, y)
		h.Write(g.Pix[i : i+g.Rect.Dx()])
	}
	name := filepath.Join(c.dir, hex.EncodeToString(h.Sum(nil))+".json")
	if b, err := os.ReadFile(name); err == nil {
		var p ocr.Page
		if json.Unmarshal(b, &p) == nil {
			return p, nil
		}
	}
	p, err := c.next.Recognize(ctx, img, opt)
	if err != nil {
		return p, err
	}
	if b, err := json.Marshal(p); err == nil {
		tmp := name + ".tmp" + strconv.Itoa(os.Getpid())
		if os.WriteFile(tmp, b, 0o644) == nil {
			_ = os.Rename(tmp, name)
		}
	}
	return p, nil
}
