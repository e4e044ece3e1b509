package extract

import (
	"image"
	"slices"
	"strings"
	"testing"

	"github.com/tillhq/till/ocr"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		name, in             string
		item, qty, unit, val string
		price, gtin          string
	}{
		{"walmart upc", "FRAP 001200010455 F 5.48 N", "FRAP", "1", "each", "5.48", "5.48", "001200010455"},
		{"count at price", "MILK 2L 2 x 1.99 3.98", "MILK 2L", "2", "each", "3.98", "1.99", ""},
		{"code without check digit", "FRAP 001200010451 F 5.48 N", "FRAP", "1", "each", "5.48", "5.48", ""},
		{"weighed", "BANANAS 1.250 kg @ 2.99/kg 3.74", "BANANAS", "1.250", "kg", "3.74", "2.99", ""},
		{"german tax class", "FERTIGGERICHTE 1,79 C", "FERTIGGERICHTE", "1", "each", "1.79", "1.79", ""},
		{"value then count", "GROCERY NON TAXABLE 0.98 2@ 0.49", "GROCERY NON TAXABLE", "2", "each", "0.98", "0.49", ""},
		{"leading code", "300-C0001 T5 JOINT 2PIN 2.83 SR", "T5 JOINT 2PIN", "1", "each", "2.83", "2.83", ""},
		{"tax class before the article number", "E 673919 FF BS BREAST 23.99 E", "FF BS BREAST", "1", "each", "23.99", "23.99", ""},
		{"tax class run into the price", "SW HRO FGHTR 063050940732 6.947", "SW HRO FGHTR", "1", "each", "6.94", "6.94", ""},
		{"whole rupiah", "2 Ham Cheese 74, 000", "Ham Cheese", "1", "each", "74000", "74000", ""},
		{"count and price first", "3 @ 4.29 E 878137 18CT EGGS 12.87 E", "18CT EGGS", "3", "each", "12.87", "4.29", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it, ok := ParseLine(tt.in)
			if !ok {
				t.Fatalf("ParseLine(%q) is not an item", tt.in)
			}
			got := []string{it.Name, it.Quantity.String(), it.Unit, it.Value.String(), it.Price.String(), it.GTIN}
			want := []string{tt.item, tt.qty, tt.unit, tt.val, tt.price, tt.gtin}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("ParseLine(%q) = %q, want %q", tt.in, got, want)
					break
				}
			}
		})
	}
}

func TestItemsAcrossSubtotal(t *testing.T) {
	r := Extract(textPage(`WALMART
SW FIGURES 065356920144 6.63 X
TOOTHBRUSH 003500055500 0.96 X
SUBTOTAL 7.59
WOMEN SLIPPE 009725614790 9.86 X
SUBTOTAL 17.45
TAX 1 3.100 % 0.54
TOTAL 18.75
CHANGE DUE 0.00`), Hints{})
	var names []string
	for _, it := range r.Items {
		names = append(names, it.Name+" "+it.Value.String())
	}
	want := []string{"SW FIGURES 6.63", "TOOTHBRUSH 0.96", "WOMEN SLIPPE 9.86"}
	if !slices.Equal(names, want) {
		t.Errorf("items %q, want %q", names, want)
	}
}

// TestItemsNamedLikePayments keeps items whose names hold a payment word
// ("BAR" is cash in German) and drops the payment rows themselves.
func TestItemsNamedLikePayments(t *testing.T) {
	r := Extract(textPage(`SPAR
MILKY BAR CHOC 80GR 16.99 A
NESTLE AERO 85GR 20.99 A
BAR 50.00
TOTAL 37.98`), Hints{})
	var names []string
	for _, it := range r.Items {
		names = append(names, it.Name+" "+it.Value.String())
	}
	want := []string{"MILKY BAR CHOC 80GR 16.99", "NESTLE AERO 85GR 20.99"}
	if !slices.Equal(names, want) {
		t.Errorf("items %q, want %q", names, want)
	}
}

func TestParseLineRejects(t *testing.T) {
	for _, tt := range []struct{ name, in string }{
		{"no amount", "THANK YOU PLEASE COME AGAIN"},
		{"opening hours", "MO.-SA. 9.00 Uhr - 20.00 Uhr"},
		{"amount only", "12.50"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if it, ok := ParseLine(tt.in); ok {
				t.Errorf("ParseLine(%q) = %+v, want none", tt.in, it)
			}
		})
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{"FRAP 001200010451 F 5.48 N", "MILK 2L 2 x 1.99 3.98", "BANANAS 1.250 kg @ 2.99/kg 3.74", "2 x 0,79", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		it, ok := ParseLine(s)
		if !ok {
			return
		}
		if it.Name == "" || it.Unit == "" {
			t.Fatalf("ParseLine(%q) = %+v: no name or unit", s, it)
		}
		if it.GTIN != "" && len(it.GTIN) < 8 {
			t.Fatalf("ParseLine(%q) GTIN %q", s, it.GTIN)
		}
		Extract(textPage(s+"\nTOTAL "+it.Value.String()), Hints{})
	})
}

func TestTrimTail(t *testing.T) {
	// Words 20 pixels tall; x is where each starts, 12 pixels a letter.
	words := func(ws ...any) row {
		var r row
		var texts []string
		for i := 0; i < len(ws); i += 3 {
			s, x, conf := ws[i].(string), ws[i+1].(int), ws[i+2].(int)
			r.Words = append(r.Words, ocr.Word{Text: s, Conf: float64(conf), Box: image.Rect(x, 0, x+12*len(s), 20)})
			texts = append(texts, s)
		}
		r.Text = strings.Join(texts, " ")
		return r
	}
	tests := []struct {
		name string
		r    row
		want string
		cut  bool
	}{
		{"texture far beyond", words("EQUATE", 0, 95, "LINER", 90, 95, "3.88", 300, 92, "X", 360, 92, "aaa", 500, 90, "Raa", 560, 90),
			"EQUATE LINER 3.88 X", true},
		{"unsure word", words("DAWN", 0, 90, "5.97", 300, 92, "X", 360, 92, "SN", 390, 4),
			"DAWN 5.97 X", true},
		{"price run into its class", words("DICED", 0, 90, "6.499E", 300, 80, "it", 500, 30),
			"DICED 6.499E", true},
		{"flags kept", words("MILK", 0, 90, "1.99", 300, 92, "F", 360, 92, "N", 380, 90),
			"MILK 1.99 F N", false},
		{"no amount", words("THANK", 0, 90, "YOU", 200, 20), "THANK YOU", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cut := trimTail(tt.r)
			if got != tt.want || cut != tt.cut {
				t.Errorf("trimTail = %q, %v; want %q, %v", got, cut, tt.want, tt.cut)
			}
		})
	}
}
