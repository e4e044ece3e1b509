package storetest

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tillhq/till"
)

func testProcessing(t *testing.T, f *fixture) {
	ctx := t.Context()
	alice := f.user("alice")
	r := f.newReceipt(alice, func(r *till.Receipt) {
		r.Images = []string{"https://till.example/a.jpg", "https://cdn.example.com/b.jpg", "https://till.example/c.jpg"}
	})
	if err := f.s.CreateReceipt(ctx, r, []string{"2026/03/14/a.jpg", "", "2026/03/14/c.jpg"}); err != nil {
		t.Fatalf("CreateReceipt: %v", err)
	}

	t.Run("image keys in order", func(t *testing.T) {
		keys, err := f.s.ReceiptImageKeys(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"2026/03/14/a.jpg", "2026/03/14/c.jpg"}; !slices.Equal(keys, want) {
			t.Errorf("ReceiptImageKeys = %v, want %v", keys, want)
		}
		_, err = f.s.ReceiptImageKeys(ctx, newUUID())
		wantError(t, err, till.KindNotFound, "", "receipt not found")
	})

	t.Run("no analysis yet", func(t *testing.T) {
		_, err := f.s.Analysis(ctx, r.ID)
		wantError(t, err, till.KindNotFound, "", "analysis not found")
		events, err := f.s.Events(ctx, r.ID)
		if err != nil || len(events) != 0 {
			t.Errorf("Events = %v, %v; want none", events, err)
		}
	})

	issued := time.Date(2022, 8, 31, 10, 55, 8, 0, time.UTC)
	data := json.RawMessage(`{"receipt_code":"7250lane 131082022","words_count":149}`)
	ev := func(step string, outcome till.Outcome) till.Event {
		return till.Event{ReceiptID: r.ID, Attempt: 1, Step: step, Outcome: outcome, Detail: step + " detail",
			StartedAt: f.tick(), Duration: 1500 * time.Microsecond}
	}
	completed := till.ReceiptResult{
		ReceiptID: r.ID, Status: till.StatusCompleted,
		Analysis: &till.Analysis{ReceiptID: r.ID, Data: data, OCRText: "WOOLWORTHS\nTOTAL 5.99\n",
			OCRHash: "2df10655f8b4941bd55a156881d19a09d75983bd", ImageHash: "c3c3e1f0f0e1c3c3"},
		RetailerID: "woolworths", RetailerName: "Woolworths", ReceiptCode: "7250lane 131082022",
		IssuedAt: &issued, Total: "5.99", RecognizedItems: 1, UnrecognizedItems: 2,
		Events: []till.Event{ev("decode", till.OutcomeOK), ev("ocr", till.OutcomeOK)},
	}

	t.Run("save a completed result", func(t *testing.T) {
		// A failed attempt first, as the job records before a retry.
		if err := f.s.AppendEvents(ctx, []till.Event{ev("ocr", till.OutcomeFailed)}); err != nil {
			t.Fatalf("AppendEvents: %v", err)
		}
		now := f.tick()
		if err := f.s.SaveResult(ctx, completed, now); err != nil {
			t.Fatalf("SaveResult: %v", err)
		}
		got, err := f.s.Receipt(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := *r
		want.Status, want.RetailerID, want.RetailerName = till.StatusCompleted, "woolworths", "Woolworths"
		want.ReceiptCode, want.IssuedAt, want.Total = "7250lane 131082022", &issued, "5.99"
		want.OCRDone, want.RecognizedItems, want.UnrecognizedItems, want.UpdatedAt = true, 1, 2, now
		if !sameReceipt(*got, want) {
			t.Errorf("Receipt after SaveResult = %+v, want %+v", *got, want)
		}
		a, err := f.s.Analysis(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if string(a.Data) != string(data) || a.OCRText != completed.Analysis.OCRText ||
			a.OCRHash != completed.Analysis.OCRHash || a.ImageHash != completed.Analysis.ImageHash || !a.UpdatedAt.Equal(now) {
			t.Errorf("Analysis = %+v, want %+v at %v", a, completed.Analysis, now)
		}
		events, err := f.s.Events(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, e := range events {
			steps = append(steps, e.Step+":"+string(e.Outcome))
		}
		if want := []string{"ocr:failed", "decode:ok", "ocr:ok"}; !slices.Equal(steps, want) {
			t.Errorf("Events = %v, want %v", steps, want)
		}
		if e := events[1]; e.Attempt != 1 || e.Detail != "decode detail" || e.Duration != 1500*time.Microsecond || e.StartedAt.IsZero() {
			t.Errorf("event = %+v", e)
		}
	})

	t.Run("a rerun leaves one analysis", func(t *testing.T) {
		again := completed
		again.Analysis = &till.Analysis{ReceiptID: r.ID, Data: json.RawMessage(`{"words_count":150}`), OCRText: "x", OCRHash: "h2"}
		again.Events = nil
		if err := f.s.SaveResult(ctx, again, f.tick()); err != nil {
			t.Fatal(err)
		}
		a, err := f.s.Analysis(ctx, r.ID)
		if err != nil || a.OCRHash != "h2" || string(a.Data) != `{"words_count":150}` {
			t.Errorf("Analysis after rerun = %+v, %v", a, err)
		}
	})

	t.Run("a failure keeps the analysis and says why", func(t *testing.T) {
		failed := till.ReceiptResult{ReceiptID: r.ID, Status: till.StatusFailed, Reason: "image is corrupt"}
		if err := f.s.SaveResult(ctx, failed, f.tick()); err != nil {
			t.Fatal(err)
		}
		got, err := f.s.Receipt(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != till.StatusFailed || got.StatusReason != "image is corrupt" || !got.OCRDone {
			t.Errorf("Receipt = status %s, reason %q, ocr done %v", got.Status, got.StatusReason, got.OCRDone)
		}
		if _, err := f.s.Analysis(ctx, r.ID); err != nil {
			t.Errorf("Analysis after a failure: %v", err)
		}
	})

	t.Run("bad results", func(t *testing.T) {
		err := f.s.SaveResult(ctx, till.ReceiptResult{ReceiptID: newUUID(), Status: till.StatusCompleted}, f.tick())
		wantError(t, err, till.KindNotFound, "", "receipt not found")
		err = f.s.SaveResult(ctx, till.ReceiptResult{ReceiptID: r.ID, Status: "DONE"}, f.tick())
		wantError(t, err, till.KindInvalid, "status", "unknown status")
		gone := f.receipt(alice)
		f.deleteReceipt(gone)
		err = f.s.SaveResult(ctx, till.ReceiptResult{ReceiptID: gone.ID, Status: till.StatusCompleted}, f.tick())
		wantError(t, err, till.KindNotFound, "", "receipt not found")
		err = f.s.AppendEvents(ctx, []till.Event{{ReceiptID: newUUID(), Step: "ocr", Outcome: till.OutcomeOK, StartedAt: f.tick()}})
		wantError(t, err, till.KindNotFound, "", "receipt not found")
	})
}

// testResumeReceipt checks that an analysis keeps its item lines and that
// a user's answer moves a waiting receipt on, once, and only the user's.
func testResumeReceipt(t *testing.T, f *fixture) {
	ctx := t.Context()
	alice, bob := f.user("alice"), f.user("bob")
	r := f.receipt(alice)
	items := []till.ItemLine{
		{Name: "GV VEG OIL", Line: "GV VEG OIL 007874237003 F 7.82 N", Quantity: "1", Value: "7.82",
			Match: till.ItemMatch{Status: till.MatchNeedsValidation, GTIN: "00078742370034", BrandID: "great-value",
				Confidence: 0.72, Method: "name", Product: "Great Value Vegetable Oil"}},
		{Name: "BANANAS", Quantity: "0.455", Value: "0.26", Match: till.ItemMatch{Status: till.MatchUnmatched}},
	}
	waiting := till.ReceiptResult{
		ReceiptID: r.ID, Status: till.StatusSetRetailers,
		Analysis: &till.Analysis{ReceiptID: r.ID, Data: json.RawMessage(`{}`), Items: items, OCRHash: "h"},
	}
	if err := f.s.SaveResult(ctx, waiting, f.tick()); err != nil {
		t.Fatal(err)
	}
	a, err := f.s.Analysis(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Items, items) {
		t.Fatalf("Analysis items = %+v, want %+v", a.Items, items)
	}

	resume := till.Resume{UserID: alice.ID, ReceiptID: r.ID, From: till.StatusSetRetailers, To: till.StatusSetRetailersPending,
		RetailerID: "walmart", RetailerName: "Walmart",
		Event: till.Event{Step: "set retailer", Outcome: till.OutcomeOK, Detail: "walmart", StartedAt: f.tick()}}
	t.Run("another user's receipt is not found", func(t *testing.T) {
		other := resume
		other.UserID = bob.ID
		wantError(t, f.s.ResumeReceipt(ctx, other, f.tick()), till.KindNotFound, "", "receipt not found")
		other = resume
		other.ReceiptID = newUUID()
		wantError(t, f.s.ResumeReceipt(ctx, other, f.tick()), till.KindNotFound, "", "receipt not found")
	})
	t.Run("the retailer", func(t *testing.T) {
		now := f.tick()
		if err := f.s.ResumeReceipt(ctx, resume, now); err != nil {
			t.Fatal(err)
		}
		got, err := f.s.Receipt(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != till.StatusSetRetailersPending || got.RetailerID != "walmart" || got.RetailerName != "Walmart" || !got.UpdatedAt.Equal(now) {
			t.Errorf("Receipt = status %s, retailer %q %q, updated %v", got.Status, got.RetailerID, got.RetailerName, got.UpdatedAt)
		}
		events, err := f.s.Events(ctx, r.ID)
		if err != nil || len(events) != 1 || events[0].Step != "set retailer" || events[0].Detail != "walmart" {
			t.Errorf("Events = %+v, %v", events, err)
		}
	})
	t.Run("answered twice is a conflict", func(t *testing.T) {
		wantError(t, f.s.ResumeReceipt(ctx, resume, f.tick()), till.KindConflict, "", "SET_RETAILERS_PENDING, not SET_RETAILERS")
	})
	t.Run("the products", func(t *testing.T) {
		if err := f.s.SaveResult(ctx, till.ReceiptResult{ReceiptID: r.ID, Status: till.StatusSetProducts, RetailerID: "walmart", RetailerName: "Walmart",
			Analysis: waiting.Analysis}, f.tick()); err != nil {
			t.Fatal(err)
		}
		decided := slices.Clone(items)
		decided[0].Match.Status, decided[0].Match.Method = till.MatchAccepted, till.MethodUser
		err := f.s.ResumeReceipt(ctx, till.Resume{UserID: alice.ID, ReceiptID: r.ID, From: till.StatusSetProducts,
			To: till.StatusSetProductsPending, Items: decided}, f.tick())
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.s.Receipt(ctx, r.ID)
		if err != nil || got.Status != till.StatusSetProductsPending || got.RetailerID != "walmart" {
			t.Errorf("Receipt = %+v, %v; want SET_PRODUCTS_PENDING at walmart", got, err)
		}
		a, err := f.s.Analysis(ctx, r.ID)
		if err != nil || !slices.Equal(a.Items, decided) || !a.Items[0].Match.Decided() {
			t.Errorf("Analysis items = %+v, %v; want %+v", a.Items, err, decided)
		}
	})
	t.Run("items need an analysis", func(t *testing.T) {
		bare := f.receipt(alice, status(till.StatusSetProducts))
		err := f.s.ResumeReceipt(ctx, till.Resume{UserID: alice.ID, ReceiptID: bare.ID, From: till.StatusSetProducts,
			To: till.StatusSetProductsPending, Items: items}, f.tick())
		wantError(t, err, till.KindNotFound, "", "analysis not found")
		got, err := f.s.Receipt(ctx, bare.ID)
		if err != nil || got.Status != till.StatusSetProducts {
			t.Errorf("a failed answer changed the receipt: %+v, %v", got, err)
		}
	})
}

// testHiddenReceipts checks that a receipt a moderator hid leaves the
// user's chunk listing and groups, as it leaves search by default.
func testHiddenReceipts(t *testing.T, f *fixture) {
	ctx := t.Context()
	alice := f.user("alice")
	shown := f.receipt(alice, retailer("coles", "Coles"), status(till.StatusCompleted))
	f.receipt(alice, retailer("coles", "Coles"), status(till.StatusHidden))
	list, err := f.s.UserReceipts(ctx, alice.ID, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(list); !slices.Equal(got, []string{shown.ID}) {
		t.Errorf("UserReceipts = %v, want only %v", got, shown.ID)
	}
	g, err := f.s.UserReceiptGroups(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := till.ReceiptGroups{Retailers: []till.RetailerCount{{RetailerID: "coles", RetailerName: "Coles", Count: 1}}}
	if !sameGroups(g, want) {
		t.Errorf("UserReceiptGroups = %+v, want %+v", g, want)
	}
}

// testConcurrentCreates creates receipts from many goroutines at once, one
// of them a duplicate, as a busy server does: every other receipt is
// stored, the duplicate alone fails, and each Seq is its own.
func testConcurrentCreates(t *testing.T, f *fixture) {
	ctx := t.Context()
	alice := f.user("alice")
	first := f.receipt(alice)
	const n = 64
	receipts := make([]*till.Receipt, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range receipts {
		receipts[i] = newReceipt(alice, t0.Add(time.Duration(i)*time.Millisecond))
		if i == n/2 {
			receipts[i].ID = first.ID
		}
		wg.Go(func() { errs[i] = f.s.CreateReceipt(ctx, receipts[i], nil) })
	}
	wg.Wait()
	seqs := map[int64]bool{first.Seq: true}
	for i, err := range errs {
		if i == n/2 {
			wantError(t, err, till.KindConflict, "", "already exists")
			continue
		}
		if err != nil {
			t.Errorf("CreateReceipt %d: %v", i, err)
			continue
		}
		if seqs[receipts[i].Seq] {
			t.Errorf("receipt %d has Seq %d, already taken", i, receipts[i].Seq)
		}
		seqs[receipts[i].Seq] = true
		if _, err := f.s.Receipt(ctx, receipts[i].ID); err != nil {
			t.Errorf("Receipt %d: %v", i, err)
		}
	}
	list, err := f.s.UserReceipts(ctx, alice.ID, "", 2*n)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != n {
		t.Errorf("UserReceipts has %d receipts, want %d", len(list), n)
	}
}
