package extract

import (
	"image"
	"testing"
)

func TestFuzzyKeywords(t *testing.T) {
	tests := []struct {
		name, line string
		p          phrase
		want       bool
	}{
		{"zero for o", "T0TAL 9.00", phrase{"TOTAL"}, true},
		{"one edit", "TOTAI RM 9.00", phrase{"TOTAL"}, true},
		{"split word", "SUB TOTAL 8.49", phrase{"SUBTOTAL"}, true},
		{"joined phrase", "SUBTOTAL 8.49", phrase{"SUB", "TOTAL"}, true},
		{"short keyword exact only", "CAS 5.00", phrase{"TAX"}, false},
		{"different word", "TOTE BAG 2.00", phrase{"TOTAL"}, false},
		{"short word keeps its first letter", "PASARAYA BORONG PINTAR", phrase{"LORONG"}, false},
		{"word missing from a joined phrase", "ADVANCO COMPANY", phrase{"COMPANY", "NO"}, false},
		{"short phrase run together", "COO. (MD) SDN BHD", phrase{"CO", "NO"}, false},
		{"letter misread in a short word", "IU ZAHLEN EURO 24,23", phrase{"ZU", "ZAHLEN"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matchPhrase(tokens(tt.line), tt.p) >= 0; got != tt.want {
				t.Errorf("matchPhrase(%q, %v) = %v, want %v", tt.line, tt.p, got, tt.want)
			}
		})
	}
}

func TestCleanCompany(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"misread suffix", "BOOK TA .K (TAMAN DAYA) SON BHD", "BOOK TA .K (TAMAN DAYA) SDN BHD"},
		{"registration number", "GARDENIA BAKERIES (KL) SDN BHD (139386 X)", "GARDENIA BAKERIES (KL) SDN BHD"},
		{"stray bar", "| URBAN IDEA SDN BUD", "URBAN IDEA SDN BHD"},
		{"digit for letter", "TOAST SDN 8HD", "TOAST SDN BHD"},
		{"untouched", "Frischmarkt Lindner GmbH", "Frischmarkt Lindner GmbH"},
		{"noisy registration number", "99 SPEED MART 5/B (519537-%)", "99 SPEED MART S/B"},
		{"cut registration number", "COSWAY (M) SDN BHD £01184)", "COSWAY (M) SDN BHD"},
		{"open bracket", "GARDEN LES (KE)SDN BHD (1", "GARDEN LES (KE)SDN BHD"},
		{"owner", "OWN BY: CHEF LEE SDN BHD", "CHEF LEE SDN BHD"},
		{"digit among letters", "URBAN 1DEA SDN BHD", "URBAN IDEA SDN BHD"},
		{"digit among initials", "MR. D.1.Y. (M) SDN BHD", "MR. D.I.Y. (M) SDN BHD"},
		{"numbers stay", "99 SPEED MART 3RD FLOOR", "99 SPEED MART 3RD FLOOR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanCompany(tt.in); got != tt.want {
				t.Errorf("cleanCompany(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestBuildRowsJoinsColumns(t *testing.T) {
	p := textPage("TOTAL\n")
	// The amount, read as a separate block at the same height.
	w := p.Words[0]
	w.Text, w.Block = "9.00", 2
	w.Box = w.Box.Add(w.Box.Size().Mul(0)).Add(imagePt(300, 2))
	p.Words = append(p.Words, w)
	rows := buildRows(p)
	if len(rows) != 1 || rows[0].Text != "TOTAL 9.00" {
		t.Errorf("rows = %+v, want one row TOTAL 9.00", rows)
	}
}

func imagePt(x, y int) image.Point { return image.Pt(x, y) }
