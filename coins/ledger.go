// Package coins awards loyalty coins for the matched lines of receipts,
// within each user's daily limit, and settles them when moderation decides.
//
// Every coin goes through the append-only ledger of till.LedgerStore. An
// award writes one pending entry per line; Release moves a receipt's
// pending coins to earned, Reverse takes back what is pending or earned.
// Each (receipt, line, kind) is written at most once, so any of these may
// run again, after a crash or a retried job, and changes nothing the
// second time. Balances are sums over the entries.
//
// The processing pipeline calls Award once a receipt's lines are matched,
// and Release at once when no moderation case holds the receipt; a
// moderator's decision calls Release or Reverse.
package coins

import (
	"context"
	"fmt"
	"time"

	"github.com/tillhq/till"
)

// Store is what the Ledger needs of Till's store.
type Store interface {
	till.LedgerStore
	// Receipt returns the receipt with the given id, or KindNotFound.
	Receipt(ctx context.Context, id string) (*till.Receipt, error)
}

// Ledger awards, releases and reverses coins and reports balances.
type Ledger struct {
	Store Store
	// DailyLimit caps the coins awarded to a user in one local day, for
	// users without a limit of their own (till.CoinAccount.DailyLimit).
	// Zero means no limit.
	DailyLimit till.Coins
	// Now tells the time of entries and of the day the limit counts.
	// Default: time.Now.
	Now func() time.Time
}

func (l *Ledger) now() time.Time {
	if l.Now == nil {
		return time.Now().UTC()
	}
	return l.Now().UTC()
}

// Limits is the daily limit of a user on one local day, the spec's
// "limits" object: Sum of the coins awarded from From until before To,
// against Limit, zero for no limit.
type Limits struct {
	From, To time.Time
	Limit    till.Coins
	Sum      till.Coins
}

// Award is what one call of Award wrote.
type Award struct {
	// Entries are the pending entries written, one per line newly awarded,
	// in the order of the items. A line the daily limit left nothing for
	// still gets its entry, of zero, so that it is settled: running the
	// award again another day does not pay it then.
	Entries []till.LedgerEntry
	// Limits are the user's limits of the day, after the award.
	Limits Limits
}

// Total returns the coins the award wrote.
func (a Award) Total() till.Coins {
	var sum till.Coins
	for _, e := range a.Entries {
		sum = sum.Add(e.Amount)
	}
	return sum
}

// Award awards the receipt's matched items their coins under rules, as
// pending entries, within the user's daily limit: the items are paid in
// order until the day's sum reaches the limit, the one crossing it in
// part. The day is the user's local day (the user's time zone, or, when
// none is set yet, the zone of the receipt's country, which the user
// keeps from then on).
//
// Items with an entry already are skipped, so running Award again for a
// receipt pays only lines it has not paid; a receipt with reversed coins
// earns nothing more. Items no rule applies to earn nothing and get no
// entry. The limit is checked in the transaction that writes the entries,
// so concurrent awards to one user cannot pass it together.
//
// It fails with KindInvalid naming items[i].key, items[i].quantity or
// items[i].value for a bad item, or the rule at fault; KindNotFound for an
// unknown user or receipt.
func (l *Ledger) Award(ctx context.Context, r *till.Receipt, items []Item, rules Rules) (Award, error) {
	if err := rules.Validate(); err != nil {
		return Award{}, err
	}
	type earning struct {
		item    Item
		amount  till.Coins
		partner bool
	}
	var earnings []earning
	seen := make(map[string]int, len(items))
	for i, it := range items {
		field := fmt.Sprintf("items[%d]", i)
		if it.Key == "" || len(it.Key) > maxKeyLen {
			return Award{}, till.Invalid(field+".key", "%s.key must be 1 to %d bytes", field, maxKeyLen)
		}
		if j, dup := seen[it.Key]; dup {
			return Award{}, till.Invalid(field+".key", "%s.key repeats items[%d].key %q", field, j, clipped(it.Key))
		}
		seen[it.Key] = i
		amount, partner, ok, err := rules.earn(field, it)
		if err != nil {
			return Award{}, err
		}
		if ok {
			earnings = append(earnings, earning{it, amount, partner})
		}
	}

	now := l.now()
	var out Award
	err := l.Store.UpdateLedger(ctx, r.UserID, func(tx till.LedgerTx) error {
		out = Award{}
		acct, err := tx.Account(ctx)
		if err != nil {
			return err
		}
		if acct.TimeZone == "" {
			acct.TimeZone = CountryZone(r.CountryISO)
			if err := tx.SetAccount(ctx, acct); err != nil {
				return err
			}
		}
		lim, err := l.limits(ctx, tx, acct, now)
		if err != nil {
			return err
		}
		existing, err := tx.ReceiptEntries(ctx, r.ID)
		if err != nil {
			return err
		}
		paid := make(map[string]bool, len(existing))
		for _, e := range existing {
			if e.Kind == till.EntryReversed {
				out.Limits = lim
				return nil
			}
			paid[e.ItemKey] = true
		}
		for _, e := range earnings {
			if paid[e.item.Key] {
				continue
			}
			amount := e.amount
			if lim.Limit.Sign() > 0 {
				left := lim.Limit.Sub(lim.Sum)
				if left.Sign() < 0 {
					left = till.Coins{}
				}
				if amount.Cmp(left) > 0 {
					amount = left
				}
			}
			lim.Sum = lim.Sum.Add(amount)
			out.Entries = append(out.Entries, till.LedgerEntry{
				UserID: r.UserID, ReceiptID: r.ID, ItemKey: e.item.Key,
				Kind: till.EntryPending, Amount: amount, Partner: e.partner, CreatedAt: now,
			})
		}
		out.Limits = lim
		if len(out.Entries) == 0 {
			return nil
		}
		return tx.Append(ctx, out.Entries)
	})
	if err != nil {
		return Award{}, err
	}
	return out, nil
}

// ledgerReader is what limits needs: a LedgerTx, or the store outside one.
type ledgerReader interface {
	Awarded(ctx context.Context, from, to time.Time) (till.Coins, error)
}

// limits returns the limits of acct's user on the local day holding now.
func (l *Ledger) limits(ctx context.Context, r ledgerReader, acct till.CoinAccount, now time.Time) (Limits, error) {
	zone := acct.TimeZone
	if zone == "" {
		zone = "UTC"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return Limits{}, fmt.Errorf("coins: time zone of %s: %w", acct.UserID, err)
	}
	lim := Limits{Limit: l.DailyLimit}
	if acct.DailyLimit != nil {
		lim.Limit = *acct.DailyLimit
	}
	lim.From, lim.To = Day(now, loc)
	if lim.Sum, err = r.Awarded(ctx, lim.From, lim.To); err != nil {
		return Limits{}, err
	}
	return lim, nil
}

// storeReader reads a user's awards from the store, outside a transaction.
type storeReader struct {
	s      Store
	userID string
}

func (r storeReader) Awarded(ctx context.Context, from, to time.Time) (till.Coins, error) {
	return r.s.CoinsAwarded(ctx, r.userID, from, to)
}

// Release moves the receipt's pending coins to earned: the decision that
// the receipt is good. Lines already released or reversed are left as they
// are, so Release may run again. It returns the entries it wrote and fails
// with KindNotFound for an unknown receipt.
func (l *Ledger) Release(ctx context.Context, receiptID string) ([]till.LedgerEntry, error) {
	return l.settle(ctx, receiptID, func(state till.EntryKind) (till.EntryKind, bool) {
		return till.EntryEarned, state == till.EntryPending
	})
}

// Reverse takes back the receipt's coins, pending or earned: the decision
// that the receipt is not good. Lines reversed already are left as they
// are, so Reverse may run again, and the receipt earns nothing more from
// Award. It returns the entries it wrote and fails with KindNotFound for an
// unknown receipt.
func (l *Ledger) Reverse(ctx context.Context, receiptID string) ([]till.LedgerEntry, error) {
	return l.settle(ctx, receiptID, func(state till.EntryKind) (till.EntryKind, bool) {
		return till.EntryReversed, state == till.EntryPending || state == till.EntryEarned
	})
}

// settle appends, for each line of the receipt whose state move accepts,
// an entry moving the line's coins from that state to the kind move says.
func (l *Ledger) settle(ctx context.Context, receiptID string, move func(state till.EntryKind) (till.EntryKind, bool)) ([]till.LedgerEntry, error) {
	r, err := l.Store.Receipt(ctx, receiptID)
	if err != nil {
		return nil, err
	}
	now := l.now()
	var out []till.LedgerEntry
	err = l.Store.UpdateLedger(ctx, r.UserID, func(tx till.LedgerTx) error {
		out = nil
		entries, err := tx.ReceiptEntries(ctx, r.ID)
		if err != nil {
			return err
		}
		for _, line := range lines(entries) {
			kind, ok := move(line.state)
			if !ok {
				continue
			}
			out = append(out, till.LedgerEntry{
				UserID: r.UserID, ReceiptID: r.ID, ItemKey: line.key,
				Kind: kind, From: line.state, Amount: line.amount, Partner: line.partner, CreatedAt: now,
			})
		}
		if len(out) == 0 {
			return nil
		}
		return tx.Append(ctx, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// line is the state of one receipt line in the ledger.
type line struct {
	key     string
	state   till.EntryKind // the kind of its latest entry
	amount  till.Coins     // what its latest entry moved
	partner bool
}

// lines folds a receipt's entries, oldest first, into the state of each
// line, in the order the lines were first awarded.
func lines(entries []till.LedgerEntry) []line {
	var out []line
	at := map[string]int{}
	for _, e := range entries {
		i, ok := at[e.ItemKey]
		if !ok {
			i = len(out)
			at[e.ItemKey] = i
			out = append(out, line{key: e.ItemKey})
		}
		out[i].state, out[i].amount, out[i].partner = e.Kind, e.Amount, e.Partner
	}
	return out
}

// Summary is a user's coins: the balance over the whole ledger and the
// limits of the current local day.
type Summary struct {
	Balance till.Balance
	Limits  Limits
}

// Summary returns the user's balance and today's limits, in the user's
// time zone or, when none is set yet, UTC.
func (l *Ledger) Summary(ctx context.Context, userID string) (Summary, error) {
	b, err := l.Store.UserBalance(ctx, userID)
	if err != nil {
		return Summary{}, err
	}
	acct, err := l.Store.CoinAccount(ctx, userID)
	if err != nil {
		return Summary{}, err
	}
	lim, err := l.limits(ctx, storeReader{l.Store, userID}, acct, l.now())
	if err != nil {
		return Summary{}, err
	}
	return Summary{Balance: b, Limits: lim}, nil
}
