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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tillhq/till"
	"github.com/tillhq/till/catalog"
	"github.com/tillhq/till/coins"
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
	// Catalogue is what retailers are detected and items matched against;
	// nil leaves both out, and every readable receipt COMPLETED without
	// coins.
	Catalogue *Catalogue
	// Ledger awards the coins of completed receipts; nil awards none.
	Ledger *coins.Ledger
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

// Process takes the receipt as far as it can go and stores what it learns.
//
// A receipt is read once: its images are decoded, recognised and
// extracted, and the analysis is stored. Every run then decides from the
// stored reading: the retailer (detected in the catalogue, or the one the
// receipt already has – set by a user, or detected before), the product of
// each item line (a user's decision stands), and the status. A receipt
// whose retailer cannot be told goes to SET_RETAILERS; one with a doubtful
// line that would earn coins to SET_PRODUCTS; the user's answer sends it
// back here (see till.Resume). A COMPLETED receipt's matched lines are
// awarded their coins, which are then released at once (no moderation
// holds them yet).
//
// It is idempotent: run twice, it leaves one analysis, the same status and
// the same ledger. A receipt deleted or gone meanwhile is not an error:
// there is nothing left to do. final says this is the last attempt, so
// that a transient failure also settles the receipt as FAILED instead of
// leaving it waiting.
//
// The returned error is nil when the receipt is settled; otherwise it is
// transient and the job should be retried, after the failed attempt's
// steps were appended to the trail.
func (p *Processor) Process(ctx context.Context, receiptID string, attempt int, final bool) error {
	r, err := p.Store.Receipt(ctx, receiptID)
	if till.ErrorKind(err) == till.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	run := &run{p: p, receiptID: r.ID, attempt: attempt}
	res, award, err := run.process(ctx, r)
	if err == nil && res.Status == "" {
		return nil // settled before: nothing to do
	}
	if err == nil && award != nil {
		err = run.award(ctx, r, award)
	}
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
	if err != nil || res.Status != till.StatusCompleted || award == nil {
		return err
	}
	return run.release(ctx)
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

// process reads the receipt, or takes its stored reading, and decides its
// status. It returns the result to store and the lines to award coins to
// (nil unless COMPLETED), or a zero result when the receipt was settled
// before and there is nothing to redo.
func (r *run) process(ctx context.Context, rc *till.Receipt) (till.ReceiptResult, []coins.Item, error) {
	a, err := r.p.Store.Analysis(ctx, rc.ID)
	switch {
	case err == nil:
		switch rc.Status {
		case till.StatusUnrecognized, till.StatusFailed, till.StatusHidden:
			return till.ReceiptResult{}, nil, nil
		}
		return r.decide(ctx, rc, stored(rc, a))
	case till.ErrorKind(err) != till.KindNotFound:
		return till.ReceiptResult{}, nil, err
	}
	rd, err := r.read(ctx)
	if err != nil || rd.res.Status == till.StatusUnrecognized {
		return rd.res, nil, err
	}
	return r.decide(ctx, rc, rd)
}

// reading is what was read from a receipt: the result so far (fields,
// analysis) and what retailer detection needs.
type reading struct {
	res    till.ReceiptResult
	fields *extract.Receipt
}

// stored is the reading of a receipt read before: its analysis, and the
// fields the receipt kept.
func stored(rc *till.Receipt, a *till.Analysis) reading {
	var an extract.Analyzed
	_ = json.Unmarshal(a.Data, &an) // stored by read; a damaged one detects nothing
	return reading{
		res: till.ReceiptResult{
			ReceiptID: rc.ID, Status: till.StatusCompleted, Analysis: a,
			ReceiptCode: rc.ReceiptCode, IssuedAt: rc.IssuedAt, Total: rc.Total,
		},
		fields: &extract.Receipt{Merchant: an.Merchant, Postcode: an.Postcode},
	}
}

// read decodes, recognises and extracts the receipt's images.
func (r *run) read(ctx context.Context) (reading, error) {
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
		return reading{}, err
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
			return reading{}, err
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
		return reading{}, err
	}

	var res till.ReceiptResult
	err = r.step("classify", func() (string, error) {
		res = result(r.receiptID, rec, text, phash, r.p.Now())
		if res.Status == till.StatusUnrecognized {
			return res.Reason, nil
		}
		return "a receipt", nil
	})
	return reading{res: res, fields: rec}, err
}

// decide finds the receipt's retailer and its lines' products and settles
// its status; see Process.
func (r *run) decide(ctx context.Context, rc *till.Receipt, rd reading) (till.ReceiptResult, []coins.Item, error) {
	res := rd.res
	items := res.Analysis.Items
	res.RetailerID, res.RetailerName = rc.RetailerID, rc.RetailerName
	res.Status = till.StatusCompleted
	if r.p.Catalogue == nil {
		res.RecognizedItems, res.UnrecognizedItems = 0, len(items)
		return res, nil, nil
	}
	snap, err := r.p.Catalogue.get(ctx)
	if err != nil {
		return res, nil, fmt.Errorf("catalogue: %w", err)
	}

	if res.RetailerID == "" && snap.retailers {
		err := r.step("retailer", func() (string, error) {
			d := snap.index.DetectRetailer(rd.fields)
			if d.RetailerID == "" {
				return fmt.Sprintf("no retailer found (best %.2f)", d.Confidence), nil
			}
			ret, err := r.p.Store.Retailer(ctx, d.RetailerID)
			if till.ErrorKind(err) == till.KindNotFound {
				return fmt.Sprintf("retailer %s left the catalogue", d.RetailerID), nil
			}
			if err != nil {
				return "", err
			}
			res.RetailerID, res.RetailerName = ret.ID, ret.Name
			return fmt.Sprintf("%s (%.2f): %s", d.RetailerID, d.Confidence, strings.Join(d.Evidence, "; ")), nil
		})
		if err != nil {
			return res, nil, err
		}
	}

	var ask, matched int
	_ = r.step("match", func() (string, error) {
		for i := range items {
			it := &items[i]
			if !it.Match.Decided() {
				ex := extract.Item{Name: it.Name, GTIN: it.GTIN, Line: it.Line}
				it.Match = itemMatch(snap.index.MatchItem(res.RetailerID, &ex))
			}
			switch it.Match.Status {
			case till.MatchAccepted:
				matched++
			case till.MatchNeedsValidation:
				if snap.earns(it.Match.BrandID) {
					ask++
				}
			}
		}
		return fmt.Sprintf("%d of %d lines matched, %d to confirm", matched, len(items), ask), nil
	})
	res.RecognizedItems, res.UnrecognizedItems = matched, len(items)-matched

	switch {
	case res.RetailerID == "" && snap.retailers:
		res.Status = till.StatusSetRetailers
		return res, nil, nil
	case ask > 0:
		res.Status = till.StatusSetProducts
		return res, nil, nil
	}
	if r.p.Ledger == nil {
		return res, nil, nil
	}
	var award []coins.Item
	for i, it := range items {
		if it.Match.Status != till.MatchAccepted || strings.HasPrefix(it.Quantity, "-") || strings.HasPrefix(it.Value, "-") {
			continue // a refund or discount line earns nothing
		}
		award = append(award, coins.Item{Key: strconv.Itoa(i), BrandID: it.Match.BrandID, Quantity: it.Quantity, Value: it.Value})
	}
	return res, award, nil
}

// itemMatch is a catalogue match as a receipt keeps it.
func itemMatch(m catalog.Match) till.ItemMatch {
	status := till.MatchUnmatched
	switch m.Status {
	case catalog.StatusAuto:
		status = till.MatchAccepted
	case catalog.StatusNeedsValidation:
		status = till.MatchNeedsValidation
	}
	return till.ItemMatch{
		Status: status, GTIN: m.GTIN, BrandID: m.BrandID, Partner: m.Partner,
		Confidence: m.Confidence, Method: string(m.Method), Product: m.Product,
	}
}

// award writes the pending coins of the receipt's matched lines.
func (r *run) award(ctx context.Context, rc *till.Receipt, items []coins.Item) error {
	snap, err := r.p.Catalogue.get(ctx)
	if err != nil {
		return fmt.Errorf("catalogue: %w", err)
	}
	return r.step("coins", func() (string, error) {
		a, err := r.p.Ledger.Award(ctx, rc, items, snap.rules)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d line(s) awarded %s units", len(a.Entries), a.Total()), nil
	})
}

// release moves the completed receipt's pending coins to earned, and
// records the step in the trail.
func (r *run) release(ctx context.Context) error {
	r.events = nil
	err := r.step("release", func() (string, error) {
		out, err := r.p.Ledger.Release(ctx, r.receiptID)
		return fmt.Sprintf("%d line(s) released", len(out)), err
	})
	if aerr := r.p.Store.AppendEvents(ctx, r.events); aerr != nil && err == nil {
		err = aerr
	}
	return err
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
	res.Analysis.Items = make([]till.ItemLine, len(rec.Items))
	for i, it := range rec.Items {
		res.Analysis.Items[i] = till.ItemLine{
			Name: it.Name, Line: it.Line, GTIN: it.GTIN,
			Quantity: it.Quantity.String(), Value: it.Value.String(),
			Match: till.ItemMatch{Status: till.MatchUnmatched},
		}
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
