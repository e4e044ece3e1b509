package extract

import (
	"errors"
	"testing"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "9.00", "9.00"},
		{"ringgit prefix", "RM 3.90", "3.90"},
		{"ringgit glued", "RM7.70", "7.70"},
		{"dollar", "$9.90", "9.90"},
		{"decimal comma", "24,23", "24.23"},
		{"german thousands", "1.234,56", "1234.56"},
		{"english thousands", "1,234.56", "1234.56"},
		{"leading minus", "-5.00", "-5.00"},
		{"trailing minus", "5.00-", "-5.00"},
		{"parentheses", "(0.17)", "-0.17"},
		{"thousands only", "175,000", "175000"},
		{"weight decimal", "0,812", "0.812"},
		{"integer", "12", "12"},
		{"euro suffix", "4,39 €", "4.39"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAmount(tt.in)
			if err != nil {
				t.Fatalf("ParseAmount(%q): %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Errorf("ParseAmount(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseAmountRejects(t *testing.T) {
	for _, tt := range []struct{ name, in string }{
		{"empty", ""},
		{"letters", "TOTAL"},
		{"currency only", "RM"},
		{"too many decimals", "1.1234567"},
		{"huge", "12345678901234567890"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if a, err := ParseAmount(tt.in); !errors.Is(err, ErrNotAmount) {
				t.Errorf("ParseAmount(%q) = %s, %v; want ErrNotAmount", tt.in, a, err)
			}
		})
	}
}

func TestAmountArithmetic(t *testing.T) {
	a := func(s string) Amount {
		v, err := ParseAmount(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name string
		got  Amount
		want string
	}{
		{"add across scales", a("1.5").Add(a("2.25")), "3.75"},
		{"sub to negative", a("1.00").Sub(a("2.50")), "-1.50"},
		{"price times weight rounds half up", a("1.99").Mul(a("0.812")), "1.62"},
		{"price times count", a("0.79").Mul(a("2")), "1.58"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got.String() != tt.want {
				t.Errorf("got %s, want %s", tt.got, tt.want)
			}
		})
	}
	if !a("9.0").Equal(a("9.00")) {
		t.Error("9.0 and 9.00 differ")
	}
}

func TestFindMoney(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"adjacent amounts", "PAINT BRUSH 2 X 4.50 9.00 SR", []string{"4.50", "9.00"}},
		{"space after point", "TOTAL RM 5. 00", []string{"5.00"}},
		{"discount", "MEMBER DISC 1.20-", []string{"-1.20"}},
		{"not a phone", "TEL 03-5555 1234", nil},
		{"not a date", "25.12.2018", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, m := range findMoney(tt.in) {
				got = append(got, m.String())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("findMoney(%q) = %v, want %v", tt.in, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("findMoney(%q) = %v, want %v", tt.in, got, tt.want)
				}
			}
		})
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"9.00", "RM 3.90", "1.234,56", "5.00-", "(0.17)", "175,000", "", "-", "€"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAmount(s)
		if err != nil {
			return
		}
		if a.Scale < 0 || a.Scale > maxScale {
			t.Fatalf("ParseAmount(%q) scale %d", s, a.Scale)
		}
		// The rendering parses back to the same number.
		b, err := ParseAmount(a.String())
		if err != nil || !a.Equal(b) {
			t.Fatalf("ParseAmount(%q) = %s, which parses back as %s, %v", s, a, b, err)
		}
		findMoney(s)
	})
}

func TestMalaysianTotalOnFiveSenGrid(t *testing.T) {
	// One of the two total lines is misread; Malaysian bills
	// are settled on the 5-sen grid.
	page := "KEDAI ABC SDN BHD\nJALAN BESAR 43000 KAJANG SELANGOR\nTOTAL RM 14.22\nTOTAL RM 14.20\nTHANK YOU\n"
	r := Extract(textPage(page), Hints{})
	if r.Total == nil || r.Total.String() != "14.20" {
		t.Errorf("total = %v, want 14.20 (country %s, evidence %v)", r.Total, r.Country, r.Evidence["total"])
	}
}

func TestTotalEvidence(t *testing.T) {
	tests := []struct{ name, page, want string }{
		{"misread total line, cash minus change agrees with the rounding",
			"TOTAL INCL. GST RM 8.11\nROUNDING ADJUSTMENT -RM 0.01\nTOTAL ROUNDED RM 86.10\nCASH RM 50.00\nCHANGE RM 41.90\n", "8.10"},
		{"total after adjustment is the rounded total",
			"Sub-total 88.97\nTotal Sales Incl GST 88.97\nRounding Adj -0.02\nTotal After Adj Incl GST 88.95\nCASH 100.00\nGST Summary Amount Tax\nTotal 83.93 5.04\n", "88.95"},
		{"paid amount is no total",
			"Total Amt Incl. GST @ 6% : 159.00\nPaid Amount 200.00\nChange : 41.00\n", "159.00"},
		{"rounding row with a total's amount",
			"Total Sales (Inclusive GST) RM 27.28\nRounding Adjustment RM 0.02\nRounding RM 27.30\nCASH RM 27.30\n", "27.30"},
		{"total misread on one line, read twice elsewhere",
			"Total Amount: $6.70\nGST @6%: $0.46\nNett Total: $8.70\nPayment Mode Amount\nCASH $8.70\nChange $0.00\n", "8.70"},
		{"a keyword row below a bare label",
			"Amount\nGST 6.00\nTotal RM4.00\nPaid RM4.00\n", "4.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Extract(textPage("KEDAI SINAR SDN BHD\nJALAN MERANTI 3, 40400 SHAH ALAM\n"+tt.page), Hints{Country: "MY"})
			if r.Total == nil || r.Total.String() != tt.want {
				t.Errorf("total = %v, want %s (%v)", r.Total, tt.want, r.Evidence["total"])
			}
		})
	}
}
