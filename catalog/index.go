// Package catalog finds what a receipt is about in Till's catalogue: which
// retailer issued it (DetectRetailer) and which product each item line is
// (MatchItems).
//
// An Index holds the catalogue in memory, built once from a
// till.CatalogStore and rebuilt when the catalogue changes. Item lines are
// matched in order of certainty: a printed GTIN whose check digit is right,
// a Walmart-style code printed without its check digit, an alias the
// retailer is known to print for a product (learnt from validations), and
// last a fuzzy comparison of the line's words with product names that
// copes with till abbreviations such as "CHKN BRST 500G". Each match
// carries a confidence, 0-1, and a status from Config's thresholds: auto
// (accept), needs_validation (ask a person) or unmatched.
//
// Fuzzy candidates come from an inverted index of the catalogue's words.
// Each word of a line is expanded to catalogue words it may stand for –
// itself, words it is a prefix of, words it abbreviates, words within a
// small Jaro-Winkler distance – and the products holding those words are
// scored by the rarity of the line's words, the rarest word's products
// first; the best few are then compared word by word,
// where looser spellings are also tried: words run together ("PKGTAPE"),
// one word printed as two ("MILKY BAR"), a count printed onto a word
// ("ROLLER2"). A fuzzy match is only as confident as it is unrivalled: when
// other products account for the line about as well, it is offered to a
// person or left unmatched rather than accepted.
package catalog

import (
	"context"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/tillhq/till"
)

// Config tunes matching. The zero value of a field means its default.
type Config struct {
	// AutoAccept is the confidence from which a match is accepted
	// without a person. Default 0.85.
	AutoAccept float64
	// NeedsValidation is the confidence from which a match is offered to
	// a person; below it an item line is unmatched. Default 0.60.
	NeedsValidation float64
	// Candidates is how many products the fuzzy matcher compares word by
	// word. Default 16.
	Candidates int
	// NoCompletion turns off completing Walmart-style codes printed
	// without their check digit.
	NoCompletion bool
}

// The defaults of Config. They were chosen before the matching set in
// testdata was measured and have not been changed to suit it.
const (
	DefaultAutoAccept      = 0.85
	DefaultNeedsValidation = 0.60
	DefaultCandidates      = 16
)

func (c Config) withDefaults() Config {
	if c.AutoAccept == 0 {
		c.AutoAccept = DefaultAutoAccept
	}
	if c.NeedsValidation == 0 {
		c.NeedsValidation = DefaultNeedsValidation
	}
	if c.Candidates == 0 {
		c.Candidates = DefaultCandidates
	}
	return c
}

// Index is the catalogue in memory, ready to match against. It is safe for
// concurrent use and never changes once built.
type Index struct {
	cfg Config

	// Products, by position, sorted by GTIN.
	gtins   []uint64 // GTIN-14 as a number
	brand   []uint32 // index into brands; 0 is no brand
	brands  []string // brand ids, brands[0] = ""
	tok     []uint32 // the word ids of product i are tok[tokOff[i]:tokOff[i+1]]
	tokOff  []uint32
	partner []bool // by brand index
	// brandWords is how many of the first words of product i are its
	// brand's name.
	brandWords []uint8

	// The vocabulary: every word of every product, sorted.
	words    []string
	wordID   map[string]uint32
	post     []uint32 // the products holding word w are post[postOff[w]:postOff[w+1]]
	postOff  []uint32
	idf      []float32           // by word: log(1 + products / products holding it)
	maxIDF   float32             // the idf of a word only one product holds
	skeleton map[string][]uint32 // skeleton → words
	// bucket holds the words by first letter, last letter and length,
	// where abbreviations and misreadings of a word are looked for.
	bucket  map[[3]byte][]bucketWord
	initial []byte // by word: its first byte
	size    []bool // by word: whether it is a size such as "500G"

	aliases map[string]uint32 // retailer id + "\x00" + AliasKey → product

	retailers []retailerKeys
	outlets   map[string][]till.Outlet // by normalised postcode

	scratch sync.Pool // of *scratch
	expand  sync.Map  // query word → []expansion, a cache
	nexpand int64     // entries in expand, approximately
}

// Build reads the whole catalogue from st and indexes it.
func Build(ctx context.Context, st till.CatalogStore, cfg Config) (*Index, error) {
	var c Contents
	for after := ""; ; {
		page, err := st.Products(ctx, till.Page{After: after, Limit: till.MaxPageLimit})
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		c.Products = append(c.Products, page...)
		after = page[len(page)-1].GTIN
	}
	for after := ""; ; {
		page, err := st.Brands(ctx, till.Page{After: after, Limit: till.MaxPageLimit})
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		c.Brands = append(c.Brands, page...)
		after = page[len(page)-1].ID
	}
	for after := ""; ; {
		page, err := st.Retailers(ctx, till.Page{After: after, Limit: till.MaxPageLimit})
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		c.Retailers = append(c.Retailers, page...)
		after = page[len(page)-1].ID
	}
	for after := ""; ; {
		page, err := st.Outlets(ctx, "", till.Page{After: after, Limit: till.MaxPageLimit})
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		c.Outlets = append(c.Outlets, page...)
		last := page[len(page)-1]
		after = last.RetailerID + "/" + last.StoreID
	}
	return New(&c, cfg), nil
}

// Contents is what an Index is built from.
type Contents struct {
	Retailers []till.Retailer
	Outlets   []till.Outlet
	Brands    []till.Brand
	Products  []till.Product // with GTIN-14s, as stored
}

// New indexes c. Products whose GTIN is not a GTIN-14 are skipped.
func New(c *Contents, cfg Config) *Index {
	ix := &Index{cfg: cfg.withDefaults(), brands: []string{""}, partner: []bool{false}}
	brandAt := map[string]uint32{}
	brandName := map[string]string{}
	for _, b := range c.Brands {
		brandAt[b.ID] = uint32(len(ix.brands))
		brandName[b.ID] = b.Name
		ix.brands = append(ix.brands, b.ID)
		ix.partner = append(ix.partner, b.Partner)
	}

	products := make([]*till.Product, 0, len(c.Products))
	for i := range c.Products {
		if len(c.Products[i].GTIN) == 14 && allDigits(c.Products[i].GTIN) {
			products = append(products, &c.Products[i])
		}
	}
	slices.SortFunc(products, func(a, b *till.Product) int { return strings.Compare(a.GTIN, b.GTIN) })
	products = slices.CompactFunc(products, func(a, b *till.Product) bool { return a.GTIN == b.GTIN })

	ix.gtins = make([]uint64, len(products))
	ix.brand = make([]uint32, len(products))
	ix.brandWords = make([]uint8, len(products))
	ix.tokOff = make([]uint32, 1, len(products)+1)
	ix.wordID = map[string]uint32{}
	ix.aliases = map[string]uint32{}
	var lists [][]uint32
	var tmp []string
	for i, p := range products {
		ix.gtins[i], _ = strconv.ParseUint(p.GTIN, 10, 64)
		if p.BrandID != "" {
			at, ok := brandAt[p.BrandID]
			if !ok {
				at = uint32(len(ix.brands))
				brandAt[p.BrandID] = at
				ix.brands = append(ix.brands, p.BrandID)
				ix.partner = append(ix.partner, false)
			}
			ix.brand[i] = at
		}
		var nb int
		tmp, nb = productWords(tmp[:0], p, brandName[p.BrandID])
		ix.brandWords[i] = uint8(min(nb, 255))
		for _, w := range tmp {
			id, ok := ix.wordID[w]
			if !ok {
				id = uint32(len(lists))
				ix.wordID[w] = id
				lists = append(lists, nil)
			}
			if l := lists[id]; len(l) == 0 || l[len(l)-1] != uint32(i) {
				lists[id] = append(l, uint32(i))
				ix.tok = append(ix.tok, id)
			}
		}
		ix.tokOff = append(ix.tokOff, uint32(len(ix.tok)))
		for _, a := range p.Aliases {
			ix.aliases[a.RetailerID+"\x00"+till.AliasKey(a.Text)] = uint32(i)
		}
	}

	// Number the words in sorted order so that prefixes are ranges.
	unsorted := make([]string, len(lists))
	for w, id := range ix.wordID {
		unsorted[id] = w
	}
	order := make([]uint32, len(lists))
	for i := range order {
		order[i] = uint32(i)
	}
	sort.Slice(order, func(a, b int) bool { return unsorted[order[a]] < unsorted[order[b]] })
	renum := make([]uint32, len(lists))
	ix.words = make([]string, len(lists))
	ix.postOff = make([]uint32, 1, len(lists)+1)
	total := 0
	for _, l := range lists {
		total += len(l)
	}
	ix.post = make([]uint32, 0, total)
	for newID, oldID := range order {
		renum[oldID] = uint32(newID)
		ix.words[newID] = unsorted[oldID]
		ix.post = append(ix.post, lists[oldID]...)
		ix.postOff = append(ix.postOff, uint32(len(ix.post)))
		ix.wordID[unsorted[oldID]] = uint32(newID)
	}
	for i, id := range ix.tok {
		ix.tok[i] = renum[id]
	}
	ix.skeleton = map[string][]uint32{}
	ix.bucket = map[[3]byte][]bucketWord{}
	ix.idf = make([]float32, len(ix.words))
	ix.maxIDF = float32(math.Log(1 + float64(len(products))))
	ix.initial = make([]byte, len(ix.words))
	ix.size = make([]bool, len(ix.words))
	for id, w := range ix.words {
		df := ix.postOff[id+1] - ix.postOff[id]
		ix.idf[id] = float32(math.Log(1 + float64(len(products))/float64(df)))
		ix.initial[id] = w[0]
		ix.size[id] = isSize(w)
		if allDigits(w[:1]) {
			continue
		}
		if s := skeleton(w); s != "" {
			ix.skeleton[s] = append(ix.skeleton[s], uint32(id))
		}
		if len(w) >= 3 {
			k := bucketKey(w[0], w[len(w)-1], len(w))
			ix.bucket[k] = append(ix.bucket[k], bucketWord{uint32(id), letters(w)})
		}
	}

	ix.indexRetailers(c.Retailers, c.Outlets)
	ix.scratch.New = func() any { return new(scratch) }
	return ix
}

// bucketWord is a word of ix.bucket and the set of its letters.
type bucketWord struct {
	id      uint32
	letters uint32
}

// letters returns the set of bytes of w, each byte folded onto one of 32
// bits: a word can only abbreviate another whose set holds all of its own.
func letters(w string) uint32 {
	var set uint32
	for i := 0; i < len(w); i++ {
		set |= 1 << (w[i] & 31)
	}
	return set
}

// bucketKey is the key of ix.bucket.
func bucketKey(first, last byte, n int) [3]byte {
	return [3]byte{first, last, byte(min(n, 255))}
}

// productWords appends the words a product is matched by: its brand's
// name (when the product name does not start with it), its name and its
// size, each once. It also returns how many of the first words appended
// are the brand's name. When the brand has no name, a product name that
// starts with the words of the brand's id ("great-value") starts with the
// brand's name.
func productWords(dst []string, p *till.Product, brandName string) ([]string, int) {
	text := p.Name
	key := till.AliasKey(p.Name)
	brand := 0
	switch {
	case brandName != "" && !strings.HasPrefix(key, till.AliasKey(brandName)):
		text = brandName + " " + text
		brand = len(tokens(brandName))
	case brandName != "":
		brand = len(tokens(brandName))
	case p.BrandID != "":
		if b := till.AliasKey(strings.ReplaceAll(p.BrandID, "-", " ")); b != "" && (key == b || strings.HasPrefix(key, b+" ")) {
			brand = len(tokens(b))
		}
	}
	if p.Size != "" {
		text += " " + p.Size + " " + p.Unit
	}
	start := len(dst)
	for _, w := range tokens(text) {
		if !slices.Contains(dst[start:], w) {
			dst = append(dst, w)
		}
	}
	return dst, min(brand, len(dst)-start)
}

// Len returns how many products the index holds.
func (ix *Index) Len() int { return len(ix.gtins) }

// find returns the position of the product with GTIN-14 g.
func (ix *Index) find(g string) (int, bool) {
	n, err := strconv.ParseUint(g, 10, 64)
	if err != nil || len(g) != 14 {
		return 0, false
	}
	return slices.BinarySearch(ix.gtins, n)
}

// gtin returns the GTIN-14 of product i.
func (ix *Index) gtin(i int) string {
	s := strconv.FormatUint(ix.gtins[i], 10)
	return "00000000000000"[:14-len(s)] + s
}

// text returns the words product i is matched by, joined by spaces.
func (ix *Index) text(i int) string {
	var b strings.Builder
	for k, id := range ix.tok[ix.tokOff[i]:ix.tokOff[i+1]] {
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(ix.words[id])
	}
	return b.String()
}
