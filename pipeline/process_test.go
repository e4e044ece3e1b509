package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tillhq/till"
	"github.com/tillhq/till/blob"
	"github.com/tillhq/till/imaging"
	"github.com/tillhq/till/internal/testreceipt"
	"github.com/tillhq/till/ocr"
	"github.com/tillhq/till/sqlite"
	"github.com/tillhq/till/sqlstore"
)

// TestMain re-executes the test binary with OMP_THREAD_LIMIT=1, as
// cmd/till does: Tesseract's OpenMP runtime reads it when the library
// loads, before any Go code runs.
func TestMain(m *testing.M) {
	if err := ocr.EnsureThreadLimit(); err != nil {
		fmt.Fprintln(os.Stderr, "pipeline tests:", err)
	}
	os.Exit(m.Run())
}

var (
	poolOnce sync.Once
	pool     *ocr.Pool
	poolErr  error
)

// engines returns one OCR pool shared by the package's tests.
func engines(t *testing.T) *ocr.Pool {
	poolOnce.Do(func() { pool, poolErr = ocr.NewPool(ocr.Config{Size: 2}) })
	if poolErr != nil {
		t.Fatalf("OCR engines: %v", poolErr)
	}
	return pool
}

// env is a store, an image folder and a user to add receipts for.
type env struct {
	t     *testing.T
	store *sqlstore.Store
	blobs *blob.Dir
	user  *till.User
	p     *Processor
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "till.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return setupEnv(t, st, dir)
}

func setupEnv(t *testing.T, st *sqlstore.Store, dir string) *env {
	t.Helper()
	blobs, err := blob.NewDir(filepath.Join(dir, "images"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := till.NewUser("alice", till.RoleUser, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: st, blobs: blobs, user: u}
	e.p = &Processor{Store: st, Blobs: blobs, Reader: NewReader(engines(t)), Now: time.Now, Log: slog.New(slog.DiscardHandler)}
	return e
}

// receipt stores an image (nil for none stored) and a receipt showing it.
func (e *env) receipt(img []byte) *till.Receipt {
	e.t.Helper()
	ctx := e.t.Context()
	var keys []string
	if img != nil {
		key := fmt.Sprintf("2026/11/23/%d.png", time.Now().UnixNano())
		if err := e.blobs.Put(ctx, key, bytes.NewReader(img), int64(len(img)), "image/png"); err != nil {
			e.t.Fatal(err)
		}
		keys = []string{key}
	}
	now := time.Now()
	r := &till.Receipt{
		ID: fmt.Sprintf("r-%d", now.UnixNano()), UserID: e.user.ID, Images: []string{"http://till.test/x.png"},
		StoreID: "s1", LocationName: "Store", Status: till.StatusInitial, CreatedAt: now, UpdatedAt: now,
	}
	if err := e.store.CreateReceipt(ctx, r, keys); err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) get(id string) *till.Receipt {
	e.t.Helper()
	r, err := e.store.Receipt(e.t.Context(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) steps(id string) string {
	e.t.Helper()
	events, err := e.store.Events(e.t.Context(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	var s []string
	for _, ev := range events {
		s = append(s, fmt.Sprintf("%d:%s:%s", ev.Attempt, ev.Step, ev.Outcome))
	}
	return strings.Join(s, " ")
}

func TestProcessCompletes(t *testing.T) {
	e := newEnv(t)
	r := e.receipt(testreceipt.PNG(t, testreceipt.Lines...))
	for attempt := 1; attempt <= 2; attempt++ { // a rerun leaves one result
		if err := e.p.Process(t.Context(), r.ID, attempt, false); err != nil {
			t.Fatalf("Process attempt %d: %v", attempt, err)
		}
	}
	got := e.get(r.ID)
	if got.Status != till.StatusCompleted || !got.OCRDone {
		t.Fatalf("status %s (reason %q), ocr done %v; want COMPLETED with OCR done", got.Status, got.StatusReason, got.OCRDone)
	}
	if got.Total != "7.70" {
		t.Errorf("total = %q, want 7.70", got.Total)
	}
	if got.IssuedAt == nil || got.IssuedAt.Format("2006-01-02 15:04") != "2024-03-12 10:15" {
		t.Errorf("issued at = %v, want 2024-03-12 10:15", got.IssuedAt)
	}
	a, err := e.store.Analysis(t.Context(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.OCRText, "TOTAL") || len(a.OCRHash) != 40 || a.ImageHash == "" {
		t.Errorf("analysis: text %q, ocr hash %q, image hash %q", a.OCRText, a.OCRHash, a.ImageHash)
	}
	if !bytes.Contains(a.Data, []byte(`"total":"7.70"`)) {
		t.Errorf("analysis data lacks the total: %s", a.Data)
	}
	// The rerun decides from the stored reading: the images are read once.
	want := "1:images:ok 1:decode:ok 1:ocr+extract:ok 1:classify:ok"
	if got := e.steps(r.ID); got != want {
		t.Errorf("audit trail = %s\nwant %s", got, want)
	}
}

func TestProcessSettles(t *testing.T) {
	tests := []struct {
		name       string
		image      []byte
		wantStatus till.Status
		wantReason string
	}{
		{"corrupt image", []byte("\x89PNG\r\n\x1a\nnot really a png"), till.StatusFailed, "PNG"},
		{"not an image", []byte("%PDF-1.7 a document"), till.StatusFailed, "PDF"},
		{"blank page", testreceipt.PNG(t), till.StatusUnrecognized, "no total, date or item line"},
		{"text that is no receipt", testreceipt.PNG(t, "Dear Sir or Madam,", "thank you for your letter."), till.StatusUnrecognized, "no total, date or item line"},
		{"no image stored here", nil, till.StatusFailed, "no image stored on this server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			r := e.receipt(tt.image)
			if err := e.p.Process(t.Context(), r.ID, 1, false); err != nil {
				t.Fatalf("Process: %v (a settled receipt is no error)", err)
			}
			got := e.get(r.ID)
			if got.Status != tt.wantStatus || !strings.Contains(got.StatusReason, tt.wantReason) {
				t.Errorf("status %s, reason %q; want %s with %q", got.Status, got.StatusReason, tt.wantStatus, tt.wantReason)
			}
		})
	}
}

func TestProcessMissingBlob(t *testing.T) {
	e := newEnv(t)
	r := e.receipt(testreceipt.PNG(t, testreceipt.Lines...))
	keys, _ := e.store.ReceiptImageKeys(t.Context(), r.ID)
	if err := e.blobs.Delete(t.Context(), keys[0]); err != nil {
		t.Fatal(err)
	}
	if err := e.p.Process(t.Context(), r.ID, 1, false); err != nil {
		t.Fatalf("Process: %v", err)
	}
	if got := e.get(r.ID); got.Status != till.StatusFailed || !strings.Contains(got.StatusReason, "missing from the image store") {
		t.Errorf("status %s, reason %q", got.Status, got.StatusReason)
	}
}

// flakyBlobs fails every Get with a transient error.
type flakyBlobs struct{ till.BlobStore }

func (flakyBlobs) Get(context.Context, string) (io.ReadCloser, error) {
	return nil, errors.New("connection reset by peer")
}

func TestProcessRetriesTransientFailures(t *testing.T) {
	e := newEnv(t)
	r := e.receipt(testreceipt.PNG(t, testreceipt.Lines...))
	e.p.Blobs = flakyBlobs{e.blobs}
	err := e.p.Process(t.Context(), r.ID, 1, false)
	if err == nil || IsPermanent(err) {
		t.Fatalf("Process = %v, want a transient error to retry", err)
	}
	if got := e.get(r.ID); got.Status != till.StatusInitial {
		t.Errorf("status after a transient failure = %s, want INITIAL", got.Status)
	}
	if err := e.p.Process(t.Context(), r.ID, 2, true); err != nil {
		t.Fatalf("final attempt: %v", err)
	}
	got := e.get(r.ID)
	if got.Status != till.StatusFailed || !strings.Contains(got.StatusReason, "connection reset") {
		t.Errorf("after the final attempt: status %s, reason %q; want FAILED saying why", got.Status, got.StatusReason)
	}
	if want := "1:images:ok 1:decode:failed 2:images:ok 2:decode:failed"; e.steps(r.ID) != want {
		t.Errorf("audit trail = %s, want %s", e.steps(r.ID), want)
	}
}

func TestProcessDeletedReceipt(t *testing.T) {
	e := newEnv(t)
	r := e.receipt(testreceipt.PNG(t, testreceipt.Lines...))
	if err := e.store.DeleteReceipt(t.Context(), e.user.ID, r.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.p.Process(t.Context(), r.ID, 1, false); err != nil {
		t.Errorf("Process of a deleted receipt = %v, want nil", err)
	}
	if err := e.p.Process(t.Context(), "no-such-receipt", 1, false); err != nil {
		t.Errorf("Process of an unknown receipt = %v, want nil", err)
	}
}

// TestProcessUpsideDown checks that a receipt photographed upside down is
// still read: the doubtful first reading is retried turned half round.
func TestProcessUpsideDown(t *testing.T) {
	e := newEnv(t)
	img, err := png.Decode(bytes.NewReader(testreceipt.PNG(t, testreceipt.Lines...)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, imaging.Orient(img, 3)); err != nil {
		t.Fatal(err)
	}
	r := e.receipt(buf.Bytes())
	if err := e.p.Process(t.Context(), r.ID, 1, false); err != nil {
		t.Fatal(err)
	}
	if got := e.get(r.ID); got.Status != till.StatusCompleted || got.Total != "7.70" {
		t.Errorf("upside-down receipt: status %s (reason %q), total %q; want COMPLETED with 7.70", got.Status, got.StatusReason, got.Total)
	}
}
