package till

import "testing"

func TestValidGTIN(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"9311995843710", true},  // EAN-13 from the spec's example
		{"9311995843711", false}, // wrong check digit
		{"012000104510", true},   // UPC-A of a Walmart item
		{"012000104511", false},  // the same, wrong check
		{"001200010451", false},  // as printed by Walmart: no check digit
		{"036000291452", true},   // UPC-A
		{"96385074", true},       // EAN-8
		{"10036000291459", true}, // GTIN-14 with indicator 1
		{"10036000291458", false},
		{"00036000291452", true}, // GTIN-14 of the UPC-A
		{"93119958437a0", false},
		{"", false},
		{"1234567", false},
	}
	for _, tt := range tests {
		if got := ValidGTIN(tt.in); got != tt.want {
			t.Errorf("ValidGTIN(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if got := NormalizeGTIN("036000291452"); got != "00036000291452" {
		t.Errorf("NormalizeGTIN = %q", got)
	}
	if got := NormalizeGTIN("123"); got != "" {
		t.Errorf("NormalizeGTIN(invalid) = %q", got)
	}
}
