package coins

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"

	"github.com/tillhq/till"
)

// Rules are the earning rules an award applies: each brand's own, and the
// default ones for matched products of brands without rules, or of no
// known brand.
type Rules struct {
	Brands  map[string][]till.EarningRule // by brand id
	Default []till.EarningRule
}

// BrandRules returns the rules of the catalogue's brands: a brand's
// ItemCoins is paid per item and its SpendCoins per whole unit of value, as
// partner coins when the brand is a partner. A brand whose rates are both
// zero gets no rules, so its products earn by def. It fails with
// KindInvalid naming brands[id].item_coins or brands[id].spend_coins when
// a rate is not a whole number of units or is above till.MaxEarningRate,
// and the field of a default rule at fault.
func BrandRules(brands []till.Brand, def []till.EarningRule) (Rules, error) {
	rules := Rules{Brands: make(map[string][]till.EarningRule, len(brands)), Default: def}
	for _, b := range brands {
		for _, r := range []struct {
			field, rate string
			basis       till.EarningBasis
		}{{"item_coins", b.ItemCoins, till.PerItem}, {"spend_coins", b.SpendCoins, till.PerValue}} {
			field := fmt.Sprintf("brands[%s].%s", b.ID, r.field)
			rate := till.Coins{}
			if r.rate != "" {
				var err error
				if rate, err = till.ParseCoins(field, r.rate); err != nil {
					return Rules{}, err
				}
			}
			if rate.IsZero() {
				continue
			}
			rule := till.EarningRule{BrandID: b.ID, Partner: b.Partner, Basis: r.basis, Rate: rate}
			if err := rule.Validate(field); err != nil {
				return Rules{}, till.Invalid(field, "%s must be at most %s units (a million coins); got %s", field, till.MaxEarningRate, rate)
			}
			rules.Brands[b.ID] = append(rules.Brands[b.ID], rule)
		}
	}
	return rules, rules.Validate()
}

// Validate checks every rule, naming brands[id][i] or default[i] in the
// KindInvalid error of the first bad one.
func (rs Rules) Validate() error {
	for id, list := range rs.Brands {
		for i, r := range list {
			if err := r.Validate(fmt.Sprintf("brands[%s][%d]", id, i)); err != nil {
				return err
			}
		}
	}
	for i, r := range rs.Default {
		if err := r.Validate(fmt.Sprintf("default[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

// Item is one matched line of a receipt, as an award sees it.
type Item struct {
	// Key names the line within its receipt and must stay the same when
	// the receipt's job runs again, such as its position "3": it is the
	// ledger's idempotency key. At most 128 bytes.
	Key string
	// BrandID is the brand of the product matched, "" when unknown.
	BrandID string
	// Quantity is how many units the line bought, a decimal such as "2"
	// or "0.455"; "" is 1.
	Quantity string
	// Value is what the line cost, a decimal in the receipt's currency
	// such as "5.99"; "" is 0.
	Value string
}

// maxKeyLen bounds an item key.
const maxKeyLen = 128

// decimalRE is a non-negative decimal of at most 12 whole digits and 6
// after the point, as receipts print quantities and values.
var decimalRE = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,6})?$`)

// parseDecimal returns s as a fraction n / 10^scale, or a KindInvalid
// error for field.
func parseDecimal(field, s string) (n *big.Int, scale int, err error) {
	if strings.HasPrefix(s, "-") {
		return nil, 0, till.Invalid(field, "%s must not be negative; got %q", field, clipped(s))
	}
	if !decimalRE.MatchString(s) {
		return nil, 0, till.Invalid(field, "%s must be a decimal such as \"2\" or \"5.99\", at most 12 digits before the point and 6 after; got %q", field, clipped(s))
	}
	whole, frac, _ := strings.Cut(s, ".")
	n, _ = new(big.Int).SetString(whole+frac, 10)
	return n, len(frac), nil
}

func clipped(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

var ten = big.NewInt(10)

// earn returns what item earns under rules, and whether any rule applies
// to it. A brand with rules of its own earns by them; any other matched
// line by the default rules. Amounts round down to a whole unit.
func (rs Rules) earn(field string, it Item) (amount till.Coins, partner, ok bool, err error) {
	list := rs.Brands[it.BrandID]
	if it.BrandID == "" || len(list) == 0 {
		list = rs.Default
	}
	if len(list) == 0 {
		return till.Coins{}, false, false, nil
	}
	qty, qtyScale := big.NewInt(1), 0
	if it.Quantity != "" {
		if qty, qtyScale, err = parseDecimal(field+".quantity", it.Quantity); err != nil {
			return till.Coins{}, false, false, err
		}
	}
	value, valueScale := new(big.Int), 0
	if it.Value != "" {
		if value, valueScale, err = parseDecimal(field+".value", it.Value); err != nil {
			return till.Coins{}, false, false, err
		}
	}
	// Whole units of value: the fraction of a unit of currency earns nothing.
	wholeValue := new(big.Int).Quo(value, new(big.Int).Exp(ten, big.NewInt(int64(valueScale)), nil))
	sum := new(big.Int)
	for _, r := range list {
		n := r.Rate.Big()
		switch r.Basis {
		case till.PerUnit:
			n.Mul(n, qty)
			n.Quo(n, new(big.Int).Exp(ten, big.NewInt(int64(qtyScale)), nil))
		case till.PerValue:
			n.Mul(n, wholeValue)
		}
		sum.Add(sum, n)
		partner = partner || r.Partner
	}
	amount, err = till.CoinsFromBig(field+".amount", sum)
	if err != nil {
		return till.Coins{}, false, false, err
	}
	return amount, partner, true, nil
}
