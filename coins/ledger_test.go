package coins

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tillhq/till"
)

var t0 = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// clock is a settable time for a Ledger.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// specRules pay the amounts of the spec's examples: 41.22 coins per
// partner line and 0.41 per other line.
var (
	specRules = Rules{
		Brands:  map[string][]till.EarningRule{"nestle": {{BrandID: "nestle", Partner: true, Basis: till.PerItem, Rate: mustCoins("41220000000000000000")}}},
		Default: []till.EarningRule{{Basis: till.PerItem, Rate: mustCoins("410000000000000000")}},
	}
)

func mustCoins(s string) till.Coins {
	c, err := till.ParseCoins("amount", s)
	if err != nil {
		panic(err)
	}
	return c
}

func wantCoins(t *testing.T, what string, got till.Coins, want string) {
	t.Helper()
	if got.String() != want {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func TestAwardReleaseReverse(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s till.Store) {
		ctx := t.Context()
		clk := &clock{t: t0}
		l := &Ledger{Store: s, Now: clk.now}
		u := newUser(t, s, "alice", t0)
		r := newReceipt(t, s, u, "036", t0)
		items := []Item{{Key: "0", BrandID: "nestle"}, {Key: "1", BrandID: "acme"}, {Key: "2"}}

		a, err := l.Award(ctx, r, items, specRules)
		if err != nil {
			t.Fatalf("Award: %v", err)
		}
		if len(a.Entries) != 3 {
			t.Fatalf("Award wrote %d entries, want 3", len(a.Entries))
		}
		wantCoins(t, "award total", a.Total(), "42040000000000000000")
		if got := a.Limits.From.UTC().Format(time.RFC3339); got != "2026-03-13T13:00:00Z" {
			t.Errorf("limits from %s, want the midnight in Sydney before 20:26 there, 2026-03-13T13:00:00Z", got)
		}
		acct, err := s.CoinAccount(ctx, u.ID)
		if err != nil || acct.TimeZone != "Australia/Sydney" {
			t.Errorf("account after the first award = %+v, %v; want the receipt country's zone", acct, err)
		}

		t.Run("rerun pays nothing", func(t *testing.T) {
			again, err := l.Award(ctx, r, append(items, Item{Key: "3", BrandID: "nestle"}), specRules)
			if err != nil {
				t.Fatalf("Award: %v", err)
			}
			if len(again.Entries) != 1 || again.Entries[0].ItemKey != "3" {
				t.Errorf("rerun wrote %+v, want only the new line 3", again.Entries)
			}
		})
		sum, _ := s.ReceiptBalances(ctx, []string{r.ID})
		b := sum[r.ID]
		wantCoins(t, "partner pending", b.Partner.Pending, "82440000000000000000")
		wantCoins(t, "non-partner pending", b.NonPartner.Pending, "820000000000000000")

		released, err := l.Release(ctx, r.ID)
		if err != nil || len(released) != 4 {
			t.Fatalf("Release = %d entries, %v; want 4", len(released), err)
		}
		if again, err := l.Release(ctx, r.ID); err != nil || len(again) != 0 {
			t.Errorf("second Release = %v, %v; want nothing", again, err)
		}
		sm, err := l.Summary(ctx, u.ID)
		if err != nil {
			t.Fatalf("Summary: %v", err)
		}
		wantCoins(t, "earned after release", sm.Balance.Earned(), "83260000000000000000")
		wantCoins(t, "pending after release", sm.Balance.Pending(), "0")
		wantCoins(t, "today's sum", sm.Limits.Sum, "83260000000000000000")

		reversed, err := l.Reverse(ctx, r.ID)
		if err != nil || len(reversed) != 4 {
			t.Fatalf("Reverse = %d entries, %v; want 4", len(reversed), err)
		}
		for _, e := range reversed {
			if e.From != till.EntryEarned {
				t.Errorf("reversal of line %s moves from %q, want earned", e.ItemKey, e.From)
			}
		}
		bal, _ := s.UserBalance(ctx, u.ID)
		wantCoins(t, "earned after reversal", bal.Earned(), "0")
		wantCoins(t, "released after reversal", bal.Released(), "83260000000000000000")

		t.Run("a reversed receipt earns nothing more", func(t *testing.T) {
			again, err := l.Award(ctx, r, []Item{{Key: "4", BrandID: "nestle"}}, specRules)
			if err != nil || len(again.Entries) != 0 {
				t.Errorf("Award after Reverse = %+v, %v; want nothing", again.Entries, err)
			}
		})
		t.Run("unknown receipt", func(t *testing.T) {
			_, err := l.Release(ctx, "0b6f3c1e-5d5e-4f4e-9a51-3c2b1a0f9e8d")
			if till.ErrorKind(err) != till.KindNotFound {
				t.Errorf("Release of an unknown receipt = %v, want not found", err)
			}
		})
	})
}

func TestAwardPendingThenReversed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s till.Store) {
		ctx := t.Context()
		l := &Ledger{Store: s, Now: func() time.Time { return t0 }}
		u := newUser(t, s, "alice", t0)
		r := newReceipt(t, s, u, "", t0)
		if _, err := l.Award(ctx, r, []Item{{Key: "0"}, {Key: "1"}}, specRules); err != nil {
			t.Fatal(err)
		}
		reversed, err := l.Reverse(ctx, r.ID)
		if err != nil || len(reversed) != 2 || reversed[0].From != till.EntryPending {
			t.Fatalf("Reverse = %+v, %v; want both lines reversed from pending", reversed, err)
		}
		if released, err := l.Release(ctx, r.ID); err != nil || len(released) != 0 {
			t.Errorf("Release after Reverse = %+v, %v; want nothing", released, err)
		}
		b, _ := s.UserBalance(ctx, u.ID)
		wantCoins(t, "pending", b.Pending(), "0")
		wantCoins(t, "earned", b.Earned(), "0")
		wantCoins(t, "reversed", b.NonPartner.Reversed, "820000000000000000")
	})
}

func TestDailyLimit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s till.Store) {
		ctx := t.Context()
		clk := &clock{t: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)} // 23:00 in Sydney
		l := &Ledger{Store: s, Now: clk.now, DailyLimit: till.WholeCoins(1)}
		u := newUser(t, s, "alice", t0)
		rules := Rules{Default: []till.EarningRule{{Basis: till.PerItem, Rate: till.Units(400000000000000000)}}}

		r1 := newReceipt(t, s, u, "AU", t0)
		a, err := l.Award(ctx, r1, []Item{{Key: "0"}, {Key: "1"}, {Key: "2"}, {Key: "3"}}, rules)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range a.Entries {
			got = append(got, e.Amount.String())
		}
		if want := "[400000000000000000 400000000000000000 200000000000000000 0]"; fmt.Sprint(got) != want {
			t.Errorf("amounts under a 1-coin limit = %v, want %s", got, want)
		}
		wantCoins(t, "day's sum", a.Limits.Sum, "1000000000000000000")

		// The last line was settled at zero: a rerun tomorrow pays nothing.
		clk.advance(2 * time.Hour) // 01:00 in Sydney, the next day
		again, err := l.Award(ctx, r1, []Item{{Key: "0"}, {Key: "1"}, {Key: "2"}, {Key: "3"}}, rules)
		if err != nil || len(again.Entries) != 0 {
			t.Errorf("rerun the next day = %+v, %v; want nothing", again.Entries, err)
		}
		r2 := newReceipt(t, s, u, "AU", t0)
		a, err = l.Award(ctx, r2, []Item{{Key: "0"}}, rules)
		if err != nil || a.Total().String() != "400000000000000000" {
			t.Errorf("award on a new day = %s, %v; want a full line", a.Total(), err)
		}

		// A limit of the user's own overrides the default; zero lifts it.
		zero := till.Coins{}
		if err := s.SetCoinAccount(ctx, till.CoinAccount{UserID: u.ID, TimeZone: "Australia/Sydney", DailyLimit: &zero}); err != nil {
			t.Fatal(err)
		}
		r3 := newReceipt(t, s, u, "AU", t0)
		a, err = l.Award(ctx, r3, []Item{{Key: "0"}, {Key: "1"}, {Key: "2"}}, rules)
		if err != nil || a.Total().String() != "1200000000000000000" {
			t.Errorf("award without a limit = %s, %v; want every line", a.Total(), err)
		}
	})
}

// TestConcurrentAwards checks that awards racing for one user's limit
// never pass it together.
func TestConcurrentAwards(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s till.Store) {
		ctx := t.Context()
		l := &Ledger{Store: s, Now: func() time.Time { return t0 }, DailyLimit: till.WholeCoins(3)}
		u := newUser(t, s, "alice", t0)
		rules := Rules{Default: []till.EarningRule{{Basis: till.PerItem, Rate: till.WholeCoins(1)}}}
		const n = 12
		receipts := make([]*till.Receipt, n)
		for i := range receipts {
			receipts[i] = newReceipt(t, s, u, "", t0)
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i, r := range receipts {
			wg.Go(func() {
				for range 50 {
					_, errs[i] = l.Award(ctx, r, []Item{{Key: "0"}, {Key: "1"}}, rules)
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
				t.Errorf("award %d: %v", i, err)
			}
		}
		sm, err := l.Summary(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantCoins(t, "awarded by racing awards", sm.Limits.Sum, "3000000000000000000")
		wantCoins(t, "pending", sm.Balance.Pending(), "3000000000000000000")
	})
}

func TestAwardRejects(t *testing.T) {
	s := openSQLite(t)
	l := &Ledger{Store: s}
	u := newUser(t, s, "alice", t0)
	r := newReceipt(t, s, u, "", t0)
	tests := []struct {
		name       string
		items      []Item
		rules      Rules
		field, msg string
	}{
		{"empty key", []Item{{Key: ""}}, specRules, "items[0].key", "1 to 128 bytes"},
		{"repeated key", []Item{{Key: "a"}, {Key: "a"}}, specRules, "items[1].key", "repeats items[0]"},
		{"bad quantity", []Item{{Key: "a", Quantity: "two"}}, specRules, "items[0].quantity", "decimal"},
		{"absurd rate", []Item{{Key: "a"}}, Rules{Default: []till.EarningRule{{Basis: till.PerItem, Rate: till.MaxEarningRate.Add(till.Units(1))}}}, "default[0].rate", "at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := l.Award(t.Context(), r, tt.items, tt.rules)
			wantInvalid(t, err, tt.field, tt.msg)
		})
	}
	b, _ := s.UserBalance(t.Context(), u.ID)
	wantCoins(t, "pending after rejected awards", b.Pending(), "0")
}
