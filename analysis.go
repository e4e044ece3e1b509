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
	OCRText   string          // the raw OCR text of every image, for moderators
	OCRHash   string          // hash of the normalised text, for duplicate detection
	ImageHash string          // perceptual hash of the first image, hex
	UpdatedAt time.Time
}

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
}
