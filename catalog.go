package till

import (
	"context"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Retailer is a chain of shops whose receipts Till reads, such as "coles".
// TaxIDs, Phones and NameVariants are what a receipt prints that gives the
// retailer away; catalog.DetectRetailer looks for them.
type Retailer struct {
	ID           string   `json:"id"`       // a slug, RetailerIDRE
	Name         string   `json:"name"`     // as shown to users
	Alias        string   `json:"alias"`    // a short display name, optional
	LogoURL      string   `json:"logo_url"` // optional
	Country      string   `json:"country"`  // ISO 3166-1 alpha-2, optional
	TaxIDs       []string `json:"tax_ids"`
	Phones       []string `json:"phones"`
	NameVariants []string `json:"name_variants"` // the names receipts print, such as "COLES SUPERMARKETS"
}

// Outlet is one physical shop of a retailer. It is not called Store so that
// it does not clash with the storage contract.
type Outlet struct {
	RetailerID string  `json:"retailer_id"`
	StoreID    string  `json:"store_id"` // the retailer's own number for the shop
	Name       string  `json:"name"`
	Address    string  `json:"address"`
	Postcode   string  `json:"postcode"`
	Latitude   float64 `json:"latitude"` // 0 with Longitude 0 means unknown
	Longitude  float64 `json:"longitude"`
}

// Brand is a maker of products. Products of a partner brand earn coins at
// the brand's rates. The rates are decimal strings of coin units (1 coin is
// 10^18 units), from 0 to MaxEarningRate, the bound of every earning rule:
// ItemCoins per matched item line, SpendCoins per whole unit of currency
// the line cost.
type Brand struct {
	ID         string `json:"id"` // a slug, RetailerIDRE's form
	Name       string `json:"name"`
	Partner    bool   `json:"partner"`
	ItemCoins  string `json:"item_coins"`
	SpendCoins string `json:"spend_coins"`
}

// Product is one trade item, known by its GTIN.
type Product struct {
	GTIN    string `json:"gtin"` // GTIN-14, left-padded with zeros
	Name    string `json:"name"`
	BrandID string `json:"brand_id"` // optional; need not name a stored brand
	Size    string `json:"size"`     // a decimal such as "500" or "1.5", optional
	Unit    string `json:"unit"`     // g, kg, ml, l, each…; set when Size is
	// Aliases are the texts retailers print for the product on receipts.
	// A nil list leaves the stored aliases as they are when the product is
	// put; an empty one removes them.
	Aliases []ProductAlias `json:"aliases"`
}

// ProductAlias says that a retailer prints Text on its receipts for the
// product with GTIN. Text is kept as AliasKey normalises it.
type ProductAlias struct {
	RetailerID string `json:"retailer_id"`
	Text       string `json:"text"`
	GTIN       string `json:"gtin,omitempty"`
}

// Page asks for one page of a listing ordered by key: the items whose key
// is after After (all when empty), less the first Offset of them, at most
// Limit of them (DefaultPageLimit when 0). After reads only the rows it
// returns; Offset serves numbered pages, as the HTTP API's are, at the
// cost of reading the rows it skips.
type Page struct {
	After  string
	Offset int // 0 or more
	Limit  int
}

// The bounds of Page.Limit.
const (
	DefaultPageLimit = 100
	MaxPageLimit     = 10000
)

// CatalogBatch is a set of catalogue changes applied together by
// CatalogStore.ImportCatalog. Brands in NewBrands are created only when no
// brand with their id exists, so that importing products that name their
// brand never overwrites a brand's partner settings.
type CatalogBatch struct {
	Retailers []Retailer
	Outlets   []Outlet
	Brands    []Brand
	NewBrands []Brand
	Products  []Product
}

// CatalogStore keeps the catalogue: retailers and their outlets, brands and
// products with their receipt aliases. Put methods insert or replace by
// natural key and report whether they inserted; they expect values that
// passed their Validate method. Getters fail with KindNotFound when there
// is nothing to get, deleters when there is nothing to delete.
type CatalogStore interface {
	PutRetailer(ctx context.Context, r *Retailer) (created bool, err error)
	Retailer(ctx context.Context, id string) (*Retailer, error)
	Retailers(ctx context.Context, p Page) ([]Retailer, error)
	// DeleteRetailer deletes the retailer with its outlets and aliases.
	DeleteRetailer(ctx context.Context, id string) error

	// PutOutlet fails with KindNotFound when its retailer does not exist.
	PutOutlet(ctx context.Context, o *Outlet) (created bool, err error)
	Outlet(ctx context.Context, retailerID, storeID string) (*Outlet, error)
	// Outlets lists a retailer's outlets by store id, or every outlet by
	// retailer id and store id when retailerID is empty; After is then
	// retailer id + "/" + store id.
	Outlets(ctx context.Context, retailerID string, p Page) ([]Outlet, error)
	DeleteOutlet(ctx context.Context, retailerID, storeID string) error

	PutBrand(ctx context.Context, b *Brand) (created bool, err error)
	Brand(ctx context.Context, id string) (*Brand, error)
	Brands(ctx context.Context, p Page) ([]Brand, error)
	DeleteBrand(ctx context.Context, id string) error

	// PutProduct fails with KindNotFound when an alias names a retailer
	// that does not exist.
	PutProduct(ctx context.Context, p *Product) (created bool, err error)
	// Product returns the product with its aliases; gtin is a GTIN-14.
	Product(ctx context.Context, gtin string) (*Product, error)
	// Products lists products by GTIN, each with its aliases.
	Products(ctx context.Context, p Page) ([]Product, error)
	DeleteProduct(ctx context.Context, gtin string) error
	// AddProductAlias records an alias, as learnt from a human validation;
	// a retailer's alias text names one product, the latest added. It
	// fails with KindNotFound when the retailer or product does not exist.
	AddProductAlias(ctx context.Context, a ProductAlias) error

	// ImportCatalog applies b in one transaction: all of it or, on error,
	// none.
	ImportCatalog(ctx context.Context, b *CatalogBatch) error
}

// shorten shortens s for an error message.
func shorten(s string) string {
	if len(s) > 48 {
		return s[:45] + "..."
	}
	return s
}

// Validate trims r's fields, sorts and de-duplicates its lists and checks
// them. It fails with KindInvalid naming the field at fault.
func (r *Retailer) Validate() error {
	r.ID = strings.TrimSpace(r.ID)
	if !RetailerIDRE.MatchString(r.ID) {
		return Invalid("id", "retailer id must be a lower-case slug such as coles; got %q", shorten(r.ID))
	}
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" {
		return Invalid("name", "retailer name is required")
	}
	r.Alias = strings.TrimSpace(r.Alias)
	r.LogoURL = strings.TrimSpace(r.LogoURL)
	if r.LogoURL != "" && !strings.HasPrefix(r.LogoURL, "https://") && !strings.HasPrefix(r.LogoURL, "http://") {
		return Invalid("logo_url", "logo_url must be an http(s) URL; got %q", shorten(r.LogoURL))
	}
	var err error
	if r.Country, err = validCountry(r.Country); err != nil {
		return err
	}
	r.TaxIDs = cleanList(r.TaxIDs)
	r.Phones = cleanList(r.Phones)
	r.NameVariants = cleanList(r.NameVariants)
	return nil
}

func validCountry(c string) (string, error) {
	c = strings.ToUpper(strings.TrimSpace(c))
	if c != "" && (len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z') {
		return "", Invalid("country", "country must be an ISO 3166-1 alpha-2 code such as AU; got %q", shorten(c))
	}
	return c, nil
}

// cleanList trims the items of list, drops empty ones, sorts and
// de-duplicates; nil when nothing is left.
func cleanList(list []string) []string {
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Validate trims o's fields and checks them. It fails with KindInvalid
// naming the field at fault.
func (o *Outlet) Validate() error {
	o.RetailerID = strings.TrimSpace(o.RetailerID)
	if !RetailerIDRE.MatchString(o.RetailerID) {
		return Invalid("retailer_id", "retailer_id must be a lower-case slug such as coles; got %q", shorten(o.RetailerID))
	}
	o.StoreID = strings.TrimSpace(o.StoreID)
	if o.StoreID == "" || len(o.StoreID) > 64 || strings.ContainsAny(o.StoreID, "/?#") {
		return Invalid("store_id", "store_id must be 1-64 characters without / ? or #; got %q", shorten(o.StoreID))
	}
	o.Name = strings.TrimSpace(o.Name)
	o.Address = strings.TrimSpace(o.Address)
	o.Postcode = strings.TrimSpace(o.Postcode)
	if math.IsNaN(o.Latitude) || o.Latitude < -90 || o.Latitude > 90 {
		return Invalid("latitude", "latitude must be between -90 and 90; got %v", o.Latitude)
	}
	if math.IsNaN(o.Longitude) || o.Longitude < -180 || o.Longitude > 180 {
		return Invalid("longitude", "longitude must be between -180 and 180; got %v", o.Longitude)
	}
	return nil
}

// Validate trims b's fields and checks them. It fails with KindInvalid
// naming the field at fault. Empty rates become "0".
func (b *Brand) Validate() error {
	b.ID = strings.TrimSpace(b.ID)
	if !RetailerIDRE.MatchString(b.ID) {
		return Invalid("id", "brand id must be a lower-case slug such as nestle; got %q", shorten(b.ID))
	}
	b.Name = strings.TrimSpace(b.Name)
	if b.Name == "" {
		return Invalid("name", "brand name is required")
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"item_coins", &b.ItemCoins}, {"spend_coins", &b.SpendCoins}} {
		rate, err := parseCoinRate(f.name, strings.TrimSpace(*f.v))
		if err != nil {
			return err
		}
		*f.v = rate.String()
	}
	return nil
}

// parseCoinRate returns the brand coin rate s, digits of units as
// ParseCoins reads them, or 0 when s is empty. A rate over MaxEarningRate
// fails here, with KindInvalid for field, rather than later when coins are
// awarded, where coins.BrandRules refuses it.
func parseCoinRate(field, s string) (Coins, error) {
	if s == "" {
		return Coins{}, nil
	}
	rate, err := ParseCoins(field, s)
	if err != nil {
		return Coins{}, err
	}
	if rate.Cmp(MaxEarningRate) > 0 {
		return Coins{}, Invalid(field, "%s must be at most %s units (a million coins); got %s", field, MaxEarningRate, shorten(s))
	}
	return rate, nil
}

var sizeRE = regexp.MustCompile(`^[0-9]{1,9}(\.[0-9]{1,6})?$`)

// Validate normalises p's GTIN to GTIN-14, trims the other fields, keys
// its aliases with AliasKey and checks them all. It fails with KindInvalid
// naming the field at fault.
func (p *Product) Validate() error {
	g := strings.TrimSpace(p.GTIN)
	if p.GTIN = NormalizeGTIN(g); p.GTIN == "" {
		return Invalid("gtin", "gtin must be a GTIN-8, -12, -13 or -14 with a right check digit; got %q", shorten(g))
	}
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" {
		return Invalid("name", "product name is required")
	}
	p.BrandID = strings.TrimSpace(p.BrandID)
	if p.BrandID != "" && !RetailerIDRE.MatchString(p.BrandID) {
		return Invalid("brand_id", "brand_id must be a lower-case slug such as nestle; got %q", shorten(p.BrandID))
	}
	p.Size, p.Unit = strings.TrimSpace(p.Size), strings.ToLower(strings.TrimSpace(p.Unit))
	if p.Size != "" && !sizeRE.MatchString(p.Size) {
		return Invalid("size", "size must be a positive decimal such as 500 or 1.5; got %q", shorten(p.Size))
	}
	if (p.Size == "") != (p.Unit == "") {
		return Invalid("unit", "size and unit go together; got size %q and unit %q", p.Size, shorten(p.Unit))
	}
	if p.Aliases != nil {
		seen := map[[2]string]bool{}
		aliases := make([]ProductAlias, 0, len(p.Aliases))
		for i, a := range p.Aliases {
			a.GTIN = p.GTIN
			if err := a.validate(); err != nil {
				e := err.(*Error)
				e.Field = "aliases[" + strconv.Itoa(i) + "]." + e.Field
				return e
			}
			if k := [2]string{a.RetailerID, a.Text}; !seen[k] {
				seen[k] = true
				aliases = append(aliases, a)
			}
		}
		slices.SortFunc(aliases, func(a, b ProductAlias) int {
			return strings.Compare(a.RetailerID+"\x00"+a.Text, b.RetailerID+"\x00"+b.Text)
		})
		p.Aliases = aliases
	}
	return nil
}

// Validate keys a's text with AliasKey, normalises its GTIN and checks
// them. It fails with KindInvalid naming the field at fault.
func (a *ProductAlias) Validate() error {
	g := a.GTIN
	if a.GTIN = NormalizeGTIN(strings.TrimSpace(g)); a.GTIN == "" {
		return Invalid("gtin", "gtin must be a GTIN-8, -12, -13 or -14 with a right check digit; got %q", shorten(g))
	}
	return a.validate()
}

func (a *ProductAlias) validate() error {
	a.RetailerID = strings.TrimSpace(a.RetailerID)
	if !RetailerIDRE.MatchString(a.RetailerID) {
		return Invalid("retailer_id", "retailer_id must be a lower-case slug such as coles; got %q", shorten(a.RetailerID))
	}
	t := a.Text
	if a.Text = AliasKey(t); a.Text == "" || len(a.Text) > 200 {
		return Invalid("text", "alias text must have 1-200 letters or digits; got %q", shorten(t))
	}
	return nil
}

// AliasKey returns the form in which receipt text is compared with product
// aliases: upper-case letters and digits, every other run of characters
// one space, with no space at either end. "Chkn-Brst  500g" is
// "CHKN BRST 500G".
func AliasKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToUpper(r))
			continue
		}
		space = true
	}
	return b.String()
}

// Slug returns a catalogue id made from a name: lower-case ASCII letters
// and digits joined by single hyphens, at most 64 bytes, "" when the name
// has none. Common Latin accents are folded ("Nestlé Kit Kat" is
// "nestle-kit-kat"); other letters are dropped rather than guessed at.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		f := fold(r)
		if f == "" {
			dash = true
			continue
		}
		if dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = false
		b.WriteString(f)
		if b.Len() >= 64 {
			break
		}
	}
	s := b.String()
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.TrimRight(s, "-")
}

// fold returns the ASCII letters or digit a lower-case rune is written
// with in a slug, or "" for anything else.
func fold(r rune) string {
	switch {
	case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
		return string(r)
	case strings.ContainsRune("áàâäãå", r):
		return "a"
	case strings.ContainsRune("éèêë", r):
		return "e"
	case strings.ContainsRune("íìîï", r):
		return "i"
	case strings.ContainsRune("óòôöõø", r):
		return "o"
	case strings.ContainsRune("úùûü", r):
		return "u"
	case r == 'ç':
		return "c"
	case r == 'ñ':
		return "n"
	case r == 'ß':
		return "ss"
	}
	return ""
}
