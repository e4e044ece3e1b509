package extract

import "testing"

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
