package coins

import (
	"strings"
	"testing"

	"github.com/tillhq/till"
)

func TestEarn(t *testing.T) {
	coin := till.WholeCoins(1)
	rules := Rules{
		Brands: map[string][]till.EarningRule{
			"nestle": {{BrandID: "nestle", Partner: true, Basis: till.PerItem, Rate: till.WholeCoins(41)},
				{BrandID: "nestle", Partner: true, Basis: till.PerValue, Rate: till.Units(220000000000000000)}},
			"heinz": {{BrandID: "heinz", Basis: till.PerUnit, Rate: coin}},
		},
		Default: []till.EarningRule{{Basis: till.PerItem, Rate: till.Units(410000000000000000)}},
	}
	tests := []struct {
		name    string
		item    Item
		want    string // units; "" when no rule applies
		partner bool
	}{
		{"partner per item and per whole unit of value", Item{BrandID: "nestle", Value: "1.99"}, "41220000000000000000", true},
		{"value under one unit earns per item only", Item{BrandID: "nestle", Value: "0.99"}, "41000000000000000000", true},
		{"per unit, three", Item{BrandID: "heinz", Quantity: "3"}, "3000000000000000000", false},
		{"per unit, a weight rounds down", Item{BrandID: "heinz", Quantity: "0.455"}, "455000000000000000", false},
		{"per unit, no quantity is one", Item{BrandID: "heinz"}, "1000000000000000000", false},
		{"brand without rules takes the default", Item{BrandID: "acme", Quantity: "9"}, "410000000000000000", false},
		{"no brand takes the default", Item{}, "410000000000000000", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, partner, ok, err := rules.earn("items[0]", tt.item)
			if err != nil {
				t.Fatalf("earn: %v", err)
			}
			if !ok || got.String() != tt.want || partner != tt.partner {
				t.Errorf("earn = %s, partner %v, ok %v; want %s, partner %v", got, partner, ok, tt.want, tt.partner)
			}
		})
	}
	t.Run("no default", func(t *testing.T) {
		_, _, ok, err := Rules{}.earn("items[0]", Item{BrandID: "acme"})
		if ok || err != nil {
			t.Errorf("earn without rules = ok %v, %v; want nothing", ok, err)
		}
	})
}

func TestEarnRejects(t *testing.T) {
	rules := Rules{Default: []till.EarningRule{{Basis: till.PerUnit, Rate: till.WholeCoins(1)}}}
	tests := []struct {
		name       string
		item       Item
		field, msg string
	}{
		{"negative quantity", Item{Quantity: "-1"}, "items[2].quantity", "negative"},
		{"quantity with an exponent", Item{Quantity: "1e3"}, "items[2].quantity", "decimal"},
		{"comma", Item{Value: "5,99"}, "items[2].value", "decimal"},
		{"negative value", Item{Value: "-5.99"}, "items[2].value", "negative"},
		{"absurd quantity", Item{Quantity: strings.Repeat("9", 13)}, "items[2].quantity", "12 digits"},
		{"too many decimals", Item{Quantity: "1.0000001"}, "items[2].quantity", "6 after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := rules.earn("items[2]", tt.item)
			wantInvalid(t, err, tt.field, tt.msg)
		})
	}
}

func TestBrandRules(t *testing.T) {
	def := []till.EarningRule{{Basis: till.PerItem, Rate: till.Units(1)}}
	rules, err := BrandRules([]till.Brand{
		{ID: "nestle", Partner: true, ItemCoins: "41000000000000000000", SpendCoins: "220000000000000000"},
		{ID: "acme", ItemCoins: "0", SpendCoins: ""},
	}, def)
	if err != nil {
		t.Fatalf("BrandRules: %v", err)
	}
	if n := len(rules.Brands["nestle"]); n != 2 {
		t.Errorf("nestle has %d rules, want per item and per value", n)
	}
	if _, ok := rules.Brands["acme"]; ok {
		t.Errorf("acme, with no rates, has rules; want it to earn by the default")
	}
	got, partner, _, _ := rules.earn("items[0]", Item{BrandID: "nestle", Value: "2.50"})
	if got.String() != "41440000000000000000" || !partner {
		t.Errorf("nestle line of 2.50 earns %s (partner %v), want 41440000000000000000 as partner", got, partner)
	}

	bad := []struct {
		name       string
		brand      till.Brand
		def        []till.EarningRule
		field, msg string
	}{
		{"absurd item rate", till.Brand{ID: "x", ItemCoins: "1" + strings.Repeat("0", 30)}, nil, "brands[x].item_coins", "a million coins"},
		{"negative spend rate", till.Brand{ID: "x", SpendCoins: "-5"}, nil, "brands[x].spend_coins", "negative"},
		{"fractional rate", till.Brand{ID: "x", SpendCoins: "0.5"}, nil, "brands[x].spend_coins", "digits only"},
		{"negative default", till.Brand{ID: "x"}, []till.EarningRule{{Basis: till.PerItem, Rate: till.Units(-1)}}, "default[0].rate", "negative"},
		{"default without basis", till.Brand{ID: "x"}, []till.EarningRule{{Rate: till.Units(1)}}, "default[0].basis", "per_item"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := BrandRules([]till.Brand{tt.brand}, tt.def)
			wantInvalid(t, err, tt.field, tt.msg)
		})
	}
}

// wantInvalid fails t unless err is KindInvalid for field with msg in its
// message.
func wantInvalid(t *testing.T, err error, field, msg string) {
	t.Helper()
	if till.ErrorKind(err) != till.KindInvalid {
		t.Fatalf("error = %v (%s), want invalid", err, till.ErrorKind(err))
	}
	gotMsg, gotField := till.ErrorMessage(err)
	if gotField != field {
		t.Errorf("error %q names field %q, want %q", gotMsg, gotField, field)
	}
	if !strings.Contains(gotMsg, msg) {
		t.Errorf("error %q does not say %q", gotMsg, msg)
	}
}
