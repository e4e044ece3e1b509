package extract

import "testing"

func TestParseDate(t *testing.T) {
	tests := []struct {
		name, in string
		order    Order
		want     string
	}{
		{"day first slash", "DATE: 25/12/2018", DayFirst, "2018-12-25"},
		{"short year dash", "15-03-18 10:11", DayFirst, "2018-03-15"},
		{"ambiguous day first", "02/03/2020", DayFirst, "2020-03-02"},
		{"ambiguous month first", "02/03/2020", MonthFirst, "2020-02-03"},
		{"only month first valid", "08/20/10 13:12:01", DayFirst, "2010-08-20"},
		{"dotted is day first", "02.03.20", MonthFirst, "2020-03-02"},
		{"iso", "2018-12-25", DayFirst, "2018-12-25"},
		{"month name", "25 DEC 2018", DayFirst, "2018-12-25"},
		{"month name dashes", "06-MAR-18", DayFirst, "2018-03-06"},
		{"us month name", "Dec 25, 2018", MonthFirst, "2018-12-25"},
		{"compact", "20181225", DayFirst, "2018-12-25"},
		{"ocr spaces", "25 / 12 / 2018", DayFirst, "2018-12-25"},
		{"after a dashed number", "ORD #64 -REG #2- 25/12/2016 13:51:47", DayFirst, "2016-12-25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseDate(tt.in, tt.order)
			if !ok {
				t.Fatalf("ParseDate(%q) found no date", tt.in)
			}
			if got.String() != tt.want {
				t.Errorf("ParseDate(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDateRejects(t *testing.T) {
	for _, tt := range []struct{ name, in string }{
		{"amount", "TOTAL 12.50"},
		{"impossible day", "31/02/2018"},
		{"phone", "03-5555 1234"},
		{"far year", "12/12/1890"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if d, ok := ParseDate(tt.in, DayFirst); ok {
				t.Errorf("ParseDate(%q) = %s, want none", tt.in, d)
			}
		})
	}
}

func TestParseClock(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"seconds", "25/12/2018 14:05:33", "14:05:33"},
		{"minutes", "TIME 9:48", "09:48"},
		{"pm", "07:10:51 PM", "19:10:51"},
		{"midnight am", "12:05 AM", "00:05"},
		{"german uhr", "09.48 Uhr", "09:48"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseClock(tt.in)
			if !ok || got.String() != tt.want {
				t.Errorf("ParseClock(%q) = %s, %v; want %s", tt.in, got, ok, tt.want)
			}
		})
	}
	if c, ok := ParseClock("TOTAL 12.50"); ok {
		t.Errorf("ParseClock read an amount as %s", c)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"25/12/2018", "06-MAR-18", "20181225", "Dec 25, 2018", "02.03.20 09:48", "1/1/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, o := range []Order{DayFirst, MonthFirst} {
			if d, ok := ParseDate(s, o); ok && !d.valid() {
				t.Fatalf("ParseDate(%q) = invalid %+v", s, d)
			}
		}
		ParseClock(s)
	})
}
