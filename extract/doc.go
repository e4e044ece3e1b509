package extract

import (
	"regexp"
	"strings"
)

// doc is a page being read: its rows with their tokens and amounts, and the
// locale inferred from them.
type doc struct {
	rows    []row
	toks    [][]string
	money   [][]money
	country string
	order   Order
	// nameRows and addrRows are the rows the merchant's name and address
	// were read from, once merchant has run.
	nameRows, addrRows []int
}

func newDoc(rows []row, h Hints) *doc {
	d := &doc{rows: rows}
	d.toks = make([][]string, len(rows))
	d.money = make([][]money, len(rows))
	for i, r := range rows {
		d.toks[i] = tokens(r.Text)
		d.money[i] = findMoney(r.Text)
	}
	d.country = strings.ToUpper(h.Country)
	if d.country == "" {
		d.country = d.inferCountry()
	}
	d.order = DayFirst
	if d.country == "US" || d.country == "CA" || d.country == "PH" {
		d.order = MonthFirst
	}
	return d
}

// countryCues are words that point to a country. Each match is a vote; the
// country with most votes wins when it has at least two.
var countryCues = map[string][]phrase{
	"MY": phrases("SDN BHD", "BHD", "MALAYSIA", "RM", "JALAN", "TAMAN", "SELANGOR", "KUALA LUMPUR", "JOHOR", "PULAU PINANG", "PERAK", "SST", "TUNAI", "ROUNDING ADJ"),
	"DE": phrases("MWST", "SUMME", "EUR", "GMBH", "ZU ZAHLEN", "RUCKGELD", "STEUER", "BRUTTO", "NETTO", "GEGEBEN", "KASSE", "BARGELD", "DEUTSCHLAND", "VIELEN DANK", "ZURUCK", "UST"),
	"US": phrases("CHANGE DUE", "WALMART", "SUBTOTAL", "SALES TAX", "THANK YOU FOR SHOPPING", "TEND", "DEBIT TEND", "ITEMS SOLD"),
	"AU": phrases("ABN", "AUSTRALIA", "EFTPOS", "NSW", "VIC", "QLD"),
	"GB": phrases("VAT NO", "VAT REG", "UNITED KINGDOM"),
}

var (
	usZipRE   = regexp.MustCompile(`\b(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY)\s+\d{5}(?:-\d{4})?\b`)
	usPhoneRE = regexp.MustCompile(`\(\d{3}\)\s?\d{3}-\d{4}|\b\d{3}-\d{3}-\d{4}\b`)
)

func (d *doc) inferCountry() string {
	votes := map[string]int{}
	for i, r := range d.rows {
		up := strings.ToUpper(r.Text)
		for c, ps := range countryCues {
			for _, p := range ps {
				if len(p) == 1 && len(p[0]) <= 3 {
					// Short cues must match exactly.
					for _, t := range d.toks[i] {
						if t == p[0] {
							votes[c]++
							break
						}
					}
					continue
				}
				if matchPhrase(d.toks[i], p) >= 0 {
					votes[c]++
				}
			}
		}
		if usZipRE.MatchString(up) {
			votes["US"] += 2
		}
		if usPhoneRE.MatchString(up) {
			votes["US"]++
		}
		if strings.Contains(up, "€") {
			votes["DE"]++
		}
	}
	best, n := "", 1
	for _, c := range []string{"MY", "DE", "US", "AU", "GB"} {
		if votes[c] > n {
			best, n = c, votes[c]
		}
	}
	return best
}

var currencyOf = map[string]string{
	"MY": "MYR", "DE": "EUR", "US": "USD", "AU": "AUD", "GB": "GBP", "FR": "EUR",
	"AT": "EUR", "NL": "EUR", "SG": "SGD", "CA": "CAD", "NZ": "NZD",
}

// currency is the currency printed on the receipt, or the country's.
func (d *doc) currency() string {
	counts := map[string]int{}
	for i, r := range d.rows {
		for _, t := range d.toks[i] {
			switch t {
			case "RM", "MYR":
				counts["MYR"]++
			case "EUR", "EURO":
				counts["EUR"]++
			case "USD":
				counts["USD"]++
			case "SGD":
				counts["SGD"]++
			case "AUD":
				counts["AUD"]++
			case "GBP":
				counts["GBP"]++
			}
		}
		if strings.Contains(r.Text, "€") {
			counts["EUR"]++
		}
		if strings.Contains(r.Text, "£") {
			counts["GBP"]++
		}
	}
	best, n := "", 0
	for _, c := range []string{"MYR", "EUR", "USD", "SGD", "AUD", "GBP"} {
		if counts[c] > n {
			best, n = c, counts[c]
		}
	}
	if best != "" {
		return best
	}
	return currencyOf[d.country]
}

// lastMoney returns the rightmost amount of row i, looking at the next row
// when row i has none and the next row is a bare amount (label and value
// printed on separate lines), not a row of its own kind ("GST 6.00").
func (d *doc) lastMoney(i int) (money, int, bool) {
	if m := d.money[i]; len(m) > 0 {
		return m[len(m)-1], i, true
	}
	if i+1 < len(d.rows) && len(d.money[i+1]) > 0 && len(d.toks[i+1]) <= 3 && d.kind(i+1) == kindNone {
		m := d.money[i+1]
		return m[len(m)-1], i + 1, true
	}
	return money{}, -1, false
}

// wordConf is the OCR confidence (0-1) of the words of row i covering the
// byte range [start, end) of its text.
func (d *doc) wordConf(i, start, end int) float64 {
	r := d.rows[i]
	pos := 0
	var sum float64
	n := 0
	for _, w := range r.Words {
		ws, we := pos, pos+len(w.Text)
		if ws < end && start < we {
			sum += w.Conf
			n++
		}
		pos = we + 1
	}
	if n == 0 {
		return r.Conf / 100
	}
	return sum / float64(n) / 100
}

// fixedText is the text of row i with misread header words corrected (see
// fixWord), for the merchant's name and address.
func (d *doc) fixedText(i int) string {
	ws := d.rows[i].Words
	if len(ws) == 0 {
		return d.rows[i].Text
	}
	texts := make([]string, len(ws))
	confs := make([]float64, len(ws))
	for k, w := range ws {
		texts[k], confs[k] = w.Text, w.Conf
	}
	return fixText(texts, confs)
}

// addressText is fixedText with the abbreviations of street and place
// words spelt right too ("JUN" for "JLN", "1181-THN" for "1181-TMN"),
// for the address: in a name, three letters are too likely a name.
func (d *doc) addressText(i int) string {
	ws := d.rows[i].Words
	if len(ws) == 0 {
		return d.rows[i].Text
	}
	out := make([]string, len(ws))
	for k, w := range ws {
		out[k] = fixAbbrevs(fixWord(w.Text, w.Conf), w.Conf)
	}
	return strings.Join(out, " ")
}

// meanConf is the mean OCR confidence (0-100) of the words of the given
// rows, or -1 when they have none.
func (d *doc) meanConf(rows []int) float64 {
	var sum float64
	n := 0
	for _, i := range rows {
		for _, w := range d.rows[i].Words {
			sum += w.Conf
			n++
		}
	}
	if n == 0 {
		return -1
	}
	return sum / float64(n)
}
