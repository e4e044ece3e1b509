package catalog

import (
	"slices"
	"testing"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"words upper-cased", "Great Value Oil", []string{"GREAT", "VALUE", "OIL"}},
		{"size joined", "Rice 500 g", []string{"RICE", "500G"}},
		{"unit spelling", "Rice 500GR", []string{"RICE", "500G"}},
		{"decimal size", "Water 1,5 L", []string{"WATER", "1.5L"}},
		{"fluid ounces in two words", "Dish Liquid 24 fl oz", []string{"DISH", "LIQUID", "24FLOZ"}},
		{"count", "Panty Liners 100 Count", []string{"PANTY", "LINERS", "100CT"}},
		{"gallon", "Distilled Water 1 gal", []string{"DISTILLED", "WATER", "1GAL"}},
		{"yards", "Packaging Tape 50 yd", []string{"PACKAGING", "TAPE", "50YD"}},
		{"unit word without a number", "Count Chocula", []string{"COUNT", "CHOCULA"}},
		{"accents folded", "Nestlé Crème Brûlée", []string{"NESTLE", "CREME", "BRULEE"}},
		{"other letters kept", "Молоко 1 л", []string{"МОЛОКО", "1", "Л"}},
		{"zero read as O", "5OYD PKGTAPE", []string{"50YD", "PKGTAPE"}},
		{"O read as zero", "OT 200Z TUM", []string{"OT", "20OZ", "TUM"}},
		{"number that is no size", "SW 2000", []string{"SW"}},
		{"article number dropped", "E 263423 CHPD ONION", []string{"E", "CHPD", "ONION"}},
		{"two dimensions", "Cutting Board 15 x 20 in", []string{"CUTTING", "BOARD", "15X20", "IN"}},
		{"pack of sizes left alone", "Cola 6 x 330 ml", []string{"COLA", "6", "X", "330ML"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tokens(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("tokens(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}
