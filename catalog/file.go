package catalog

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tillhq/till"
)

// Kind is what a catalogue file holds.
type Kind string

// The kinds of catalogue file.
const (
	KindRetailers Kind = "retailers"
	KindOutlets   Kind = "outlets"
	KindBrands    Kind = "brands"
	KindProducts  Kind = "products"
)

// ParseKind returns the kind named s.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case KindRetailers, KindOutlets, KindBrands, KindProducts:
		return k, nil
	}
	return "", till.Invalid("kind", "kind must be retailers, outlets, brands or products; got %q", s)
}

// Reject is a row of a file that cannot be imported.
type Reject struct {
	Row    int    `json:"row"` // the line of the file it starts on, from 1
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

func (r Reject) String() string {
	if r.Field == "" {
		return fmt.Sprintf("row %d: %s", r.Row, r.Reason)
	}
	return fmt.Sprintf("row %d: %s: %s", r.Row, r.Field, r.Reason)
}

// File is what ReadFile read: the rows that can be imported, as a batch,
// and the rows that cannot.
type File struct {
	Kind    Kind
	Rows    int // data rows read, good and bad
	Batch   till.CatalogBatch
	Rejects []Reject
}

// The columns that tell a CSV header's kind, and Open Food Facts' product
// export columns.
var kindColumns = []struct {
	column string
	kind   Kind
}{
	{"store_id", KindOutlets},
	{"code", KindProducts}, // Open Food Facts
	{"gtin", KindProducts},
	{"item_coins", KindBrands},
	{"spend_coins", KindBrands},
	{"partner", KindBrands},
	{"tax_ids", KindRetailers},
	{"name_variants", KindRetailers},
	{"phones", KindRetailers},
}

// ReadFile reads a catalogue file: CSV with a header row (comma- or
// tab-separated, as Open Food Facts exports), or JSON Lines (one object per
// line, the first non-blank byte "{"). kind may be empty to tell it from
// the header or the first object's keys. progress, when not nil, is called
// with the bytes read so far every few thousand rows.
//
// Lists in CSV cells are separated by "|"; a product's aliases are
// "retailer:text|retailer:text". Rejected rows are returned in Rejects
// with their line, field and reason; ReadFile fails only when the file
// cannot be read or its kind cannot be told.
func ReadFile(r io.Reader, kind Kind, progress func(bytesRead int64)) (*File, error) {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 1<<16)
	head, _ := br.Peek(512)
	if first := bytes.TrimLeft(head, " \t\r\n\ufeff"); len(first) > 0 && first[0] == '{' {
		return readJSONLines(br, kind, func() {
			if progress != nil {
				progress(cr.n)
			}
		})
	}
	return readCSV(br, head, kind, func() {
		if progress != nil {
			progress(cr.n)
		}
	})
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// progressEvery is how many rows pass between progress calls.
const progressEvery = 4096

func readCSV(br *bufio.Reader, head []byte, kind Kind, progress func()) (*File, error) {
	cr := csv.NewReader(br)
	firstLine, _, _ := bytes.Cut(head, []byte("\n"))
	if bytes.Count(firstLine, []byte("\t")) > bytes.Count(firstLine, []byte(",")) {
		cr.Comma = '\t'
		cr.LazyQuotes = true // Open Food Facts' exports carry stray quotes
	}
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, till.Errorf(till.KindInvalid, "the file is empty; expected a header row")
		}
		return nil, till.Errorf(till.KindInvalid, "header row: %v", err)
	}
	cols := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, ok := cols[h]; !ok {
			cols[h] = i
		}
	}
	if kind == "" {
		for _, kc := range kindColumns {
			if _, ok := cols[kc.column]; ok {
				kind = kc.kind
				break
			}
		}
		if kind == "" {
			return nil, till.Invalid("kind", "cannot tell the kind from the header %q; give --kind", strings.Join(header, ","))
		}
	}
	f := newFile(kind)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		f.Rows++
		if f.Rows%progressEvery == 0 {
			progress()
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			f.reject(pe.StartLine, "", "malformed CSV: "+pe.Err.Error())
			if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
				// The reader cannot resynchronise inside a broken quote.
				return f.finish(), nil
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read: %w", err)
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string {
			if i, ok := cols[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		f.add(line, rowOf(kind, get, cols))
	}
	progress()
	return f.finish(), nil
}

// row is one row of any kind, or why it cannot be read.
type row struct {
	retailer *till.Retailer
	outlet   *till.Outlet
	brand    *till.Brand
	newBrand *till.Brand
	product  *till.Product
	err      error
}

// rowOf builds a row of kind from the cells get returns by column name.
func rowOf(kind Kind, get func(string) string, cols map[string]int) row {
	list := func(name string) []string {
		if s := get(name); s != "" {
			return strings.Split(s, "|")
		}
		return nil
	}
	switch kind {
	case KindRetailers:
		return row{retailer: &till.Retailer{ID: get("id"), Name: get("name"), Alias: get("alias"), LogoURL: get("logo_url"),
			Country: get("country"), TaxIDs: list("tax_ids"), Phones: list("phones"), NameVariants: list("name_variants")}}
	case KindOutlets:
		o := &till.Outlet{RetailerID: get("retailer_id"), StoreID: get("store_id"), Name: get("name"),
			Address: get("address"), Postcode: get("postcode")}
		for _, c := range []struct {
			name string
			dst  *float64
		}{{"latitude", &o.Latitude}, {"longitude", &o.Longitude}} {
			if s := get(c.name); s != "" {
				v, err := strconv.ParseFloat(s, 64)
				if err != nil {
					return row{err: till.Invalid(c.name, "%s must be a number; got %q", c.name, s)}
				}
				*c.dst = v
			}
		}
		return row{outlet: o}
	case KindBrands:
		b := &till.Brand{ID: get("id"), Name: get("name"), ItemCoins: get("item_coins"), SpendCoins: get("spend_coins")}
		if s := get("partner"); s != "" {
			v, err := strconv.ParseBool(s)
			if err != nil {
				return row{err: till.Invalid("partner", "partner must be true or false; got %q", s)}
			}
			b.Partner = v
		}
		return row{brand: b}
	}
	if _, ok := cols["code"]; ok {
		return offRow(get)
	}
	p := &till.Product{GTIN: get("gtin"), Name: get("name"), BrandID: get("brand_id"), Size: get("size"), Unit: get("unit")}
	if _, ok := cols["aliases"]; ok {
		p.Aliases = []till.ProductAlias{}
		for _, a := range list("aliases") {
			retailer, text, ok := strings.Cut(a, ":")
			if !ok {
				return row{err: till.Invalid("aliases", "an alias must be retailer:text; got %q", a)}
			}
			p.Aliases = append(p.Aliases, till.ProductAlias{RetailerID: retailer, Text: text})
		}
	}
	return row{product: p}
}

// quantityRE reads Open Food Facts' quantity, such as "500 g" or "1,5 L".
var quantityRE = regexp.MustCompile(`^([0-9]{1,9}(?:[.,][0-9]{1,6})?)\s*([A-Za-z]{1,5})$`)

// offUnits are the quantity units kept from Open Food Facts; others, and
// quantities such as "6 x 330 ml", leave size and unit empty.
var offUnits = map[string]string{"g": "g", "kg": "kg", "mg": "mg", "ml": "ml", "cl": "cl", "l": "l", "oz": "oz", "lb": "lb"}

// offRow reads a row of Open Food Facts' product export: code,
// product_name, brands (the first names the brand, created when missing)
// and quantity.
func offRow(get func(string) string) row {
	p := &till.Product{GTIN: get("code"), Name: get("product_name")}
	var nb *till.Brand
	if brand, _, _ := strings.Cut(get("brands"), ","); strings.TrimSpace(brand) != "" {
		brand = strings.TrimSpace(brand)
		if id := till.Slug(brand); id != "" {
			p.BrandID = id
			nb = &till.Brand{ID: id, Name: brand}
		}
	}
	if m := quantityRE.FindStringSubmatch(get("quantity")); m != nil {
		if u, ok := offUnits[strings.ToLower(m[2])]; ok {
			p.Size, p.Unit = strings.Replace(m[1], ",", ".", 1), u
		}
	}
	if p.GTIN != "" && !allDigits(p.GTIN) {
		return row{err: till.Invalid("code", "code must be digits; got %q", p.GTIN)}
	}
	return row{product: p, newBrand: nb}
}

// newFile starts a File of kind.
func newFile(kind Kind) *file {
	return &file{File: File{Kind: kind}, gtinRow: map[string]int{}, keyRow: map[string]int{}}
}

// file is a File being read, with what finds duplicates.
type file struct {
	File
	gtinRow map[string]int // GTIN-14 → the row it was first seen on
	keyRow  map[string]int // natural key → the row it was first seen on
	brands  map[string]bool
}

func (f *file) reject(line int, field, reason string) {
	f.Rejects = append(f.Rejects, Reject{Row: line, Field: field, Reason: reason})
}

func (f *file) rejectErr(line int, err error) {
	msg, field := till.ErrorMessage(err)
	if till.ErrorKind(err) == till.KindInternal {
		msg = err.Error()
	}
	f.reject(line, field, msg)
}

// add validates r, read from line, and adds it to the batch or rejects it.
func (f *file) add(line int, r row) {
	if r.err != nil {
		f.rejectErr(line, r.err)
		return
	}
	dup := func(key, what string) bool {
		if first, ok := f.keyRow[key]; ok {
			f.reject(line, "id", fmt.Sprintf("%s %q is also on row %d", what, strings.SplitN(key, "\x00", 2)[1], first))
			return true
		}
		f.keyRow[key] = line
		return false
	}
	switch {
	case r.retailer != nil:
		if err := r.retailer.Validate(); err != nil {
			f.rejectErr(line, err)
		} else if !dup("r\x00"+r.retailer.ID, "retailer") {
			f.Batch.Retailers = append(f.Batch.Retailers, *r.retailer)
		}
	case r.outlet != nil:
		if err := r.outlet.Validate(); err != nil {
			f.rejectErr(line, err)
		} else if !dup("o\x00"+r.outlet.RetailerID+"/"+r.outlet.StoreID, "outlet") {
			f.Batch.Outlets = append(f.Batch.Outlets, *r.outlet)
		}
	case r.brand != nil:
		if err := r.brand.Validate(); err != nil {
			f.rejectErr(line, err)
		} else if !dup("b\x00"+r.brand.ID, "brand") {
			f.Batch.Brands = append(f.Batch.Brands, *r.brand)
		}
	case r.product != nil:
		if err := r.product.Validate(); err != nil {
			f.rejectErr(line, err)
			return
		}
		if first, ok := f.gtinRow[r.product.GTIN]; ok {
			f.reject(line, "gtin", fmt.Sprintf("GTIN %s is also on row %d", r.product.GTIN, first))
			return
		}
		f.gtinRow[r.product.GTIN] = line
		f.Batch.Products = append(f.Batch.Products, *r.product)
		if nb := r.newBrand; nb != nil {
			if f.brands == nil {
				f.brands = map[string]bool{}
			}
			if !f.brands[nb.ID] && nb.Validate() == nil {
				f.brands[nb.ID] = true
				f.Batch.NewBrands = append(f.Batch.NewBrands, *nb)
			}
		}
	}
}

// finish returns the File, its rejects in row order.
func (f *file) finish() *File {
	slices.SortStableFunc(f.Rejects, func(a, b Reject) int { return a.Row - b.Row })
	return &f.File
}

// maxJSONLine is the longest JSON Lines line ReadFile reads.
const maxJSONLine = 1 << 20

func readJSONLines(br *bufio.Reader, kind Kind, progress func()) (*File, error) {
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 64<<10), maxJSONLine)
	var f *file
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(b, &obj); err != nil {
			if f == nil {
				f = newFile(kind)
			}
			f.Rows++
			f.reject(line, "", "malformed JSON: "+err.Error())
			continue
		}
		if f == nil || f.Kind == "" {
			k := kind
			if k == "" {
				for _, kc := range kindColumns {
					if _, ok := obj[kc.column]; ok {
						k = kc.kind
						break
					}
				}
				if k == "" {
					return nil, till.Invalid("kind", "cannot tell the kind from the keys of line %d; give --kind", line)
				}
			}
			if f == nil {
				f = newFile(k)
			}
			f.Kind = k
		}
		f.Rows++
		if f.Rows%progressEvery == 0 {
			progress()
		}
		f.add(line, jsonRow(f.Kind, b, obj))
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, till.Errorf(till.KindInvalid, "line %d is over %d bytes", line+1, maxJSONLine)
		}
		return nil, fmt.Errorf("read: %w", err)
	}
	progress()
	if f == nil {
		return nil, till.Errorf(till.KindInvalid, "the file is empty")
	}
	return f.finish(), nil
}

// jsonRow reads one JSON Lines object of kind. Its keys are those of the
// kind's JSON form (till.Retailer and so on); Open Food Facts' keys are
// read too.
func jsonRow(kind Kind, b []byte, obj map[string]json.RawMessage) row {
	dec := func(v any) error {
		d := json.NewDecoder(bytes.NewReader(b))
		if err := d.Decode(v); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return till.Invalid(te.Field, "%s: found %s", te.Field, te.Value)
			}
			return till.Errorf(till.KindInvalid, "%v", err)
		}
		return nil
	}
	switch kind {
	case KindRetailers:
		var r till.Retailer
		return row{retailer: &r, err: dec(&r)}
	case KindOutlets:
		var o till.Outlet
		return row{outlet: &o, err: dec(&o)}
	case KindBrands:
		var v struct {
			till.Brand
			ItemCoins  json.Number `json:"item_coins"`
			SpendCoins json.Number `json:"spend_coins"`
		}
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			return row{err: till.Errorf(till.KindInvalid, "%v", err)}
		}
		v.Brand.ItemCoins, v.Brand.SpendCoins = string(v.ItemCoins), string(v.SpendCoins)
		return row{brand: &v.Brand}
	}
	if _, ok := obj["code"]; ok {
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			return row{err: till.Errorf(till.KindInvalid, "%v", err)}
		}
		return offRow(func(k string) string {
			switch x := v[k].(type) {
			case string:
				return strings.TrimSpace(x)
			case float64:
				return strconv.FormatFloat(x, 'f', -1, 64)
			}
			return ""
		})
	}
	var p till.Product
	return row{product: &p, err: dec(&p)}
}
