package extract

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Order says how to read an all-numeric date whose first two numbers could
// both be a day or a month.
type Order int

// The orders a locale may print dates in.
const (
	DayFirst   Order = iota // 02/03/2020 is 2 March (most of the world)
	MonthFirst              // 02/03/2020 is 3 February (United States)
)

// Date is a calendar date printed on a receipt.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// String renders the date as YYYY-MM-DD.
func (d Date) String() string {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
}

// valid reports whether the date exists and lies in the years receipts are
// plausibly from.
func (d Date) valid() bool {
	if d.Year < 1990 || d.Year > 2099 || d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	return t.Day() == d.Day
}

var monthNames = map[string]time.Month{
	"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8,
	"SEP": 9, "SEPT": 9, "OCT": 10, "NOV": 11, "DEC": 12,
	// German and Malay spellings that differ from the English ones.
	"JAN.": 1, "MRZ": 3, "MÄR": 3, "MAI": 5, "OKT": 10, "DEZ": 12, "MEI": 5, "OGOS": 8, "OGO": 8, "DIS": 12, "MAC": 3,
}

// dateCandidate is one date found in a line, with the evidence about it.
type dateCandidate struct {
	Date       Date
	Start, End int
	Raw        string
	// Ambiguous is true when day and month could be swapped and the
	// order was taken from the hint.
	Ambiguous bool
	// FourDigitYear is true when the year was printed in full.
	FourDigitYear bool
}

var (
	// 25/12/2018, 25-12-18, 25.12.2018, 2018-12-25, 25/12/2018 with OCR
	// spaces around the separators. Both separators are the same: in
	// "REG #2- 25/12/2016" the date is the one after the dash. One
	// expression per separator, as RE2 has no back-references.
	numDateREs = []*regexp.Regexp{numDate("/"), numDate(`\-`), numDate(`.`)}
	// 25 DEC 2018, 25-DEC-18, 25DEC2018, DEC 25, 2018.
	wordDateRE = regexp.MustCompile(`(?i)(?:^|[^\dA-Z])(\d{1,2})\s?[\s/.\-]?\s?([A-ZÄ]{3,4}\.?)[A-Z]*\s?[\s/.\-,]?\s?(\d{4}|\d{2})(?:$|[^\d])`)
	monthDayRE = regexp.MustCompile(`(?i)(?:^|[^A-Z])([A-Z]{3,4})[A-Z]*\.?\s?(\d{1,2}),?\s?(\d{4})(?:$|[^\d])`)
	// 20181225 printed as one number.
	compactDateRE = regexp.MustCompile(`(?:^|[^\d])((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:$|[^\d])`)
)

// ParseDate returns the first plausible date printed in s. Numeric dates
// are read year-first when the first number has four digits, otherwise in
// the given order unless only the other order makes a valid date.
func ParseDate(s string, order Order) (Date, bool) {
	c := findDates(s, order)
	if len(c) == 0 {
		return Date{}, false
	}
	return c[0].Date, true
}

// findDates returns every plausible date in text, left to right.
func findDates(text string, order Order) []dateCandidate {
	var out []dateCandidate
	up := text // matched case-insensitively; offsets index text
	var ms [][]int
	for _, re := range numDateREs {
		ms = append(ms, re.FindAllStringSubmatchIndex(up, -1)...)
	}
	for _, m := range ms {
		a, _ := strconv.Atoi(up[m[2]:m[3]])
		sep1 := up[m[4]:m[5]]
		b, _ := strconv.Atoi(up[m[6]:m[7]])
		c, _ := strconv.Atoi(up[m[10]:m[11]])
		la, lc := m[3]-m[2], m[11]-m[10]
		var d dateCandidate
		switch {
		case la == 4 && lc <= 2:
			d.Date, d.FourDigitYear = Date{a, time.Month(b), c}, true
		case la <= 2 && (lc == 2 || lc == 4):
			y := c
			if lc == 2 {
				y += 2000
			}
			d.FourDigitYear = lc == 4
			first, second := a, b
			df, mf := Date{y, time.Month(second), first}, Date{y, time.Month(first), second}
			switch {
			case df.valid() && mf.valid() && first != second && sep1 == ".":
				// Dotted dates are day-first wherever they are printed.
				d.Date = df
			case df.valid() && mf.valid() && first != second:
				d.Ambiguous = true
				d.Date = df
				if order == MonthFirst {
					d.Date = mf
				}
			case df.valid():
				d.Date = df
			case mf.valid():
				d.Date = mf
			}
		default:
			continue
		}
		d.Start, d.End = m[2], m[11]
		if !d.Date.valid() || overlaps(out, d) {
			continue
		}
		d.Raw = text[d.Start:d.End]
		out = append(out, d)
	}
	for _, m := range wordDateRE.FindAllStringSubmatchIndex(up, -1) {
		word := strings.ToUpper(strings.TrimSuffix(up[m[4]:m[5]], "."))
		mon, ok := monthNames[word]
		if !ok && len(word) > 3 {
			mon, ok = monthNames[word[:3]]
		}
		if !ok {
			continue
		}
		day, _ := strconv.Atoi(up[m[2]:m[3]])
		y, _ := strconv.Atoi(up[m[6]:m[7]])
		four := m[7]-m[6] == 4
		if !four {
			y += 2000
		}
		d := dateCandidate{Date: Date{y, mon, day}, Start: m[2], End: m[7], FourDigitYear: four}
		if d.Date.valid() && !overlaps(out, d) {
			d.Raw = text[d.Start:d.End]
			out = append(out, d)
		}
	}
	for _, m := range monthDayRE.FindAllStringSubmatchIndex(up, -1) {
		mon, ok := monthNames[strings.ToUpper(up[m[2]:m[2]+3])]
		if !ok {
			continue
		}
		day, _ := strconv.Atoi(up[m[4]:m[5]])
		y, _ := strconv.Atoi(up[m[6]:m[7]])
		d := dateCandidate{Date: Date{y, mon, day}, Start: m[2], End: m[7], FourDigitYear: true}
		if d.Date.valid() && !overlaps(out, d) {
			d.Raw = text[d.Start:d.End]
			out = append(out, d)
		}
	}
	for _, m := range compactDateRE.FindAllStringSubmatchIndex(up, -1) {
		y, _ := strconv.Atoi(up[m[2]:m[3]])
		mo, _ := strconv.Atoi(up[m[4]:m[5]])
		day, _ := strconv.Atoi(up[m[6]:m[7]])
		d := dateCandidate{Date: Date{y, time.Month(mo), day}, Start: m[2], End: m[7], FourDigitYear: true}
		if d.Date.valid() && !overlaps(out, d) {
			d.Raw = text[d.Start:d.End]
			out = append(out, d)
		}
	}
	sortByStart(out)
	return out
}

// numDate matches a numeric date whose two separators are sep (a
// character class body).
func numDate(sep string) *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[^\d])(\d{1,4})\s?([` + sep + `])\s?(\d{1,2})\s?([` + sep + `])\s?(\d{2,4})(?:$|[^\d])`)
}

func overlaps(ds []dateCandidate, d dateCandidate) bool {
	for _, o := range ds {
		if d.Start < o.End && o.Start < d.End {
			return true
		}
	}
	return false
}

func sortByStart(ds []dateCandidate) {
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0 && ds[j].Start < ds[j-1].Start; j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
}

// Clock is a time of day printed on a receipt.
type Clock struct {
	Hour, Minute, Second int
	HasSeconds           bool
}

// String renders the time as HH:MM:SS or HH:MM.
func (c Clock) String() string {
	if c.HasSeconds {
		return pad2(c.Hour) + ":" + pad2(c.Minute) + ":" + pad2(c.Second)
	}
	return pad2(c.Hour) + ":" + pad2(c.Minute)
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

var clockRE = regexp.MustCompile(`(?i)(?:^|[^\d:.])([01]?\d|2[0-3])\s?[:.]\s?([0-5]\d)(?:\s?[:.]\s?([0-5]\d))?(?:\s?([AP])\.?M\.?)?(?:$|[^\d:])`)

// ParseClock returns the first time of day printed in s: 13:12, 13:12:01,
// 1:12 PM or 13.12 (the German form, accepted only when followed by "Uhr"
// or when seconds are printed).
func ParseClock(s string) (Clock, bool) {
	for _, m := range clockRE.FindAllStringSubmatchIndex(s, -1) {
		h, _ := strconv.Atoi(s[m[2]:m[3]])
		mi, _ := strconv.Atoi(s[m[4]:m[5]])
		c := Clock{Hour: h, Minute: mi}
		if m[6] >= 0 {
			c.Second, _ = strconv.Atoi(s[m[6]:m[7]])
			c.HasSeconds = true
		}
		sep := strings.TrimSpace(s[m[3]:m[4]])
		if sep == "." && !c.HasSeconds && !strings.Contains(strings.ToUpper(s[m[1]-1:]), "UHR") {
			continue
		}
		if m[8] >= 0 {
			pm := strings.EqualFold(s[m[8]:m[9]], "P")
			if c.Hour > 12 {
				continue
			}
			if pm && c.Hour < 12 {
				c.Hour += 12
			} else if !pm && c.Hour == 12 {
				c.Hour = 0
			}
		}
		return c, true
	}
	return Clock{}, false
}
