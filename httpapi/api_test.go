package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tillhq/till"
	"github.com/tillhq/till/blob"
	"github.com/tillhq/till/sqlite"
	"github.com/tillhq/till/sqlstore"
)

// env is one API under test, over a real SQLite store and image folder in
// a temporary directory.
type env struct {
	t       testing.TB
	dir     string
	store   *sqlstore.Store
	blobs   *blob.Dir
	cfg     Config
	h       http.Handler
	logs    *syncBuffer
	mu      sync.Mutex
	clock   time.Time
	tickets map[string]string // user name → ticket
}

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newEnv opens a store and starts the API with cfg's non-zero fields over
// the test defaults.
func newEnv(t testing.TB, opts ...func(*Config)) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clock: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), tickets: map[string]string{}, logs: &syncBuffer{}}
	e.openStore()
	blobs, err := blob.NewDir(filepath.Join(e.dir, "images"))
	if err != nil {
		t.Fatal(err)
	}
	e.blobs = blobs
	e.cfg = Config{
		Store:  e.store,
		Blobs:  e.blobs,
		Logger: slog.New(slog.NewJSONHandler(e.logs, nil)),
		Now:    e.now,
	}
	for _, o := range opts {
		o(&e.cfg)
	}
	e.start()
	t.Cleanup(func() {
		if t.Failed() && testing.Verbose() {
			t.Logf("logs:\n%s", e.logs)
		}
		e.store.Close()
	})
	return e
}

func (e *env) openStore() {
	e.t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(e.dir, "till.db"))
	if err != nil {
		e.t.Fatal(err)
	}
	e.store = st
}

func (e *env) start() {
	e.t.Helper()
	e.cfg.Store = e.store
	h, err := New(e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.h = h
}

// now is the clock of the API under test: it moves on a millisecond at
// every reading, so that every receipt has its own time.
func (e *env) now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.clock = e.clock.Add(time.Millisecond)
	return e.clock
}

// user creates a user with the given role and returns a ticket of it.
func (e *env) user(name string, role till.Role, retailers ...string) string {
	e.t.Helper()
	ctx := context.Background()
	u, err := till.NewUser(name, role, retailers, e.now())
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.CreateUser(ctx, u); err != nil {
		e.t.Fatal(err)
	}
	secret, tk := till.NewTicket(u.ID, e.now(), time.Hour)
	if err := e.store.CreateTicket(ctx, tk); err != nil {
		e.t.Fatal(err)
	}
	e.tickets[name] = secret
	return secret
}

// request is one call of the API.
type request struct {
	method, path string
	ticket       string
	body         io.Reader
	header       http.Header
}

// do serves req and returns the recorded response.
func (e *env) do(req request) *httptest.ResponseRecorder {
	e.t.Helper()
	r := httptest.NewRequest(req.method, "http://till.test"+req.path, req.body)
	r.RemoteAddr = "203.0.113.7:41234"
	for k, vs := range req.header {
		r.Header[k] = vs
	}
	if req.ticket != "" {
		r.Header.Set(ticketHeader, req.ticket)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// call is do with a JSON body (none when body is "").
func (e *env) call(method, path, ticket, body string) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	return e.do(request{method: method, path: path, ticket: ticket, body: rd})
}

// decode unmarshals a response body, failing the test unless its status
// is want and its Content-Type JSON.
func decode[T any](t testing.TB, w *httptest.ResponseRecorder, want int) T {
	t.Helper()
	var v T
	if w.Code != want {
		t.Fatalf("status %d, want %d; body %s", w.Code, want, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q, want application/json", ct)
	}
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
	return v
}

// apiError is the error body, as a client reads it.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// wantError checks that w is an error answer with the given status and
// field, whose message contains msg.
func wantError(t testing.TB, w *httptest.ResponseRecorder, status int, field, msg string) {
	t.Helper()
	got := decode[apiError](t, w, status)
	if got.Error.Field != field {
		t.Errorf("field %q, want %q (message %q)", got.Error.Field, field, got.Error.Message)
	}
	if !strings.Contains(got.Error.Message, msg) {
		t.Errorf("message %q does not contain %q", got.Error.Message, msg)
	}
	if got.Error.Code == "" {
		t.Errorf("no error code in %s", w.Body)
	}
}

// keysOf returns the sorted keys of a JSON object.
func keysOf(t testing.TB, raw json.RawMessage) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(m))
}

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Test images: small but real, so later stages could decode them.
func pngBytes(t testing.TB) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.White)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// webpBytes is a 1×1 lossless WebP.
var webpBytes = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")

// heicBytes and gifBytes begin as such files do.
var (
	heicBytes = []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic")
	gifBytes  = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
)

// upload posts data as a raw image body and returns the answer.
func (e *env) upload(ticket string, data []byte) uploadResponse {
	e.t.Helper()
	w := e.do(request{method: "POST", path: "/receipts-service/user/receipt/images", ticket: ticket,
		body: bytes.NewReader(data), header: http.Header{"Content-Type": {"image/jpeg"}}})
	return decode[uploadResponse](e.t, w, http.StatusCreated)
}

// allowAll is a DialControl that lets tests reach servers on 127.0.0.1.
func allowAll(string, string, syscall.RawConn) error { return nil }
