package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/tillhq/till"
)

func testCreateReceipt(t *testing.T, f *fixture) {
	ctx := t.Context()
	alice := f.user("alice")
	issued := t0.Add(-36 * time.Hour)
	full := f.receipt(alice, func(r *till.Receipt) {
		r.Images = append(r.Images, "https://cdn.example.com/second.png")
		r.Status = till.StatusCompleted
		r.RetailerID, r.RetailerName = "coles", "Coles Express"
		r.ReceiptCode = "0042-1137"
		r.IssuedAt = &issued
		r.Total = "123.45"
		r.OCRDone = true
		r.RecognizedItems, r.UnrecognizedItems = 7, 2
		r.UpdatedAt = r.CreatedAt.Add(time.Minute)
	})
	bare := f.receipt(alice, func(r *till.Receipt) { r.Images = nil })

	for _, want := range []*till.Receipt{full, bare} {
		t.Run("round trip", func(t *testing.T) {
			got, err := f.s.Receipt(ctx, want.ID)
			if err != nil {
				t.Fatalf("Receipt: %v", err)
			}
			if !sameReceipt(*got, *want) {
				t.Errorf("Receipt =\n%+v\nwant\n%+v", *got, *want)
			}
		})
	}
	t.Run("seq grows", func(t *testing.T) {
		if full.Seq == 0 || bare.Seq <= full.Seq {
			t.Errorf("Seq of two receipts in turn: %d, %d; want them growing", full.Seq, bare.Seq)
		}
	})

	errs := []struct {
		name  string
		err   func() error
		kind  till.Kind
		field string
		msg   string
	}{
		{"existing id", func() error {
			return f.s.CreateReceipt(ctx, f.newReceipt(alice, func(r *till.Receipt) { r.ID = full.ID }), nil)
		}, till.KindConflict, "", "already exists"},
		{"unknown user", func() error {
			return f.s.CreateReceipt(ctx, f.newReceipt(&till.User{ID: till.UserIDFromRef("bob")}), nil)
		}, till.KindNotFound, "", "user not found"},
		{"unknown status", func() error {
			return f.s.CreateReceipt(ctx, f.newReceipt(alice, status("DONE")), nil)
		}, till.KindInvalid, "status", "DONE"},
		{"more keys than images", func() error {
			return f.s.CreateReceipt(ctx, f.newReceipt(alice), []string{"a.jpg", "b.jpg"})
		}, till.KindInternal, "", "internal error"},
		{"unknown receipt", func() error {
			_, err := f.s.Receipt(ctx, newUUID())
			return err
		}, till.KindNotFound, "", "receipt not found"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, tt.err(), tt.kind, tt.field, tt.msg)
		})
	}
	t.Run("failed creates store nothing", func(t *testing.T) {
		list, err := f.s.UserReceipts(ctx, alice.ID, "", 10)
		if err != nil {
			t.Fatalf("UserReceipts: %v", err)
		}
		if got, want := ids(list), newestFirst(full, bare); !slices.Equal(got, want) {
			t.Errorf("UserReceipts = %v, want %v", got, want)
		}
	})
}

func testUserReceipts(t *testing.T, f *fixture) {
	ctx := t.Context()
	alice, bob := f.user("alice"), f.user("bob")
	var mine []*till.Receipt // alice's, oldest first, interleaved with bob's
	var bobs []*till.Receipt
	for range 4 {
		mine = append(mine, f.receipts(alice, 2)...)
		bobs = append(bobs, f.receipt(bob))
	}
	gone := mine[5]
	f.deleteReceipt(gone)
	live := slices.Delete(slices.Clone(mine), 5, 6)

	t.Run("chunks", func(t *testing.T) {
		var got [][]string
		after := ""
		for range len(live) + 1 { // at most this many chunks before it must end
			chunk, err := f.s.UserReceipts(ctx, alice.ID, after, 3)
			if err != nil {
				t.Fatalf("UserReceipts(after %q): %v", after, err)
			}
			if len(chunk) == 0 {
				break
			}
			got = append(got, ids(chunk))
			after = chunk[len(chunk)-1].ID
		}
		want := [][]string{
			newestFirst(live[4:7]...),
			newestFirst(live[1:4]...),
			newestFirst(live[0]),
		}
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("chunks = %v, want %v", got, want)
		}
	})

	tests := []struct {
		name   string
		userID string
		after  string
		limit  int
		want   []string
	}{
		{"first chunk", alice.ID, "", 2, newestFirst(mine[6:8]...)},
		{"limit over the count", alice.ID, "", 100, newestFirst(live...)},
		{"after a deleted receipt", alice.ID, gone.ID, 10, newestFirst(live[:5]...)},
		{"up to a deleted receipt", alice.ID, mine[7].ID, 1, newestFirst(mine[6])},
		{"across a deleted receipt", alice.ID, mine[6].ID, 1, newestFirst(mine[4])},
		{"after the oldest", alice.ID, mine[0].ID, 10, nil},
		{"other user", bob.ID, "", 10, newestFirst(bobs...)},
		{"user without receipts", f.user("carol").ID, "", 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := f.s.UserReceipts(ctx, tt.userID, tt.after, tt.limit)
			if err != nil {
				t.Fatalf("UserReceipts: %v", err)
			}
			if got := ids(list); !slices.Equal(got, tt.want) {
				t.Errorf("UserReceipts = %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("receipts are whole", func(t *testing.T) {
		list, err := f.s.UserReceipts(ctx, alice.ID, "", 1)
		if err != nil {
			t.Fatalf("UserReceipts: %v", err)
		}
		if len(list) != 1 || !sameReceipt(list[0], *mine[7]) {
			t.Errorf("UserReceipts = %+v, want %+v", list, *mine[7])
		}
	})

	errs := []struct {
		name, after string
		limit       int
		field       string
	}{
		{"unknown chunk", newUUID(), 10, "chunk_id"},
		{"other user's chunk", bobs[0].ID, 10, "chunk_id"},
		{"zero limit", "", 0, "limit"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.UserReceipts(ctx, alice.ID, tt.after, tt.limit)
			wantError(t, err, till.KindInvalid, tt.field, "")
		})
	}
}

func testDeleteReceipt(t *testing.T, f *fixture) {
	ctx := t.Context()
	alice, bob := f.user("alice"), f.user("bob")
	kept := f.receipt(alice, status(till.StatusCompleted), retailer("coles", "Coles"))
	doomed := f.receipt(alice, status(till.StatusSetProducts), retailer("coles", "Coles"))
	bobs := f.receipt(bob)

	tests := []struct {
		name   string
		userID string
		id     string
		want   till.Kind // KindInternal for success
	}{
		{"own receipt", alice.ID, doomed.ID, till.KindInternal},
		{"already deleted", alice.ID, doomed.ID, till.KindNotFound},
		{"other user's receipt", alice.ID, bobs.ID, till.KindNotFound},
		{"unknown receipt", alice.ID, newUUID(), till.KindNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.s.DeleteReceipt(ctx, tt.userID, tt.id, f.tick())
			if tt.want == till.KindInternal {
				if err != nil {
					t.Fatalf("DeleteReceipt: %v", err)
				}
				return
			}
			wantError(t, err, tt.want, "", "receipt not found")
		})
	}

	t.Run("kept for fraud checks", func(t *testing.T) {
		got, err := f.s.Receipt(ctx, doomed.ID)
		if err != nil {
			t.Fatalf("Receipt: %v", err)
		}
		if got.DeletedAt == nil || !got.DeletedAt.After(doomed.CreatedAt) {
			t.Errorf("deleted receipt's DeletedAt = %v, want the time it was deleted", got.DeletedAt)
		}
		want := *doomed
		want.DeletedAt = got.DeletedAt
		if !sameReceipt(*got, want) {
			t.Errorf("deleted receipt = %+v, want it unchanged but for DeletedAt: %+v", *got, want)
		}
	})
	t.Run("gone from the list", func(t *testing.T) {
		list, err := f.s.UserReceipts(ctx, alice.ID, "", 10)
		if err != nil {
			t.Fatalf("UserReceipts: %v", err)
		}
		if got := ids(list); !slices.Equal(got, ids([]*till.Receipt{kept})) {
			t.Errorf("UserReceipts = %v, want only %s", got, kept.ID)
		}
	})
	t.Run("gone from the groups", func(t *testing.T) {
		g, err := f.s.UserReceiptGroups(ctx, alice.ID)
		if err != nil {
			t.Fatalf("UserReceiptGroups: %v", err)
		}
		want := till.ReceiptGroups{Retailers: []till.RetailerCount{{RetailerID: "coles", RetailerName: "Coles", Count: 1}}}
		if !sameGroups(g, want) {
			t.Errorf("UserReceiptGroups = %+v, want %+v", g, want)
		}
	})
	t.Run("gone from search", func(t *testing.T) {
		list, total, err := f.s.SearchReceipts(ctx, till.ReceiptQuery{UserID: alice.ID, Text: "coles", PageSize: 10})
		if err != nil {
			t.Fatalf("SearchReceipts: %v", err)
		}
		if got := ids(list); total != 1 || !slices.Equal(got, ids([]*till.Receipt{kept})) {
			t.Errorf("SearchReceipts = %v, %d; want only %s, 1", got, total, kept.ID)
		}
	})
}

func sameGroups(a, b till.ReceiptGroups) bool {
	return a.NeedAttention == b.NeedAttention && a.Other == b.Other && slices.Equal(a.Retailers, b.Retailers)
}

func testUserReceiptGroups(t *testing.T, f *fixture) {
	ctx := t.Context()
	alice, bob := f.user("alice"), f.user("bob")
	f.receipt(alice, status(till.StatusSetRetailers))
	f.receipt(alice, status(till.StatusSetProducts), retailer("coles", "Coles"))
	f.receipt(alice, status(till.StatusCompleted), retailer("coles", "Coles"))
	f.receipt(alice, status(till.StatusSetProductsPending), retailer("coles", "Coles Express"))
	f.receipt(alice, status(till.StatusCompleted), retailer("woolworths", "Woolworths"))
	f.receipt(alice, status(till.StatusFailed), retailer("aldi", "ALDI"))
	f.receipt(alice, status(till.StatusInitial))
	f.receipt(alice, status(till.StatusUnrecognized))
	f.deleteReceipt(f.receipt(alice, status(till.StatusCompleted), retailer("iga", "IGA")))
	f.deleteReceipt(f.receipt(alice, status(till.StatusSetRetailers)))
	f.receipt(bob, status(till.StatusCompleted), retailer("coles", "Coles"))
	f.receipt(bob, status(till.StatusSetRetailers))

	tests := []struct {
		name   string
		userID string
		want   till.ReceiptGroups
	}{
		{"partition", alice.ID, till.ReceiptGroups{
			NeedAttention: 2,
			Retailers: []till.RetailerCount{
				{RetailerID: "aldi", RetailerName: "ALDI", Count: 1},
				{RetailerID: "coles", RetailerName: "Coles Express", Count: 2},
				{RetailerID: "woolworths", RetailerName: "Woolworths", Count: 1},
			},
			Other: 2,
		}},
		{"other user", bob.ID, till.ReceiptGroups{
			NeedAttention: 1,
			Retailers:     []till.RetailerCount{{RetailerID: "coles", RetailerName: "Coles", Count: 1}},
		}},
		{"no receipts", f.user("carol").ID, till.ReceiptGroups{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := f.s.UserReceiptGroups(ctx, tt.userID)
			if err != nil {
				t.Fatalf("UserReceiptGroups: %v", err)
			}
			if !sameGroups(g, tt.want) {
				t.Errorf("UserReceiptGroups = %+v, want %+v", g, tt.want)
			}
		})
	}
}

func testSearchReceipts(t *testing.T, f *fixture) {
	ctx := t.Context()
	alice, bob := f.user("alice"), f.user("bob")
	// rs[i] is alice's i-th receipt, oldest first.
	rs := []*till.Receipt{
		f.receipt(alice, status(till.StatusCompleted), retailer("coles", "Coles"), func(r *till.Receipt) {
			r.LocationName = "Health & Beauty, Carlton"
		}),
		f.receipt(alice, status(till.StatusCompleted), retailer("woolworths", "Woolworths Metro")),
		f.receipt(alice, status(till.StatusHidden), retailer("coles", "Coles")),
		f.receipt(alice, status(till.StatusFailed), func(r *till.Receipt) { r.StoreID = "STORE_100%" }),
		f.receipt(alice, status(till.StatusSetRetailers), func(r *till.Receipt) { r.ReceiptCode = "INV-2231" }),
		f.receipt(alice, status(till.StatusCompleted), retailer("aldi", "ALDI"), func(r *till.Receipt) { r.StoreID = "store-1000" }),
		f.receipt(alice, status(till.StatusInitial), func(r *till.Receipt) { r.LocationName = "HEALTH hub" }),
	}
	f.deleteReceipt(f.receipt(alice, status(till.StatusCompleted), retailer("coles", "Coles")))
	bobs := f.receipt(bob, status(till.StatusCompleted), retailer("coles", "Coles"))
	pick := func(i ...int) []string {
		var out []string
		for _, j := range slices.Backward(i) {
			out = append(out, rs[j].ID)
		}
		return out
	}
	all := pick(0, 1, 3, 4, 5, 6) // every status but HIDDEN

	tests := []struct {
		name  string
		q     till.ReceiptQuery
		want  []string
		total int
	}{
		{"everything but hidden", till.ReceiptQuery{}, all, 6},
		{"location name, any case", till.ReceiptQuery{Text: "health"}, pick(0, 6), 2},
		{"ampersand", till.ReceiptQuery{Text: "Health &"}, pick(0), 1},
		{"store id", till.ReceiptQuery{Text: "STORE-10"}, pick(5), 1},
		{"percent is no wildcard", till.ReceiptQuery{Text: "100%"}, pick(3), 1},
		{"underscore is no wildcard", till.ReceiptQuery{Text: "e_1"}, pick(3), 1},
		{"retailer id", till.ReceiptQuery{Text: "aldi"}, pick(5), 1},
		{"retailer name", till.ReceiptQuery{Text: "metro"}, pick(1), 1},
		{"receipt code", till.ReceiptQuery{Text: "inv-22"}, pick(4), 1},
		{"no match", till.ReceiptQuery{Text: "lidl"}, nil, 0},
		{"one status", till.ReceiptQuery{Statuses: []till.Status{till.StatusCompleted}}, pick(0, 1, 5), 3},
		{"any of statuses", till.ReceiptQuery{Statuses: []till.Status{till.StatusFailed, till.StatusInitial}}, pick(3, 6), 2},
		{"hidden when asked", till.ReceiptQuery{Statuses: []till.Status{till.StatusHidden}}, pick(2), 1},
		{"retailer", till.ReceiptQuery{Retailer: "coles"}, pick(0), 1},
		{"retailer, hidden too", till.ReceiptQuery{Retailer: "coles", Statuses: []till.Status{till.StatusHidden, till.StatusCompleted}}, pick(0, 2), 2},
		{"every retailer", till.ReceiptQuery{Retailer: "*"}, all, 6},
		{"unknown retailer", till.ReceiptQuery{Retailer: "lidl"}, nil, 0},
		{"all filters", till.ReceiptQuery{Text: "CARLTON", Retailer: "coles", Statuses: []till.Status{till.StatusCompleted}}, pick(0), 1},
		{"first page", till.ReceiptQuery{PageSize: 4}, pick(3, 4, 5, 6), 6},
		{"last page", till.ReceiptQuery{Page: 1, PageSize: 4}, pick(0, 1), 6},
		{"page past the end", till.ReceiptQuery{Page: 5, PageSize: 4}, nil, 6},
		{"filtered page", till.ReceiptQuery{Statuses: []till.Status{till.StatusCompleted}, Page: 1, PageSize: 2}, pick(0), 3},
		{"filtered page past the end", till.ReceiptQuery{Statuses: []till.Status{till.StatusCompleted}, Page: 2, PageSize: 2}, nil, 3},
		{"other user", till.ReceiptQuery{UserID: bob.ID, Text: "coles"}, []string{bobs.ID}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			if q.UserID == "" {
				q.UserID = alice.ID
			}
			if q.PageSize == 0 {
				q.PageSize = 10
			}
			list, total, err := f.s.SearchReceipts(ctx, q)
			if err != nil {
				t.Fatalf("SearchReceipts: %v", err)
			}
			if got := ids(list); !slices.Equal(got, tt.want) || total != tt.total {
				t.Errorf("SearchReceipts = %v, %d; want %v, %d", got, total, tt.want, tt.total)
			}
		})
	}

	errs := []struct {
		name  string
		q     till.ReceiptQuery
		field string
	}{
		{"negative page", till.ReceiptQuery{Page: -1, PageSize: 10}, "page"},
		{"zero page size", till.ReceiptQuery{PageSize: 0}, "page_size"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.UserID = alice.ID
			_, _, err := f.s.SearchReceipts(ctx, tt.q)
			wantError(t, err, till.KindInvalid, tt.field, "")
		})
	}
}

func testCreateReceipts(t *testing.T, f *fixture) {
	bulk, ok := f.s.(bulkStore)
	if !ok {
		t.Skip("the store has no CreateReceipts")
	}
	ctx := t.Context()
	alice := f.user("alice")
	list := make([]*till.Receipt, 250) // more than one statement's worth
	for i := range list {
		list[i] = f.newReceipt(alice)
	}
	if err := bulk.CreateReceipts(ctx, list); err != nil {
		t.Fatalf("CreateReceipts: %v", err)
	}
	t.Run("all stored", func(t *testing.T) {
		got, err := f.s.UserReceipts(ctx, alice.ID, "", 1000)
		if err != nil {
			t.Fatalf("UserReceipts: %v", err)
		}
		byID := map[string]*till.Receipt{}
		for _, r := range list {
			byID[r.ID] = r
		}
		if len(got) != len(list) {
			t.Fatalf("UserReceipts returned %d receipts, want %d", len(got), len(list))
		}
		for _, r := range got {
			if want := byID[r.ID]; want == nil || !sameReceipt(r, *want) {
				t.Fatalf("stored %+v, want %+v", r, want)
			}
		}
	})
	t.Run("seq set", func(t *testing.T) {
		seen := map[int64]bool{}
		for _, r := range list {
			if r.Seq == 0 || seen[r.Seq] {
				t.Fatalf("receipt %s has Seq %d, want a distinct one", r.ID, r.Seq)
			}
			seen[r.Seq] = true
		}
	})
	t.Run("all or nothing", func(t *testing.T) {
		more := []*till.Receipt{f.newReceipt(alice), f.newReceipt(alice, func(r *till.Receipt) { r.ID = list[0].ID })}
		wantError(t, bulk.CreateReceipts(ctx, more), till.KindConflict, "", "already exists")
		_, err := f.s.Receipt(ctx, more[0].ID)
		wantError(t, err, till.KindNotFound, "", "receipt not found")
	})
	t.Run("unknown user", func(t *testing.T) {
		err := bulk.CreateReceipts(ctx, []*till.Receipt{f.newReceipt(&till.User{ID: till.UserIDFromRef("bob")})})
		wantError(t, err, till.KindNotFound, "", "user not found")
	})
}
