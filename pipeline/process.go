// Package pipeline is the receipt job: it takes an uploaded receipt from
// its images to an analysed receipt (decode ► prepare ► OCR ► extract ►
// store), records every step in the receipt's audit trail, and moves the
// receipt along the spec's statuses. Queue runs it on River, in the same
// database as the receipts.
package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/tillhq/till"
	"github.com/tillhq/till/extract"
	"github.com/tillhq/till/imaging"
	"github.com/tillhq/till/ocr"
)

// Processor processes one receipt. It is safe for concurrent use when its
// Reader's engine is.
type Processor struct {
	Store  till.Store
	Blobs  till.BlobStore
	Reader *extract.Reader
	Decode imaging.DecodeOptions
	Now    func() time.Time
	Log    *slog.Logger
}

// permanent marks a failure that no retry can mend: the receipt goes to
// FAILED at once with the error's message as its reason.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// IsPermanent reports whether err is a failure no retry can mend.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// Process reads the receipt's images and stores what it learns. It is
// idempotent: run twice, it leaves one analysis and the same status. A
// receipt deleted or gone meanwhile is not an error: there is nothing left
// to do. final says this is the last attempt, so that a transient failure
// also settles the receipt as FAILED instead of leaving it waiting.
//
// The returned error is nil when the receipt is settled (COMPLETED,
// UNRECOGNIZED or FAILED); otherwise it is transient and the job should be
// retried, after the failed attempt's steps were appended to the trail.
func (p *Processor) Process(ctx context.Context, receiptID string, attempt int, final bool) error {
	r, err := p.Store.Receipt(ctx, receiptID)
	if till.ErrorKind(err) == till.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	run := &run{p: p, receiptID: r.ID, attempt: attempt}
	res, err := run.analyse(ctx)
	if err != nil && !IsPermanent(err) && !final {
		if aerr := p.Store.AppendEvents(ctx, run.events); aerr != nil {
			p.Log.Warn("audit trail not saved", "receipt_id", r.ID, "err", aerr)
		}
		return err
	}
	if err != nil {
		msg, _ := till.ErrorMessage(err)
		if till.ErrorKind(err) == till.KindInternal {
			msg = "processing failed: " + err.Error()
		}
		res = till.ReceiptResult{ReceiptID: r.ID, Status: till.StatusFailed, Reason: msg}
	}
	res.Events = run.events
	err = p.Store.SaveResult(ctx, res, p.Now())
	if till.ErrorKind(err) == till.KindNotFound {
		return nil // deleted while it was being read
	}
	return err
}

// run is one attempt at one receipt; it collects the audit trail.
type run struct {
	p         *Processor
	receiptID string
	attempt   int
	events    []till.Event
}

// step times f and records its outcome in the trail.
func (r *run) step(name string, f func() (detail string, err error)) error {
	start := r.p.Now()
	detail, err := f()
	ev := till.Event{
		ReceiptID: r.receiptID, Attempt: r.attempt, Step: name,
		Outcome: till.OutcomeOK, Detail: detail,
		StartedAt: start, Duration: r.p.Now().Sub(start),
	}
	if err != nil {
		ev.Outcome = till.OutcomeFailed
		ev.Detail = err.Error()
	}
	r.events = append(r.events, ev)
	return err
}

func (r *run) analyse(ctx context.Context) (till.ReceiptResult, error) {
	var keys []string
	err := r.step("images", func() (string, error) {
		var err error
		keys, err = r.p.Store.ReceiptImageKeys(ctx, r.receiptID)
		if err != nil {
			return "", err
		}
		if len(keys) == 0 {
			return "", permanent{till.Errorf(till.KindInvalid, "the receipt has no image stored on this server")}
		}
		return fmt.Sprintf("%d image(s)", len(keys)), nil
	})
	if err != nil {
		return till.ReceiptResult{}, err
	}

	var pages []image.Image
	var phash imaging.Hash
	for i, key := range keys {
		var dec imaging.Decoded
		err := r.step("decode", func() (string, error) {
			data, err := r.readBlob(ctx, key)
			if err != nil {
				return "", err
			}
			dec, err = imaging.Decode(data, r.p.Decode)
			if err != nil {
				return "", permanent{err}
			}
			b := dec.Image.Bounds()
			return fmt.Sprintf("%s %s %dx%d", key, dec.Format, b.Dx(), b.Dy()), nil
		})
		if err != nil {
			return till.ReceiptResult{}, err
		}
		if i == 0 {
			phash = imaging.PerceptualHash(dec.Image)
		}
		pages = append(pages, dec.Image)
	}

	var rec *extract.Receipt
	var text string
	err = r.step("ocr+extract", func() (string, error) {
		rec2 := &recorder{Engine: r.p.Reader.Engine}
		rd := *r.p.Reader
		rd.Engine = rec2
		var err error
		rec, err = Read(ctx, &rd, &Prepare, pages...)
		if err != nil {
			return "", err
		}
		text = rec2.text()
		return fmt.Sprintf("%d words, accuracy %.2f, %d items", rec.WordsCount, rec.AccuracyRate, len(rec.Items)), nil
	})
	if err != nil {
		return till.ReceiptResult{}, err
	}

	res := till.ReceiptResult{ReceiptID: r.receiptID}
	err = r.step("classify", func() (string, error) {
		res = result(r.receiptID, rec, text, phash, r.p.Now())
		if res.Status == till.StatusUnrecognized {
			return res.Reason, nil
		}
		return string(res.Status), nil
	})
	return res, err
}

func (r *run) readBlob(ctx context.Context, key string) ([]byte, error) {
	rc, err := r.p.Blobs.Get(ctx, key)
	if till.ErrorKind(err) == till.KindNotFound {
		return nil, permanent{till.Errorf(till.KindInvalid, "image %s is missing from the image store", key)}
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, rc); err != nil {
		return nil, fmt.Errorf("read image %s: %w", key, err)
	}
	return buf.Bytes(), nil
}

// result turns an extraction into the receipt's new state. A receipt with
// neither a total, nor a date, nor a single item line is not a receipt Till
// can use: UNRECOGNIZED, with the reason.
func result(receiptID string, rec *extract.Receipt, text string, phash imaging.Hash, now time.Time) till.ReceiptResult {
	analyzed := rec.Analyzed()
	data, _ := json.Marshal(analyzed) // plain data: cannot fail
	res := till.ReceiptResult{
		ReceiptID: receiptID,
		Status:    till.StatusCompleted,
		Analysis: &till.Analysis{
			ReceiptID: receiptID, Data: data, OCRText: text,
			OCRHash: rec.OCRHash, ImageHash: phash.String(), UpdatedAt: now,
		},
		ReceiptCode:       rec.Code,
		UnrecognizedItems: len(rec.Items),
	}
	if rec.Total != nil {
		res.Total = rec.Total.String()
	}
	res.IssuedAt = issuedAt(rec)
	if rec.Total == nil && rec.Date == nil && len(rec.Items) == 0 {
		res.Status = till.StatusUnrecognized
		res.Reason = fmt.Sprintf("no total, date or item line could be read (%d words)", rec.WordsCount)
	}
	return res
}

// issuedAt is the date and time printed on the receipt, as a wall-clock
// time in UTC (receipts print local time without a zone), or nil when no
// date was read.
func issuedAt(rec *extract.Receipt) *time.Time {
	if rec.Date == nil {
		return nil
	}
	var c extract.Clock
	if rec.Time != nil {
		c = *rec.Time
	}
	t := time.Date(rec.Date.Year, rec.Date.Month, rec.Date.Day, c.Hour, c.Minute, c.Second, 0, time.UTC)
	return &t
}

// recorder passes recognitions through to an engine and keeps the text of
// the full-page ones, for the receipt's audit trail.
type recorder struct {
	ocr.Engine
	mu    sync.Mutex
	pages []string
}

func (r *recorder) Recognize(ctx context.Context, img image.Image, opt ocr.Options) (ocr.Page, error) {
	p, err := r.Engine.Recognize(ctx, img, opt)
	if err == nil && opt.Rect.Empty() {
		r.mu.Lock()
		r.pages = append(r.pages, p.Text())
		r.mu.Unlock()
	}
	return p, err
}

func (r *recorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.pages, "\n")
}
