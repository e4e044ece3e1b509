package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tillhq/till"
)

// coins parses an amount of units or fails the test.
func coins(t *testing.T, s string) till.Coins {
	t.Helper()
	c, err := till.ParseCoins("amount", s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// entry returns an unstored ledger entry of r's user for r's line item.
func (f *fixture) entry(r *till.Receipt, item string, kind, from till.EntryKind, amount till.Coins, partner bool) till.LedgerEntry {
	return till.LedgerEntry{UserID: r.UserID, ReceiptID: r.ID, ItemKey: item, Kind: kind, From: from,
		Amount: amount, Partner: partner, CreatedAt: f.tick()}
}

// appendEntries appends entries to the ledger of userID in one
// UpdateLedger and returns them with their IDs.
func (f *fixture) appendEntries(userID string, entries ...till.LedgerEntry) ([]till.LedgerEntry, error) {
	err := f.s.UpdateLedger(f.t.Context(), userID, func(tx till.LedgerTx) error {
		return tx.Append(f.t.Context(), entries)
	})
	return entries, err
}

// mustAppend is appendEntries that fails the test on error.
func (f *fixture) mustAppend(userID string, entries ...till.LedgerEntry) []till.LedgerEntry {
	f.t.Helper()
	out, err := f.appendEntries(userID, entries...)
	if err != nil {
		f.t.Fatalf("Append: %v", err)
	}
	return out
}

// receiptEntries reads the entries of r within UpdateLedger.
func (f *fixture) receiptEntries(r *till.Receipt) []till.LedgerEntry {
	f.t.Helper()
	var list []till.LedgerEntry
	err := f.s.UpdateLedger(f.t.Context(), r.UserID, func(tx till.LedgerTx) error {
		var err error
		list, err = tx.ReceiptEntries(f.t.Context(), r.ID)
		return err
	})
	if err != nil {
		f.t.Fatalf("ReceiptEntries: %v", err)
	}
	return list
}

func sameEntry(a, b till.LedgerEntry) bool {
	return a.ID == b.ID && a.UserID == b.UserID && a.ReceiptID == b.ReceiptID && a.ItemKey == b.ItemKey &&
		a.Kind == b.Kind && a.From == b.From && a.Amount.Cmp(b.Amount) == 0 && a.Partner == b.Partner &&
		a.CreatedAt.Equal(b.CreatedAt)
}

// testLedger checks the LedgerStore. Its subtests share the store, each
// with users of its own.
func testLedger(t *testing.T, f *fixture) {
	for _, tt := range []struct {
		name string
		test func(t *testing.T, f *fixture)
	}{
		{"Entries", testLedgerEntries},
		{"CoinsAwarded", testCoinsAwarded},
		{"CoinAccount", testCoinAccount},
		{"History", testLedgerHistory},
		{"Exclusion", testLedgerExclusion},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.test(t, &fixture{t: t, s: f.s, now: f.now})
		})
	}
}

// testLedgerEntries checks appending, reading and summing entries.
func testLedgerEntries(t *testing.T, f *fixture) {
	ctx := t.Context()
	alice, bob := f.user("entries-alice"), f.user("entries-bob")
	r1, r2 := f.receipt(alice), f.receipt(alice)
	rb := f.receipt(bob)
	// Past 64 bits, as the spec's partner amounts are.
	big := coins(t, "41220000000000000000")
	small := coins(t, "410000000000000000")

	stored := f.mustAppend(alice.ID,
		f.entry(r1, "line:1", till.EntryPending, "", big, true),
		f.entry(r1, "line:2", till.EntryPending, "", small, false),
	)
	stored = append(stored, f.mustAppend(alice.ID,
		f.entry(r1, "line:1", till.EntryEarned, till.EntryPending, big, true),
		f.entry(r2, "line:1", till.EntryPending, "", small, false),
	)...)
	stored = append(stored, f.mustAppend(alice.ID,
		f.entry(r1, "line:2", till.EntryReversed, till.EntryPending, small, false),
	)...)
	f.mustAppend(bob.ID, f.entry(rb, "line:1", till.EntryPending, "", big, true))

	t.Run("round trip", func(t *testing.T) {
		got := f.receiptEntries(r1)
		want := []till.LedgerEntry{stored[0], stored[1], stored[2], stored[4]}
		if !slices.EqualFunc(got, want, sameEntry) {
			t.Errorf("ReceiptEntries =\n%+v\nwant\n%+v", got, want)
		}
		for i := 1; i < len(stored); i++ {
			if stored[i].ID <= stored[i-1].ID {
				t.Errorf("entry IDs %d then %d; want them growing", stored[i-1].ID, stored[i].ID)
			}
		}
	})
	t.Run("receipt entries are the user's only", func(t *testing.T) {
		var list []till.LedgerEntry
		err := f.s.UpdateLedger(ctx, alice.ID, func(tx till.LedgerTx) error {
			var err error
			list, err = tx.ReceiptEntries(ctx, rb.ID)
			return err
		})
		if err != nil || len(list) != 0 {
			t.Errorf("alice's ReceiptEntries of bob's receipt = %v, %v; want none", list, err)
		}
	})

	t.Run("user balance", func(t *testing.T) {
		b, err := f.s.UserBalance(ctx, alice.ID)
		if err != nil {
			t.Fatalf("UserBalance: %v", err)
		}
		wantCoins(t, "pending", b.Pending(), small)
		wantCoins(t, "earned", b.Earned(), big)
		wantCoins(t, "released", b.Released(), big)
		wantCoins(t, "non-partner reversed", b.NonPartner.Reversed, small)
		wantCoins(t, "partner pending", b.Partner.Pending, till.Coins{})
	})
	t.Run("receipt balances", func(t *testing.T) {
		got, err := f.s.ReceiptBalances(ctx, []string{r1.ID, r2.ID, rb.ID, newUUID()})
		if err != nil {
			t.Fatalf("ReceiptBalances: %v", err)
		}
		if len(got) != 3 {
			t.Errorf("ReceiptBalances has %d receipts, want the 3 with entries", len(got))
		}
		wantCoins(t, "r1 partner earned", got[r1.ID].Partner.Earned, big)
		wantCoins(t, "r1 pending", got[r1.ID].Pending(), till.Coins{})
		wantCoins(t, "r1 non-partner earned", got[r1.ID].NonPartner.Earned, till.Coins{})
		wantCoins(t, "r2 pending", got[r2.ID].Pending(), small)
		wantCoins(t, "bob's pending", got[rb.ID].Partner.Pending, big)
		if none, err := f.s.ReceiptBalances(ctx, nil); err != nil || len(none) != 0 {
			t.Errorf("ReceiptBalances(nil) = %v, %v; want an empty map", none, err)
		}
	})
	t.Run("unknown user has nothing", func(t *testing.T) {
		b, err := f.s.UserBalance(ctx, till.UserIDFromRef("entries-carol"))
		if err != nil || b.Pending().Sign() != 0 || b.Earned().Sign() != 0 {
			t.Errorf("UserBalance(carol) = %+v, %v; want zero", b, err)
		}
	})

	errs := []struct {
		name  string
		err   func() error
		kind  till.Kind
		field string
		msg   string
	}{
		{"a line awarded twice", func() error {
			_, err := f.appendEntries(alice.ID, f.entry(r1, "line:1", till.EntryPending, "", small, true))
			return err
		}, till.KindConflict, "", "already"},
		{"a bad path", func() error {
			_, err := f.appendEntries(alice.ID, f.entry(r2, "line:9", till.EntryEarned, "", small, true))
			return err
		}, till.KindInvalid, "kind", "cannot move"},
		{"another user's entry", func() error {
			_, err := f.appendEntries(alice.ID, f.entry(rb, "line:9", till.EntryPending, "", small, true))
			return err
		}, till.KindInvalid, "user_id", "ledger of"},
		{"a negative amount", func() error {
			_, err := f.appendEntries(alice.ID, f.entry(r2, "line:9", till.EntryPending, "", till.Units(-1), true))
			return err
		}, till.KindInvalid, "amount", "negative"},
		{"an unknown receipt", func() error {
			e := f.entry(r2, "line:9", till.EntryPending, "", small, true)
			e.ReceiptID = newUUID()
			_, err := f.appendEntries(alice.ID, e)
			return err
		}, till.KindNotFound, "", "receipt not found"},
		{"an unknown user", func() error {
			return f.s.UpdateLedger(ctx, till.UserIDFromRef("entries-carol"), func(till.LedgerTx) error { return nil })
		}, till.KindNotFound, "", "user not found"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, tt.err(), tt.kind, tt.field, tt.msg)
		})
	}

	t.Run("a failed update stores nothing", func(t *testing.T) {
		before := len(f.receiptEntries(r2))
		// The first entry is fine; the second clashes, so neither stays.
		_, err := f.appendEntries(alice.ID,
			f.entry(r2, "line:7", till.EntryPending, "", small, false),
			f.entry(r2, "line:1", till.EntryPending, "", small, false))
		if till.ErrorKind(err) != till.KindConflict {
			t.Fatalf("Append = %v, want a conflict", err)
		}
		boom := errors.New("boom")
		err = f.s.UpdateLedger(ctx, alice.ID, func(tx till.LedgerTx) error {
			if err := tx.Append(ctx, []till.LedgerEntry{f.entry(r2, "line:8", till.EntryPending, "", small, false)}); err != nil {
				return err
			}
			return boom
		})
		if err != boom {
			t.Errorf("UpdateLedger = %v, want f's error unchanged", err)
		}
		if after := len(f.receiptEntries(r2)); after != before {
			t.Errorf("r2 has %d entries after failed updates, want %d", after, before)
		}
	})
}

func wantCoins(t *testing.T, what string, got, want till.Coins) {
	t.Helper()
	if got.Cmp(want) != 0 {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// testCoinsAwarded checks the sum the daily limit is checked against.
func testCoinsAwarded(t *testing.T, f *fixture) {
	ctx := t.Context()
	alice := f.user("awarded-alice")
	r := f.receipt(alice)
	at := func(e till.LedgerEntry, when time.Time) till.LedgerEntry { e.CreatedAt = when; return e }
	day := time.Date(2026, 3, 14, 13, 0, 0, 0, time.UTC) // midnight in Sydney
	f.mustAppend(alice.ID,
		at(f.entry(r, "a", till.EntryPending, "", till.Units(1), false), day.Add(-time.Microsecond)),
		at(f.entry(r, "b", till.EntryPending, "", till.Units(10), true), day),
		at(f.entry(r, "c", till.EntryPending, "", till.Units(100), false), day.Add(24*time.Hour-time.Microsecond)),
		at(f.entry(r, "d", till.EntryPending, "", till.Units(1000), false), day.Add(24*time.Hour)),
		// Releases and reversals move coins already counted.
		at(f.entry(r, "b", till.EntryEarned, till.EntryPending, till.Units(10), true), day.Add(time.Hour)),
		at(f.entry(r, "c", till.EntryReversed, till.EntryPending, till.Units(100), false), day.Add(time.Hour)),
	)
	got, err := f.s.CoinsAwarded(ctx, alice.ID, day, day.Add(24*time.Hour))
	if err != nil {
		t.Fatalf("CoinsAwarded: %v", err)
	}
	wantCoins(t, "CoinsAwarded over the day", got, till.Units(110))
	err = f.s.UpdateLedger(ctx, alice.ID, func(tx till.LedgerTx) error {
		got, err = tx.Awarded(ctx, day, day.Add(24*time.Hour))
		return err
	})
	if err != nil {
		t.Fatalf("Awarded: %v", err)
	}
	wantCoins(t, "Awarded in a transaction", got, till.Units(110))
}

// testCoinAccount checks the users' coin settings.
func testCoinAccount(t *testing.T, f *fixture) {
	ctx := t.Context()
	alice := f.user("account-alice")
	a, err := f.s.CoinAccount(ctx, alice.ID)
	if err != nil || a.UserID != alice.ID || a.TimeZone != "" || a.DailyLimit != nil {
		t.Fatalf("CoinAccount of a new user = %+v, %v; want an empty account", a, err)
	}
	limit := coins(t, "41220000000000000000")
	zero := till.Coins{}
	for _, want := range []till.CoinAccount{
		{UserID: alice.ID, TimeZone: "Australia/Sydney", DailyLimit: &limit},
		{UserID: alice.ID, TimeZone: "Europe/Berlin", DailyLimit: &zero},
		{UserID: alice.ID},
	} {
		if err := f.s.SetCoinAccount(ctx, want); err != nil {
			t.Fatalf("SetCoinAccount(%+v): %v", want, err)
		}
		got, err := f.s.CoinAccount(ctx, alice.ID)
		if err != nil {
			t.Fatalf("CoinAccount: %v", err)
		}
		if got.TimeZone != want.TimeZone || (got.DailyLimit == nil) != (want.DailyLimit == nil) ||
			got.DailyLimit != nil && got.DailyLimit.Cmp(*want.DailyLimit) != 0 {
			t.Errorf("CoinAccount = %+v, want %+v", got, want)
		}
	}
	t.Run("in a transaction", func(t *testing.T) {
		err := f.s.UpdateLedger(ctx, alice.ID, func(tx till.LedgerTx) error {
			if err := tx.SetAccount(ctx, till.CoinAccount{UserID: alice.ID, TimeZone: "UTC"}); err != nil {
				return err
			}
			a, err := tx.Account(ctx)
			if err == nil && a.TimeZone != "UTC" {
				err = fmt.Errorf("the transaction's Account = %+v, want UTC", a)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	negative := till.Units(-1)
	errs := []struct {
		name    string
		account till.CoinAccount
		kind    till.Kind
		field   string
	}{
		{"unknown zone", till.CoinAccount{UserID: alice.ID, TimeZone: "Mars/Olympus"}, till.KindInvalid, "time_zone"},
		{"local zone", till.CoinAccount{UserID: alice.ID, TimeZone: "Local"}, till.KindInvalid, "time_zone"},
		{"negative limit", till.CoinAccount{UserID: alice.ID, DailyLimit: &negative}, till.KindInvalid, "daily_limit"},
		{"unknown user", till.CoinAccount{UserID: till.UserIDFromRef("account-carol")}, till.KindNotFound, ""},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, f.s.SetCoinAccount(ctx, tt.account), tt.kind, tt.field, "")
		})
	}
}

// testLedgerHistory checks the pages of a user's entries.
func testLedgerHistory(t *testing.T, f *fixture) {
	ctx := t.Context()
	alice, bob := f.user("history-alice"), f.user("history-bob")
	r := f.receipt(alice)
	var all []till.LedgerEntry
	for i := range 5 {
		all = append(all, f.mustAppend(alice.ID, f.entry(r, fmt.Sprint(i), till.EntryPending, "", till.Units(int64(i)), false))...)
	}
	f.mustAppend(bob.ID, f.entry(f.receipt(bob), "0", till.EntryPending, "", till.Units(1), false))
	slices.Reverse(all)
	pages := []struct {
		page, size int
		want       []till.LedgerEntry
	}{
		{0, 2, all[0:2]},
		{1, 2, all[2:4]},
		{2, 2, all[4:5]},
		{3, 2, nil},
		{0, 10, all},
	}
	for _, p := range pages {
		t.Run(fmt.Sprintf("page %d of %d", p.page, p.size), func(t *testing.T) {
			got, total, err := f.s.LedgerEntries(ctx, till.LedgerQuery{UserID: alice.ID, Page: p.page, PageSize: p.size})
			if err != nil {
				t.Fatalf("LedgerEntries: %v", err)
			}
			if total != 5 {
				t.Errorf("total = %d, want 5", total)
			}
			if !slices.EqualFunc(got, p.want, sameEntry) {
				t.Errorf("LedgerEntries =\n%+v\nwant\n%+v", got, p.want)
			}
		})
	}
	_, _, err := f.s.LedgerEntries(ctx, till.LedgerQuery{UserID: alice.ID, Page: -1, PageSize: 1})
	wantError(t, err, till.KindInvalid, "page", "page")
	_, _, err = f.s.LedgerEntries(ctx, till.LedgerQuery{UserID: alice.ID, PageSize: 0})
	wantError(t, err, till.KindInvalid, "page_size", "page_size")
}

// testLedgerExclusion checks that UpdateLedger transactions of one user do
// not overlap: each reads the day's sum and awards one unit only under a
// limit, so overlapping ones would award past it.
func testLedgerExclusion(t *testing.T, f *fixture) {
	ctx := t.Context()
	alice := f.user("exclusion-alice")
	r := f.receipt(alice)
	const limit, callers = 5, 16
	from, to := t0.Add(-time.Hour), t0.Add(time.Hour)
	var wg sync.WaitGroup
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() {
			// A busy database may ask a caller to retry; the others go on.
			for range 50 {
				errs[i] = f.s.UpdateLedger(ctx, alice.ID, func(tx till.LedgerTx) error {
					sum, err := tx.Awarded(ctx, from, to)
					if err != nil || sum.Cmp(till.Units(limit)) >= 0 {
						return err
					}
					return tx.Append(ctx, []till.LedgerEntry{{UserID: alice.ID, ReceiptID: r.ID, ItemKey: fmt.Sprint(i),
						Kind: till.EntryPending, Amount: till.Units(1), CreatedAt: t0}})
				})
				if till.ErrorKind(errs[i]) != till.KindUnavailable {
					return
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
	got, err := f.s.CoinsAwarded(context.WithoutCancel(ctx), alice.ID, from, to)
	if err != nil {
		t.Fatal(err)
	}
	wantCoins(t, "awarded by concurrent callers under a limit", got, till.Units(limit))
}
