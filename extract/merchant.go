package extract

import (
	"image"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/tillhq/till/ocr"
)

// Company-name cues. Legal-entity suffixes are strong evidence that a row
// is the issuer's name; business nouns are weaker.
var (
	legalKW = phrases("SDN BHD", "BHD", "SDN", "GMBH", "LTD", "LIMITED", "PTY", "INC", "LLC", "CORP", "CORPORATION", "PLC", "KG", "AG",
		"CO KG", "ENTERPRISE", "ENTERPRISES", "TRADING", "BERHAD", "S B", "PTE", "LLP", "GBR", "OHG", "E K", "SARL", "SAS", "BV", "NV")
	businessKW = phrases("RESTAURANT", "RESTORAN", "STORE", "STORES", "MART", "MARKET", "SUPERMARKET", "HYPERMARKET", "HARDWARE",
		"BOOKSTORE", "STATIONERY", "CAFE", "BAKERY", "PHARMACY", "APOTHEKE", "SHOP", "MINIMARKET", "FOOD", "KITCHEN", "MARKETING",
		"INDUSTRIES", "HOLDINGS", "CENTRE", "CENTER", "BAKERI", "KEDAI", "DRUG", "GROCERY", "BAUMARKT", "MARKT", "TRADING CO")
	addressKW = phrases("JALAN", "JLN", "LOT", "TAMAN", "ROAD", "RD", "STREET", "ST", "AVENUE", "AVE", "BLVD", "LORONG", "PERSIARAN",
		"STR", "STRASSE", "WEG", "PLATZ", "ALLEE", "NO", "BLOK", "BLOCK", "LEVEL", "FLOOR", "KAMPUNG", "BANDAR", "PUSAT", "KM",
		"SUITE", "UNIT", "DRIVE", "DR", "HIGHWAY", "LANE", "MALL", "PLAZA", "SELANGOR", "JOHOR", "KUALA LUMPUR", "MALAYSIA",
		"DARUL EHSAN", "DARUL TAKZIM", "PERAK", "PAHANG", "KEDAH", "MELAKA", "NEGERI SEMBILAN", "PENANG", "PULAU PINANG")
	contactKW = phrases("TEL", "TELEPHONE", "PHONE", "FAX", "H P", "HP", "TELEFON", "FON", "MOBILE", "EMAIL", "E MAIL", "WWW", "HOTLINE",
		"WHATSAPP", "TELP")
	taxIDKW = phrases("GST REG NO", "GST REG", "GST ID", "GST NO", "GSTREG", "GST", "SST REG NO", "SST ID", "SST NO", "SST", "TAX ID",
		"VAT NO", "VAT REG", "VAT", "ABN", "UST IDNR", "UST ID", "USTIDNR", "UST ID NR", "STEUERNUMMER", "STEUERNR", "ST NR", "TIN", "REG NO",
		"CO REG", "ROC", "CO NO", "COMPANY NO", "BUSINESS NO")
	headerEndKW = phrases("INVOICE", "RECEIPT", "CASHIER", "TABLE", "QTY", "DESCRIPTION", "ITEM", "BILL", "TAX INVOICE", "DOC NO",
		"ORDER", "SALES", "KASSE", "BON", "BELEG", "OPERATOR", "MEMBER", "SERVER", "GUEST", "CHECK")
)

var (
	// tailRegNoRE is a registration number that OCR noise kept regNoRE
	// from recognising, at the end of a company name: "(519537-%)",
	// "£01184)", "(1".
	tailRegNoRE = regexp.MustCompile(`\s[({\[£]?\s*[A-Z]{0,3}\d[\dA-Z%¥-]{3,}[)}\]]?\W*$|\s[({\[]\s*\d{0,3}\W*$`)
	// shortLegalRE is "S/B", the short form of "Sdn Bhd", as OCR reads it.
	shortLegalRE = regexp.MustCompile(`^[S5$][/|][B8R]\W*$`)
	// regRowRE is a company registration number with or without its
	// label: "Co. Reg No: 1203194-W", "(Co. No. 113825-W)", "BR No.:
	// (1245625-H)", "002043319 -W".
	regRowRE = regexp.MustCompile(`(?i)(?:\b(?:CO(?:MPANY)?\.?\s*(?:RE[GY]\w*\s*\.?\s*)?(?:NO|NUMBER)|BR\.?\s*NO|ROC(?:\s*NO)?|RE[GY]\w*\s*\.?\s*NO)\.?\s*:?\s*[({\[]?\s*[A-Z0-9]*\d{4,}[A-Z0-9]*(?:\s?-\s?[A-Z0-9])?\s*[)}\]]?)|[({\[]?\s*\b[A-Z]{0,4}\d{5,}\s?-\s?[A-Z]\b\s*[)}\]]?`)
	// branchRE is a branch's number and name after the postcode:
	// "1249-TMN PANDAN CAHAYA".
	branchRE = regexp.MustCompile(`^\W*\d{2,4}\s?-\s?[A-Za-z]`)
	// webRE is a web address.
	webRE = regexp.MustCompile(`(?i)\bw{2,3}\b|\.\s?com\b|\bhttps?:`)
	// phoneRowRE is a row that is only a telephone number.
	phoneRowRE = regexp.MustCompile(`^\W*\(?\+?\d[\d\s\-()]{7,}\d\W*$`)
	regNoRE    = regexp.MustCompile(`(?i)\(?\b(?:CO\.?\s*(?:REG\.?\s*)?(?:NO\.?)?\s*[:.]?\s*)?[A-Z]{0,2}\d{4,}[-\s]?[A-Z]\b\)?|\(\s*\d{4,}[-\s]?[A-Z]?\s*\)`)
	phoneRE    = regexp.MustCompile(`[+(]?\d[\d\s\-()/.]{5,}\d`)
	abnRE      = regexp.MustCompile(`\b\d{2}\s?\d{3}\s?\d{3}\s?\d{3}\b`)
	taxValueRE = regexp.MustCompile(`(?i)\b[A-Z]{0,2}\s?\d[\d\s\-/.]{4,}[\dA-Z]\b`)
)

// headerEnd is the index of the first row after the receipt's header: the
// first row with a date, a header-ending keyword or an item amount, at most
// a third of the page and never fewer than three rows.
func (d *doc) headerEnd() int {
	limit := max(3, min(14, len(d.rows)/2+1))
	for i := 0; i < len(d.rows) && i < limit; i++ {
		if i >= 2 && (len(findDates(d.rows[i].Text, d.order)) > 0 || hasAny(d.toks[i], headerEndKW)) {
			return i
		}
	}
	return min(limit, len(d.rows))
}

// merchant finds the issuer's name, address, phone, tax id and postcode.
func (d *doc) merchant(r *Receipt) {
	end := d.headerEnd()
	best, bestScore := -1, math.Inf(-1)
	for i := 0; i < end; i++ {
		s := d.nameScore(i, end)
		if s > bestScore {
			best, bestScore = i, s
		}
	}
	nameRows := []int{}
	if best >= 0 && bestScore > 0 {
		nameRows = append(nameRows, best)
		// A suffix printed on its own row belongs to the row above; a
		// name broken before its suffix continues on the row below.
		switch {
		case best > 0 && (d.onlyLegal(best) || len(d.toks[best]) <= 3 && hasAny(d.toks[best], legalKW)) && d.nameLike(best-1):
			nameRows = []int{best - 1, best}
		case !hasAny(d.toks[best], legalKW) && best+1 < end && d.onlyLegal(best+1):
			nameRows = append(nameRows, best+1)
		}
		// A name whose row ends in "&" or "AND" continues on the next.
		if last := nameRows[len(nameRows)-1]; last+1 < end && !d.isContactOrTax(last+1) && d.postcodeIn(d.rows[last+1].Text) == "" {
			if t := d.toks[last]; strings.HasSuffix(strings.TrimSpace(d.rows[last].Text), "&") || (len(t) > 0 && t[len(t)-1] == "AND") {
				nameRows = append(nameRows, last+1)
			}
		}
		d.nameRows = nameRows
		parts := make([]string, len(nameRows))
		for k, i := range nameRows {
			parts[k] = d.fixedText(i)
		}
		r.Merchant.Name = cleanCompany(strings.Join(parts, " "))
		conf := 1 - math.Exp(-bestScore/3)
		r.Confidence["merchant.name"] = round3(conf * d.rows[best].Conf / 100)
	}

	// The address: the rows after the name up to the first contact, tax
	// or date row, skipping registration numbers.
	start := 0
	if len(nameRows) > 0 {
		start = nameRows[len(nameRows)-1] + 1
	}
	var addr []string
	sawPostcode := false
	skipped := 0
	for i := start; i < len(d.rows) && i < start+8 && len(addr) < 6; i++ {
		text := d.addressText(i)
		toks := d.toks[i]
		if len(addr) == 0 && skipped < 2 && d.beforeAddress(i) {
			// The date printed under the name, or a brand or
			// branch line above the street.
			skipped++
			continue
		}
		if m := regRowRE.FindStringIndex(text); m != nil {
			// A registration number printed among the address lines.
			text = strings.TrimSpace(text[:m[0]] + " " + text[m[1]:])
			toks = tokens(text)
			if len(alnum(text)) < 4 {
				continue
			}
		}
		if len(addr) > 0 && phoneRowRE.MatchString(text) {
			break
		}
		if m := webRE.FindStringIndex(text); m != nil {
			if t := strings.TrimSpace(text[:m[0]]); len(addr) > 0 && t != "" {
				addr = append(addr, t)
				d.addrRows = append(d.addrRows, i)
			}
			break
		}
		if len(addr) == 0 && (regNoRE.MatchString(text) && len(alnum(regNoRE.ReplaceAllString(text, ""))) < 4) {
			continue
		}
		if len(addr) == 0 && hasAny(toks, taxIDKW) && !hasAny(toks, addressKW) {
			continue
		}
		cut := len(toks)
		for k := range toks {
			if hasAny(toks[k:k+1], contactKW) || (k+1 < len(toks) && hasAny(toks[k:k+2], phrases("GST REG", "GST ID", "SST ID"))) {
				cut = k
				break
			}
		}
		if cut < len(toks) || len(findDates(text, d.order)) > 0 || hasAny(toks, headerEndKW) || d.kind(i) != kindNone {
			if cut > 0 && cut < len(toks) && len(addr) > 0 {
				addr = append(addr, cutAtToken(text, toks[cut]))
				d.addrRows = append(d.addrRows, i)
			}
			break
		}
		if len(addr) > 0 && longestDigitRun(text) >= 8 {
			// A tax or registration number read past its label.
			break
		}
		if sawPostcode && !placeRow(toks) && !(branchRE.MatchString(text) && longestDigitRun(text) <= 4) && !(hasPlaceWord(toks) && !hasDigit(text)) {
			// Past the postcode (or a house number taken for one), an
			// address goes on with its streets, town, state and country
			// or a branch's number and name ("1245-DESA SRI HARTAMAS"),
			// not with other text.
			break
		}
		addr = append(addr, text)
		d.addrRows = append(d.addrRows, i)
		if d.postcodeIn(text) != "" {
			sawPostcode = true
		}
	}
	if len(addr) > 0 {
		r.Merchant.Address = strings.Trim(strings.Join(addr, " "), " ,.")
		c := 0.4
		if sawPostcode {
			c = 0.75
		}
		r.Confidence["merchant.address"] = c
		for i := len(addr) - 1; i >= 0; i-- {
			if pc := d.postcodeIn(addr[i]); pc != "" {
				r.Postcode = pc
				r.Confidence["postcode"] = 0.7
				break
			}
		}
	}

	for i := range d.rows {
		toks := d.toks[i]
		if r.Merchant.Phone == "" && hasAny(toks, contactKW) {
			text := d.rows[i].Text
			k := keywordEnd(text, contactKW)
			if m := phoneRE.FindString(text[k:]); m != "" && countDigits(m) >= 7 {
				r.Merchant.Phone = strings.TrimSpace(m)
				r.Confidence["merchant.phone"] = 0.8
			}
		}
		if r.Merchant.TaxID == "" && hasAny(toks, taxIDKW) && !hasAny(toks, phrases("CO REG", "ROC", "REG NO", "COMPANY NO")) {
			text := d.rows[i].Text
			k := keywordEnd(text, taxIDKW)
			if m := abnRE.FindString(text[k:]); m != "" && hasAny(toks, phrases("ABN")) {
				r.Merchant.TaxID = m
			} else if m := taxValueRE.FindString(text[k:]); m != "" && countDigits(m) >= 6 {
				r.Merchant.TaxID = strings.TrimSpace(m)
			}
			if r.Merchant.TaxID != "" {
				r.Confidence["merchant.tax_id"] = 0.7
			}
		}
	}
}

// beforeAddress reports whether row i, after the merchant's name and
// before any address row, is no part of the address although the address
// follows: the date and time that some tills print under the name, the
// telephone number, or a brand or branch line ("IKEA Cheras", "Licensee of McDonald's") right
// above a row that starts the way street addresses do.
func (d *doc) beforeAddress(i int) bool {
	toks := d.toks[i]
	if hasAny(toks, addressKW) || d.postcodeIn(d.rows[i].Text) != "" || hasAny(toks, headerEndKW) {
		return false
	}
	if longestDigitRun(d.rows[i].Text) >= 6 && !d.startsAddress(i) {
		// A registration number that OCR noise kept regRowRE from
		// recognising: "{C0.n0.639240 H)".
		return i+1 < len(d.rows) && d.startsAddress(i+1)
	}
	if phoneRowRE.MatchString(d.rows[i].Text) || len(findDates(d.rows[i].Text, d.order)) > 0 {
		return i+1 < len(d.rows) && (d.startsAddress(i+1) || regNoRE.MatchString(d.rows[i+1].Text))
	}
	return !hasDigit(d.rows[i].Text) && !placeRow(toks) && i+1 < len(d.rows) && d.startsAddress(i+1)
}

// startsAddress reports whether row i begins as the first line of a street
// address does: with a house, lot or floor number ("NO. 53,", "LOT 1851",
// "3RD FLR", "12, JALAN").
func (d *doc) startsAddress(i int) bool {
	toks := d.toks[i]
	if len(toks) == 0 {
		return false
	}
	if hasAny(toks[:1], phrases("NO", "LOT", "LEVEL", "BLOCK", "BLK", "UNIT", "SUITE", "JALAN", "JLN", "TINGKAT", "LORONG", "WISMA", "PLAZA", "MENARA")) {
		return true
	}
	t := toks[0]
	return hasDigit(t) && len(t) <= 5 && !(len(t) == 5 && allDigits(t))
}

// onlyLegal reports whether row i holds nothing but a legal form and its
// company number ("SDN BHD", "CO. (M) SDN BHD", "S/B (519537-X)"): the end
// of a name printed on two rows.
func (d *doc) onlyLegal(i int) bool {
	text := regNoRE.ReplaceAllString(d.rows[i].Text, " ")
	legal := shortLegalRE.MatchString(strings.TrimSpace(text))
	other := 0
	for _, t := range tokens(text) {
		switch {
		case hasAny([]string{t}, legalWordKW):
			legal = true
		case allDigits(t):
		case len(t) <= 3:
			// "CO", "(M)", and the "S" and "B" of "S/B".
			other++
		default:
			return false
		}
	}
	return legal && other <= 2
}

// nameLike reports whether row i could be the first part of a company
// name printed on two rows: words, with no digits, that are neither
// contact, tax or address rows. Address words must be spelt out here, as
// names hold words one letter from them ("BORONG", "LORONG").
func (d *doc) nameLike(i int) bool {
	text := d.rows[i].Text
	return len(alnum(text)) >= 4 && !hasDigit(text) && strings.ToUpper(text) == text && !d.isContactOrTax(i) &&
		!hasExact(d.toks[i], addressKW) && !placeRow(d.toks[i]) && d.rows[i].Conf >= 50
}

// hasPlaceWord reports whether any of toks is a place or street word
// spelt out.
func hasPlaceWord(toks []string) bool {
	for _, t := range toks {
		if placeWords[t] {
			return true
		}
	}
	return hasExact(toks, addressKW)
}

// hasExact reports whether any phrase is among toks word for word.
func hasExact(toks []string, ps []phrase) bool {
	for _, p := range ps {
		for i := 0; i+len(p) <= len(toks); i++ {
			if slices.Equal(toks[i:i+len(p)], p) {
				return true
			}
		}
	}
	return false
}

// legalWordKW are the words of legal forms.
var legalWordKW = phrases("SDN", "BHD", "BERHAD", "GMBH", "LTD", "LIMITED", "PTY", "PTE", "INC", "LLC", "CORP", "PLC", "LLP")

// longestDigitRun is the length of the longest run of digits in s.
func longestDigitRun(s string) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// nameScore rates row i of the header as the company name.
func (d *doc) nameScore(i, end int) float64 {
	toks := d.toks[i]
	text := d.rows[i].Text
	letters, upper := 0, 0
	for _, c := range text {
		if c >= 'A' && c <= 'Z' {
			letters++
			upper++
		} else if c >= 'a' && c <= 'z' {
			letters++
		}
	}
	if letters < 3 {
		return math.Inf(-1)
	}
	s := 0.0
	if hasAny(toks, legalKW) {
		s += 3
	}
	if hasAny(toks, businessKW) {
		s += 1
	}
	s += 1.5 * (1 - float64(i)/float64(max(end, 1)))
	s += float64(upper) / float64(letters)
	s += float64(letters) / float64(max(len(text), 1))
	if hasAny(toks, addressKW) || d.postcodeIn(text) != "" {
		s -= 2
	}
	if d.isContactOrTax(i) {
		s -= 3
	}
	if placeRow(toks) || hasAny(toks, phrases("TAX INVOICE", "INVOICE", "RECEIPT", "CASH BILL", "OFFICIAL RECEIPT")) {
		// The town line of an address, or the document's title.
		s -= 3
	}
	if len(findDates(text, d.order)) > 0 || len(d.money[i]) > 0 {
		s -= 2
	}
	if letters < 5 {
		s -= 1
	}
	// The name comes before the address, which ends with the postcode.
	for k := range i {
		if d.postcodeIn(d.rows[k].Text) != "" {
			s -= 1.5
			break
		}
	}
	// The name stands right above the address, at most a company number
	// between them.
	for k := i + 1; k <= i+2 && k < len(d.rows); k++ {
		if d.startsAddress(k) {
			s += 0.8
			break
		}
		if !regNoRE.MatchString(d.rows[k].Text) {
			break
		}
	}
	s *= 0.5 + 0.5*d.rows[i].Conf/100
	return s
}

func (d *doc) isContactOrTax(i int) bool {
	return hasAny(d.toks[i], contactKW) || hasAny(d.toks[i], taxIDKW)
}

// legalFix lists legal suffixes whose OCR misreadings are corrected at the
// end of a company name.
var legalFix = []phrase{{"SDN", "BHD"}, {"BHD"}, {"GMBH"}, {"ENTERPRISE"}, {"TRADING"}}

// cleanCompany removes registration numbers and stray punctuation from a
// company name and spells a misread legal suffix right ("SON BHD" becomes
// "SDN BHD"): each of its words must be within one edit of the suffix and
// the suffix must end the name or come just before its last word.
func cleanCompany(s string) string {
	s = ownerRE.ReplaceAllString(s, "")
	s = regNoRE.ReplaceAllString(s, " ")
	s = tailRegNoRE.ReplaceAllString(s, "")
	f := strings.Fields(s)
	junk := func(t string) bool { return strings.Trim(t, "|!:;*#-_.,'\"{}[]()") == "" }
	for len(f) > 0 && junk(f[0]) {
		f = f[1:]
	}
	for len(f) > 0 && junk(f[len(f)-1]) {
		f = f[:len(f)-1]
	}
	if len(f) > 0 {
		f[0] = strings.TrimLeft(f[0], "|!:;*#_,'\"")
	}
	for i, w := range f {
		f[i] = lettersForDigit(w)
	}
	if n := len(f); n > 0 && shortLegalRE.MatchString(f[n-1]) {
		f[n-1] = "S/B"
	}
	for _, fix := range legalFix {
		n := len(fix)
		for k := max(0, len(f)-n-1); k+n <= len(f); k++ {
			match, exact := true, true
			for j, w := range fix {
				if alnum(f[k+j]) != w {
					exact = false
				}
				t := fold(alnum(f[k+j]))
				if len(t) < 3 || EditDistance(t, w) > 1 {
					match = false
				}
			}
			if match && !exact {
				for j, w := range fix {
					f[k+j] = w + trailingPunct(f[k+j])
				}
			}
		}
	}
	return strings.TrimSpace(strings.Join(f, " "))
}

// ownerRE is the "owned by" that some receipts print before the company
// behind a brand.
var ownerRE = regexp.MustCompile(`(?i)^\W*(?:OWN(?:ED)?|OPERATED|MANAGED)\s+BY\b\W*`)

// lettersForDigit spells a word of a company name that OCR read with one
// digit among its letters ("1DEA", "D.1.Y.") with the letter that digit
// resembles. Numbers, ordinals and codes ("99", "3RD", "78G", "U13") keep
// their digits.
func lettersForDigit(w string) string {
	letters, digits := 0, 0
	at := -1
	for i, r := range w {
		switch {
		case r >= '0' && r <= '9':
			digits++
			at = i
		case unicode.IsLetter(r):
			letters++
		}
	}
	if digits != 1 || letters < 2 || !strings.ContainsRune("0158", rune(w[at])) {
		return w
	}
	if at == 0 && letters <= 2 {
		// "1ST", "2ND", "3RD" and the like.
		return w
	}
	return w[:at] + fold(w[at:at+1]) + w[at+1:]
}

func trailingPunct(s string) string {
	i := len(s)
	for i > 0 && strings.ContainsRune(".,", rune(s[i-1])) {
		i--
	}
	return s[i:]
}

// postcodeIn returns the postcode printed in text for the doc's country.
func (d *doc) postcodeIn(text string) string {
	var re *regexp.Regexp
	switch d.country {
	case "AU":
		re = auPostcodeRE
	case "GB":
		re = gbPostcodeRE
	default:
		re = fiveDigitRE
	}
	ms := re.FindAllStringSubmatchIndex(text, -1)
	for k := len(ms) - 1; k >= 0; k-- {
		m := ms[k]
		// A lot or house number is no postcode: "LOT 26151".
		if before := tokens(text[:m[2]]); len(before) > 0 && hasAny(before[len(before)-1:], phrases("LOT", "NO", "PT", "BLOK", "BLOCK", "UNIT")) {
			continue
		}
		return text[m[2]:m[3]]
	}
	return ""
}

// placeRow reports whether a row's words are all place words – states,
// towns and the words of their names – as the last line of an address is.
// Initials ("D.E") and digits are passed over; of three or more place
// words one may be misread beyond recognition.
func placeRow(toks []string) bool {
	n, unknown := 0, 0
	for _, t := range toks {
		if allDigits(t) || len(t) <= 2 {
			continue
		}
		if !placeWords[t] && !placeWords[fold(fixWord(t, 0))] {
			unknown++
			continue
		}
		n++
	}
	return n > 0 && (unknown == 0 || (unknown == 1 && n >= 3))
}

var (
	fiveDigitRE  = regexp.MustCompile(`(?:^|[^\d\-.,/])(\d{5})(?:$|[^\d\-.,/]|[.,](?:\s|$))`)
	auPostcodeRE = regexp.MustCompile(`(?i)\b(?:NSW|VIC|QLD|WA|SA|TAS|ACT|NT)\s+(\d{4})\b`)
	gbPostcodeRE = regexp.MustCompile(`\b([A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b`)
)

func hasDigit(s string) bool { return countDigits(s) > 0 }

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// keywordEnd returns the byte offset in text just after the first match of
// any of the phrases, or 0.
func keywordEnd(text string, ps []phrase) int {
	up := strings.ToUpper(text)
	toks := tokens(text)
	for _, p := range ps {
		if k := matchPhrase(toks, p); k >= 0 {
			// Find the token's position in the text.
			pos := 0
			for j := 0; j <= k+len(p)-1 && j < len(toks); j++ {
				at := strings.Index(up[pos:], toks[j])
				if at < 0 {
					return 0
				}
				pos += at + len(toks[j])
			}
			// Upper-casing may change the length of text that is not
			// valid UTF-8; the offset must stay inside text.
			return min(pos, len(text))
		}
	}
	return 0
}

// cutAtToken returns text up to the first occurrence of tok.
func cutAtToken(text, tok string) string {
	if i := strings.Index(strings.ToUpper(text), tok); i > 0 {
		return strings.TrimSpace(text[:i])
	}
	return ""
}

// mergeHeader reads the merchant again from the page's rows merged with
// head, a second reading of the header: each row read twice is taken word
// by word from the reading that recognised the word with more confidence
// (or whole from the surer reading when the two split it into different
// words), and rows only the second reading found are added. The name and
// the address read from the merged rows replace the page's when they were
// recognised with more confidence.
func (d *doc) mergeHeader(r *Receipt, head []row) {
	merged := mergeRows(d.rows, head)
	md := newDoc(merged, Hints{Country: d.country})
	mr := &Receipt{Confidence: map[string]float64{}, Evidence: map[string][]string{}}
	md.merchant(mr)
	if mr.Merchant.Name != "" && (r.Merchant.Name == "" || md.meanConf(md.nameRows) >= d.meanConf(d.nameRows)) {
		r.Merchant.Name = mr.Merchant.Name
		r.Confidence["merchant.name"] = mr.Confidence["merchant.name"]
	}
	if mr.Merchant.Address != "" && (r.Merchant.Address == "" || md.meanConf(md.addrRows) >= d.meanConf(d.addrRows)) {
		r.Merchant.Address = mr.Merchant.Address
		r.Confidence["merchant.address"] = mr.Confidence["merchant.address"]
		if mr.Postcode != "" {
			r.Postcode = mr.Postcode
		}
	}
}

// mergeRows merges rows, a page's reading, with alt, a second reading of
// part of it (see mergeHeader), and returns the rows top to bottom.
func mergeRows(rows, alt []row) []row {
	out := make([]row, 0, len(rows)+len(alt))
	used := make([]bool, len(alt))
	var band image.Rectangle
	for _, a := range alt {
		band = band.Union(a.Box)
	}
	for _, r := range rows {
		best, bestOv := -1, 0
		for k, a := range alt {
			ov := min(r.Box.Max.Y, a.Box.Max.Y) - max(r.Box.Min.Y, a.Box.Min.Y)
			if !used[k] && ov*2 > min(r.Box.Dy(), a.Box.Dy()) && ov > bestOv {
				best, bestOv = k, ov
			}
		}
		if best < 0 {
			// Specks the second reading did not see are dropped.
			if !(r.Box.Min.Y >= band.Min.Y && r.Box.Max.Y <= band.Max.Y && len(alnum(r.Text)) < 3) {
				out = append(out, r)
			}
			continue
		}
		used[best] = true
		out = append(out, mergeRow(r, alt[best]))
	}
	for k, a := range alt {
		// Rows only the second reading found, when read clearly: a
		// name in large print that the page's reading lost.
		if !used[k] && a.Conf >= 70 && len(alnum(a.Text)) >= 4 {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Box.Min.Y < out[j].Box.Min.Y })
	for i := range out {
		out[i].Index = i
	}
	return out
}

// mergeRow takes each word of a from b when b read the same word (one word
// over the same pixels) with more confidence. When the two readings split
// the row into different words, the surer one is taken whole.
func mergeRow(a, b row) row {
	overlap := func(x, y ocr.Word) bool {
		ov := min(x.Box.Max.X, y.Box.Max.X) - max(x.Box.Min.X, y.Box.Min.X)
		return ov*2 > min(x.Box.Dx(), y.Box.Dx())
	}
	words := make([]ocr.Word, len(a.Words))
	aligned := 0
	for i, w := range a.Words {
		words[i] = w
		var match []int
		for k, v := range b.Words {
			if overlap(w, v) {
				match = append(match, k)
			}
		}
		if len(match) != 1 {
			continue
		}
		v := b.Words[match[0]]
		n := 0
		for _, x := range a.Words {
			if overlap(x, v) {
				n++
			}
		}
		if n != 1 {
			continue
		}
		aligned++
		if v.Conf > w.Conf {
			words[i] = v
		}
	}
	if aligned < len(a.Words) || aligned < len(b.Words) {
		if b.Conf > a.Conf {
			return b
		}
		return a
	}
	out := a
	out.Words = words
	parts := make([]string, len(words))
	var sum float64
	for i, w := range words {
		parts[i] = w.Text
		sum += w.Conf
	}
	out.Text = strings.Join(parts, " ")
	out.Conf = sum / float64(len(words))
	return out
}
