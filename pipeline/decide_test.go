package pipeline

import (
	"strings"
	"testing"
	"time"

	"github.com/tillhq/till"
	"github.com/tillhq/till/catalog"
	"github.com/tillhq/till/coins"
	"github.com/tillhq/till/internal/testreceipt"
)

// withCatalogue gives the env's processor a catalogue: two retailers, a
// partner brand whose products earn 1 coin a line, a non-partner brand
// that earns nothing, and products for testreceipt.Lines' two lines – the
// milk known to FreshMart by its receipt text, the bread only by name.
// Names alone never auto-accept under these thresholds, so the bread
// always needs a person.
func (e *env) withCatalogue(retailers ...till.Retailer) {
	e.t.Helper()
	ctx := e.t.Context()
	batch := &till.CatalogBatch{
		Retailers: retailers,
		Brands: []till.Brand{
			{ID: "dairyco", Name: "Dairy Co", Partner: true, ItemCoins: "1000000000000000000"},
			{ID: "bakeco", Name: "Bake Co", Partner: true, ItemCoins: "1000000000000000000"},
		},
		Products: []till.Product{
			{GTIN: "09300601000029", Name: "Full Cream Milk", BrandID: "dairyco", Size: "1", Unit: "l"},
			{GTIN: "09300601000005", Name: "Wholemeal Sandwich Bread", BrandID: "bakeco"},
		},
	}
	for i := range batch.Retailers {
		if err := batch.Retailers[i].Validate(); err != nil {
			e.t.Fatal(err)
		}
	}
	for i := range batch.Brands {
		if err := batch.Brands[i].Validate(); err != nil {
			e.t.Fatal(err)
		}
	}
	for i := range batch.Products {
		if err := batch.Products[i].Validate(); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := e.store.ImportCatalog(ctx, batch); err != nil {
		e.t.Fatal(err)
	}
	for _, r := range retailers {
		if r.ID == "freshmart" {
			if err := e.store.AddProductAlias(ctx, till.ProductAlias{RetailerID: "freshmart", Text: "MILK 1L", GTIN: "09300601000029"}); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	e.p.Catalogue = &Catalogue{Store: e.store, MaxAge: -1,
		Config: catalog.Config{AutoAccept: 0.95, NeedsValidation: 0.5}}
	e.p.Ledger = &coins.Ledger{Store: e.store, Now: time.Now}
}

var (
	freshmart = till.Retailer{ID: "freshmart", Name: "FreshMart", NameVariants: []string{"FRESHMART SDN BHD"}}
	coles     = till.Retailer{ID: "coles", Name: "Coles", NameVariants: []string{"COLES SUPERMARKETS"}}
)

func (e *env) process(r *till.Receipt, attempt int) *till.Receipt {
	e.t.Helper()
	if err := e.p.Process(e.t.Context(), r.ID, attempt, false); err != nil {
		e.t.Fatalf("Process attempt %d: %v", attempt, err)
	}
	return e.get(r.ID)
}

func (e *env) items(id string) []till.ItemLine {
	e.t.Helper()
	a, err := e.store.Analysis(e.t.Context(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return a.Items
}

// balance returns the user's earned partner coins and pending coins.
func (e *env) balance() (earned, pending string) {
	e.t.Helper()
	b, err := e.store.UserBalance(e.t.Context(), e.user.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return b.Earned().String(), b.Pending().String()
}

// TestProcessMatchesAndAwards follows a receipt from a known retailer:
// the milk is the retailer's known text and is accepted, the bread is
// only likely and waits for the user (SET_PRODUCTS); once the user
// confirms it the receipt completes and both lines earn their coin, once,
// however often the job runs.
func TestProcessMatchesAndAwards(t *testing.T) {
	e := newEnv(t)
	e.withCatalogue(freshmart, coles)
	r := e.receipt(testreceipt.PNG(t, testreceipt.Lines...))

	got := e.process(r, 1)
	if got.Status != till.StatusSetProducts || got.RetailerID != "freshmart" || got.RetailerName != "FreshMart" {
		t.Fatalf("after reading: status %s (reason %q), retailer %q %q; want SET_PRODUCTS at freshmart",
			got.Status, got.StatusReason, got.RetailerID, got.RetailerName)
	}
	if got.RecognizedItems != 1 || got.UnrecognizedItems != 1 {
		t.Errorf("recognized %d, unrecognized %d; want 1 and 1", got.RecognizedItems, got.UnrecognizedItems)
	}
	items := e.items(r.ID)
	if len(items) != 2 || items[0].Match.Status != till.MatchAccepted || items[0].Match.Method != "alias" ||
		items[1].Match.Status != till.MatchNeedsValidation || items[1].Match.GTIN != "09300601000005" {
		t.Fatalf("item lines = %+v; want the milk matched by alias and the bread to confirm", items)
	}
	if earned, pending := e.balance(); earned != "0" || pending != "0" {
		t.Errorf("coins before completion: earned %s, pending %s; want none", earned, pending)
	}

	// The user confirms the bread, as the API does.
	items[1].Match.Status, items[1].Match.Method = till.MatchAccepted, till.MethodUser
	err := e.store.ResumeReceipt(t.Context(), till.Resume{UserID: e.user.ID, ReceiptID: r.ID,
		From: till.StatusSetProducts, To: till.StatusSetProductsPending, Items: items}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for attempt := 2; attempt <= 3; attempt++ { // a rerun pays nothing twice
		got = e.process(r, attempt)
	}
	if got.Status != till.StatusCompleted || got.RecognizedItems != 2 {
		t.Fatalf("after the answer: status %s (reason %q), recognized %d; want COMPLETED with 2", got.Status, got.StatusReason, got.RecognizedItems)
	}
	if earned, pending := e.balance(); earned != "2000000000000000000" || pending != "0" {
		t.Errorf("coins: earned %s, pending %s; want 2 coins earned", earned, pending)
	}
	if trail := e.steps(r.ID); strings.Count(trail, ":ocr+extract:") != 1 || !strings.Contains(trail, "2:coins:ok") || !strings.Contains(trail, "2:release:ok") {
		t.Errorf("audit trail = %s; want one reading, then coins awarded and released", trail)
	}
}

// TestProcessAsksForRetailer follows a receipt no retailer of the
// catalogue prints: it waits in SET_RETAILERS until the user names the
// retailer, whose receipt texts then apply.
func TestProcessAsksForRetailer(t *testing.T) {
	e := newEnv(t)
	// The retailer is listed under a name its receipts do not print.
	e.withCatalogue(coles, till.Retailer{ID: "freshmart", Name: "Corner Grocer"})
	e.p.Catalogue.Config.AutoAccept = 0.5 // the bread need not wait
	r := e.receipt(testreceipt.PNG(t, testreceipt.Lines...))

	if got := e.process(r, 1); got.Status != till.StatusSetRetailers || got.RetailerID != "" {
		t.Fatalf("status %s, retailer %q; want SET_RETAILERS with none", got.Status, got.RetailerID)
	}
	if items := e.items(r.ID); items[0].Match.Method == "alias" {
		t.Errorf("the milk matched by a retailer's alias before the retailer was known: %+v", items[0].Match)
	}
	err := e.store.ResumeReceipt(t.Context(), till.Resume{UserID: e.user.ID, ReceiptID: r.ID,
		From: till.StatusSetRetailers, To: till.StatusSetRetailersPending, RetailerID: "freshmart", RetailerName: "Corner Grocer"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got := e.process(r, 1)
	if got.Status != till.StatusCompleted || got.RetailerID != "freshmart" {
		t.Fatalf("after the answer: status %s (reason %q), retailer %q; want COMPLETED at freshmart", got.Status, got.StatusReason, got.RetailerID)
	}
	if items := e.items(r.ID); items[0].Match.Method != "alias" {
		t.Errorf("milk = %+v; want matched by the retailer's alias", items[0].Match)
	}
	if earned, _ := e.balance(); earned != "2000000000000000000" {
		t.Errorf("earned %s; want 2 coins", earned)
	}
}

// TestProcessDailyLimit checks that awards stop at the user's daily limit.
func TestProcessDailyLimit(t *testing.T) {
	e := newEnv(t)
	e.withCatalogue(freshmart)
	e.p.Catalogue.Config.AutoAccept = 0.5
	e.p.Ledger.DailyLimit = till.Units(1500000000000000000) // 1.5 coins
	r := e.receipt(testreceipt.PNG(t, testreceipt.Lines...))
	if got := e.process(r, 1); got.Status != till.StatusCompleted {
		t.Fatalf("status %s (reason %q); want COMPLETED", got.Status, got.StatusReason)
	}
	if earned, _ := e.balance(); earned != "1500000000000000000" {
		t.Errorf("earned %s; want the 1.5 coins of the daily limit", earned)
	}
}

// TestProcessEmptyCatalogue checks that a catalogue listing no retailer
// does not hold receipts for one.
func TestProcessEmptyCatalogue(t *testing.T) {
	e := newEnv(t)
	e.p.Catalogue = &Catalogue{Store: e.store, MaxAge: -1}
	e.p.Ledger = &coins.Ledger{Store: e.store}
	r := e.receipt(testreceipt.PNG(t, testreceipt.Lines...))
	if got := e.process(r, 1); got.Status != till.StatusCompleted || got.RecognizedItems != 0 || got.UnrecognizedItems != 2 {
		t.Errorf("status %s (reason %q), recognized %d, unrecognized %d; want COMPLETED, 0 and 2",
			got.Status, got.StatusReason, got.RecognizedItems, got.UnrecognizedItems)
	}
}

// TestCatalogueRefresh checks that a catalogue change reaches processing
// once the index is older than MaxAge, without a use waiting for the
// rebuild.
func TestCatalogueRefresh(t *testing.T) {
	e := newEnv(t)
	c := &Catalogue{Store: e.store, MaxAge: 20 * time.Millisecond}
	ctx := t.Context()
	first, err := c.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first.retailers {
		t.Fatal("an empty catalogue lists retailers")
	}
	ret := freshmart
	if err := ret.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.PutRetailer(ctx, &ret); err != nil {
		t.Fatal(err)
	}
	if again, _ := c.get(ctx); again != first {
		t.Error("a fresh index was rebuilt")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		time.Sleep(30 * time.Millisecond)
		snap, err := c.get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if snap.retailers {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the new retailer never reached the index")
		}
	}
}
