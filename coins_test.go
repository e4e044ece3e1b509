package till

import (
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
)

// max127 is 2^127 − 1, the greatest amount Till accepts.
const max127 = "170141183460469231731687303715884105727"

func TestParseCoins(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"zero", "0", "0"},
		{"spec pending", "410000000000000000", "410000000000000000"},
		{"spec partner, past uint64", "41220000000000000000", "41220000000000000000"},
		{"leading zeros", "000042", "42"},
		{"largest", max127, max127},
		{"largest with leading zeros", "0000" + max127, max127},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCoins("amount", tt.in)
			if err != nil {
				t.Fatalf("ParseCoins(%q): %v", tt.in, err)
			}
			if got := c.String(); got != tt.want {
				t.Errorf("ParseCoins(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseCoinsRejects(t *testing.T) {
	tests := []struct {
		name, in, msg string
	}{
		{"empty", "", "got nothing"},
		{"negative", "-1", "must not be negative"},
		{"fraction", "1.5", "digits only"},
		{"exponent", "4.1e17", "digits only"},
		{"plus sign", "+1", "digits only"},
		{"spaces", " 1", "digits only"},
		{"minus alone", "-", "digits only"},
		{"2^127", "170141183460469231731687303715884105728", "below 2^127"},
		{"forty digits", strings.Repeat("9", 40), "below 2^127"},
		{"huge", strings.Repeat("9", 10000), "below 2^127"},
		{"hex", "0x10", "digits only"},
		{"unicode digit", "٣", "digits only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCoins("rate", tt.in)
			wantInvalid(t, err, "rate", tt.msg)
		})
	}
}

// wantInvalid fails t unless err is KindInvalid for field with msg in its
// message.
func wantInvalid(t *testing.T, err error, field, msg string) {
	t.Helper()
	if ErrorKind(err) != KindInvalid {
		t.Fatalf("error = %v (%s), want invalid", err, ErrorKind(err))
	}
	gotMsg, gotField := ErrorMessage(err)
	if gotField != field {
		t.Errorf("error %q names field %q, want %q", err, gotField, field)
	}
	if !strings.Contains(gotMsg, msg) {
		t.Errorf("error %q does not say %q", gotMsg, msg)
	}
	if len(gotMsg) > 300 {
		t.Errorf("error message is %d bytes long; want the input clipped", len(gotMsg))
	}
}

func TestCoinsJSON(t *testing.T) {
	var v struct {
		A Coins  `json:"a"`
		B Coins  `json:"b"`
		C *Coins `json:"c"`
		D Coins  `json:"d"`
	}
	in := `{"a": 41220000000000000000, "b": "550000000000000000", "c": null, "d": 0}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	// Both forms come out as the bare number the spec's coin fields show.
	if want := `{"a":41220000000000000000,"b":550000000000000000,"c":null,"d":0}`; string(out) != want {
		t.Errorf("Marshal = %s, want %s", out, want)
	}
	var zero struct{ Z Coins }
	if out, _ := json.Marshal(zero); string(out) != `{"Z":0}` {
		t.Errorf("zero Coins marshals as %s, want 0", out)
	}

	for _, bad := range []string{`-5`, `1.5`, `4.1e17`, `"-5"`, `"1.5"`, `true`, `[]`, `{}`, `""`, `"` + strings.Repeat("9", 50) + `"`} {
		var c Coins
		err := json.Unmarshal([]byte(bad), &c)
		if ErrorKind(err) != KindInvalid {
			t.Errorf("Unmarshal(%s) = %v, want an invalid error", bad, err)
		}
	}
}

func TestCoinsArithmetic(t *testing.T) {
	a, b := WholeCoins(41), Units(220000000000000000)
	sum := a.Add(b)
	if got := sum.String(); got != "41220000000000000000" {
		t.Errorf("41 coins + 0.22 coin = %s", got)
	}
	if a.String() != "41000000000000000000" || b.String() != "220000000000000000" {
		t.Errorf("Add changed its operands: %s, %s", a, b)
	}
	if d := b.Sub(a); d.Sign() >= 0 || d.String() != "-40780000000000000000" {
		t.Errorf("0.22 − 41 = %s, want negative", d)
	}
	if sum.Cmp(a) <= 0 || a.Cmp(sum) >= 0 || a.Cmp(a) != 0 {
		t.Errorf("Cmp orders %s and %s wrongly", a, sum)
	}
	var zero Coins
	if !zero.IsZero() || zero.Add(zero).String() != "0" || zero.Big().Sign() != 0 {
		t.Errorf("the zero Coins is not zero")
	}
	n := a.Big()
	n.SetInt64(7)
	if a.String() != "41000000000000000000" {
		t.Errorf("changing Big's result changed the amount to %s", a)
	}
}

func TestCoinsFromBig(t *testing.T) {
	if _, err := CoinsFromBig("amount", big.NewInt(-1)); ErrorKind(err) != KindInvalid {
		t.Errorf("CoinsFromBig(-1) = %v, want invalid", err)
	}
	two127 := new(big.Int).Lsh(big.NewInt(1), 127)
	_, err := CoinsFromBig("amount", two127)
	wantInvalid(t, err, "amount", "below 2^127")
	c, err := CoinsFromBig("amount", two127.Sub(two127, big.NewInt(1)))
	if err != nil || c.String() != max127 {
		t.Errorf("CoinsFromBig(2^127−1) = %s, %v", c, err)
	}
}

func TestEarningRuleValidate(t *testing.T) {
	tests := []struct {
		name       string
		rule       EarningRule
		field, msg string // "" for a valid rule
	}{
		{"per item", EarningRule{Basis: PerItem, Rate: WholeCoins(1)}, "", ""},
		{"per unit at the cap", EarningRule{Basis: PerUnit, Rate: MaxEarningRate}, "", ""},
		{"per value, zero", EarningRule{Basis: PerValue}, "", ""},
		{"no basis", EarningRule{Rate: WholeCoins(1)}, "rules[0].basis", "per_item, per_unit or per_value"},
		{"negative rate", EarningRule{Basis: PerItem, Rate: Units(-1)}, "rules[0].rate", "must not be negative"},
		{"absurd rate", EarningRule{Basis: PerItem, Rate: MaxEarningRate.Add(Units(1))}, "rules[0].rate", "at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rule.Validate("rules[0]")
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			wantInvalid(t, err, tt.field, tt.msg)
		})
	}
}

func TestBalanceAdd(t *testing.T) {
	entry := func(kind, from EntryKind, n int64, partner bool) LedgerEntry {
		return LedgerEntry{Kind: kind, From: from, Amount: Units(n), Partner: partner}
	}
	var b Balance
	for _, e := range []LedgerEntry{
		entry(EntryPending, "", 100, true),
		entry(EntryPending, "", 30, false),
		entry(EntryPending, "", 7, false),
		entry(EntryEarned, EntryPending, 100, true),
		entry(EntryReversed, EntryPending, 30, false),
		entry(EntryReversed, EntryEarned, 40, true),
	} {
		if err := (&LedgerEntry{UserID: "u", ReceiptID: "r", ItemKey: "1", Kind: e.Kind, From: e.From, Amount: e.Amount}).Validate(); err != nil {
			t.Fatalf("Validate(%s from %q): %v", e.Kind, e.From, err)
		}
		b.Add(e)
	}
	checks := []struct {
		name      string
		got, want Coins
	}{
		{"pending", b.Pending(), Units(7)},
		{"earned", b.Earned(), Units(60)},
		{"released", b.Released(), Units(100)},
		{"partner reversed", b.Partner.Reversed, Units(40)},
		{"non-partner reversed", b.NonPartner.Reversed, Units(30)},
	}
	for _, c := range checks {
		if c.got.Cmp(c.want) != 0 {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
}

func TestLedgerEntryValidate(t *testing.T) {
	tests := []struct {
		kind, from EntryKind
		amount     Coins
		ok         bool
	}{
		{EntryPending, "", Units(1), true},
		{EntryEarned, EntryPending, Units(1), true},
		{EntryReversed, EntryPending, Units(1), true},
		{EntryReversed, EntryEarned, Units(1), true},
		{EntryEarned, "", Units(1), false},
		{EntryPending, EntryEarned, Units(1), false},
		{EntryReversed, "", Units(1), false},
		{"spent", "", Units(1), false},
		{EntryPending, "", Units(-1), false},
	}
	for _, tt := range tests {
		e := LedgerEntry{UserID: "u", ReceiptID: "r", ItemKey: "1", Kind: tt.kind, From: tt.from, Amount: tt.amount}
		err := e.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("Validate(%s from %q, %s) = %v, want ok=%v", tt.kind, tt.from, tt.amount, err, tt.ok)
		}
		if err != nil && ErrorKind(err) != KindInvalid {
			t.Errorf("Validate error %v is %s, want invalid", err, ErrorKind(err))
		}
	}
}

// FuzzParseCoins checks that the parser of amounts from clients never
// panics, accepts exactly the digit strings below 2^127, and round-trips
// what it accepts through text and JSON.
func FuzzParseCoins(f *testing.F) {
	for _, s := range []string{"0", "410000000000000000", "41220000000000000000", max127,
		"170141183460469231731687303715884105728", "-1", "1.5", "1e18", "", "00", `"1"`, "٣"} {
		f.Add(s)
	}
	limit := new(big.Int).Lsh(big.NewInt(1), 127)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCoins("amount", s)
		n, isInt := new(big.Int).SetString(s, 10)
		want := allDigits(s) && isInt && n.Cmp(limit) < 0
		if (err == nil) != want {
			t.Fatalf("ParseCoins(%q) = %v, %v; want ok=%v", s, c, err, want)
		}
		if err != nil {
			if ErrorKind(err) != KindInvalid {
				t.Fatalf("ParseCoins(%q) error %v is %s, want invalid", s, err, ErrorKind(err))
			}
			return
		}
		if c.Big().Cmp(n) != 0 {
			t.Fatalf("ParseCoins(%q) = %s, want %s", s, c, n)
		}
		b, _ := json.Marshal(c)
		var back Coins
		if err := json.Unmarshal(b, &back); err != nil || back.Cmp(c) != 0 {
			t.Fatalf("JSON round trip of %s: %s, %v", c, back, err)
		}
		var fromText Coins
		if err := fromText.UnmarshalText([]byte(c.String())); err != nil || fromText.Cmp(c) != 0 {
			t.Fatalf("text round trip of %s: %s, %v", c, fromText, err)
		}
	})
}

// FuzzCoinsUnmarshalJSON checks that decoding any JSON value into Coins
// either fails as invalid or yields a non-negative amount below 2^127 that
// encodes back to a bare number.
func FuzzCoinsUnmarshalJSON(f *testing.F) {
	for _, s := range []string{`0`, `410000000000000000`, `"550000000000000000"`, `null`, `-1`, `1.0`, `"x"`, `[1]`} {
		f.Add(s)
	}
	limit := new(big.Int).Lsh(big.NewInt(1), 127)
	f.Fuzz(func(t *testing.T, s string) {
		var c Coins
		err := json.Unmarshal([]byte(s), &c)
		if err != nil {
			var se *json.SyntaxError
			if ErrorKind(err) != KindInvalid && !errors.As(err, &se) {
				t.Fatalf("Unmarshal(%s) error %v is neither invalid nor a syntax error", s, err)
			}
			return
		}
		if c.Sign() < 0 || c.Big().Cmp(limit) >= 0 {
			t.Fatalf("Unmarshal(%s) = %s, out of range", s, c)
		}
		b, _ := json.Marshal(c)
		if !allDigits(string(b)) {
			t.Fatalf("Marshal(%s) = %s, not a bare integer", c, b)
		}
	})
}
