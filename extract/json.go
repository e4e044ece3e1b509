package extract

import "time"

// Analyzed is a receipt in the shape of the spec's "analyzed_receipt", plus
// the merchant, currency, confidences, evidence and warnings the spec leaves
// to the implementation. Amounts the spec shows as strings are strings;
// item prices, quantities and values are numbers, as in its example.
type Analyzed struct {
	Data           AnalyzedData        `json:"data"`
	ReceiptDate    string              `json:"receipt_date"` // DD/MM/YYYY, as in the spec's example
	ReceiptTime    string              `json:"receipt_time"`
	ReceiptTS      string              `json:"receipt_ts"` // ISO 8601, local time as printed
	ReceiptCode    string              `json:"receipt_code"`
	Retailer       string              `json:"retailer"`
	Postcode       string              `json:"postcode"`
	TermID         string              `json:"term_id"`
	WordsCount     int                 `json:"words_count"`
	AccuracyRate   float64             `json:"accuracy_rate"`
	Barcode        string              `json:"barcode"`
	ReceiptBarcode string              `json:"receipt_barcode"`
	OCRHash        string              `json:"ocr_hash"`
	Merchant       Merchant            `json:"merchant"`
	Currency       string              `json:"currency"`
	Confidence     map[string]float64  `json:"confidence"`
	Evidence       map[string][]string `json:"evidence,omitempty"`
	Warnings       []string            `json:"warnings"`
}

// AnalyzedData is the "data" object of an analysed receipt.
type AnalyzedData struct {
	Prices        []AnalyzedPrice `json:"prices"`
	Total         *string         `json:"total"`
	Tax           *string         `json:"tax"`
	ComputedTotal string          `json:"computed_total"`
}

// AnalyzedPrice is one item of an analysed receipt.
type AnalyzedPrice struct {
	GTIN     string  `json:"gtin"`
	Name     string  `json:"name"`
	Price    float64 `json:"price"`
	Quantity float64 `json:"quantity"`
	Unit     string  `json:"unit"`
	Value    float64 `json:"value"`
}

// Analyzed renders the receipt in the spec's shape. The retailer is the
// merchant's name as printed: mapping it to a retailer id is the catalogue's
// job. Barcodes are left empty: they come from the image, not the text.
func (r *Receipt) Analyzed() Analyzed {
	a := Analyzed{
		ReceiptCode:  r.Code,
		Retailer:     r.Merchant.Name,
		Postcode:     r.Postcode,
		TermID:       r.Terminal,
		WordsCount:   r.WordsCount,
		AccuracyRate: r.AccuracyRate,
		OCRHash:      r.OCRHash,
		Merchant:     r.Merchant,
		Currency:     r.Currency,
		Confidence:   r.Confidence,
		Evidence:     r.Evidence,
		Warnings:     r.Warnings,
	}
	if a.Warnings == nil {
		a.Warnings = []string{}
	}
	a.Data.Prices = make([]AnalyzedPrice, len(r.Items))
	for i, it := range r.Items {
		a.Data.Prices[i] = AnalyzedPrice{
			GTIN: it.GTIN, Name: it.Name, Price: it.Price.Float(),
			Quantity: it.Quantity.Float(), Unit: it.Unit, Value: it.Value.Float(),
		}
	}
	if r.Total != nil {
		s := r.Total.String()
		a.Data.Total = &s
	}
	if r.Tax != nil {
		s := r.Tax.String()
		a.Data.Tax = &s
	}
	a.Data.ComputedTotal = r.ComputedTotal().String()
	if r.Date != nil {
		a.ReceiptDate = time.Date(r.Date.Year, r.Date.Month, r.Date.Day, 0, 0, 0, 0, time.UTC).Format("02/01/2006")
		t := time.Date(r.Date.Year, r.Date.Month, r.Date.Day, 0, 0, 0, 0, time.UTC)
		if r.Time != nil {
			t = t.Add(time.Duration(r.Time.Hour)*time.Hour + time.Duration(r.Time.Minute)*time.Minute + time.Duration(r.Time.Second)*time.Second)
		}
		a.ReceiptTS = t.Format("2006-01-02T15:04:05Z")
	}
	if r.Time != nil {
		c := *r.Time
		c.HasSeconds = true
		a.ReceiptTime = c.String()
	}
	return a
}
