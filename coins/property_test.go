package coins

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tillhq/till"
)

// propertySeeds are the seeds of the random runs; a failure names its
// seed, and adding the seed here replays it.
var propertySeeds = []uint64{1, 7, 42, 1969, 2026}

// TestLedgerProperties runs random sequences of awards, reruns of awards,
// moderation decisions, limit changes and the passing of days against a
// real store, and checks after every step that
//   - each user's balance equals the sum over the user's ledger, and the
//     sum of the user's receipts' balances;
//   - no line is awarded, released or reversed twice, and every release
//     or reversal moves exactly what the line held;
//   - an award never takes the day's sum past the limit in force, and the
//     sum it reports is what the ledger holds for that day;
//   - no amount and no balance is ever negative.
func TestLedgerProperties(t *testing.T) {
	steps := 120
	if testing.Short() {
		steps = 30
	}
	for _, seed := range propertySeeds {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, s till.Store) {
				runProperties(t, s, rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), steps)
			})
		})
	}
}

// world is the test's view of what it did.
type world struct {
	t        *testing.T
	s        till.Store
	rng      *rand.Rand
	clk      *clock
	l        *Ledger
	users    []*till.User
	receipts []*propReceipt
	rules    Rules
}

type propReceipt struct {
	r     *till.Receipt
	items []Item
}

func runProperties(t *testing.T, s till.Store, rng *rand.Rand, steps int) {
	clk := &clock{t: t0}
	w := &world{
		t: t, s: s, rng: rng, clk: clk,
		l: &Ledger{Store: s, Now: clk.now, DailyLimit: till.WholeCoins(5)},
		rules: Rules{
			Brands: map[string][]till.EarningRule{
				"nestle": {{BrandID: "nestle", Partner: true, Basis: till.PerItem, Rate: till.WholeCoins(1)},
					{BrandID: "nestle", Partner: true, Basis: till.PerValue, Rate: till.Units(330000000000000000)}},
				"heinz": {{BrandID: "heinz", Basis: till.PerUnit, Rate: till.Units(750000000000000000)}},
			},
			Default: []till.EarningRule{{Basis: till.PerItem, Rate: till.Units(410000000000000000)}},
		},
	}
	// Each user shops in one country, so days end at different times.
	countries := []string{"036", "US", ""}
	for i := range countries {
		w.users = append(w.users, newUser(t, s, fmt.Sprint("user", i), t0))
	}
	for step := range steps {
		op := rng.IntN(100)
		var what string
		switch {
		case op < 30 || len(w.receipts) == 0:
			i := rng.IntN(len(w.users))
			pr := &propReceipt{r: newReceipt(t, s, w.users[i], countries[i], clk.now()), items: w.randomItems()}
			w.receipts = append(w.receipts, pr)
			what = "award " + pr.r.ID
			w.award(pr, pr.items)
		case op < 45:
			pr := w.receipts[rng.IntN(len(w.receipts))]
			items := pr.items
			if rng.IntN(3) == 0 {
				// The job ran again and found one more line.
				pr.items = append(pr.items, w.randomItem(len(pr.items)))
				items = pr.items
			}
			what = "rerun " + pr.r.ID
			w.award(pr, items)
		case op < 60:
			pr := w.receipts[rng.IntN(len(w.receipts))]
			what = "release " + pr.r.ID
			if _, err := w.l.Release(t.Context(), pr.r.ID); err != nil {
				t.Fatalf("step %d: Release: %v", step, err)
			}
		case op < 70:
			pr := w.receipts[rng.IntN(len(w.receipts))]
			what = "reverse " + pr.r.ID
			if _, err := w.l.Reverse(t.Context(), pr.r.ID); err != nil {
				t.Fatalf("step %d: Reverse: %v", step, err)
			}
		case op < 80:
			u := w.users[rng.IntN(len(w.users))]
			acct, err := s.CoinAccount(t.Context(), u.ID)
			if err != nil {
				t.Fatal(err)
			}
			switch rng.IntN(3) {
			case 0:
				acct.DailyLimit = nil
			case 1:
				zero := till.Coins{}
				acct.DailyLimit = &zero
			default:
				limit := till.Units(rng.Int64N(8_000_000_000_000_000_000))
				acct.DailyLimit = &limit
			}
			what = fmt.Sprintf("limit of %s to %v", u.Name, acct.DailyLimit)
			if err := s.SetCoinAccount(t.Context(), acct); err != nil {
				t.Fatalf("step %d: SetCoinAccount: %v", step, err)
			}
		default:
			d := time.Duration(rng.Int64N(int64(10 * time.Hour)))
			what = fmt.Sprint("wait ", d)
			clk.advance(d)
		}
		if t.Failed() {
			t.Fatalf("step %d (%s) broke a property", step, what)
		}
		w.check(step, what)
	}
}

var brands = []string{"nestle", "heinz", "acme", ""}

func (w *world) randomItem(i int) Item {
	it := Item{Key: fmt.Sprint(i), BrandID: brands[w.rng.IntN(len(brands))]}
	if w.rng.IntN(2) == 0 {
		it.Quantity = fmt.Sprintf("%d.%03d", w.rng.IntN(5), w.rng.IntN(1000))
	}
	if w.rng.IntN(4) != 0 {
		it.Value = fmt.Sprintf("%d.%02d", w.rng.IntN(30), w.rng.IntN(100))
	}
	return it
}

func (w *world) randomItems() []Item {
	items := make([]Item, 1+w.rng.IntN(5))
	for i := range items {
		items[i] = w.randomItem(i)
	}
	return items
}

// award awards pr the items and checks the award against the limit in
// force and against what the rules would pay.
func (w *world) award(pr *propReceipt, items []Item) {
	t, ctx := w.t, w.t.Context()
	acct, err := w.s.CoinAccount(ctx, pr.r.UserID)
	if err != nil {
		t.Fatal(err)
	}
	limit := w.l.DailyLimit
	if acct.DailyLimit != nil {
		limit = *acct.DailyLimit
	}
	before, err := w.s.ReceiptBalances(ctx, []string{pr.r.ID})
	if err != nil {
		t.Fatal(err)
	}
	a, err := w.l.Award(ctx, pr.r, items, w.rules)
	if err != nil {
		t.Fatalf("Award: %v", err)
	}
	if a.Limits.Limit.Cmp(limit) != 0 {
		t.Errorf("award's limit %s, want the one in force, %s", a.Limits.Limit, limit)
	}
	sum, err := w.s.CoinsAwarded(ctx, pr.r.UserID, a.Limits.From, a.Limits.To)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Cmp(a.Limits.Sum) != 0 {
		t.Errorf("award reports the day's sum %s, the ledger holds %s", a.Limits.Sum, sum)
	}
	prior := sum.Sub(a.Total())
	if limit.Sign() > 0 && sum.Cmp(limit) > 0 && sum.Cmp(prior) > 0 {
		t.Errorf("award of %s took the day's sum from %s to %s, past the limit %s", a.Total(), prior, sum, limit)
	}
	byKey := map[string]Item{}
	for _, it := range items {
		byKey[it.Key] = it
	}
	_, hadEntries := before[pr.r.ID]
	for _, e := range a.Entries {
		full, _, _, err := w.rules.earn("item", byKey[e.ItemKey])
		if err != nil {
			t.Fatal(err)
		}
		if e.Amount.Cmp(full) > 0 {
			t.Errorf("line %s paid %s, more than its rules give, %s", e.ItemKey, e.Amount, full)
		}
		if limit.IsZero() && e.Amount.Cmp(full) != 0 {
			t.Errorf("line %s paid %s without a limit, want %s", e.ItemKey, e.Amount, full)
		}
	}
	if !hadEntries && len(a.Entries) != len(items) {
		t.Errorf("first award of %d lines wrote %d entries; every line here has a rule", len(items), len(a.Entries))
	}
}

// check checks the properties over every user's whole ledger.
func (w *world) check(step int, what string) {
	t, ctx := w.t, w.t.Context()
	var ids []string
	owner := map[string]string{}
	for _, pr := range w.receipts {
		ids = append(ids, pr.r.ID)
		owner[pr.r.ID] = pr.r.UserID
	}
	receipts, err := w.s.ReceiptBalances(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for id, b := range receipts {
		nonNegative(t, "receipt "+id, b)
	}
	for _, u := range w.users {
		var history []till.LedgerEntry
		for page := 0; ; page++ {
			list, total, err := w.s.LedgerEntries(ctx, till.LedgerQuery{UserID: u.ID, Page: page, PageSize: 7})
			if err != nil {
				t.Fatal(err)
			}
			history = append(history, list...)
			if len(history) >= total || len(list) == 0 {
				if len(history) != total {
					t.Fatalf("history pages hold %d entries, total says %d", len(history), total)
				}
				break
			}
		}
		var folded till.Balance
		type key struct {
			receipt, item string
			kind          till.EntryKind
		}
		seen := map[key]bool{}
		// Oldest first, to follow each line's moves.
		held := map[[2]string]till.LedgerEntry{}
		for i := len(history) - 1; i >= 0; i-- {
			e := history[i]
			folded.Add(e)
			if e.Amount.Sign() < 0 {
				t.Errorf("entry %d has a negative amount %s", e.ID, e.Amount)
			}
			k := key{e.ReceiptID, e.ItemKey, e.Kind}
			if seen[k] {
				t.Errorf("line %s of receipt %s has two %s entries", e.ItemKey, e.ReceiptID, e.Kind)
			}
			seen[k] = true
			line := [2]string{e.ReceiptID, e.ItemKey}
			prev, ok := held[line]
			switch {
			case e.From == "" && ok:
				t.Errorf("line %v awarded again after %s", line, prev.Kind)
			case e.From != "" && (!ok || prev.Kind != e.From || prev.Amount.Cmp(e.Amount) != 0):
				t.Errorf("entry %d moves %s from %s, but line %v held %+v", e.ID, e.Amount, e.From, line, prev)
			}
			held[line] = e
			if owner[e.ReceiptID] != u.ID {
				t.Errorf("entry %d of %s is for receipt %s of %s", e.ID, u.ID, e.ReceiptID, owner[e.ReceiptID])
			}
		}
		stored, err := w.s.UserBalance(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var fromReceipts till.Balance
		for _, pr := range w.receipts {
			if pr.r.UserID != u.ID {
				continue
			}
			b := receipts[pr.r.ID]
			fromReceipts.Partner = addBuckets(fromReceipts.Partner, b.Partner)
			fromReceipts.NonPartner = addBuckets(fromReceipts.NonPartner, b.NonPartner)
		}
		for _, c := range []struct {
			name string
			b    till.Balance
		}{{"the folded history", folded}, {"the receipts' balances", fromReceipts}} {
			if !sameBalance(stored, c.b) {
				t.Errorf("balance of %s = %+v, %s sum to %+v", u.Name, stored, c.name, c.b)
			}
		}
		nonNegative(t, "user "+u.Name, stored)
	}
	if t.Failed() {
		t.Fatalf("step %d (%s) broke a property", step, what)
	}
}

func addBuckets(a, b till.Buckets) till.Buckets {
	return till.Buckets{
		Pending: a.Pending.Add(b.Pending), Earned: a.Earned.Add(b.Earned),
		Released: a.Released.Add(b.Released), Reversed: a.Reversed.Add(b.Reversed),
	}
}

func sameBuckets(a, b till.Buckets) bool {
	return a.Pending.Cmp(b.Pending) == 0 && a.Earned.Cmp(b.Earned) == 0 &&
		a.Released.Cmp(b.Released) == 0 && a.Reversed.Cmp(b.Reversed) == 0
}

func sameBalance(a, b till.Balance) bool {
	return sameBuckets(a.Partner, b.Partner) && sameBuckets(a.NonPartner, b.NonPartner)
}

func nonNegative(t *testing.T, whose string, b till.Balance) {
	t.Helper()
	for _, k := range []till.Buckets{b.Partner, b.NonPartner} {
		for _, c := range []till.Coins{k.Pending, k.Earned, k.Released, k.Reversed} {
			if c.Sign() < 0 {
				t.Errorf("%s has a negative bucket: %+v", whose, b)
				return
			}
		}
	}
}
