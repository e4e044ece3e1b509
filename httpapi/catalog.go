package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/tillhq/till"
)

// The catalogue's admin endpoints: retailers with their outlets, brands and
// products. A PUT creates (201) or replaces (200) what its path names and
// answers it as stored; the path's ids win over any in the body. Listings
// are numbered pages, as the API's others are.

// catalogPage reads the page and page_size query parameters. It asks the
// store for one item more than the page holds, so that listPage can tell
// whether another page follows.
func catalogPage(r *http.Request) (till.Page, int, error) {
	page, err := queryInt(r, "page", 0, 0, maxPage)
	if err != nil {
		return till.Page{}, 0, err
	}
	size, err := queryInt(r, "page_size", defaultPageSize, 1, maxPageSize)
	if err != nil {
		return till.Page{}, 0, err
	}
	return till.Page{Offset: page * size, Limit: size + 1}, size, nil
}

// listPage is the answer of a catalogue listing: the page's items under
// key, and whether a next page has more.
func listPage[T any](w http.ResponseWriter, key string, items []T, size int) error {
	more := len(items) > size
	if more {
		items = items[:size]
	}
	if items == nil {
		items = []T{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{key: items, "more": more})
}

// writePut answers a PUT with what it stored: 201 when it was new.
func writePut(w http.ResponseWriter, created bool, v any) error {
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, v)
}

// retailerBody shows lists as arrays, never null.
func retailerBody(r till.Retailer) till.Retailer {
	r.TaxIDs, r.Phones, r.NameVariants = nonNil(r.TaxIDs), nonNil(r.Phones), nonNil(r.NameVariants)
	return r
}

func (s *server) listRetailers(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	p, size, err := catalogPage(r)
	if err != nil {
		return err
	}
	list, err := s.store.Retailers(r.Context(), p)
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = retailerBody(list[i])
	}
	return listPage(w, "retailers", list, size)
}

func (s *server) getRetailer(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	rt, err := s.store.Retailer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, retailerBody(*rt))
}

func (s *server) putRetailer(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	var rt till.Retailer
	if err := s.decodeJSON(w, r, &rt); err != nil {
		return err
	}
	rt.ID = r.PathValue("id")
	if err := rt.Validate(); err != nil {
		return err
	}
	created, err := s.store.PutRetailer(r.Context(), &rt)
	if err != nil {
		return err
	}
	return writePut(w, created, retailerBody(rt))
}

// deleteRetailer deletes a retailer with its outlets and the receipt
// aliases of its products.
func (s *server) deleteRetailer(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	if err := s.store.DeleteRetailer(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, okResult{Result: "ok"})
}

// listOutlets answers a page of a retailer's outlets by store id; an
// unknown retailer is 404 rather than an empty list.
func (s *server) listOutlets(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	p, size, err := catalogPage(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := s.store.Retailer(r.Context(), id); err != nil {
		return err
	}
	list, err := s.store.Outlets(r.Context(), id, p)
	if err != nil {
		return err
	}
	return listPage(w, "outlets", list, size)
}

func (s *server) putOutlet(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	var o till.Outlet
	if err := s.decodeJSON(w, r, &o); err != nil {
		return err
	}
	o.RetailerID, o.StoreID = r.PathValue("id"), r.PathValue("store_id")
	if err := o.Validate(); err != nil {
		return err
	}
	created, err := s.store.PutOutlet(r.Context(), &o)
	if err != nil {
		return err
	}
	return writePut(w, created, o)
}

func (s *server) deleteOutlet(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	if err := s.store.DeleteOutlet(r.Context(), r.PathValue("id"), r.PathValue("store_id")); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, okResult{Result: "ok"})
}

// brandBody is a brand as the API shows it: rates are bare integers of
// units of 10^-18 coin, as the API's other coin amounts are.
type brandBody struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Partner    bool       `json:"partner"`
	ItemCoins  till.Coins `json:"item_coins"`
	SpendCoins till.Coins `json:"spend_coins"`
}

// newBrandBody shows b, whose rates the store kept as Brand.Validate left
// them.
func newBrandBody(b till.Brand) (brandBody, error) {
	out := brandBody{ID: b.ID, Name: b.Name, Partner: b.Partner}
	for _, f := range []struct {
		dst *till.Coins
		src string
	}{{&out.ItemCoins, b.ItemCoins}, {&out.SpendCoins, b.SpendCoins}} {
		if f.src == "" {
			continue
		}
		c, err := till.ParseCoins("", f.src)
		if err != nil {
			return brandBody{}, till.Wrap(till.KindInternal, err, "brand %s has a stored rate that is not a number of units", b.ID)
		}
		*f.dst = c
	}
	return out, nil
}

// brandRequest is the body of PUT /admin/brands/{id}. The rates are kept
// raw so that an error can name the field at fault: each is a JSON integer
// of units or a string of digits, and missing or null is 0.
type brandRequest struct {
	Name       string          `json:"name"`
	Partner    bool            `json:"partner"`
	ItemCoins  json.RawMessage `json:"item_coins"`
	SpendCoins json.RawMessage `json:"spend_coins"`
}

// rateText returns the digits of a rate as the request gave them, for
// Brand.Validate to parse. It fails with KindInvalid for field when raw is
// neither a number nor a string; Validate refuses numbers with a fraction
// or an exponent.
func rateText(field string, raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", till.Invalid(field, "%s: malformed string", field)
		}
		if s == "" {
			return "", till.Invalid(field, "%s must be an integer number of units (10^-18 coin); got an empty string", field)
		}
		return s, nil
	case raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9':
		return string(raw), nil
	}
	return "", till.Invalid(field, "%s: found %s where an integer number of units (10^-18 coin) or a string of one was expected", field, jsonKind(raw))
}

// jsonKind names the kind of a JSON value that is not a number or a string.
func jsonKind(raw json.RawMessage) string {
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	}
	return "bool"
}

func (s *server) listBrands(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	p, size, err := catalogPage(r)
	if err != nil {
		return err
	}
	list, err := s.store.Brands(r.Context(), p)
	if err != nil {
		return err
	}
	out := make([]brandBody, len(list))
	for i, b := range list {
		if out[i], err = newBrandBody(b); err != nil {
			return err
		}
	}
	return listPage(w, "brands", out, size)
}

func (s *server) getBrand(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	b, err := s.store.Brand(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out, err := newBrandBody(*b)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *server) putBrand(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	var q brandRequest
	if err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	b := till.Brand{ID: r.PathValue("id"), Name: q.Name, Partner: q.Partner}
	var err error
	if b.ItemCoins, err = rateText("item_coins", q.ItemCoins); err != nil {
		return err
	}
	if b.SpendCoins, err = rateText("spend_coins", q.SpendCoins); err != nil {
		return err
	}
	if err := b.Validate(); err != nil {
		return err
	}
	created, err := s.store.PutBrand(r.Context(), &b)
	if err != nil {
		return err
	}
	out, err := newBrandBody(b)
	if err != nil {
		return err
	}
	return writePut(w, created, out)
}

// deleteBrand deletes a brand; its products keep their brand_id.
func (s *server) deleteBrand(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	if err := s.store.DeleteBrand(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, okResult{Result: "ok"})
}

// productBody shows aliases as an array, never null, without the GTIN
// each repeats.
func productBody(p till.Product) till.Product {
	aliases := make([]till.ProductAlias, len(p.Aliases))
	for i, a := range p.Aliases {
		aliases[i] = till.ProductAlias{RetailerID: a.RetailerID, Text: a.Text}
	}
	p.Aliases = aliases
	return p
}

// pathGTIN returns the {gtin} of r's path as a GTIN-14. It fails with
// KindInvalid for field gtin when it is not a GTIN-8, -12, -13 or -14 with
// a right check digit.
func pathGTIN(r *http.Request) (string, error) {
	raw := r.PathValue("gtin")
	g := till.NormalizeGTIN(raw)
	if g == "" {
		return "", till.Invalid("gtin", "gtin must be a GTIN-8, -12, -13 or -14 with a right check digit; got %q", clipQuery(raw))
	}
	return g, nil
}

func (s *server) listProducts(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	p, size, err := catalogPage(r)
	if err != nil {
		return err
	}
	list, err := s.store.Products(r.Context(), p)
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = productBody(list[i])
	}
	return listPage(w, "products", list, size)
}

func (s *server) getProduct(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	g, err := pathGTIN(r)
	if err != nil {
		return err
	}
	p, err := s.store.Product(r.Context(), g)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, productBody(*p))
}

// putProduct creates or replaces a product. Missing or null aliases keep
// those stored, which moderation may have taught; an empty array removes
// them.
func (s *server) putProduct(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	g, err := pathGTIN(r)
	if err != nil {
		return err
	}
	var p till.Product
	if err := s.decodeJSON(w, r, &p); err != nil {
		return err
	}
	p.GTIN = g
	if err := p.Validate(); err != nil {
		return err
	}
	created, err := s.store.PutProduct(r.Context(), &p)
	if err != nil {
		return err
	}
	if p.Aliases == nil && !created {
		stored, err := s.store.Product(r.Context(), g)
		if err != nil {
			return err
		}
		p = *stored
	}
	return writePut(w, created, productBody(p))
}

// deleteProduct deletes a product with its receipt aliases.
func (s *server) deleteProduct(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	g, err := pathGTIN(r)
	if err != nil {
		return err
	}
	if err := s.store.DeleteProduct(r.Context(), g); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, okResult{Result: "ok"})
}
