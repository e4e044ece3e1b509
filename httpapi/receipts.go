package httpapi

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tillhq/till"
)

// Limits of the user receipt endpoints.
const (
	maxReceiptImages = 10   // image URLs per receipt
	maxTextLen       = 256  // bytes in store_id, location_name, accuracy, …
	maxURLLen        = 2048 // bytes in an image URL
	chunkSize        = 20   // receipts per GET /user/receipt chunk
	defaultPageSize  = 10
	maxPageSize      = 100
	maxPage          = 1_000_000
	maxQueryLen      = 200
)

// chunkURNPrefix starts the "next" cursor of the receipt list; the id of the
// chunk's last receipt follows it.
const chunkURNPrefix = "urn:authenticateit:receipts_chunk:"

// tsLayout renders times as the spec does: UTC, milliseconds, "Z".
const tsLayout = "2006-01-02T15:04:05.000Z"

func formatTS(t time.Time) string { return t.UTC().Format(tsLayout) }

// addReceiptRequest is the body of POST /user/receipt. Pointers tell a
// missing (or null) field from an empty one.
type addReceiptRequest struct {
	Accuracy     *string   `json:"accuracy"`
	Longitude    *string   `json:"longitude"`
	Latitude     *string   `json:"latitude"`
	Receipt      *[]string `json:"receipt"`
	StoreID      *string   `json:"store_id"`
	LocationName *string   `json:"location_name"`
	CountryISO   *string   `json:"country_iso"`
}

var (
	// numberRE is a decimal number with a point or, as the spec's accuracy
	// "14,4549999237061" has, a comma.
	numberRE = regexp.MustCompile(`^[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)([eE][+-]?[0-9]+)?$`)
	// countryRE is an ISO 3166-1 code: numeric ("036"), alpha-2 or alpha-3.
	countryRE = regexp.MustCompile(`^([0-9]{3}|[A-Za-z]{2,3})$`)
)

// requiredText returns the value of a required string field, which must be
// present, not blank and at most maxTextLen bytes.
func requiredText(field string, v *string) (string, error) {
	if v == nil {
		return "", till.Invalid(field, "%s is required", field)
	}
	if strings.TrimSpace(*v) == "" {
		return "", till.Invalid(field, "%s must not be empty", field)
	}
	if len(*v) > maxTextLen {
		return "", till.Invalid(field, "%s is longer than %d bytes", field, maxTextLen)
	}
	return *v, nil
}

// requiredNumber is requiredText for a field that must read as a number.
func requiredNumber(field string, v *string) (string, error) {
	s, err := requiredText(field, v)
	if err != nil {
		return "", err
	}
	if !numberRE.MatchString(s) {
		return "", till.Invalid(field, "%s must be a decimal number in a string, such as \"-37.8381\" or \"14,45\"; got %q", field, s)
	}
	return s, nil
}

// validate checks the request in the spec's field order and returns the
// receipt it describes, without images.
func (q *addReceiptRequest) validate() (*till.Receipt, []string, error) {
	var rec till.Receipt
	var err error
	if rec.Accuracy, err = requiredNumber("accuracy", q.Accuracy); err != nil {
		return nil, nil, err
	}
	if rec.Longitude, err = requiredNumber("longitude", q.Longitude); err != nil {
		return nil, nil, err
	}
	if rec.Latitude, err = requiredNumber("latitude", q.Latitude); err != nil {
		return nil, nil, err
	}
	if q.Receipt == nil {
		return nil, nil, till.Invalid("receipt", "receipt is required: an array of 1 to %d image URLs", maxReceiptImages)
	}
	urls := *q.Receipt
	if len(urls) == 0 || len(urls) > maxReceiptImages {
		return nil, nil, till.Invalid("receipt", "receipt must hold 1 to %d image URLs; got %d", maxReceiptImages, len(urls))
	}
	if rec.StoreID, err = requiredText("store_id", q.StoreID); err != nil {
		return nil, nil, err
	}
	if rec.LocationName, err = requiredText("location_name", q.LocationName); err != nil {
		return nil, nil, err
	}
	if q.CountryISO != nil && *q.CountryISO != "" {
		if !countryRE.MatchString(*q.CountryISO) {
			return nil, nil, till.Invalid("country_iso", "country_iso must be an ISO 3166-1 code: three digits such as \"036\", or two or three letters; got %q", *q.CountryISO)
		}
		rec.CountryISO = strings.ToUpper(*q.CountryISO)
	}
	return &rec, urls, nil
}

// addReceipt stores a new receipt with status INITIAL and answers its id.
// Images on this server must be the caller's; images on an ImageHosts host
// are fetched and kept first. The answer comes only after the store has
// committed the receipt.
func (s *server) addReceipt(w http.ResponseWriter, r *http.Request, u *till.User) error {
	var q addReceiptRequest
	if err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	rec, urls, err := q.validate()
	if err != nil {
		return err
	}
	images, keys, err := s.resolveImages(r, u, urls)
	if err != nil {
		return err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("receipt id: %w", err)
	}
	now := s.now().UTC()
	rec.ID = id.String()
	rec.UserID = u.ID
	rec.Images = images
	rec.ClientIP = s.clientIP(r)
	rec.Status = till.StatusInitial
	rec.CreatedAt, rec.UpdatedAt = now, now
	if err := s.store.CreateReceipt(r.Context(), rec, keys); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		ID string `json:"id"`
	}{rec.ID})
}

// resolveImages checks a new receipt's image URLs and returns the URLs to
// keep and, in the same order, the keys of the images stored here. A URL on
// this server must name an image of u's; a URL on an ImageHosts host is
// fetched and stored (the cheap checks of every URL come first, so a bad
// URL late in the list costs no fetch). Errors name the URL's field,
// receipt[i].
func (s *server) resolveImages(r *http.Request, u *till.User, urls []string) (images, keys []string, err error) {
	images = make([]string, len(urls))
	keys = make([]string, len(urls))
	remote := make([]*url.URL, len(urls))
	seen := make(map[string]int, len(urls))
	for i, raw := range urls {
		field := fmt.Sprintf("receipt[%d]", i)
		if j, dup := seen[raw]; dup {
			return nil, nil, till.Invalid(field, "%s repeats receipt[%d]", field, j)
		}
		seen[raw] = i
		pu, err := parseImageURL(field, raw)
		if err != nil {
			return nil, nil, err
		}
		if key, ok := s.localImageKey(r, pu); ok {
			img, err := s.store.Image(r.Context(), key)
			if till.ErrorKind(err) == till.KindNotFound || (err == nil && img.OwnerID != u.ID) {
				return nil, nil, till.Invalid(field, "%s is not an image you uploaded to this server", field)
			}
			if err != nil {
				return nil, nil, err
			}
			images[i], keys[i] = s.imageURL(r, key), key
			continue
		}
		if !s.imageHostAllowed(pu) {
			return nil, nil, till.Invalid(field, "%s: host %s is not an image host Till accepts; upload the image with POST %s/user/receipt/images and use the URL it answers", field, pu.Host, svc)
		}
		remote[i] = pu
	}
	for i, pu := range remote {
		if pu == nil {
			continue
		}
		field := fmt.Sprintf("receipt[%d]", i)
		img, err := s.fetchImage(r, u, pu, field)
		if err != nil {
			return nil, nil, err
		}
		images[i], keys[i] = urls[i], img.Key
	}
	return images, keys, nil
}

// clientIP returns the address r came from: the connection's peer, or,
// with TrustProxy, the last address in X-Forwarded-For, which the proxy
// appended.
func (s *server) clientIP(r *http.Request) string {
	if s.trustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if a, err := netip.ParseAddr(strings.TrimSpace(last)); err == nil {
				return a.Unmap().String()
			}
		}
	}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap().String()
	}
	return r.RemoteAddr
}

// parseImageURL parses an absolute http(s) URL without credentials.
func parseImageURL(field, raw string) (*url.URL, error) {
	if len(raw) > maxURLLen {
		return nil, till.Invalid(field, "%s is longer than %d bytes", field, maxURLLen)
	}
	pu, err := url.Parse(raw)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" || pu.User != nil {
		return nil, till.Invalid(field, "%s must be an absolute http or https URL; got %q", field, raw)
	}
	return pu, nil
}

// chunkReceipt is one receipt of GET /user/receipt, as the spec shows it.
type chunkReceipt struct {
	Accuracy     string   `json:"accuracy"`
	ClientIP     string   `json:"client_ip"`
	Latitude     string   `json:"latitude"`
	LocationName string   `json:"location_name"`
	Longitude    string   `json:"longitude"`
	Receipt      []string `json:"receipt"`
	ReceiptID    string   `json:"receipt_id"`
	StoreID      string   `json:"store_id"`
	TS           string   `json:"ts"`
}

type receiptChunk struct {
	Receipts []chunkReceipt `json:"receipts"`
	Next     string         `json:"next,omitempty"`
}

// parseChunkID returns the receipt id in a chunk_id, which is the "next"
// value of the previous chunk (or, leniently, the bare id).
func parseChunkID(v string) (string, error) {
	id := strings.TrimPrefix(v, chunkURNPrefix)
	if !validUUID(id) {
		return "", till.Invalid("chunk_id", "chunk_id must be the \"next\" value of the previous chunk, %s<receipt id>; got %q", chunkURNPrefix, v)
	}
	return id, nil
}

// validUUID reports whether s is a UUID in its canonical 36-character form.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}

// listReceipts answers one chunk of the caller's receipts, newest first,
// with "next" when a further chunk exists.
func (s *server) listReceipts(w http.ResponseWriter, r *http.Request, u *till.User) error {
	var after string
	if v := r.URL.Query().Get("chunk_id"); v != "" {
		var err error
		if after, err = parseChunkID(v); err != nil {
			return err
		}
	}
	recs, err := s.store.UserReceipts(r.Context(), u.ID, after, chunkSize+1)
	if err != nil {
		return err
	}
	var resp receiptChunk
	if len(recs) > chunkSize {
		recs = recs[:chunkSize]
		resp.Next = chunkURNPrefix + recs[len(recs)-1].ID
	}
	resp.Receipts = make([]chunkReceipt, len(recs))
	for i, rec := range recs {
		resp.Receipts[i] = chunkReceipt{
			Accuracy:     rec.Accuracy,
			ClientIP:     rec.ClientIP,
			Latitude:     rec.Latitude,
			LocationName: rec.LocationName,
			Longitude:    rec.Longitude,
			Receipt:      nonNil(rec.Images),
			ReceiptID:    rec.ID,
			StoreID:      rec.StoreID,
			TS:           formatTS(rec.CreatedAt),
		}
	}
	return writeJSON(w, http.StatusOK, resp)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// deleteReceipt removes one of the caller's receipts. Another user's
// receipt, a deleted one and a malformed id are all 404.
func (s *server) deleteReceipt(w http.ResponseWriter, r *http.Request, u *till.User) error {
	id := r.PathValue("id")
	if !validUUID(id) {
		return till.NotFound("receipt")
	}
	if err := s.store.DeleteReceipt(r.Context(), u.ID, id, s.now().UTC()); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, okResult{Result: "ok"})
}

type okResult struct {
	Result string `json:"result"`
}

// group is one entry of GET /user/groups.
type group struct {
	RetailerID string  `json:"retailer_id,omitempty"`
	Name       string  `json:"name"`
	Type       string  `json:"type"`
	Image      *string `json:"image"` // the retailer's logo once the catalogue has one
	Count      int     `json:"count"`
}

// receiptGroups answers the groups screen: need attention first, one group
// per retailer, then other. The groups partition the receipts, so total is
// the sum of the counts.
func (s *server) receiptGroups(w http.ResponseWriter, r *http.Request, u *till.User) error {
	g, err := s.store.UserReceiptGroups(r.Context(), u.ID)
	if err != nil {
		return err
	}
	groups := []group{{Name: "!Need attention", Type: "need_attention", Count: g.NeedAttention}}
	total := g.NeedAttention
	for _, rc := range g.Retailers {
		name := rc.RetailerName
		if name == "" {
			name = rc.RetailerID
		}
		groups = append(groups, group{RetailerID: rc.RetailerID, Name: name, Type: "retailer", Count: rc.Count})
		total += rc.Count
	}
	groups = append(groups, group{Name: "Other", Type: "other", Count: g.Other})
	total += g.Other
	return writeJSON(w, http.StatusOK, struct {
		Result []group `json:"result"`
		Total  int     `json:"total"`
	}{groups, total})
}

// receiptActions counts the caller's receipts waiting for the caller:
// those in SET_RETAILERS and in SET_PRODUCTS. The only action type is
// need_attention, which is also what no action means.
func (s *server) receiptActions(w http.ResponseWriter, r *http.Request, u *till.User) error {
	if a := r.URL.Query().Get("action"); a != "" && a != "need_attention" {
		return till.Invalid("action", "action must be need_attention; got %q", a)
	}
	count := func(st till.Status) (int, error) {
		_, n, err := s.store.SearchReceipts(r.Context(), till.ReceiptQuery{UserID: u.ID, Statuses: []till.Status{st}, PageSize: 1})
		return n, err
	}
	retailers, err := count(till.StatusSetRetailers)
	if err != nil {
		return err
	}
	products, err := count(till.StatusSetProducts)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		SetRetailers int `json:"set_retailers"`
		SetProducts  int `json:"set_products"`
		Total        int `json:"total"`
	}{retailers, products, retailers + products})
}

// searchRequest is the body of POST /user/search.
type searchRequest struct {
	SearchQuery string   `json:"search_query"`
	Status      []string `json:"status"`
	Retailer    string   `json:"retailer"`
	Page        int      `json:"page"`
	PageSize    *int     `json:"page_size"`
}

// query validates q and returns the store query for user userID.
func (q *searchRequest) query(userID string) (till.ReceiptQuery, error) {
	rq := till.ReceiptQuery{UserID: userID, Text: q.SearchQuery, Page: q.Page, PageSize: defaultPageSize}
	if len(q.SearchQuery) > maxQueryLen {
		return rq, till.Invalid("search_query", "search_query is longer than %d bytes", maxQueryLen)
	}
	for i, name := range q.Status {
		field := fmt.Sprintf("status[%d]", i)
		st, err := till.ParseStatus(field, name)
		if err != nil {
			return rq, err
		}
		if st == till.StatusHidden {
			return rq, till.Invalid(field, "%s: hidden receipts are not listed; ask for any other status", field)
		}
		rq.Statuses = append(rq.Statuses, st)
	}
	switch {
	case q.Retailer == "" || q.Retailer == "*":
		// Every receipt, whatever its retailer and whether Till knows it.
	case till.RetailerIDRE.MatchString(q.Retailer):
		rq.Retailer = q.Retailer
	default:
		return rq, till.Invalid("retailer", "retailer must be \"*\" or a retailer id such as \"coles\"; got %q", q.Retailer)
	}
	if q.Page < 0 || q.Page > maxPage {
		return rq, till.Invalid("page", "page must be between 0 and %d; got %d", maxPage, q.Page)
	}
	if q.PageSize != nil {
		if *q.PageSize < 1 || *q.PageSize > maxPageSize {
			return rq, till.Invalid("page_size", "page_size must be between 1 and %d; got %d", maxPageSize, *q.PageSize)
		}
		rq.PageSize = *q.PageSize
	}
	return rq, nil
}

// searchedReceipt is one receipt of POST /user/search, as the spec shows
// it. The coin amounts are in units of 10^-18 coin and exceed 64 bits, so
// they are big integers, rendered as bare JSON integers; receiptCoins says
// what each one sums.
type searchedReceipt struct {
	ID                                string     `json:"id"`
	Images                            []string   `json:"images"`
	TS                                string     `json:"ts"`
	UpdatedAt                         string     `json:"updated_at"`
	Status                            string     `json:"status"`
	RetailerID                        string     `json:"retailer_id,omitempty"`
	RetailerName                      string     `json:"retailer_name,omitempty"`
	Country                           string     `json:"country"`
	OCRDone                           int        `json:"ocr_done"`
	RecognizedItems                   int        `json:"recognized_items"`
	UnrecognizedItems                 int        `json:"unrecognized_items"`
	NonPartnerBrandProductCoins       till.Coins `json:"non_partner_brand_product_coins"`
	NonPartnerBrandProductCoinsEarned till.Coins `json:"non_partner_brand_product_coins_earned"`
	PartnerBrandProductCoins          till.Coins `json:"partner_brand_product_coins"`
	PartnerBrandProductCoinsEarned    till.Coins `json:"partner_brand_product_coins_earned"`
	PendingCoins                      till.Coins `json:"pending_coins"`
}

// newSearchedReceipt shows a receipt with its coins.
func newSearchedReceipt(rec till.Receipt, b till.Balance) searchedReceipt {
	c := newReceiptCoins(b)
	ocr := 0
	if rec.OCRDone {
		ocr = 1
	}
	return searchedReceipt{
		ID:                                rec.ID,
		Images:                            nonNil(rec.Images),
		TS:                                formatTS(rec.CreatedAt),
		UpdatedAt:                         formatTS(rec.UpdatedAt),
		Status:                            string(rec.Status),
		RetailerID:                        rec.RetailerID,
		RetailerName:                      rec.RetailerName,
		Country:                           rec.CountryISO,
		OCRDone:                           ocr,
		RecognizedItems:                   rec.RecognizedItems,
		UnrecognizedItems:                 rec.UnrecognizedItems,
		NonPartnerBrandProductCoins:       c.NonPartner,
		NonPartnerBrandProductCoinsEarned: c.NonPartnerEarned,
		PartnerBrandProductCoins:          c.Partner,
		PartnerBrandProductCoinsEarned:    c.PartnerEarned,
		PendingCoins:                      c.Pending,
	}
}

// searchReceipts answers one page of the caller's receipts matching the
// query, newest first, and how many match in all.
func (s *server) searchReceipts(w http.ResponseWriter, r *http.Request, u *till.User) error {
	var q searchRequest
	if err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	rq, err := q.query(u.ID)
	if err != nil {
		return err
	}
	recs, total, err := s.store.SearchReceipts(r.Context(), rq)
	if err != nil {
		return err
	}
	// The coins of the page's receipts alone, so that the cost does not
	// grow with how many receipts match.
	ids := make([]string, len(recs))
	for i, rec := range recs {
		ids[i] = rec.ID
	}
	balances, err := s.store.ReceiptBalances(r.Context(), ids)
	if err != nil {
		return err
	}
	out := make([]searchedReceipt, len(recs))
	for i, rec := range recs {
		out[i] = newSearchedReceipt(rec, balances[rec.ID])
	}
	return writeJSON(w, http.StatusOK, struct {
		Receipts []searchedReceipt `json:"receipts"`
		Total    int               `json:"total"`
	}{out, total})
}
