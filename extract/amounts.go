package extract

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// The keyword families of the amount lines. A row's family is the first
// that matches, in the order of rowKinds, so "SUBTOTAL" is never read as a
// total and "TOTAL GST" is tax.
var (
	notTotalKW = phrases("TOTAL QTY", "TOTAL QUANTITY", "TOTAL ITEM", "TOTAL ITEMS", "TOTAL DISCOUNT", "TOTAL SAVING", "TOTAL SAVINGS",
		"TOTAL NUMBER", "TOTAL PCS", "TOTAL UNITS", "ITEM COUNT", "NO OF ITEMS", "ANZAHL", "TOTAL EXCL", "EXCL GST", "EXCLUDING GST",
		"TOTAL EXCLUDING", "GST SUMMARY", "TAX SUMMARY", "TOTAL POINTS", "POINTS", "TOTAL TENDERED", "NETTO", "TOTAL AMOUNT EXCL")
	subtotalKW  = phrases("SUBTOTAL", "SUB TOTAL", "ZWISCHENSUMME", "SUB-TOTAL", "TOTAL BEFORE", "AMOUNT BEFORE", "TOTAL EXCL", "TOTAL EXCLUDING", "EXCL GST", "TOTAL AMOUNT EXCL", "NETT AMOUNT")
	roundingKW  = phrases("ROUNDING", "ROUNDING ADJ", "RND ADJ", "ROUND ADJ", "ROUNDING ADJUSTMENT", "PEMBULATAN", "ADJUSTMENT", "ROUNDING AMT")
	roundedKW   = phrases("ROUNDED TOTAL", "AFTER ADJ", "AFTER ADJUSTMENT", "AFTER ROUNDING", "TOTAL ROUNDED", "TOTAL AFTER ROUNDING", "ROUNDED", "NETT TOTAL", "NET TOTAL", "GRAND TOTAL", "TOTAL PAYABLE", "AMOUNT PAYABLE", "AMOUNT DUE", "BALANCE DUE", "TOTAL DUE", "ZU ZAHLEN", "GESAMTBETRAG", "TOTAL INCL", "TOTAL INCLUSIVE", "TOTAL AMOUNT")
	totalKW     = phrases("TOTAL", "SUMME", "GESAMT", "BETRAG", "TOTAL RM", "TOTAL SALES", "JUMLAH", "AMOUNT", "AMT", "TOTAAL", "SUM", "SALE", "NETT")
	changeKW    = phrases("CHANGE", "CHANGE DUE", "BAKI", "RUCKGELD", "ZURUCK", "RUECKGELD", "WECHSELGELD", "KEMBALI", "BALANCE")
	cashKW      = phrases("CASH", "TUNAI", "BAR", "BARGELD", "GEGEBEN", "TENDERED", "CASH TEND", "PAID", "PAYMENT", "RECEIVED", "TENDER")
	cardKW      = phrases("VISA", "MASTERCARD", "MASTER", "DEBIT", "CREDIT", "CARD", "EC", "GIROCARD", "KARTE", "EFTPOS", "AMEX", "MAESTRO", "DEBIT TEND", "CREDIT CARD", "KARTENZAHLUNG")
	taxKW       = phrases("GST", "TAX", "SST", "VAT", "MWST", "UST", "SALES TAX", "SERVICE TAX", "TOTAL GST", "TOTAL TAX", "GST 6%", "STEUER", "MWST-BETRAG")
	inclusiveKW = phrases("INCL", "INCLUSIVE", "INC", "INKL")
	// paidKW are the payment rows whose keywords would otherwise read
	// as a total's.
	paidKW     = phrases("PAID AMOUNT", "AMOUNT PAID", "AMT PAID", "PAID AMT", "AMOUNT TENDERED", "AMOUNT RECEIVED")
	discountKW = phrases("DISCOUNT", "DISC", "RABATT", "SAVINGS", "YOU SAVED", "PROMO", "COUPON", "LESS", "NACHLASS", "DISKAUN")
)

// kind is what an amount row states.
type kind int

const (
	kindNone kind = iota
	kindNotTotal
	kindSubtotal
	kindRounding
	kindRounded
	kindTotal
	kindChange
	kindCash
	kindCard
	kindTax
	kindDiscount
)

func (d *doc) kind(i int) kind { return kindOf(d.toks[i]) }

// kindOf is the kind of a row of tokens t.
func kindOf(t []string) kind {
	switch {
	case hasAny(t, paidKW):
		return kindCash
	case hasAny(t, subtotalKW):
		return kindSubtotal
	case hasAny(t, notTotalKW):
		return kindNotTotal
	case hasAny(t, roundingKW) && !hasAny(t, roundedKW):
		return kindRounding
	case hasAny(t, roundedKW):
		return kindRounded
	case hasAny(t, changeKW):
		return kindChange
	case hasAny(t, taxKW) && !(hasAny(t, totalKW) && hasAny(t, inclusiveKW)):
		return kindTax
	case hasAny(t, totalKW):
		return kindTotal
	case hasAny(t, cashKW):
		return kindCash
	case hasAny(t, cardKW):
		return kindCard
	case hasAny(t, discountKW):
		return kindDiscount
	}
	return kindNone
}

// candidate is one reading of an amount with the evidence for it.
type candidate struct {
	Amount Amount
	Score  float64
	Why    []string
}

// amounts picks the subtotal, tax, rounding, total, payment and change, and
// cross-checks them against each other and the items.
func (d *doc) amounts(r *Receipt, alt [][]row) {
	kinds := make([]kind, len(d.rows))
	for i := range d.rows {
		kinds[i] = d.kind(i)
	}
	// pick returns the amount of the first (or, fromEnd, the last) row
	// of kind k that has one, with the OCR confidence (0-1) of its word.
	pick := func(k kind, fromEnd bool) (*Amount, float64) {
		for j := range d.rows {
			i := j
			if fromEnd {
				i = len(d.rows) - 1 - j
			}
			if kinds[i] != k {
				continue
			}
			if m, at, ok := d.lastMoney(i); ok {
				a := m.Amount
				return &a, d.wordConf(at, m.Start, m.End)
			}
		}
		return nil, 0
	}
	first := func(k kind) (*Amount, float64) { return pick(k, false) }
	last := func(k kind) (*Amount, float64) { return pick(k, true) }
	var subConf, roundConf, taxConf, paidConf, changeConf float64
	r.Subtotal, subConf = first(kindSubtotal)
	for i := range d.rows {
		if m, at, ok := d.lastMoney(i); ok && kinds[i] == kindRounding && isAdjustment(m.Amount) {
			a := m.Amount
			r.Rounding, roundConf = &a, d.wordConf(at, m.Start, m.End)
			break
		}
	}
	var taxAt int
	r.Tax, taxAt = d.taxAmount(kinds)
	if r.Tax != nil {
		taxConf = d.rows[taxAt].Conf / 100
	}
	cash, cashConf := first(kindCash)
	card, cardConf := first(kindCard)
	r.Change, changeConf = last(kindChange)
	if cash != nil {
		r.Paid, r.Payment, paidConf = cash, "cash", cashConf
	} else if card != nil {
		r.Paid, r.Payment, paidConf = card, "card", cardConf
	}
	for i := range d.rows {
		if kinds[i] == kindDiscount {
			if m, _, ok := d.lastMoney(i); ok {
				a := m.Amount
				if a.Units > 0 {
					a.Units = -a.Units
				}
				r.Discounts = append(r.Discounts, a)
			}
		}
	}

	// Candidates for the total: every amount on a total-like row, scored
	// by the row's keyword, its position and its OCR confidence; then
	// every cross-check that agrees adds to a candidate's score.
	cands := map[int64]*candidate{}
	get := func(a Amount) *candidate {
		c := cands[a.Cents()]
		if c == nil {
			c = &candidate{Amount: a}
			cands[a.Cents()] = c
		}
		return c
	}
	add := func(a Amount, s float64, why string) {
		if a.Units <= 0 {
			return
		}
		c := get(a)
		c.Score += s
		c.Why = append(c.Why, why)
	}
	// derived holds, for each amount that figures on the page add up to,
	// the OCR confidence of the least sure figure of each sum.
	derived := map[int64][]float64{}
	derive := func(a, b Amount, conf, s float64, why string) {
		sum := a.Add(b)
		if sum.Units <= 0 {
			return
		}
		add(sum, s, why)
		if !a.IsZero() && !b.IsZero() {
			// A figure plus nothing is a second reading, not a sum.
			derived[sum.Cents()] = append(derived[sum.Cents()], conf)
		}
	}
	// Line evidence counts once per amount, at its strongest; each further
	// line with the same amount adds a little (the total is often printed
	// again as the amount tendered).
	lineEv := map[int64]float64{}
	lineN := map[int64]int{}
	lineConf := map[int64]float64{}
	lineAdd := func(a Amount, s, conf float64, why string) {
		if a.Units <= 0 {
			return
		}
		c := get(a)
		k := a.Cents()
		lineN[k]++
		if s > lineEv[k] {
			lineEv[k] = s
		}
		lineConf[k] = max(lineConf[k], conf)
		c.Why = append(c.Why, why)
	}
	n := len(d.rows)
	for i := range d.rows {
		var base float64
		var why string
		switch kinds[i] {
		case kindRounded:
			base, why = 3.5, "rounded/grand total line"
		case kindRounding:
			// "Rounding RM 27.30": a rounding row with a total's
			// amount is the rounded total.
			if m, _, ok := d.lastMoney(i); !ok || isAdjustment(m.Amount) {
				continue
			}
			base, why = 3.5, "rounded/grand total line"
		case kindTotal:
			base, why = 3, "total line"
		case kindCard:
			base, why = 1.2, "card payment"
		case kindCash:
			base, why = 0.6, "cash tendered"
		default:
			continue
		}
		m, at, ok := d.lastMoney(i)
		if !ok {
			continue
		}
		// A total qualified by other words ("Total 0% supplies") or a
		// rate is a partial sum.
		if kinds[i] == kindTotal && (qualifiedTotal(d.toks[i]) || strings.Contains(d.rows[i].Text, "%")) {
			base *= 0.6
		}
		// Several amounts on a total row make it a row of a tax summary
		// table: of net, tax and gross the largest is the gross; of net
		// and tax alone their sum.
		if ms := d.money[i]; len(ms) > 1 && at == i {
			base *= 0.6
			for _, x := range ms {
				if x.Amount.Cmp(m.Amount) > 0 {
					m = x
				}
			}
			if len(ms) == 2 {
				net, tax := ms[0].Amount, ms[1].Amount
				if tax.Cmp(net) > 0 {
					net, tax = tax, net
				}
				if tax.Units >= 0 && tax.Mul(Amount{4, 0}).Cmp(net) < 0 {
					m.Amount = net.Add(tax)
					why = "tax summary: net plus tax"
				}
			}
		}
		// Lower rows are likelier to be the final figure; a total in the
		// header is a column title.
		pos := float64(i) / float64(max(n, 1))
		conf := d.wordConf(at, m.Start, m.End)
		s := base * (0.7 + 0.3*pos) * (0.5 + 0.5*conf)
		lineAdd(m.Amount, s, conf, why)
		if (kinds[i] == kindTotal || kinds[i] == kindRounded) && r.Rounding != nil && !r.Rounding.IsZero() {
			derive(m.Amount, *r.Rounding, min(conf, roundConf), 1, "total plus rounding")
		}
	}
	for _, rows := range alt {
		ad := newDoc(rows, Hints{Country: d.country})
		for i := range ad.rows {
			k := ad.kind(i)
			if k != kindTotal && k != kindRounded {
				continue
			}
			if m, at, ok := ad.lastMoney(i); ok {
				conf := ad.wordConf(at, m.Start, m.End)
				lineAdd(m.Amount, 2*(0.5+0.5*conf), conf, "re-read total line")
			}
		}
	}
	var largest *candidate
	for k, s := range lineEv {
		c := cands[k]
		c.Score += s + 0.3*float64(lineN[k]-1)
		if s >= 1.5 && (largest == nil || c.Amount.Cmp(largest.Amount) > 0) {
			largest = c
		}
	}
	// The grand total is the largest of the amounts on total lines: the
	// others are partial sums, taxes and rounding.
	if largest != nil {
		largest.Score += 0.5
		largest.Why = append(largest.Why, "largest on a total line")
	}
	taxed := r.Tax != nil && !r.Tax.IsZero()
	if r.Paid != nil && r.Change != nil && r.Paid.Cmp(*r.Change) > 0 {
		derive(*r.Paid, Amount{-r.Change.Units, r.Change.Scale}, min(paidConf, changeConf), 1.5, "cash minus change")
	}
	if r.Subtotal != nil && taxed {
		derive(*r.Subtotal, *r.Tax, min(subConf, taxConf), 1, "subtotal plus tax")
	}
	if len(cands) == 0 && len(r.Items) > 1 {
		add(r.ComputedTotal(), 0.5, "sum of items")
	}
	// Malaysian bills are settled rounded to 5 sen: of two readings a few
	// sen apart, the one on the 5-sen grid is the final total, whatever
	// the rounding line says.
	if d.country == "MY" {
		for _, c := range cands {
			if c.Amount.Cents()%5 != 0 {
				continue
			}
			for _, o := range cands {
				if diff := c.Amount.Cents() - o.Amount.Cents(); o != c && o.Amount.Cents()%5 != 0 && diff >= -2 && diff <= 2 && o.Score > 1 {
					c.Score += 0.6
					c.Why = append(c.Why, "on the 5-sen grid")
					break
				}
			}
		}
	}
	// Agreement with the other figures on the page.
	for _, c := range cands {
		if r.Subtotal != nil && !taxed && r.Subtotal.Equal(c.Amount) {
			c.Score += 0.7
			c.Why = append(c.Why, "equals subtotal")
		}
		if len(r.Items) > 1 && r.ComputedTotal().Equal(c.Amount) {
			c.Score += 0.7
			c.Why = append(c.Why, "equals sum of items")
			derived[c.Amount.Cents()] = append(derived[c.Amount.Cents()], 0.5)
		}
	}
	d.misreadTotals(cands, lineEv, lineConf, lineN, derived)
	if len(cands) == 0 {
		// No total line: the largest amount in the lower half of the
		// page, which is where tills print the total.
		var best *Amount
		for i := n / 2; i < n; i++ {
			if kinds[i] == kindChange || kinds[i] == kindCash || kinds[i] == kindTax {
				continue
			}
			for _, m := range d.money[i] {
				if best == nil || m.Amount.Cmp(*best) > 0 {
					a := m.Amount
					best = &a
				}
			}
		}
		if best != nil {
			r.Total = best
			r.Confidence["total"] = 0.2
			r.warn("no total line found; took the largest amount in the lower half")
		}
		return
	}
	list := make([]*candidate, 0, len(cands))
	for _, c := range cands {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].Score != list[j].Score {
			return list[i].Score > list[j].Score
		}
		return list[i].Amount.Cmp(list[j].Amount) > 0
	})
	best := list[0]
	t := best.Amount
	r.Total = &t
	r.Evidence["total"] = best.Why
	if len(list) > 1 {
		r.Evidence["total"] = append(r.Evidence["total"], fmt.Sprintf("score %.2f over %s at %.2f", best.Score, list[1].Amount, list[1].Score))
	}
	margin := best.Score
	if len(list) > 1 {
		margin -= list[1].Score
	}
	r.Confidence["total"] = round3(1 - math.Exp(-(0.25*best.Score + 0.35*margin)))
	d.crossCheck(r)
}

// qualifiedTotal reports whether a total row carries words besides the
// keyword, the currency and its amount, as partial sums do.
func qualifiedTotal(toks []string) bool {
	words := 0
	for _, t := range toks {
		if allDigits(t) || t == "RM" || t == "EUR" || t == "USD" || len(t) == 1 {
			continue
		}
		words++
	}
	return words > 2
}

// taxAmount returns the tax: the amount on a tax row that is not a rate
// table header, preferring a "total tax" row.
func (d *doc) taxAmount(kinds []kind) (*Amount, int) {
	var found *Amount
	at := -1
	for i := range d.rows {
		if kinds[i] != kindTax {
			continue
		}
		m, j, ok := d.lastMoney(i)
		if !ok || m.Units < 0 {
			continue
		}
		a := m.Amount
		if hasAny(d.toks[i], phrases("TOTAL GST", "TOTAL TAX", "GST PAYABLE", "TAX TOTAL")) {
			return &a, j
		}
		if found == nil {
			found, at = &a, j
		}
	}
	return found, at
}

// crossCheck compares the total with the other figures and adjusts the
// confidences and warnings.
func (d *doc) crossCheck(r *Receipt) {
	t := *r.Total
	if r.Subtotal != nil {
		r.Confidence["subtotal"] = 0.6
		if r.Subtotal.Cmp(t) > 0 && r.Rounding == nil && len(r.Discounts) == 0 {
			r.warn(fmt.Sprintf("subtotal %s is more than total %s", r.Subtotal, t))
			r.Confidence["subtotal"] = 0.3
		}
	}
	if r.Tax != nil {
		r.Confidence["tax"] = 0.6
		if r.Tax.Cmp(t) >= 0 {
			r.warn(fmt.Sprintf("tax %s is not less than total %s", r.Tax, t))
			r.Confidence["tax"] = 0.2
		}
	}
	if r.Paid != nil {
		r.Confidence["paid"] = 0.6
		if r.Payment == "cash" && r.Change != nil {
			if r.Paid.Sub(*r.Change).Equal(t) {
				r.Confidence["paid"] = 0.9
				r.Confidence["change"] = 0.9
			} else {
				r.Confidence["change"] = 0.4
				r.warn(fmt.Sprintf("cash %s minus change %s is not the total %s", r.Paid, r.Change, t))
			}
		}
	}
	if len(r.Items) > 0 {
		ct := r.ComputedTotal()
		target := t
		if r.Subtotal != nil {
			target = *r.Subtotal
		}
		if !ct.Equal(target) && !ct.Equal(t) {
			r.warn(fmt.Sprintf("items add up to %s, receipt says %s", ct, target))
		}
	}
}

// isAdjustment reports whether a is small enough to be a rounding
// adjustment: a few cents either way.
func isAdjustment(a Amount) bool {
	c := a.Cents()
	return c > -10 && c < 10
}

// misreadTotals finds the total lines that were misread: an amount read
// on one line only, that no sum supports, one character away from an
// amount the page supports otherwise ("55.20" where cash minus change is
// 53.20, "86.10" where the total plus the rounding is 8.10, "6.70" where
// the nett total and the cash read 8.70), is taken as a reading of that
// amount when the other is surer: supported twice (by two sums, by a sum
// and a line, or by two lines), or once by a sum of figures read with
// more confidence than the line.
func (d *doc) misreadTotals(cands map[int64]*candidate, lineEv, lineConf map[int64]float64, lineN map[int64]int, derived map[int64][]float64) {
	support := func(k int64) int {
		return len(derived[k]) + lineN[k]
	}
	type move struct {
		from, to *candidate
		s        float64
	}
	var moves []move
	for k, s := range lineEv {
		if len(derived[k]) > 0 || lineN[k] > 1 {
			continue
		}
		l := cands[k]
		var best *candidate
		for dk, c := range cands {
			if dk == k || EditDistance(l.Amount.String(), c.Amount.String()) != 1 {
				continue
			}
			if sums := derived[dk]; support(dk) < 2 && (len(sums) == 0 || slices.Max(sums) <= lineConf[k]) {
				continue
			}
			if best == nil || c.Score > best.Score {
				best = c
			}
		}
		if best != nil {
			moves = append(moves, move{l, best, s})
		}
	}
	for _, m := range moves {
		m.from.Score -= m.s / 2
		m.to.Score += m.s
		m.to.Why = append(m.to.Why, "misread as "+m.from.Amount.String()+" on a total line")
	}
}
