package extract

import "testing"

func TestFixWord(t *testing.T) {
	tests := []struct {
		name, in string
		conf     float64
		want     string
	}{
		{"misread state", "SELANG0R,", 60, "SELANGOR,"},
		{"lower case kept", "Restoran", 99, "Restoran"},
		{"capitalised", "Kepomg", 70, "Kepong"},
		{"sure reading kept", "TAMAM", 96, "TAMAM"},
		{"known word kept", "KEDAI", 10, "KEDAI"},
		{"short word keeps its first letter", "DAMA", 40, "DAMA"},
		{"too far", "BERKELEY", 40, "BERKELEY"},
		{"digits kept", "47400", 10, "47400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fixWord(tt.in, tt.conf); got != tt.want {
				t.Errorf("fixWord(%q, %v) = %q, want %q", tt.in, tt.conf, got, tt.want)
			}
		})
	}
}

func TestRegistrationRows(t *testing.T) {
	for _, tt := range []struct{ in, rest string }{
		{"Reg No: 1203194-W", ""},
		{"(Co. No. 113825-W)", ""},
		{"BR No.: (1245625-H)", ""},
		{"002043319 -W No.2, Jalan Temenggung", "No.2, Jalan Temenggung"},
		{"Company Reg .No: JM0OB31589-W", ""},
		{"NO. 135, JALAN BANGI, 43500 SEMENYIH", "NO. 135, JALAN BANGI, 43500 SEMENYIH"},
	} {
		got := tt.in
		if m := regRowRE.FindStringIndex(tt.in); m != nil {
			got = tt.in[:m[0]] + tt.in[m[1]:]
		}
		if alnum(got) != alnum(tt.rest) {
			t.Errorf("%q without its registration number = %q, want %q", tt.in, got, tt.rest)
		}
	}
}

func TestFixAbbrevs(t *testing.T) {
	for _, tt := range []struct {
		in   string
		conf float64
		want string
	}{
		{"JUN", 58, "JLN"},
		{"1181-THN", 49, "1181-TMN"},
		{"SRT", 77, "SRI"},
		{"Jin", 60, "Jln"},
		{"JUN", 93, "JUN"}, // read surely
		{"KPB", 40, "KPB"}, // no abbreviation near
		{"TMN", 40, "TMN"},
	} {
		if got := fixAbbrevs(tt.in, tt.conf); got != tt.want {
			t.Errorf("fixAbbrevs(%q, %v) = %q, want %q", tt.in, tt.conf, got, tt.want)
		}
	}
}
