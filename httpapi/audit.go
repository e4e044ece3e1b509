package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/tillhq/till"
)

// audit is the answer of GET /receipts/{id}/audit: where a receipt is, why,
// what was read from it, and every processing step that led there.
type audit struct {
	ReceiptID       string          `json:"receipt_id"`
	UserID          string          `json:"user_id"`
	Status          till.Status     `json:"status"`
	StatusReason    string          `json:"status_reason"`
	OCRDone         bool            `json:"ocr_done"`
	Deleted         bool            `json:"deleted"`
	AnalyzedReceipt json.RawMessage `json:"analyzed_receipt"` // null before OCR
	// Items are the item lines with the products they were matched to and
	// the users' decisions.
	Items   []till.ItemLine `json:"items"`
	OCRText string          `json:"ocr_text"`
	Events  []auditEvent    `json:"events"`
}

type auditEvent struct {
	Attempt    int     `json:"attempt"`
	Step       string  `json:"step"`
	Outcome    string  `json:"outcome"`
	Detail     string  `json:"detail"`
	StartedAt  string  `json:"started_at"`
	DurationMS float64 `json:"duration_ms"`
}

// receiptAudit shows moderators and admins a receipt's audit trail, deleted
// receipts included: they stay for fraud checks.
func (s *server) receiptAudit(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	ctx := r.Context()
	rec, err := s.store.Receipt(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	out := audit{
		ReceiptID: rec.ID, UserID: rec.UserID, Status: rec.Status, StatusReason: rec.StatusReason,
		OCRDone: rec.OCRDone, Deleted: rec.DeletedAt != nil, AnalyzedReceipt: json.RawMessage("null"),
		Items: []till.ItemLine{}, Events: []auditEvent{},
	}
	a, err := s.store.Analysis(ctx, rec.ID)
	switch {
	case err == nil:
		out.AnalyzedReceipt, out.OCRText = a.Data, a.OCRText
		if a.Items != nil {
			out.Items = a.Items
		}
	case till.ErrorKind(err) != till.KindNotFound:
		return err
	}
	events, err := s.store.Events(ctx, rec.ID)
	if err != nil {
		return err
	}
	for _, e := range events {
		out.Events = append(out.Events, auditEvent{
			Attempt: e.Attempt, Step: e.Step, Outcome: string(e.Outcome), Detail: e.Detail,
			StartedAt:  e.StartedAt.UTC().Format(time.RFC3339Nano),
			DurationMS: float64(e.Duration.Microseconds()) / 1000,
		})
	}
	return writeJSON(w, http.StatusOK, out)
}
