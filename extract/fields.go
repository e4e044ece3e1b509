package extract

import (
	"math"
	"regexp"
	"strings"
)

var (
	dateKW    = phrases("DATE", "DATUM", "TARIKH", "DATED", "TGL", "INVOICE DATE", "BILL DATE", "TRANS DATE", "DT")
	notDateKW = phrases("EXPIRY", "EXPIRES", "EXP", "VALID", "BEST BEFORE", "GULTIG", "BIS", "UNTIL", "DUE", "BIRTH", "MEMBER SINCE")
	timeKW    = phrases("TIME", "ZEIT", "MASA", "UHRZEIT")
	codeKW    = phrases("RECEIPT NO", "RECEIPT NUMBER", "RECEIPT", "INVOICE NO", "INVOICE NUMBER", "INVOICE", "INV NO", "INV", "BILL NO", "BILL",
		"DOC NO", "DOCUMENT NO", "TRANS NO", "TRANSACTION NO", "TRANSACTION", "TRANS", "TRX", "TRN", "SLIP NO", "SLIP", "ORDER NO", "ORDER",
		"CHECK NO", "CHECK", "TICKET NO", "TICKET", "BON NR", "BON", "BELEG NR", "BELEGNR", "BELEG", "RECHNUNG NR", "RECHNUNGSNR", "REF NO",
		"REF", "CHIT NO", "NO RESIT", "RESIT", "CB", "OR NO", "TR")
	termKW = phrases("TERMINAL", "TERM", "LANE", "POS", "KASSE", "REG", "TILL", "COUNTER", "STATION", "TERMINAL ID", "TID", "KASSE NR")
)

var codeValueRE = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9\-/.]*\d[A-Za-z0-9\-/]*`)

// dateTime picks the receipt's date and time. Every date printed on the
// page is a candidate; a date keyword on its row, a time beside it, a
// four-digit year and an unambiguous day-month order add to its score;
// expiry and validity dates lose.
func (d *doc) dateTime(r *Receipt, alt [][]row) {
	type cand struct {
		c     dateCandidate
		row   int
		score float64
		alt   bool
	}
	var cs []cand
	score := func(dd *doc, i int, c dateCandidate) float64 {
		s := 1.0
		toks := dd.toks[i]
		if hasAny(toks, dateKW) {
			s += 1.5
		}
		if hasAny(toks, notDateKW) {
			s -= 2
		}
		if _, ok := ParseClock(dd.rows[i].Text[c.End:]); ok {
			s += 1
		} else if _, ok := ParseClock(dd.rows[i].Text[:c.Start]); ok {
			s += 0.8
		}
		if c.FourDigitYear {
			s += 0.3
		}
		if c.Ambiguous {
			s -= 0.2
		}
		s *= 0.5 + 0.5*dd.wordConf(i, c.Start, c.End)
		return s
	}
	for i := range d.rows {
		for _, c := range findDates(d.rows[i].Text, d.order) {
			cs = append(cs, cand{c, i, score(d, i, c), false})
		}
	}
	for _, rows := range alt {
		ad := newDoc(rows, Hints{Country: d.country})
		for i := range ad.rows {
			for _, c := range findDates(ad.rows[i].Text, d.order) {
				cs = append(cs, cand{c, -1, 0.8 * score(ad, i, c), true})
			}
		}
	}
	// Agreement: readings of the same date support each other.
	for i := range cs {
		for j := range cs {
			if i != j && cs[i].c.Date == cs[j].c.Date {
				cs[i].score += 0.5
			}
		}
	}
	best := -1
	for i, c := range cs {
		if best < 0 || c.score > cs[best].score+1e-9 {
			best = i
		}
	}
	if best >= 0 {
		dt := cs[best].c.Date
		r.Date = &dt
		r.Confidence["receipt_date"] = round3(1 - math.Exp(-cs[best].score))
		if cs[best].c.Ambiguous {
			r.warn("day and month could be swapped in " + cs[best].c.Raw + "; read as " + dt.String())
		}
		if i := cs[best].row; i >= 0 {
			if c, ok := ParseClock(d.rows[i].Text); ok {
				r.Time = &c
				r.Confidence["receipt_time"] = 0.8
				return
			}
		}
	}
	for i := range d.rows {
		text := d.rows[i].Text
		if strings.Contains(strings.ToUpper(text), "UHR -") || hasAny(d.toks[i], phrases("OPEN", "OFFNUNGSZEITEN", "HOURS")) {
			continue
		}
		if c, ok := ParseClock(text); ok {
			r.Time = &c
			r.Confidence["receipt_time"] = 0.5
			if hasAny(d.toks[i], timeKW) {
				r.Confidence["receipt_time"] = 0.7
			}
			return
		}
	}
}

// codes finds the receipt number and the terminal.
func (d *doc) codes(r *Receipt) {
	bestCode, bestScore := "", 0.0
	for i := range d.rows {
		text := d.rows[i].Text
		toks := d.toks[i]
		for rank, p := range codeKW {
			k := matchPhrase(toks, p)
			if k < 0 {
				continue
			}
			end := keywordEnd(text, []phrase{p})
			rest := strings.TrimLeft(text[end:], " :#.-")
			v := codeValueRE.FindString(rest)
			if v == "" || countDigits(v) < 3 || len(findDates(v, d.order)) > 0 {
				continue
			}
			s := 2 - float64(rank)/float64(len(codeKW))
			if s > bestScore {
				bestCode, bestScore = v, s
			}
			break
		}
		if r.Terminal == "" {
			for _, p := range termKW {
				if k := matchPhrase(toks, p); k >= 0 {
					end := keywordEnd(text, []phrase{p})
					rest := strings.TrimLeft(text[end:], " :#.-")
					if v := codeValueRE.FindString(rest); v != "" && strings.Index(rest, v) <= 2 {
						r.Terminal = strings.ToLower(strings.Join(p, " ")) + " " + v
						r.Confidence["term_id"] = 0.6
					} else if f := strings.Fields(rest); len(f) > 0 && allDigits(f[0]) {
						r.Terminal = strings.ToLower(strings.Join(p, " ")) + " " + f[0]
						r.Confidence["term_id"] = 0.6
					}
					break
				}
			}
		}
	}
	if bestCode != "" {
		r.Code = bestCode
		r.Confidence["receipt_code"] = round3(0.4 + 0.2*bestScore)
	}
}
