package till

import (
	"context"
	"encoding/json"
	"time"
)

// Analysis is what processing learnt from a receipt's images. Data is the
// spec's analyzed_receipt document as JSON, so the store needs no knowledge
// of its shape; the fields beside it are the parts other queries use.
type Analysis struct {
	ReceiptID string
	Data      json.RawMessage // the analyzed_receipt object
	Items     []ItemLine      // the item lines, in Data's prices order, with their products
	OCRText   string          // the raw OCR text of every image, for moderators
	OCRHash   string          // hash of the normalised text, for duplicate detection
	ImageHash string          // perceptual hash of the first image, hex
	UpdatedAt time.Time
}

// ItemLine is one item line of an analysed receipt: what was read, and the
// catalogue product Till took it for. Quantity and Value are decimals as
// printed ("2", "5.99"), so that coins are computed from exact figures.
type ItemLine struct {
	Name     string    `json:"name"`
	Line     string    `json:"line,omitempty"`         // the OCR text the item was read from
	GTIN     string    `json:"printed_gtin,omitempty"` // a GTIN printed on the line, check digit verified
	Quantity string    `json:"quantity"`
	Value    string    `json:"value"`
	Match    ItemMatch `json:"match"`
}

// MatchStatus says where an item line stands with the catalogue.
type MatchStatus string

// The statuses of an item line's match.
const (
	// MatchAccepted lines are the product named, and earn its coins.
	MatchAccepted MatchStatus = "matched"
	// MatchNeedsValidation lines are likely the product named, but a
	// person must say so before they earn anything.
	MatchNeedsValidation MatchStatus = "needs_validation"
	// MatchUnmatched lines are no product of the catalogue.
	MatchUnmatched MatchStatus = "unmatched"
)

// MethodUser is the ItemMatch.Method of a line a user decided.
const MethodUser = "user"

// ItemMatch is the product an item line was matched to. GTIN (a GTIN-14),
// BrandID, Partner and Product are empty when no candidate was found.
type ItemMatch struct {
	Status     MatchStatus `json:"status"`
	GTIN       string      `json:"gtin,omitempty"`
	BrandID    string      `json:"brand_id,omitempty"`
	Partner    bool        `json:"partner"`
	Confidence float64     `json:"confidence"`
	// Method is how the product was found: gtin, gtin_completed, alias,
	// name, or MethodUser when a user decided.
	Method  string `json:"method,omitempty"`
	Product string `json:"product,omitempty"` // the catalogue's name for the product
}

// Decided reports whether a user decided the line.
func (m ItemMatch) Decided() bool { return m.Method == MethodUser }

// Outcome is the result of one processing step.
type Outcome string

// Step outcomes.
const (
	OutcomeOK      Outcome = "ok"
	OutcomeFailed  Outcome = "failed"
	OutcomeSkipped Outcome = "skipped"
)

// Event is one entry of a receipt's audit trail: a processing step, how long
// it took and how it ended. Moderators read the trail to see why a receipt
// ended where it did.
type Event struct {
	ReceiptID string
	Attempt   int    // the job attempt that ran the step, from 1
	Step      string // e.g. "decode", "ocr", "extract", "store"
	Outcome   Outcome
	Detail    string // a short human-readable note: the reason of a failure, counts
	StartedAt time.Time
	Duration  time.Duration
}

// ReceiptResult is the outcome of processing a receipt, applied in one
// transaction: the analysis (nil when there is none), the receipt fields
// processing sets, the new status and the audit events.
type ReceiptResult struct {
	ReceiptID         string
	Status            Status
	Reason            string // why a receipt is FAILED or UNRECOGNIZED
	Analysis          *Analysis
	RetailerID        string
	RetailerName      string
	ReceiptCode       string
	IssuedAt          *time.Time
	Total             string
	RecognizedItems   int
	UnrecognizedItems int
	Events            []Event
}

// ProcessingStore keeps what processing produces.
type ProcessingStore interface {
	// SaveResult applies res to its receipt in one transaction: it replaces
	// any earlier analysis (so a job run twice leaves one result), sets the
	// receipt's processing fields, marks OCR done when there is an
	// analysis, and appends the events. A deleted or unknown receipt is
	// KindNotFound.
	SaveResult(ctx context.Context, res ReceiptResult, now time.Time) error
	// Analysis returns a receipt's analysis, or KindNotFound when it has
	// none yet.
	Analysis(ctx context.Context, receiptID string) (*Analysis, error)
	// Events returns a receipt's audit trail, oldest first.
	Events(ctx context.Context, receiptID string) ([]Event, error)
	// AppendEvents adds entries to a receipt's audit trail without
	// changing it otherwise, e.g. a failed attempt that will be retried.
	AppendEvents(ctx context.Context, events []Event) error
	// ResumeReceipt applies a user's answer to a receipt waiting for one,
	// and sends the receipt back to processing, in one transaction (see
	// Resume). It fails with KindNotFound when the receipt is not the
	// user's or is deleted, and with KindConflict when it is not in
	// status res.From.
	ResumeReceipt(ctx context.Context, res Resume, now time.Time) error
}

// Resume is a user's answer to a receipt that waits for one: the retailer
// of a receipt in SET_RETAILERS, or the products of the lines of one in
// SET_PRODUCTS. The receipt moves from From to To (the matching _PENDING
// status) and its processing is enqueued again.
type Resume struct {
	UserID    string
	ReceiptID string
	From, To  Status
	// RetailerID and RetailerName, when RetailerID is not empty, become
	// the receipt's retailer.
	RetailerID   string
	RetailerName string
	// Items, when not nil, replace the item lines of the receipt's
	// analysis.
	Items []ItemLine
	// Event is added to the receipt's audit trail.
	Event Event
}
