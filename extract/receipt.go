// Package extract turns OCR'd receipt pages into receipt fields: the
// merchant and its address, phone and tax id, the date and time, receipt
// number and terminal, the items, and the subtotal, tax, total and payment.
//
// Extraction is deterministic and explainable. Each field is chosen from
// candidates ranked by evidence – keywords read with OCR noise tolerated,
// position on the page, OCR confidence and agreement between redundant
// figures (the total line, the rounded total, cash minus change, subtotal
// plus tax, the sum of the items) – and carries a confidence between 0 and
// 1. Arithmetic cross-checks that fail lower confidences and add warnings.
package extract

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"

	"github.com/tillhq/till/ocr"
)

// Hints are what the caller knows about a receipt before reading it. The
// zero value means nothing is known; the extractor then infers the country
// from the text.
type Hints struct {
	// Country is an ISO 3166-1 alpha-2 code such as "MY", "DE" or "US".
	Country string
}

// Merchant is the shop that issued the receipt.
type Merchant struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	Phone   string `json:"phone"`
	TaxID   string `json:"tax_id"`
}

// Item is one purchased line.
type Item struct {
	Name     string
	Quantity Amount // 1 for a plain line
	Unit     string // each, kg, g, l, mg or ml
	Price    Amount // per unit
	Value    Amount // what the line costs
	GTIN     string // when a printed number passes the check digit
	Conf     float64
	Line     string // the OCR text the item was read from
}

// Receipt is what extraction learnt from one receipt. Fields that were not
// found are zero; Confidence holds an entry for every field that was.
type Receipt struct {
	Merchant Merchant
	Postcode string
	Country  string // inferred or hinted, ISO 3166-1 alpha-2
	Currency string // ISO 4217

	Date     *Date
	Time     *Clock
	Code     string // the receipt or invoice number
	Terminal string // till, lane or terminal id

	Items     []Item
	Subtotal  *Amount
	Discounts []Amount
	Tax       *Amount
	Rounding  *Amount
	Total     *Amount
	Paid      *Amount // cash or card tendered
	Change    *Amount
	Payment   string // cash or card

	WordsCount   int
	AccuracyRate float64 // mean word confidence, 0-1
	OCRHash      string  // SHA-1 hex of the normalised text

	// Confidence maps a field's JSON name to how sure the extractor is,
	// 0-1.
	Confidence map[string]float64
	// Evidence says, for the fields chosen among competing candidates,
	// what spoke for the chosen value.
	Evidence map[string][]string
	// Warnings explain failed cross-checks and doubtful readings.
	Warnings []string
}

// ComputedTotal is the sum of the item values.
func (r *Receipt) ComputedTotal() Amount {
	var s Amount
	s.Scale = 2
	for _, it := range r.Items {
		s = s.Add(it.Value)
	}
	return s
}

// Extract reads the receipt on one OCR page.
func Extract(p ocr.Page, h Hints) *Receipt {
	return extractRows(buildRows(p), p, h, nil, nil)
}

// extractRows does the work of Extract. alt holds rows of other readings
// of parts of the page (region re-reads), offered as extra candidates;
// head, when not nil, is a second reading of the page's header, whose
// merchant name and address replace the full page's when they were read
// with more confidence.
func extractRows(rows []row, p ocr.Page, h Hints, alt [][]row, head []row) *Receipt {
	r := &Receipt{Confidence: map[string]float64{}, Evidence: map[string][]string{}}
	r.WordsCount = len(p.Words)
	if len(p.Words) > 0 {
		var sum float64
		for _, w := range p.Words {
			sum += w.Conf
		}
		r.AccuracyRate = round3(sum / float64(len(p.Words)) / 100)
	}
	r.OCRHash = textHash(rows)

	d := newDoc(rows, h)
	r.Country = d.country
	r.Currency = d.currency()
	if r.Currency != "" {
		r.Confidence["currency"] = 0.7
	}
	d.merchant(r)
	if len(head) > 0 {
		d.mergeHeader(r, head)
	}
	d.dateTime(r, alt)
	d.codes(r)
	d.items(r)
	d.amounts(r, alt)
	return r
}

func round3(f float64) float64 {
	return float64(int64(f*1000+0.5)) / 1000
}

// textHash is the SHA-1 of the page's text reduced to upper-case letters and
// digits, one row per line, so that two reads of the same receipt that
// differ only in spacing or punctuation collide.
func textHash(rows []row) string {
	var b strings.Builder
	for _, r := range rows {
		t := strings.Join(tokens(r.Text), " ")
		if t == "" {
			continue
		}
		b.WriteString(t)
		b.WriteByte('\n')
	}
	sum := sha1.Sum([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// warn adds a warning.
func (r *Receipt) warn(format string) { r.Warnings = append(r.Warnings, format) }
