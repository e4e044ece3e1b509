package extract

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/tillhq/till"
)

var (
	// qtyPriceRE is "2 x 0.49", "2@ 0.49", "3 X 1,29", "2 * 0.49".
	qtyPriceRE = regexp.MustCompile(`(?i)(?:^|[^\d.,])(\d{1,3})\s?(?:[x×*@]|pcs?\s?[x@]|ea\.?\s?@?)\s?(\d+[.,]\d{2})(?:\s?/\s?ea)?(?:$|[^\d])`)
	// weightRE is "1.250 kg @ 2.99/kg", "0,456 kg x 3,99 EUR/kg", "500 g x".
	weightRE   = regexp.MustCompile(`(?i)(\d+(?:[.,]\d{1,3})?)\s?(kg|g|mg|ml|l)\b\s?(?:[x×*@]|NET\s?@)\s?(?:[A-Z]{1,3}\s?)?(\d+[.,]\d{2})(?:\s?(?:[A-Z]{3}|€|\$)?\s?/\s?(kg|g|l|ml|100\s?g))?`)
	digitRunRE = regexp.MustCompile(`\d{8,14}`)
	// wholeAmountRE is an amount without cents at the end of a line,
	// grouped in thousands: "74,000", "1.250.000", "175, 000".
	wholeAmountRE = regexp.MustCompile(`(?:^|\s)(\d{1,3}(?:[.,] ?\d{3})+)\s*$`)
	// mergedFlagRE is a price run into the tax class after it, which
	// reads as a third decimal: "6.947", "6.499E" at the end of a line.
	mergedFlagRE = regexp.MustCompile(`(?:^|\s)(\d{1,4}[.,]\d{2})\d[A-Z]?\s*$`)
)

// itemStop are words that never appear on an item line.
var itemStop = phrases("TEL", "FAX", "PHONE", "GST REG", "GST ID", "REG NO", "INVOICE", "RECEIPT", "CASHIER", "DATE", "TIME",
	"TABLE", "PAX", "QTY", "PRICE", "DESCRIPTION", "UHR", "OFFNUNGSZEITEN", "NETTO", "BRUTTO", "CHANGE", "TENDER", "VISA", "MASTERCARD",
	"DEBIT", "CREDIT", "APPROVED", "AUTH", "ACCOUNT", "BALANCE", "POINTS", "MEMBER", "ITEMS SOLD", "TERMINAL", "EFT")

// ParseLine reads one printed item line such as "FRAP 001200010451 F 5.48 N",
// "MILK 2L 2 x 1.99 3.98" or "BANANAS 1.250 kg @ 2.99/kg 3.74". It reports
// false when the line does not end in an amount (optionally followed by a
// tax flag) or has no name.
func ParseLine(s string) (Item, bool) {
	if m := mergedFlagRE.FindStringSubmatchIndex(s); m != nil {
		// The price and the tax class after it read as one figure
		// ("6.94 T" as "6.947"): no till prints prices to a tenth of a
		// cent, so the last digit is the class.
		s = s[:m[3]] + " " + s[m[3]:]
	}
	ms := findMoney(s)
	if len(ms) == 0 {
		// Currencies without cents print whole amounts grouped in
		// thousands ("74,000" rupiah, read "74, 000").
		m := wholeAmountRE.FindStringSubmatchIndex(s)
		if m == nil {
			return Item{}, false
		}
		a, err := ParseAmount(strings.ReplaceAll(s[m[2]:m[3]], " ", ""))
		if err != nil || a.Scale != 0 {
			return Item{}, false
		}
		ms = []money{{a, m[2], m[3]}}
	}
	v := ms[len(ms)-1]
	if !isFlags(s[v.End:]) {
		return Item{}, false
	}
	it := Item{Quantity: Amount{1, 0}, Unit: "each", Value: v.Amount, Price: v.Amount, Line: s}
	nameEnd := ms[0].Start
	qtyStart, qtyEnd := -1, -1
	if m := weightRE.FindStringSubmatchIndex(s); m != nil && m[0] < v.Start {
		q, err1 := parseQuantity(s[m[2]:m[3]])
		p, err2 := ParseAmount(s[m[6]:m[7]])
		if err1 == nil && err2 == nil && q.Units > 0 {
			it.Quantity, it.Unit, it.Price = q, strings.ToLower(s[m[4]:m[5]]), p
			nameEnd = min(nameEnd, m[0])
		}
	} else if m := qtyPriceRE.FindStringSubmatchIndex(s); m != nil && m[2] < v.Start {
		q, err1 := ParseAmount(s[m[2]:m[3]])
		p, err2 := ParseAmount(s[m[4]:m[5]])
		if err1 == nil && err2 == nil && q.Units > 0 {
			it.Quantity, it.Price = q, p
			nameEnd = min(nameEnd, m[2])
			qtyStart, qtyEnd = m[2], m[5]
			// A single amount that is the unit price: the value is the
			// product.
			if m[4] == v.Start {
				it.Value = p.Mul(q)
			}
		}
	}
	for _, m := range digitRunRE.FindAllStringIndex(s, -1) {
		if g := s[m[0]:m[1]]; till.ValidGTIN(g) {
			it.GTIN = g
			nameEnd = min(nameEnd, m[0])
			break
		}
	}
	it.Name = cleanName(s[:nameEnd])
	if letterCount(it.Name) < 2 && qtyStart >= 0 && qtyStart == strings.IndexFunc(s, isDigitRune) {
		// The count and unit price come first, as on Costco's
		// "3 @ 4.29 E 878137 18CT EGGS 12.87 E": the name follows them.
		end := v.Start
		if it.GTIN != "" {
			end = min(end, strings.Index(s, it.GTIN))
		}
		if qtyEnd < end {
			it.Name = cleanName(s[qtyEnd:end])
		}
	}
	if letterCount(it.Name) < 2 {
		return Item{}, false
	}
	it.Conf = 0.5
	return it, true
}

// letterCount counts the letters of s.
func letterCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

func isDigitRune(r rune) bool { return r >= '0' && r <= '9' }

// cleanName trims codes and punctuation around an item name.
func cleanName(s string) string {
	f := strings.Fields(s)
	// Leading article numbers and line numbers, and a tax class printed
	// before the article number ("E 673919 FF BS BREAST" at Costco).
	for len(f) > 1 && (isCode(f[0]) || strings.Trim(f[0], "=|~_-:;.,'\"*#") == "" ||
		len(f) > 2 && len([]rune(f[0])) == 1 && isCode(f[1])) {
		f = f[1:]
	}
	// Trailing codes, flags and stray quantity digits.
	for len(f) > 1 && (isCode(f[len(f)-1]) || len(strings.Trim(f[len(f)-1], "*#-:.|")) <= 1) {
		f = f[:len(f)-1]
	}
	return strings.Trim(strings.Join(f, " "), " -:*|.#=~_\"'")
}

func isCode(t string) bool {
	t = strings.Trim(t, "()#*")
	if len(t) < 4 {
		return allDigits(t) && t != ""
	}
	digits := 0
	for _, r := range t {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return digits*10 >= len(t)*6
}

// items collects the item lines: rows above the first subtotal or total
// row that parse as items and carry no header or payment words. A row that
// is only a quantity and price ("2 x 0.49") belongs to the item above or
// below it; a name row without an amount followed by an amount-only row is
// one item printed on two rows.
func (d *doc) items(r *Receipt) {
	// Items end at the first total row. A subtotal ends them too, unless
	// rows with an article code follow it before the total: some tills
	// print a subtotal between groups of items ("SUBTOTAL 7.59" and then
	// "WOMEN SLIPPE 009725614790 9.86 X" on a Walmart receipt).
	// Rows are judged without the noise trimTail cuts off their ends.
	texts, toks := make([]string, len(d.rows)), make([][]string, len(d.rows))
	for i, r := range d.rows {
		texts[i], toks[i] = r.Text, d.toks[i]
		if t, cut := trimTail(r); cut {
			if _, ok := ParseLine(r.Text); !ok {
				texts[i], toks[i] = t, tokens(t)
			}
		}
	}
	end, sub := len(d.rows), -1
	for i := range d.rows {
		k := kindOf(toks[i])
		if len(d.money[i]) == 0 || i == 0 {
			continue
		}
		if k == kindSubtotal && sub < 0 {
			sub = i
		}
		if k == kindTotal || k == kindRounded {
			end = i
			break
		}
	}
	if sub >= 0 {
		last := sub
		for i := sub + 1; i < end; i++ {
			if kindOf(toks[i]) == kindNone && digitRunRE.MatchString(texts[i]) {
				if _, ok := ParseLine(texts[i]); ok {
					last = i + 1
				}
			}
		}
		end = last
	}
	pendingName := ""
	var pendingQty *Item
	for i := 0; i < end; i++ {
		text, toks := texts[i], toks[i]
		if q, ok := quantityRow(text); ok {
			// "2 x 0,79" on its own row: the quantity of the item above
			// when its value is the product, or else of the item below.
			if n := len(r.Items); n > 0 && r.Items[n-1].Value.Equal(q.Value) && r.Items[n-1].Quantity.Equal(Amount{1, 0}) {
				r.Items[n-1].Quantity, r.Items[n-1].Price = q.Quantity, q.Price
			} else {
				pendingQty = &q
			}
			continue
		}
		if hasAny(toks, itemStop) || len(findDates(text, d.order)) > 0 {
			pendingName = ""
			continue
		}
		if k := kindOf(toks); k != kindNone && !((k == kindCash || k == kindCard) && paymentWordInside(toks)) {
			pendingName = ""
			continue
		}
		it, ok := ParseLine(text)
		if !ok && pendingName != "" && len(d.money[i]) > 0 {
			it, ok = ParseLine(pendingName + " " + text)
		}
		if !ok {
			if len(d.money[i]) == 0 && len(toks) > 0 {
				pendingName = text
			} else {
				pendingName = ""
			}
			continue
		}
		pendingName = ""
		if pendingQty != nil && pendingQty.Value.Equal(it.Value) {
			it.Quantity, it.Price = pendingQty.Quantity, pendingQty.Price
		}
		pendingQty = nil
		if it.Value.Units < 0 {
			r.Discounts = append(r.Discounts, it.Value)
			continue
		}
		if it.Value.Units == 0 {
			continue
		}
		it.Conf = round3(0.3 + 0.6*d.rows[i].Conf/100)
		r.Items = append(r.Items, it)
	}
	if len(r.Items) > 0 {
		var sum float64
		for _, it := range r.Items {
			sum += it.Conf
		}
		r.Confidence["items"] = round3(sum / float64(len(r.Items)))
	}
}

// trimTail returns the text of r without the words after its last
// amount that lie far beyond it (more than twice the amount's height
// away from the word before) or were read with little confidence, and
// whether there were any. On a photo, the texture beside the paper reads
// as such words at the ends of the rows: "3.88 X aaa Raa".
func trimTail(r row) (string, bool) {
	last := -1
	for i, w := range r.Words {
		if len(findMoney(w.Text)) > 0 || mergedFlagRE.MatchString(w.Text) {
			last = i
		}
	}
	if last < 0 {
		return r.Text, false
	}
	h := r.Words[last].Box.Dy()
	end := last + 1
	for end < len(r.Words) {
		w := r.Words[end]
		if w.Conf < 40 || w.Box.Min.X-r.Words[end-1].Box.Max.X > 2*h {
			break
		}
		end++
	}
	if end == len(r.Words) {
		return r.Text, false
	}
	parts := make([]string, end)
	for i, w := range r.Words[:end] {
		parts[i] = w.Text
	}
	return strings.Join(parts, " "), true
}

// paymentWordInside reports whether the payment words of a row (cash,
// card and their kin) all come after its first word: "MILKY BAR CHOC
// 80GR 16.99 A" names a chocolate, while "BAR 10,00" and "VISA 12.00" are
// payments.
func paymentWordInside(toks []string) bool {
	for _, ps := range [][]phrase{cashKW, cardKW} {
		for _, p := range ps {
			if matchPhrase(toks, p) == 0 {
				return false
			}
		}
	}
	return len(toks) > 1
}

// quantityRow reads a row that is only a quantity and a unit price, such
// as "2 x 0,79" or "3 @ 1.99 5.97", and returns it as an item without a
// name whose value is the product.
func quantityRow(text string) (Item, bool) {
	m := qtyPriceRE.FindStringSubmatchIndex(text)
	if m == nil {
		return Item{}, false
	}
	rest := text[:m[2]] + " " + text[m[5]:]
	for _, c := range rest {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' {
			if !strings.ContainsRune("xXAB*", c) {
				return Item{}, false
			}
		}
	}
	q, err1 := ParseAmount(text[m[2]:m[3]])
	p, err2 := ParseAmount(text[m[4]:m[5]])
	if err1 != nil || err2 != nil || q.Units <= 0 {
		return Item{}, false
	}
	return Item{Quantity: q, Unit: "each", Price: p, Value: p.Mul(q)}, true
}

// isFlags reports whether the text after an item's value is what tills
// print there – tax classes and markers such as "N", "A", "B 1", "*", "SR",
// "X E" – or OCR noise of the same size, rather than more figures.
func isFlags(s string) bool {
	f := strings.Fields(s)
	if len(f) > 2 {
		return false
	}
	for _, t := range f {
		if len([]rune(t)) > 3 || strings.ToUpper(t) != t {
			return false
		}
	}
	return countDigits(s) <= 1
}
