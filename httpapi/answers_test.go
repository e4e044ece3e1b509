package httpapi

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tillhq/till"
)

// waitingReceipt stores a read receipt of the named user in status, with
// a milk line matched and a bread line to confirm, and a catalogue with
// the retailer freshmart.
func (e *env) waitingReceipt(name string, status till.Status) *till.Receipt {
	e.t.Helper()
	ctx := context.Background()
	ret := till.Retailer{ID: "freshmart", Name: "FreshMart"}
	if _, err := e.store.PutRetailer(ctx, &ret); err != nil {
		e.t.Fatal(err)
	}
	r := e.receiptOf(name, "458")
	res := till.ReceiptResult{ReceiptID: r.ID, Status: status, UnrecognizedItems: 2,
		Analysis: &till.Analysis{ReceiptID: r.ID, Data: json.RawMessage(`{}`), Items: []till.ItemLine{
			{Name: "MILK 1L", Quantity: "1", Value: "4.50", Match: till.ItemMatch{Status: till.MatchAccepted,
				GTIN: "09300601000029", BrandID: "dairyco", Partner: true, Confidence: 0.95, Method: "alias", Product: "FULL CREAM MILK 1L"}},
			{Name: "WHOLEMEAL BREAD", Quantity: "1", Value: "3.20", Match: till.ItemMatch{Status: till.MatchNeedsValidation,
				GTIN: "09300601000005", BrandID: "bakeco", Partner: true, Confidence: 0.85, Method: "name", Product: "WHOLEMEAL SANDWICH BREAD"}},
		}}}
	if status == till.StatusSetProducts {
		res.RetailerID, res.RetailerName = ret.ID, ret.Name
	}
	if err := e.store.SaveResult(ctx, res, e.now()); err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) status(id string) till.Status {
	e.t.Helper()
	r, err := e.store.Receipt(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r.Status
}

func TestSetReceiptRetailer(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	bob := e.user("bob", till.RoleUser)
	r := e.waitingReceipt("alice", till.StatusSetRetailers)
	path := "/receipts-service/user/receipt/" + r.ID + "/retailer"

	wantError(t, e.call("PUT", path, alice, `{}`), 400, "retailer_id", "retailer_id is required")
	wantError(t, e.call("PUT", path, alice, `{"retailer_id":"Fresh Mart"}`), 400, "retailer_id", "retailer's id")
	wantError(t, e.call("PUT", path, alice, `{"retailer_id":"aldi"}`), 400, "retailer_id", `no retailer "aldi"`)
	wantError(t, e.call("PUT", path, alice, `{"retailer_id":7}`), 400, "retailer_id", "")
	wantError(t, e.call("PUT", path, bob, `{"retailer_id":"freshmart"}`), 404, "", "receipt not found")
	wantError(t, e.call("PUT", "/receipts-service/user/receipt/nope/retailer", alice, `{"retailer_id":"freshmart"}`), 404, "", "receipt not found")
	if st := e.status(r.ID); st != till.StatusSetRetailers {
		t.Fatalf("refused answers changed the status to %s", st)
	}

	got := decode[searchedReceipt](t, e.call("PUT", path, alice, `{"retailer_id":"freshmart"}`), 200)
	if got.Status != "SET_RETAILERS_PENDING" || got.RetailerID != "freshmart" || got.RetailerName != "FreshMart" {
		t.Errorf("answer = %+v; want SET_RETAILERS_PENDING at freshmart", got)
	}
	wantError(t, e.call("PUT", path, alice, `{"retailer_id":"freshmart"}`), 409, "", "not waiting")

	list := decode[struct {
		Retailers []userRetailer `json:"retailers"`
		More      bool           `json:"more"`
	}](t, e.call("GET", "/receipts-service/user/retailers", alice, ""), 200)
	if len(list.Retailers) != 1 || list.Retailers[0].ID != "freshmart" || list.More {
		t.Errorf("retailers = %+v", list)
	}
}

func TestSetReceiptProducts(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	bob := e.user("bob", till.RoleUser)
	r := e.waitingReceipt("alice", till.StatusSetProducts)
	path := "/receipts-service/user/receipt/" + r.ID + "/products"

	lines := decode[struct {
		Status   string        `json:"status"`
		Products []receiptLine `json:"products"`
	}](t, e.call("GET", path, alice, ""), 200)
	if lines.Status != "SET_PRODUCTS" || len(lines.Products) != 2 || lines.Products[0].Awaiting || !lines.Products[1].Awaiting ||
		lines.Products[1].GTIN != "09300601000005" || lines.Products[1].Value != "3.20" {
		t.Fatalf("lines = %+v", lines)
	}
	wantError(t, e.call("GET", path, bob, ""), 404, "", "receipt not found")

	bad := []struct{ body, field, msg string }{
		{`{}`, "products", "answer for each line"},
		{`{"products":[{"gtin":null}]}`, "products[0].index", "index is required"},
		{`{"products":[{"index":2,"gtin":null}]}`, "products[0].index", "from 0 to 1"},
		{`{"products":[{"index":0,"gtin":null}]}`, "products[0].index", "not awaiting an answer"},
		{`{"products":[{"index":1}]}`, "products[0].gtin", "required"},
		{`{"products":[{"index":1,"gtin":"12345"}]}`, "products[0].gtin", "check digit"},
		{`{"products":[{"index":1,"gtin":5}]}`, "products[0].gtin", "GTIN string or null"},
		{`{"products":[{"index":1,"gtin":"09300601000029"}]}`, "products[0].gtin", "must be the product proposed"},
		{`{"products":[{"index":1,"gtin":null},{"index":1,"gtin":null}]}`, "products[1].index", "answered twice"},
	}
	for _, b := range bad {
		wantError(t, e.call("PUT", path, alice, b.body), 400, b.field, b.msg)
	}
	if st := e.status(r.ID); st != till.StatusSetProducts {
		t.Fatalf("refused answers changed the status to %s", st)
	}

	// The 13-digit form of the proposed GTIN confirms it.
	got := decode[searchedReceipt](t, e.call("PUT", path, alice, `{"products":[{"index":1,"gtin":"9300601000005"}]}`), 200)
	if got.Status != "SET_PRODUCTS_PENDING" {
		t.Errorf("answer = %+v; want SET_PRODUCTS_PENDING", got)
	}
	a, err := e.store.Analysis(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m := a.Items[1].Match; m.Status != till.MatchAccepted || !m.Decided() || a.Items[0].Match.Decided() {
		t.Errorf("stored lines = %+v", a.Items)
	}
	wantError(t, e.call("PUT", path, alice, `{"products":[{"index":1,"gtin":null}]}`), 409, "", "not SET_PRODUCTS")

	// A rejection leaves the line unmatched, decided by the user.
	r2 := e.waitingReceipt("alice", till.StatusSetProducts)
	w := e.call("PUT", "/receipts-service/user/receipt/"+r2.ID+"/products", alice, `{"products":[{"index":1,"gtin":null}]}`)
	if w.Code != 200 {
		t.Fatalf("rejection: %d %s", w.Code, w.Body)
	}
	events, err := e.store.Events(context.Background(), r2.ID)
	if err != nil || len(events) != 1 || !strings.Contains(events[0].Detail, "0 line(s) confirmed, 1 rejected") {
		t.Errorf("audit trail = %+v, %v", events, err)
	}
}

func TestReceiptProductsNotRead(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	r := e.receiptOf("alice", "036")
	wantError(t, e.call("GET", "/receipts-service/user/receipt/"+r.ID+"/products", alice, ""), 409, "", "not been read")
}

// TestModerateReceiptProducts checks that a moderator may name any
// product of the catalogue for a doubtful line, and that the retailer
// learns the line's text as that product.
func TestModerateReceiptProducts(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	mod := e.user("mod", till.RoleModerator)
	r := e.waitingReceipt("alice", till.StatusSetProducts)
	ctx := context.Background()
	brand := till.Brand{ID: "bakeco", Name: "Bake Co", Partner: true, ItemCoins: "1000000000000000000"}
	rolls := till.Product{GTIN: "9300601000012", Name: "Wholemeal Bread Rolls", BrandID: "bakeco"}
	if err := brand.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := rolls.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.PutBrand(ctx, &brand); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.PutProduct(ctx, &rolls); err != nil {
		t.Fatal(err)
	}
	path := "/receipts-service/receipts/" + r.ID + "/products"

	wantError(t, e.call("PUT", path, alice, `{"products":[{"index":1,"gtin":"09300601000012"}]}`), 403, "", "moderator")
	wantError(t, e.call("PUT", path, mod, `{"products":[{"index":1,"gtin":"96385074"}]}`), 400, "products[0].gtin", "no product")
	// A user may not name another product than the one proposed.
	wantError(t, e.call("PUT", "/receipts-service/user/receipt/"+r.ID+"/products", alice, `{"products":[{"index":1,"gtin":"09300601000012"}]}`),
		400, "products[0].gtin", "must be the product proposed")

	got := decode[searchedReceipt](t, e.call("PUT", path, mod, `{"products":[{"index":1,"gtin":"09300601000012"}]}`), 200)
	if got.Status != "SET_PRODUCTS_PENDING" {
		t.Errorf("answer = %+v; want SET_PRODUCTS_PENDING", got)
	}
	a, err := e.store.Analysis(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m := a.Items[1].Match; m.Status != till.MatchAccepted || m.GTIN != "09300601000012" || m.BrandID != "bakeco" || !m.Partner || !m.Decided() {
		t.Errorf("line = %+v; want the rolls, decided", m)
	}
	p, err := e.store.Product(ctx, "09300601000012")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Aliases) != 1 || p.Aliases[0].RetailerID != "freshmart" || p.Aliases[0].Text != till.AliasKey("WHOLEMEAL BREAD") {
		t.Errorf("aliases = %+v; want freshmart's WHOLEMEAL BREAD", p.Aliases)
	}
	wantError(t, e.call("PUT", path, mod, `{"products":[{"index":1,"gtin":null}]}`), 409, "", "not SET_PRODUCTS")
}
