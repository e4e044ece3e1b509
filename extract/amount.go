package extract

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Amount is an exact decimal: Units divided by 10^Scale. Money never passes
// through a float on its way from the receipt to Till's records.
type Amount struct {
	Units int64
	Scale int
}

// maxScale bounds the digits after the decimal point ParseAmount accepts;
// receipts print at most three (Kuwaiti fils), quantities a few more.
const maxScale = 6

var pow10 = [...]int64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000}

// String renders the amount with its scale, for example "9.00" or "-0.05".
func (a Amount) String() string {
	if a.Scale == 0 {
		return strconv.FormatInt(a.Units, 10)
	}
	u := a.Units
	sign := ""
	if u < 0 {
		sign, u = "-", -u
	}
	p := pow10[a.Scale]
	return fmt.Sprintf("%s%d.%0*d", sign, u/p, a.Scale, u%p)
}

// Float returns the amount as a float64, for the few JSON fields that the
// spec shows as numbers.
func (a Amount) Float() float64 {
	f := float64(a.Units) / float64(pow10[a.Scale])
	return math.Round(f*1e6) / 1e6
}

// Cents returns the amount in hundredths, rounding half away from zero.
func (a Amount) Cents() int64 { return a.rescale(2) }

// rescale returns the amount's units at scale s, rounding half away from zero.
func (a Amount) rescale(s int) int64 {
	switch {
	case a.Scale == s:
		return a.Units
	case a.Scale < s:
		return a.Units * pow10[s-a.Scale]
	}
	p := pow10[a.Scale-s]
	q, r := a.Units/p, a.Units%p
	if r*2 >= p {
		q++
	} else if -r*2 >= p {
		q--
	}
	return q
}

// Equal reports whether a and b are the same number, whatever their scales.
func (a Amount) Equal(b Amount) bool { return a.Cmp(b) == 0 }

// Cmp compares a and b as numbers: -1, 0 or +1.
func (a Amount) Cmp(b Amount) int {
	s := max(a.Scale, b.Scale)
	x, y := a.rescale(s), b.rescale(s)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// Add returns a+b at the larger of the two scales.
func (a Amount) Add(b Amount) Amount {
	s := max(a.Scale, b.Scale)
	return Amount{a.rescale(s) + b.rescale(s), s}
}

// Sub returns a-b at the larger of the two scales.
func (a Amount) Sub(b Amount) Amount { return a.Add(Amount{-b.Units, b.Scale}) }

// Mul returns a*b rounded to the scale of a (a price times a quantity keeps
// the price's scale).
func (a Amount) Mul(b Amount) Amount {
	p := Amount{a.Units * b.Units, a.Scale + b.Scale}
	if p.Scale > maxScale+1 {
		return Amount{p.Units / pow10[p.Scale-a.Scale], a.Scale}
	}
	return Amount{p.rescale(a.Scale), a.Scale}
}

// IsZero reports whether the amount is zero.
func (a Amount) IsZero() bool { return a.Units == 0 }

// MarshalText renders the amount as String does.
func (a Amount) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// ErrNotAmount is returned by ParseAmount for text that is not a number.
var ErrNotAmount = errors.New("not an amount")

var currencyAffix = regexp.MustCompile(`(?i)^(?:RM|MYR|EUR|USD|SGD|AUD|GBP|CHF|S\$|A\$|US\$|\$|€|£|¥)\s*|\s*(?:RM|MYR|EUR|USD|€|\$)$`)

// ParseAmount parses one printed amount such as "9.00", "RM 3.90", "$9.90",
// "24,23", "1.234,56", "1,234.56", "-5.00" or "5.00-" (a trailing minus is
// how tills print discounts). When a separator repeats it groups thousands;
// of two different separators the last is the decimal point; a single
// separator followed by exactly three digits groups thousands ("175,000").
// It returns ErrNotAmount for anything else.
func ParseAmount(s string) (Amount, error) {
	s = strings.TrimSpace(s)
	s = currencyAffix.ReplaceAllString(s, "")
	s = strings.TrimSpace(s)
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, strings.TrimSpace(s[1:])
	case strings.HasSuffix(s, "-"):
		neg, s = true, strings.TrimSpace(s[:len(s)-1])
	case strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")"):
		neg, s = true, s[1:len(s)-1]
	}
	s = currencyAffix.ReplaceAllString(s, "")
	if s == "" || len(s) > 24 {
		return Amount{}, ErrNotAmount
	}
	// Find the decimal separator: the last '.' or ',' when it is followed by
	// one to maxScale digits and is not a thousands group.
	lastDot, lastComma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	dec := max(lastDot, lastComma)
	intPart, frac := s, ""
	if dec >= 0 {
		tail := s[dec+1:]
		other := lastComma
		if dec == lastComma {
			other = lastDot
		}
		repeated := strings.Count(s, string(s[dec])) > 1
		// "0,812" is a decimal: no group of thousands starts with 0.
		thousands := repeated || (len(tail) == 3 && other < 0 && strings.TrimLeft(s[:dec], "0") != "")
		if !thousands {
			intPart, frac = s[:dec], tail
		}
	}
	intPart = strings.NewReplacer(",", "", ".", "", "'", "", " ", "").Replace(intPart)
	if intPart == "" {
		intPart = "0"
	}
	if len(frac) > maxScale || !allDigits(intPart) || !allDigits(frac) {
		return Amount{}, ErrNotAmount
	}
	if len(intPart) > 13 {
		return Amount{}, ErrNotAmount
	}
	u, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil {
		return Amount{}, ErrNotAmount
	}
	if neg {
		u = -u
	}
	return Amount{u, len(frac)}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// moneyRE finds amounts printed with two (or, for some currencies, three)
// decimals inside a line of OCR text. OCR often puts a space after the
// separator ("5. 00") or reads a trailing minus as a separate word; a
// minus may stand before the currency ("-RM 0.01").
var moneyRE = regexp.MustCompile(`(-\s?(?:RM|\$|€)?\s?)?((?:\d{1,3}(?:[.,']\d{3})+|\d+)\s?[.,]\s?\d{2})(-)?`)

// money is one amount found in a line, with its byte offsets in the text.
type money struct {
	Amount
	Start, End int
}

// findMoney returns the amounts printed in text, left to right.
func findMoney(text string) []money {
	// OCR reads a decimal point with a speck beside it as ".," or ",.";
	// one separator and a space keep the offsets into text.
	text = sepNoise.Replace(text)
	var out []money
	for _, m := range moneyRE.FindAllStringSubmatchIndex(text, -1) {
		// The amount must not continue a longer number on either side;
		// the boundaries are checked here so that adjacent amounts
		// ("4.50 9.00") are both found.
		if s := m[4]; s > 0 && strings.ContainsRune("0123456789.,", rune(text[s-1])) {
			continue
		}
		if e := m[5]; e < len(text) && (isDigit(text[e]) || (e+1 < len(text) && (text[e] == '.' || text[e] == ',') && isDigit(text[e+1]))) {
			continue
		}
		raw := strings.ReplaceAll(text[m[4]:m[5]], " ", "")
		a, err := ParseAmount(raw)
		if err != nil || a.Scale != 2 {
			continue
		}
		if m[2] >= 0 || m[6] >= 0 {
			a.Units = -a.Units
		}
		out = append(out, money{a, m[4], m[5]})
	}
	return out
}

var sepNoise = strings.NewReplacer(".,", ". ", ",.", ", ")

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseQuantity parses a printed quantity or weight, where a single
// separator is always the decimal point ("1.250" kg is one and a quarter).
func parseQuantity(s string) (Amount, error) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexAny(s, ".,"); i >= 0 && strings.Count(s, ".")+strings.Count(s, ",") == 1 {
		if !allDigits(s[:i]) || !allDigits(s[i+1:]) || len(s)-i-1 > maxScale {
			return Amount{}, ErrNotAmount
		}
		s = s[:i] + "." + s[i+1:]
		u, err := strconv.ParseInt(strings.Replace(s, ".", "", 1), 10, 64)
		if err != nil {
			return Amount{}, ErrNotAmount
		}
		return Amount{u, len(s) - i - 1}, nil
	}
	return ParseAmount(s)
}
