package till

import (
	"bytes"
	"context"
	"math/big"
	"time"

	// The days of the daily coin limit are users' local days; they must
	// not depend on whether the host has a zone database.
	_ "time/tzdata"
)

// Coins is an amount of loyalty coins, counted in units: one coin is 10^18
// units, as the spec's amounts (410000000000000000) show. The amounts reach
// past 64 bits, so Coins is a big integer, and never a float.
//
// The zero value is no coins. A Coins is immutable: its methods return new
// values and never change their operands, so Coins may be copied and shared
// freely. JSON encodes it as a bare integer number of units.
type Coins struct {
	v *big.Int // nil is zero; never changed once set
}

// CoinUnits is the number of units in one coin.
const CoinUnits = 1_000_000_000_000_000_000

// maxCoinsBits bounds every amount Till accepts from outside: an amount
// must be below 2^127, which is far beyond any honest award yet fits the
// 128-bit integers of other systems.
const maxCoinsBits = 127

// maxCoinsDigits is the number of decimal digits of 2^127.
const maxCoinsDigits = 39

var coinUnits = big.NewInt(CoinUnits)

// Units returns n units of coin (10^-18 coin each).
func Units(n int64) Coins { return Coins{big.NewInt(n)} }

// WholeCoins returns n whole coins, n × 10^18 units.
func WholeCoins(n int64) Coins {
	return Coins{new(big.Int).Mul(big.NewInt(n), coinUnits)}
}

// CoinsFromBig returns the amount of n units. n is copied. It fails with
// KindInvalid for field when n is negative or not below 2^127.
func CoinsFromBig(field string, n *big.Int) (Coins, error) {
	if n.Sign() < 0 {
		return Coins{}, Invalid(field, "%s must not be negative; got %s", field, n)
	}
	if n.BitLen() > maxCoinsBits {
		return Coins{}, Invalid(field, "%s must be below 2^127 units; got %s", field, n)
	}
	return Coins{new(big.Int).Set(n)}, nil
}

// ParseCoins parses s, a non-negative integer number of units written in
// decimal digits such as "410000000000000000", as the spec writes both its
// bare amounts and its quoted ones. It fails with KindInvalid for field
// when s is empty, negative, has a fraction, an exponent, a sign or
// anything else but digits, or is not below 2^127.
func ParseCoins(field, s string) (Coins, error) {
	if s == "" {
		return Coins{}, Invalid(field, "%s must be an integer number of units (10^-18 coin); got nothing", field)
	}
	if s[0] == '-' && len(s) > 1 && allDigits(s[1:]) {
		return Coins{}, Invalid(field, "%s must not be negative; got %s", field, clip(s))
	}
	if !allDigits(s) {
		return Coins{}, Invalid(field, "%s must be an integer number of units (10^-18 coin), digits only, without sign, fraction or exponent; got %q", field, clip(s))
	}
	digits := s
	for len(digits) > 1 && digits[0] == '0' {
		digits = digits[1:]
	}
	if len(digits) > maxCoinsDigits {
		return Coins{}, Invalid(field, "%s must be below 2^127 units; got %s", field, clip(s))
	}
	n, _ := new(big.Int).SetString(digits, 10) // digits only: always parses
	return CoinsFromBig(field, n)
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Big returns the amount in units as a new big.Int the caller may change.
func (c Coins) Big() *big.Int {
	if c.v == nil {
		return new(big.Int)
	}
	return new(big.Int).Set(c.v)
}

func (c Coins) big() *big.Int {
	if c.v == nil {
		return new(big.Int)
	}
	return c.v
}

// Add returns c + d.
func (c Coins) Add(d Coins) Coins { return Coins{new(big.Int).Add(c.big(), d.big())} }

// Sub returns c − d, which may be negative: balances are computed from
// differences, and a negative one is a fault the caller should see.
func (c Coins) Sub(d Coins) Coins { return Coins{new(big.Int).Sub(c.big(), d.big())} }

// Cmp compares c and d and returns -1, 0 or +1.
func (c Coins) Cmp(d Coins) int { return c.big().Cmp(d.big()) }

// Sign returns -1, 0 or +1 as c is negative, zero or positive.
func (c Coins) Sign() int { return c.big().Sign() }

// IsZero reports whether c is no coins.
func (c Coins) IsZero() bool { return c.Sign() == 0 }

// String returns the amount in units as decimal digits, with a leading
// minus sign when it is negative.
func (c Coins) String() string { return c.big().String() }

// MarshalJSON encodes c as a bare JSON integer of units, as the spec's
// coin fields are: 410000000000000000.
func (c Coins) MarshalJSON() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalJSON accepts a JSON integer of units or a string of one, since
// the spec shows both (410000000000000000 and "550000000000000000"), and
// leaves c unchanged for null. Anything else, negative amounts, fractions
// and exponents included, is a KindInvalid error; the caller who knows the
// field's name should name it.
func (c *Coins) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	s := string(b)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := ParseCoins("", s)
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// MarshalText returns the amount as decimal digits of units.
func (c Coins) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText parses decimal digits of units as ParseCoins does.
func (c *Coins) UnmarshalText(b []byte) error {
	v, err := ParseCoins("", string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// EarningBasis says what an earning rule's rate is paid per.
type EarningBasis string

// The bases of earning rules.
const (
	// PerItem pays the rate once for each matched receipt line, whatever
	// its quantity.
	PerItem EarningBasis = "per_item"
	// PerUnit pays the rate for each unit of the line's quantity: 3 tins
	// earn three times the rate, 0.5 kg half of it.
	PerUnit EarningBasis = "per_unit"
	// PerValue pays the rate for each whole unit of currency the line
	// cost, as a brand's spend_coins: a line of 5.99 earns five times the
	// rate.
	PerValue EarningBasis = "per_value"
)

// MaxEarningRate bounds the rate of an earning rule: a million coins per
// item, unit or unit of currency. A greater rate is a typing mistake, and
// would let one receipt pay more than any daily limit means to allow.
var MaxEarningRate = WholeCoins(1_000_000)

// EarningRule says how many coins the products of one brand earn. Coins
// earned by a partner brand's products are reported apart, as the spec's
// partner_brand_product_coins, from those of other brands
// (non_partner_brand_product_coins).
//
// A matched line earns Rate, Rate × quantity or Rate × whole units of value
// as Basis says, rounded down to a whole unit of coin. A brand of the
// catalogue (Brand) carries two such rules: ItemCoins per item and
// SpendCoins per value.
type EarningRule struct {
	BrandID string       // the brand whose products earn; "" for the rule of brands without one
	Partner bool         // whether the brand is a partner brand
	Basis   EarningBasis // what Rate is paid per
	Rate    Coins        // coins (in units) per item, unit or unit of currency
}

// Validate checks the rule and returns a KindInvalid error naming field
// + ".basis" or field + ".rate" when the basis is unknown or the rate is
// negative or above MaxEarningRate.
func (r EarningRule) Validate(field string) error {
	switch r.Basis {
	case PerItem, PerUnit, PerValue:
	default:
		return Invalid(field+".basis", "%s.basis must be per_item, per_unit or per_value; got %q", field, r.Basis)
	}
	if r.Rate.Sign() < 0 {
		return Invalid(field+".rate", "%s.rate must not be negative; got %s", field, r.Rate)
	}
	if r.Rate.Cmp(MaxEarningRate) > 0 {
		return Invalid(field+".rate", "%s.rate must be at most %s units (a million coins); got %s", field, MaxEarningRate, r.Rate)
	}
	return nil
}

// EntryKind is the bucket a ledger entry moves coins into.
type EntryKind string

// The kinds of ledger entry. Coins of a receipt line are awarded pending,
// then either earned (released by moderation) or reversed; earned coins
// may still be reversed later.
const (
	EntryPending  EntryKind = "pending"  // awarded, waiting for the receipt's moderation
	EntryEarned   EntryKind = "earned"   // released to the user
	EntryReversed EntryKind = "reversed" // taken back
)

// LedgerEntry is one row of the append-only coin ledger: Amount units of
// coin moved from bucket From ("" for newly awarded coins) into bucket
// Kind, for one line of one receipt. The store keeps at most one entry per
// (ReceiptID, ItemKey, Kind), so no line is paid, released or reversed
// twice, however often a job runs.
type LedgerEntry struct {
	ID        int64 // assigned by the store, growing
	UserID    string
	ReceiptID string
	ItemKey   string    // the receipt line, stable across runs of the receipt's job
	Kind      EntryKind // where the coins go
	From      EntryKind // where they come from: "", EntryPending or EntryEarned
	Amount    Coins     // never negative
	Partner   bool      // earned by a partner brand's product
	CreatedAt time.Time
}

// Validate checks that e moves coins along a path the ledger allows:
// nothing into pending, pending into earned, pending or earned into
// reversed. It returns a KindInvalid error otherwise, or when the amount
// is negative or not below 2^127.
func (e *LedgerEntry) Validate() error {
	ok := false
	switch e.Kind {
	case EntryPending:
		ok = e.From == ""
	case EntryEarned:
		ok = e.From == EntryPending
	case EntryReversed:
		ok = e.From == EntryPending || e.From == EntryEarned
	}
	if !ok {
		return Invalid("kind", "a ledger entry cannot move coins from %q to %q", e.From, e.Kind)
	}
	if e.ItemKey == "" || e.ReceiptID == "" || e.UserID == "" {
		return Invalid("item_key", "a ledger entry needs a user, a receipt and an item key")
	}
	if _, err := CoinsFromBig("amount", e.Amount.big()); err != nil {
		return err
	}
	return nil
}

// Buckets holds the coins of one kind of brand (partner or not) by state.
type Buckets struct {
	Pending  Coins // awarded and waiting for moderation
	Earned   Coins // released and not reversed since: the spendable balance
	Released Coins // every coin ever released, reversals notwithstanding
	Reversed Coins // every coin taken back
}

// Balance sums ledger entries: a user's, or one receipt's. Balances are
// always computed from the entries, never stored.
type Balance struct {
	Partner    Buckets // coins from partner brands' products
	NonPartner Buckets // coins from other brands' products
}

// Add adds one entry to the balance.
func (b *Balance) Add(e LedgerEntry) {
	k := &b.NonPartner
	if e.Partner {
		k = &b.Partner
	}
	switch e.From {
	case EntryPending:
		k.Pending = k.Pending.Sub(e.Amount)
	case EntryEarned:
		k.Earned = k.Earned.Sub(e.Amount)
	}
	switch e.Kind {
	case EntryPending:
		k.Pending = k.Pending.Add(e.Amount)
	case EntryEarned:
		k.Earned = k.Earned.Add(e.Amount)
		k.Released = k.Released.Add(e.Amount)
	case EntryReversed:
		k.Reversed = k.Reversed.Add(e.Amount)
	}
}

// Pending returns the coins waiting for moderation.
func (b Balance) Pending() Coins { return b.Partner.Pending.Add(b.NonPartner.Pending) }

// Earned returns the coins released and not reversed: what the user has.
func (b Balance) Earned() Coins { return b.Partner.Earned.Add(b.NonPartner.Earned) }

// Released returns every coin ever released to the user, reversals
// notwithstanding, the measure for loyalty levels.
func (b Balance) Released() Coins { return b.Partner.Released.Add(b.NonPartner.Released) }

// CoinAccount holds a user's coin settings.
type CoinAccount struct {
	UserID string
	// TimeZone is the IANA name of the zone whose days the daily limit
	// counts; "" until one is chosen, when the first award takes it from
	// its receipt's country.
	TimeZone string
	// DailyLimit caps the coins awarded to the user in one local day;
	// nil means the service's default, and zero means no limit.
	DailyLimit *Coins
}

// Validate checks a's settings. It fails with KindInvalid for field
// time_zone when TimeZone is neither "" nor an IANA zone name such as
// "Australia/Sydney", and for field daily_limit when DailyLimit is
// negative or not below 2^127.
func (a *CoinAccount) Validate() error {
	if a.TimeZone != "" {
		if _, err := time.LoadLocation(a.TimeZone); err != nil || a.TimeZone == "Local" || len(a.TimeZone) > 64 {
			return Invalid("time_zone", "time_zone must be an IANA time zone such as \"Australia/Sydney\"; got %q", clip(a.TimeZone))
		}
	}
	if a.DailyLimit != nil {
		if _, err := CoinsFromBig("daily_limit", a.DailyLimit.big()); err != nil {
			return err
		}
	}
	return nil
}

// LedgerQuery selects a page of a user's ledger entries.
type LedgerQuery struct {
	UserID   string
	Page     int // from 0
	PageSize int // at least 1
}

// LedgerStore keeps the coin ledger and the users' coin settings.
type LedgerStore interface {
	// UpdateLedger runs f in one transaction on the ledger of the user,
	// which no other UpdateLedger of the same user overlaps, and commits
	// when f returns nil. f's error is returned unchanged after rolling
	// back. f must use only tx, and tx only while f runs.
	UpdateLedger(ctx context.Context, userID string, f func(tx LedgerTx) error) error
	// CoinAccount returns the user's coin settings: an account with only
	// UserID set when the user has none.
	CoinAccount(ctx context.Context, userID string) (CoinAccount, error)
	// SetCoinAccount stores a's settings. It fails with KindNotFound for
	// an unknown user and KindInvalid for an unknown time zone or a
	// negative limit.
	SetCoinAccount(ctx context.Context, a CoinAccount) error
	// CoinsAwarded returns the coins newly awarded (pending entries) to
	// the user from from until before to.
	CoinsAwarded(ctx context.Context, userID string, from, to time.Time) (Coins, error)
	// UserBalance returns the balance of all the user's entries.
	UserBalance(ctx context.Context, userID string) (Balance, error)
	// ReceiptBalances returns the balance of each receipt's entries, for
	// the receipts given that have any.
	ReceiptBalances(ctx context.Context, receiptIDs []string) (map[string]Balance, error)
	// LedgerEntries returns one page of the user's entries, newest first,
	// and how many there are in all. It fails with KindInvalid for field
	// page or page_size when they are out of range.
	LedgerEntries(ctx context.Context, q LedgerQuery) ([]LedgerEntry, int, error)
}

// LedgerTx is one user's ledger within UpdateLedger's transaction.
type LedgerTx interface {
	// Account returns the user's coin settings, as CoinAccount does.
	Account(ctx context.Context) (CoinAccount, error)
	// SetAccount stores the user's coin settings, as SetCoinAccount does.
	SetAccount(ctx context.Context, a CoinAccount) error
	// Awarded returns the coins newly awarded to the user from from until
	// before to, as CoinsAwarded does.
	Awarded(ctx context.Context, from, to time.Time) (Coins, error)
	// ReceiptEntries returns the entries of the user's receipt, oldest
	// first.
	ReceiptEntries(ctx context.Context, receiptID string) ([]LedgerEntry, error)
	// Append adds entries of the user to the ledger and sets their IDs.
	// It fails with KindInvalid for an entry that fails Validate or is
	// another user's, KindConflict when a (receipt, item, kind) is there
	// already, and KindNotFound when a receipt does not exist.
	Append(ctx context.Context, entries []LedgerEntry) error
}
