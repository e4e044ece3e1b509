package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/tillhq/till"
)

// A receipt Till cannot finish alone waits for its user: in SET_RETAILERS
// for the retailer that issued it, in SET_PRODUCTS for the products of its
// doubtful lines. The user's answer moves it to the _PENDING status and
// sends it back to processing in one transaction (till.Resume); a second
// answer meanwhile is 409.

// userReceipt returns the caller's live receipt named by the path's id;
// any other is 404.
func (s *server) userReceipt(r *http.Request, u *till.User) (*till.Receipt, error) {
	id := r.PathValue("id")
	if !validUUID(id) {
		return nil, till.NotFound("receipt")
	}
	rec, err := s.store.Receipt(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if rec.UserID != u.ID || rec.DeletedAt != nil {
		return nil, till.NotFound("receipt")
	}
	return rec, nil
}

// answered shows the receipt after an answer, as search shows it.
func (s *server) answered(w http.ResponseWriter, r *http.Request, id string) error {
	rec, err := s.store.Receipt(r.Context(), id)
	if err != nil {
		return err
	}
	balances, err := s.store.ReceiptBalances(r.Context(), []string{id})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newSearchedReceipt(*rec, balances[id]))
}

// userRetailer is a retailer as users choose it.
type userRetailer struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Alias   string `json:"alias,omitempty"`
	LogoURL string `json:"logo_url,omitempty"`
	Country string `json:"country,omitempty"`
}

// listUserRetailers lists the catalogue's retailers, for a user to name the
// one that issued a receipt.
func (s *server) listUserRetailers(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	p, size, err := catalogPage(r)
	if err != nil {
		return err
	}
	list, err := s.store.Retailers(r.Context(), p)
	if err != nil {
		return err
	}
	out := make([]userRetailer, len(list))
	for i, rt := range list {
		out[i] = userRetailer{ID: rt.ID, Name: rt.Name, Alias: rt.Alias, LogoURL: rt.LogoURL, Country: rt.Country}
	}
	return listPage(w, "retailers", out, size)
}

// setRetailerRequest is the body of PUT /user/receipt/{id}/retailer.
type setRetailerRequest struct {
	RetailerID *string `json:"retailer_id"`
}

// setReceiptRetailer names the retailer of a receipt in SET_RETAILERS.
func (s *server) setReceiptRetailer(w http.ResponseWriter, r *http.Request, u *till.User) error {
	rec, err := s.userReceipt(r, u)
	if err != nil {
		return err
	}
	var q setRetailerRequest
	if err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	id, err := requiredText("retailer_id", q.RetailerID)
	if err != nil {
		return err
	}
	if !till.RetailerIDRE.MatchString(id) {
		return till.Invalid("retailer_id", "retailer_id must be a retailer's id, such as coles; got %q", clipQuery(id))
	}
	ret, err := s.store.Retailer(r.Context(), id)
	if till.ErrorKind(err) == till.KindNotFound {
		return till.Invalid("retailer_id", "no retailer %q in the catalogue; GET %s/user/retailers lists them", id, svc)
	}
	if err != nil {
		return err
	}
	now := s.now().UTC()
	err = s.store.ResumeReceipt(r.Context(), till.Resume{
		UserID: u.ID, ReceiptID: rec.ID, From: till.StatusSetRetailers, To: till.StatusSetRetailersPending,
		RetailerID: ret.ID, RetailerName: ret.Name,
		Event: till.Event{ReceiptID: rec.ID, Step: "user answer", Outcome: till.OutcomeOK, Detail: "retailer " + ret.ID, StartedAt: now},
	}, now)
	if err != nil {
		return err
	}
	return s.answered(w, r, rec.ID)
}

// receiptLine is one item line of a receipt with the product Till took it
// for. Quantity and value are exact decimals.
type receiptLine struct {
	Index      int         `json:"index"`
	Name       string      `json:"name"`
	Quantity   json.Number `json:"quantity"`
	Value      json.Number `json:"value"`
	Status     string      `json:"status"`
	Awaiting   bool        `json:"awaiting_answer"`
	GTIN       string      `json:"gtin,omitempty"`
	Product    string      `json:"product,omitempty"`
	BrandID    string      `json:"brand_id,omitempty"`
	Partner    bool        `json:"partner"`
	Confidence float64     `json:"confidence"`
	Method     string      `json:"method,omitempty"`
}

// awaiting reports whether the line waits for the user's answer.
func awaiting(it till.ItemLine) bool {
	return it.Match.Status == till.MatchNeedsValidation && !it.Match.Decided()
}

// decimal is a stored decimal as a JSON number; 0 when empty.
func decimal(s string) json.Number {
	if s == "" {
		return "0"
	}
	return json.Number(s)
}

// receiptProducts lists the item lines of a read receipt with their
// products; the lines awaiting an answer are the ones a PUT must answer.
func (s *server) receiptProducts(w http.ResponseWriter, r *http.Request, u *till.User) error {
	rec, err := s.userReceipt(r, u)
	if err != nil {
		return err
	}
	a, err := s.store.Analysis(r.Context(), rec.ID)
	if till.ErrorKind(err) == till.KindNotFound {
		return till.Errorf(till.KindConflict, "the receipt is %s and has not been read yet", rec.Status)
	}
	if err != nil {
		return err
	}
	lines := make([]receiptLine, len(a.Items))
	for i, it := range a.Items {
		m := it.Match
		lines[i] = receiptLine{
			Index: i, Name: it.Name, Quantity: decimal(it.Quantity), Value: decimal(it.Value),
			Status: string(m.Status), Awaiting: awaiting(it) && rec.Status == till.StatusSetProducts,
			GTIN: m.GTIN, Product: m.Product, BrandID: m.BrandID, Partner: m.Partner,
			Confidence: m.Confidence, Method: m.Method,
		}
	}
	return writeJSON(w, http.StatusOK, struct {
		ReceiptID string        `json:"receipt_id"`
		Status    string        `json:"status"`
		Products  []receiptLine `json:"products"`
	}{rec.ID, string(rec.Status), lines})
}

// productAnswer is one line's answer: the proposed product's GTIN to
// confirm it, or null to say the line is none of the catalogue's.
type productAnswer struct {
	Index *int            `json:"index"`
	GTIN  json.RawMessage `json:"gtin"`
}

// setProductsRequest is the body of PUT /user/receipt/{id}/products.
type setProductsRequest struct {
	Products []productAnswer `json:"products"`
}

// setReceiptProducts answers the doubtful lines of a receipt in
// SET_PRODUCTS. Every line awaiting an answer must have one; a line may be
// confirmed only as the product Till proposed for it, so that an answer
// cannot turn any line into a product that earns more.
func (s *server) setReceiptProducts(w http.ResponseWriter, r *http.Request, u *till.User) error {
	rec, err := s.userReceipt(r, u)
	if err != nil {
		return err
	}
	return s.answerProducts(w, r, rec, false)
}

// moderateReceiptProducts is setReceiptProducts for moderators, who may
// name any product of the catalogue for a line: each line they name a
// product for teaches the receipt's retailer that its text is that
// product (a receipt alias), so its later receipts match it at once.
func (s *server) moderateReceiptProducts(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	id := r.PathValue("id")
	if !validUUID(id) {
		return till.NotFound("receipt")
	}
	rec, err := s.store.Receipt(r.Context(), id)
	if err != nil {
		return err
	}
	if rec.DeletedAt != nil {
		return till.NotFound("receipt")
	}
	return s.answerProducts(w, r, rec, true)
}

// answerProducts applies the answers of the request body to rec's lines
// and resumes it; see setReceiptProducts and moderateReceiptProducts.
func (s *server) answerProducts(w http.ResponseWriter, r *http.Request, rec *till.Receipt, moderator bool) error {
	ctx := r.Context()
	var q setProductsRequest
	if err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	if rec.Status != till.StatusSetProducts {
		return till.Errorf(till.KindConflict, "the receipt is %s, not SET_PRODUCTS: it is not waiting for products", rec.Status)
	}
	a, err := s.store.Analysis(ctx, rec.ID)
	if err != nil {
		return err
	}
	items := a.Items
	if len(q.Products) == 0 {
		return till.Invalid("products", "products must list an answer for each line awaiting one; GET this path lists them")
	}
	seen := make(map[int]bool, len(q.Products))
	var learnt []till.ProductAlias
	confirmed, rejected := 0, 0
	for i, ans := range q.Products {
		field := fmt.Sprintf("products[%d]", i)
		if ans.Index == nil {
			return till.Invalid(field+".index", "%s.index is required: the line's index in the receipt's products", field)
		}
		n := *ans.Index
		if n < 0 || n >= len(items) {
			return till.Invalid(field+".index", "%s.index must be from 0 to %d; got %d", field, len(items)-1, n)
		}
		if seen[n] {
			return till.Invalid(field+".index", "%s.index: line %d is answered twice", field, n)
		}
		seen[n] = true
		it := &items[n]
		if !awaiting(*it) {
			return till.Invalid(field+".index", "%s.index: line %d (%s) is not awaiting an answer; it is %s", field, n, clipQuery(it.Name), it.Match.Status)
		}
		gtin, err := answerGTIN(field+".gtin", ans.GTIN)
		if err != nil {
			return err
		}
		switch {
		case gtin == "":
			it.Match = till.ItemMatch{Status: till.MatchUnmatched, Method: till.MethodUser}
			rejected++
			continue
		case gtin == it.Match.GTIN:
		case !moderator:
			return till.Invalid(field+".gtin", "%s.gtin must be the product proposed for line %d, %s, or null; got %s", field, n, it.Match.GTIN, gtin)
		default:
			m, err := s.catalogueMatch(ctx, field+".gtin", gtin)
			if err != nil {
				return err
			}
			it.Match = m
		}
		it.Match.Status, it.Match.Method = till.MatchAccepted, till.MethodUser
		confirmed++
		if moderator && rec.RetailerID != "" && strings.TrimSpace(it.Name) != "" {
			learnt = append(learnt, till.ProductAlias{RetailerID: rec.RetailerID, Text: it.Name, GTIN: gtin})
		}
	}
	var missing []string
	for i, it := range items {
		if awaiting(it) {
			missing = append(missing, fmt.Sprintf("%d (%s)", i, clipQuery(it.Name)))
		}
	}
	if len(missing) > 0 {
		return till.Invalid("products", "products must answer every line awaiting an answer; missing line %s", strings.Join(missing, ", "))
	}
	for _, al := range learnt {
		if err := al.Validate(); err != nil {
			continue // a text that keys to nothing teaches nothing
		}
		if err := s.store.AddProductAlias(ctx, al); err != nil && till.ErrorKind(err) != till.KindNotFound {
			return err
		}
	}
	who := "user"
	if moderator {
		who = "moderator"
	}
	now := s.now().UTC()
	err = s.store.ResumeReceipt(ctx, till.Resume{
		UserID: rec.UserID, ReceiptID: rec.ID, From: till.StatusSetProducts, To: till.StatusSetProductsPending, Items: items,
		Event: till.Event{ReceiptID: rec.ID, Step: who + " answer", Outcome: till.OutcomeOK,
			Detail: fmt.Sprintf("%d line(s) confirmed, %d rejected, %d receipt text(s) learnt", confirmed, rejected, len(learnt)), StartedAt: now},
	}, now)
	if err != nil {
		return err
	}
	return s.answered(w, r, rec.ID)
}

// catalogueMatch is the match of a line a moderator names the product
// of: the product with GTIN gtin, its brand and whether that is a
// partner. An unknown product is KindInvalid for field.
func (s *server) catalogueMatch(ctx context.Context, field, gtin string) (till.ItemMatch, error) {
	p, err := s.store.Product(ctx, gtin)
	if till.ErrorKind(err) == till.KindNotFound {
		return till.ItemMatch{}, till.Invalid(field, "%s: no product %s in the catalogue", field, gtin)
	}
	if err != nil {
		return till.ItemMatch{}, err
	}
	m := till.ItemMatch{GTIN: p.GTIN, BrandID: p.BrandID, Confidence: 1, Product: p.Name}
	if p.BrandID != "" {
		b, err := s.store.Brand(ctx, p.BrandID)
		switch {
		case err == nil:
			m.Partner = b.Partner
		case till.ErrorKind(err) != till.KindNotFound:
			return till.ItemMatch{}, err
		}
	}
	return m, nil
}

// answerGTIN reads an answer's gtin: a GTIN string, returned as GTIN-14,
// or null, returned as "". It must be there: a forgotten gtin is not taken
// for a rejection.
func answerGTIN(field string, raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "", till.Invalid(field, "%s is required: the proposed product's GTIN to confirm the line, or null to reject it", field)
	}
	if string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", till.Invalid(field, "%s must be a GTIN string or null; got %s", field, clipQuery(string(raw)))
	}
	g := till.NormalizeGTIN(strings.TrimSpace(s))
	if g == "" {
		return "", till.Invalid(field, "%s must be a GTIN-8, -12, -13 or -14 with a right check digit, or null; got %q", field, clipQuery(s))
	}
	return g, nil
}
