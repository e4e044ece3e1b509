package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tillhq/till"
)

// ReceiptImageKeys returns the keys of the receipt's images that Till
// stores, in the order of the receipt's image list. It fails with
// KindNotFound when there is no such receipt.
func (s *Store) ReceiptImageKeys(ctx context.Context, receiptID string) ([]string, error) {
	var seq int64
	err := s.queryRow(ctx, s.r, `SELECT seq FROM receipts WHERE id = $1`, receiptID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, till.NotFound("receipt")
	}
	if err != nil {
		return nil, s.fail("receipt image keys", err)
	}
	rows, err := s.query(ctx, s.r, `SELECT image_key FROM receipt_images WHERE receipt_seq = $1 ORDER BY position`, seq)
	if err != nil {
		return nil, s.fail("receipt image keys", err)
	}
	defer rows.Close()
	keys := []string{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, s.fail("receipt image keys", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("receipt image keys", err)
	}
	return keys, nil
}

// SaveResult applies a processing result to its live receipt in one
// transaction. The receipt's processing fields and status are replaced; an
// analysis replaces any earlier one, while a result without one (a failure)
// keeps what an earlier run stored, so OCR stays done once it was. The
// events are appended. It fails with KindNotFound when the receipt is
// unknown or deleted, and KindInvalid for an unknown status.
func (s *Store) SaveResult(ctx context.Context, res till.ReceiptResult, now time.Time) error {
	if res.Status.Code() < 0 {
		return till.Invalid("status", "unknown status %q", res.Status)
	}
	return s.inTx(ctx, "save result", func(tx *sql.Tx) error {
		r, err := s.exec(ctx, tx, `UPDATE receipts SET status = $1, status_reason = $2, retailer_id = $3,
			retailer_name = $4, receipt_code = $5, issued_us = $6, total = $7,
			recognized_items = $8, unrecognized_items = $9, ocr_done = (ocr_done OR $10), updated_us = $11
			WHERE id = $12 AND deleted_us IS NULL`,
			string(res.Status), res.Reason, res.RetailerID, res.RetailerName, res.ReceiptCode,
			nullUS(res.IssuedAt), res.Total, res.RecognizedItems, res.UnrecognizedItems,
			res.Analysis != nil, us(now), res.ReceiptID)
		if err != nil {
			return s.fail("save result", err)
		}
		if n, err := r.RowsAffected(); err != nil {
			return s.fail("save result", err)
		} else if n == 0 {
			return till.NotFound("receipt")
		}
		if a := res.Analysis; a != nil {
			items, err := itemsJSON(a.Items)
			if err != nil {
				return err
			}
			_, err = s.exec(ctx, tx, `INSERT INTO analyses (receipt_id, data, items, ocr_text, ocr_hash, image_hash, updated_us)
				VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (receipt_id) DO UPDATE SET data = excluded.data, items = excluded.items, ocr_text = excluded.ocr_text,
					ocr_hash = excluded.ocr_hash, image_hash = excluded.image_hash, updated_us = excluded.updated_us`,
				res.ReceiptID, string(a.Data), items, a.OCRText, a.OCRHash, a.ImageHash, us(now))
			if err != nil {
				return s.fail("save result", err)
			}
		}
		return s.appendEvents(ctx, tx, res.ReceiptID, res.Events)
	})
}

// AppendEvents adds entries to receipts' audit trails. It fails with
// KindNotFound when an event names no receipt.
func (s *Store) AppendEvents(ctx context.Context, events []till.Event) error {
	if len(events) == 0 {
		return nil
	}
	return s.inTx(ctx, "append events", func(tx *sql.Tx) error {
		return s.appendEvents(ctx, tx, "", events)
	})
}

// appendEvents inserts events; a non-empty receiptID overrides theirs.
func (s *Store) appendEvents(ctx context.Context, tx *sql.Tx, receiptID string, events []till.Event) error {
	for _, e := range events {
		id := e.ReceiptID
		if receiptID != "" {
			id = receiptID
		}
		_, err := s.exec(ctx, tx, `INSERT INTO receipt_events (receipt_id, attempt, step, outcome, detail, started_us, duration_us)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, e.Attempt, e.Step, string(e.Outcome), e.Detail, us(e.StartedAt), e.Duration.Microseconds())
		if s.class(err) == ClassForeignKey {
			return till.NotFound("receipt")
		}
		if err != nil {
			return s.fail("append events", err)
		}
	}
	return nil
}

// Analysis returns the receipt's analysis, or KindNotFound when it has none.
func (s *Store) Analysis(ctx context.Context, receiptID string) (*till.Analysis, error) {
	return s.analysis(ctx, s.r, receiptID)
}

func (s *Store) analysis(ctx context.Context, q querier, receiptID string) (*till.Analysis, error) {
	a := till.Analysis{ReceiptID: receiptID}
	var data, items string
	var updated int64
	err := s.queryRow(ctx, q, `SELECT data, items, ocr_text, ocr_hash, image_hash, updated_us FROM analyses WHERE receipt_id = $1`,
		receiptID).Scan(&data, &items, &a.OCRText, &a.OCRHash, &a.ImageHash, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, till.NotFound("analysis")
	}
	if err != nil {
		return nil, s.fail("analysis", err)
	}
	a.Data = []byte(data)
	if err := json.Unmarshal([]byte(items), &a.Items); err != nil {
		return nil, fmt.Errorf("analysis of receipt %s: stored item lines: %w", receiptID, err)
	}
	a.UpdatedAt = fromUS(updated)
	return &a, nil
}

// itemsJSON is the stored form of item lines: a JSON list, never null.
func itemsJSON(items []till.ItemLine) (string, error) {
	if items == nil {
		items = []till.ItemLine{}
	}
	b, err := json.Marshal(items)
	if err != nil {
		return "", fmt.Errorf("encode item lines: %w", err)
	}
	return string(b), nil
}

// ResumeReceipt applies a user's answer to a receipt waiting for one and,
// in the same transaction, runs the processing hook, so that the receipt
// is not left pending without a job. It fails with KindNotFound when the
// receipt is not the user's or is deleted, KindConflict when it is not in
// status res.From, and KindNotFound when res.Items is set but the receipt
// has no analysis.
func (s *Store) ResumeReceipt(ctx context.Context, res till.Resume, now time.Time) error {
	if res.From.Code() < 0 || res.To.Code() < 0 {
		return till.Invalid("status", "unknown status %q or %q", res.From, res.To)
	}
	return s.inTx(ctx, "resume receipt", func(tx *sql.Tx) error {
		r, err := s.exec(ctx, tx, `UPDATE receipts SET status = $1,
			retailer_id = CASE WHEN $2 = '' THEN retailer_id ELSE $2 END,
			retailer_name = CASE WHEN $2 = '' THEN retailer_name ELSE $3 END,
			updated_us = $4
			WHERE id = $5 AND user_id = $6 AND deleted_us IS NULL AND status = $7`,
			string(res.To), res.RetailerID, res.RetailerName, us(now), res.ReceiptID, res.UserID, string(res.From))
		if err != nil {
			return s.fail("resume receipt", err)
		}
		if n, err := r.RowsAffected(); err != nil {
			return s.fail("resume receipt", err)
		} else if n == 0 {
			var status string
			err := s.queryRow(ctx, tx, `SELECT status FROM receipts WHERE id = $1 AND user_id = $2 AND deleted_us IS NULL`,
				res.ReceiptID, res.UserID).Scan(&status)
			if errors.Is(err, sql.ErrNoRows) {
				return till.NotFound("receipt")
			}
			if err != nil {
				return s.fail("resume receipt", err)
			}
			return till.Errorf(till.KindConflict, "the receipt is %s, not %s: it is not waiting for this answer", status, res.From)
		}
		if res.Items != nil {
			items, err := itemsJSON(res.Items)
			if err != nil {
				return err
			}
			r, err := s.exec(ctx, tx, `UPDATE analyses SET items = $1, updated_us = $2 WHERE receipt_id = $3`, items, us(now), res.ReceiptID)
			if err != nil {
				return s.fail("resume receipt", err)
			}
			if n, err := r.RowsAffected(); err != nil {
				return s.fail("resume receipt", err)
			} else if n == 0 {
				return till.NotFound("analysis")
			}
		}
		if res.Event.Step != "" {
			if err := s.appendEvents(ctx, tx, res.ReceiptID, []till.Event{res.Event}); err != nil {
				return err
			}
		}
		if s.onProcess == nil {
			return nil
		}
		rec, err := s.receipt(ctx, tx, res.ReceiptID)
		if err != nil {
			return err
		}
		return s.onProcess(ctx, tx, []*till.Receipt{rec})
	})
}

// Events returns the receipt's audit trail, oldest first; empty, not an
// error, for a receipt with none.
func (s *Store) Events(ctx context.Context, receiptID string) ([]till.Event, error) {
	rows, err := s.query(ctx, s.r, `SELECT attempt, step, outcome, detail, started_us, duration_us
		FROM receipt_events WHERE receipt_id = $1 ORDER BY id`, receiptID)
	if err != nil {
		return nil, s.fail("events", err)
	}
	defer rows.Close()
	events := []till.Event{}
	for rows.Next() {
		e := till.Event{ReceiptID: receiptID}
		var outcome string
		var started, dur int64
		if err := rows.Scan(&e.Attempt, &e.Step, &outcome, &e.Detail, &started, &dur); err != nil {
			return nil, s.fail("events", err)
		}
		e.Outcome = till.Outcome(outcome)
		e.StartedAt = fromUS(started)
		e.Duration = time.Duration(dur) * time.Microsecond
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("events", err)
	}
	return events, nil
}
