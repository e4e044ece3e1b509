package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tillhq/till"
)

var keyRE = regexp.MustCompile(`^2026/11/23/[0-9a-f-]{36}\.(jpg|png|webp)$`)

func TestUploadImage(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	for _, tt := range []struct {
		name, contentType, want string
		data                    []byte
	}{
		{"jpeg", "image/jpeg", "image/jpeg", jpegBytes(t)},
		{"png", "image/png", "image/png", pngBytes(t)},
		{"webp", "image/webp", "image/webp", webpBytes},
		{"type from the bytes, not the header", "application/octet-stream", "image/png", pngBytes(t)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := e.do(request{method: "POST", path: "/receipts-service/user/receipt/images", ticket: alice,
				body: bytes.NewReader(tt.data), header: http.Header{"Content-Type": {tt.contentType}}})
			got := decode[uploadResponse](t, w, http.StatusCreated)
			sum := sha256.Sum256(tt.data)
			if got.ContentType != tt.want || got.Size != int64(len(tt.data)) || got.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("answer %+v, want %s of %d bytes", got, tt.want, len(tt.data))
			}
			if !keyRE.MatchString(got.Key) || got.URL != "http://till.test/receipts-service/images/"+got.Key {
				t.Errorf("key %q url %q", got.Key, got.URL)
			}
			// The bytes are served back to the owner.
			img := e.call("GET", "/receipts-service/images/"+got.Key, alice, "")
			if img.Code != 200 || !bytes.Equal(img.Body.Bytes(), tt.data) || img.Header().Get("Content-Type") != tt.want {
				t.Errorf("served %d %s, %d bytes", img.Code, img.Header().Get("Content-Type"), img.Body.Len())
			}
		})
	}
}

// multipartBody returns a multipart form with the given parts, each a
// form name, a file name ("" for a plain field) and content.
func multipartBody(t *testing.T, parts ...[3]string) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p[1] == "" {
			w, err = mw.CreateFormField(p[0])
		} else {
			w, err = mw.CreateFormFile(p[0], p[1])
		}
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p[2])
	}
	mw.Close()
	return &b, mw.FormDataContentType()
}

func TestUploadImageMultipart(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxImageBytes = 4096 })
	alice := e.user("alice", till.RoleUser)
	png := string(pngBytes(t))
	post := func(body io.Reader, ct string) *httptest.ResponseRecorder {
		return e.do(request{method: "POST", path: "/receipts-service/user/receipt/images", ticket: alice,
			body: body, header: http.Header{"Content-Type": {ct}}})
	}

	body, ct := multipartBody(t, [3]string{"note", "", "hello"}, [3]string{"image", "", png})
	if got := decode[uploadResponse](t, post(body, ct), 201); got.ContentType != "image/png" {
		t.Errorf("field image: %+v", got)
	}
	body, ct = multipartBody(t, [3]string{"note", "", "hello"}, [3]string{"file", "r.png", png})
	if got := decode[uploadResponse](t, post(body, ct), 201); got.ContentType != "image/png" {
		t.Errorf("first file part: %+v", got)
	}
	body, ct = multipartBody(t, [3]string{"note", "", "hello"})
	wantError(t, post(body, ct), 400, "image", "no part named image")
	wantError(t, post(strings.NewReader("garbage"), "multipart/form-data; boundary=xyz"), 400, "", "malformed multipart")
	body, ct = multipartBody(t, [3]string{"image", "big.png", png + strings.Repeat("x", 4096)})
	wantError(t, post(body, ct), 413, "image", "over 4096 bytes")
	body, ct = multipartBody(t, [3]string{"image", "r.heic", string(heicBytes)})
	wantError(t, post(body, ct), 415, "image", "image/heic")
}

func TestUploadImageRefused(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxImageBytes = 1000 })
	alice := e.user("alice", till.RoleUser)
	for _, tt := range []struct {
		name        string
		contentType string
		data        []byte
		status      int
		msg         string
	}{
		{"heic", "image/heic", heicBytes, 415, "image is image/heic; Till accepts image/jpeg, image/png and image/webp"},
		{"gif", "image/gif", gifBytes, 415, "image/gif"},
		{"pdf", "application/pdf", []byte("%PDF-1.7\n..."), 415, "application/pdf"},
		{"gif claiming jpeg", "image/jpeg", gifBytes, 415, "image/gif"},
		{"text", "image/png", []byte("hello, I am not an image"), 415, "text/plain"},
		{"empty", "image/jpeg", nil, 400, "image is empty"},
		{"too large", "image/jpeg", append(jpegBytes(t), make([]byte, 1000)...), 413, "over 1000 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := e.do(request{method: "POST", path: "/receipts-service/user/receipt/images", ticket: alice,
				body: bytes.NewReader(tt.data), header: http.Header{"Content-Type": {tt.contentType}}})
			wantError(t, w, tt.status, "image", tt.msg)
		})
	}
}

// Images are shown to their owner, to staff, and to system users acting
// for a retailer of a live receipt showing them; to anyone else they do not
// exist.
func TestImageAccess(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.user("alice", till.RoleUser)
	bob := e.user("bob", till.RoleUser)
	mod := e.user("mod", till.RoleModerator)
	admin := e.user("root", till.RoleAdmin)
	colesSys := e.user("coles-pos", till.RoleSystem, "coles")
	wooliesSys := e.user("woolies-pos", till.RoleSystem, "woolworths")

	up := e.upload(alice, jpegBytes(t))
	path := "/receipts-service/images/" + up.Key
	id := decode[struct{ ID string }](t, e.call("POST", "/receipts-service/user/receipt", alice,
		e.validAddBody(alice, map[string]any{"receipt": []string{up.URL}})), 200).ID

	check := func(name, ticket string, want int) {
		t.Helper()
		w := e.call("GET", path, ticket, "")
		if w.Code != want {
			t.Errorf("%s: status %d, want %d; %s", name, w.Code, want, w.Body)
		}
		if want == 404 {
			wantError(t, w, 404, "", "image not found")
		}
	}
	check("owner", alice, 200)
	check("other user", bob, 404)
	check("moderator", mod, 200)
	check("admin", admin, 200)
	check("system before the retailer is known", colesSys, 404)

	// Processing finds the retailer: the receipt shows the image for coles.
	// The store has no status update yet, so the receipt is re-made as
	// processing would leave it.
	rec, err := e.store.Receipt(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	e.call("DELETE", "/receipts-service/user/receipt/"+id, alice, "")
	rec.ID, rec.RetailerID, rec.RetailerName = "0190a000-0000-7000-8000-0000000000c1", "coles", "Coles"
	if err := e.store.CreateReceipt(ctx, rec, []string{up.Key}); err != nil {
		t.Fatal(err)
	}
	check("system for the retailer", colesSys, 200)
	check("system for another retailer", wooliesSys, 404)
	e.call("DELETE", "/receipts-service/user/receipt/"+rec.ID, alice, "")
	check("system after the receipt is deleted", colesSys, 404)
	check("owner after the receipt is deleted", alice, 200)

	check("no ticket", "", 401)
	w := e.call("GET", "/receipts-service/images/2026/11/23/missing.jpg", alice, "")
	wantError(t, w, 404, "", "image not found")
	w = e.call("GET", "/receipts-service/images/../../../etc/passwd", alice, "")
	if w.Code < 300 || w.Code >= 500 {
		t.Errorf("path escape: %d", w.Code)
	}
}

func TestImageCaching(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	up := e.upload(alice, pngBytes(t))
	w := e.call("GET", "/receipts-service/images/"+up.Key, alice, "")
	etag := w.Header().Get("ETag")
	if etag != `"`+up.SHA256+`"` || !strings.HasPrefix(w.Header().Get("Cache-Control"), "private") {
		t.Errorf("ETag %q Cache-Control %q", etag, w.Header().Get("Cache-Control"))
	}
	w = e.do(request{method: "GET", path: "/receipts-service/images/" + up.Key, ticket: alice, header: http.Header{"If-None-Match": {etag}}})
	if w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("If-None-Match: %d with %d bytes, want 304", w.Code, w.Body.Len())
	}
}

// With PublicURL set, image URLs are built on it and receipts may carry
// them.
func TestPublicURL(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.PublicURL = "https://till.example.com/api/" })
	alice := e.user("alice", till.RoleUser)
	up := e.upload(alice, jpegBytes(t))
	if want := "https://till.example.com/api/receipts-service/images/" + up.Key; up.URL != want {
		t.Fatalf("url %q, want %q", up.URL, want)
	}
	w := e.call("POST", "/receipts-service/user/receipt", alice, e.validAddBody(alice, map[string]any{"receipt": []string{up.URL}}))
	decode[struct{ ID string }](t, w, 200)

	// Behind a trusted proxy, without PublicURL, the forwarded scheme and
	// host make the URL.
	e = newEnv(t, func(c *Config) { c.TrustProxy = true })
	alice = e.user("alice", till.RoleUser)
	w = e.do(request{method: "POST", path: "/receipts-service/user/receipt/images", ticket: alice, body: bytes.NewReader(pngBytes(t)),
		header: http.Header{"X-Forwarded-Proto": {"https"}, "X-Forwarded-Host": {"till.example.org"}}})
	if got := decode[uploadResponse](t, w, 201); !strings.HasPrefix(got.URL, "https://till.example.org/receipts-service/images/") {
		t.Errorf("url behind a proxy %q", got.URL)
	}

	for _, bad := range []string{"ftp://x", "till.example.com", "https://till.example.com?x=1"} {
		if _, err := New(Config{Store: e.store, Blobs: e.blobs, PublicURL: bad}); till.ErrorKind(err) != till.KindInvalid {
			t.Errorf("PublicURL %q: %v, want invalid", bad, err)
		}
	}
}

// imageServer serves handler on 127.0.0.1 and returns its base URL.
func imageServer(t *testing.T, handler http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestAddReceiptFetchesRemoteImages(t *testing.T) {
	png := pngBytes(t)
	var fetched atomic.Int32
	base := imageServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/r.png":
			fetched.Add(1)
			w.Write(png)
		case "/moved.png":
			http.Redirect(w, r, "/r.png", http.StatusFound)
		case "/away.png":
			http.Redirect(w, r, "http://elsewhere.example/r.png", http.StatusFound)
		case "/big.png":
			w.Write(append(png, make([]byte, 4096)...))
		case "/anim.gif":
			w.Write(gifBytes)
		case "/empty.png":
		case "/broken.png":
			w.WriteHeader(http.StatusBadGateway)
		default:
			http.NotFound(w, r)
		}
	})
	e := newEnv(t, func(c *Config) {
		c.ImageHosts = []string{"127.0.0.1"}
		c.DialControl = allowAll
		c.MaxImageBytes = 4096
	})
	alice := e.user("alice", till.RoleUser)
	own := e.upload(alice, jpegBytes(t)).URL

	body := e.validAddBody(alice, map[string]any{"receipt": []string{own, base + "/r.png", base + "/moved.png"}})
	id := decode[struct{ ID string }](t, e.call("POST", "/receipts-service/user/receipt", alice, body), 200).ID
	rec, err := e.store.Receipt(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{own, base + "/r.png", base + "/moved.png"}; strings.Join(rec.Images, " ") != strings.Join(want, " ") {
		t.Errorf("images %v, want the URLs as sent %v", rec.Images, want)
	}
	if n := fetched.Load(); n != 2 {
		t.Errorf("fetched %d times, want 2", n)
	}

	for _, tt := range []struct {
		name, path string
		status     int
		msg        string
	}{
		{"redirect to another host", "/away.png", 400, "redirected to elsewhere.example"},
		{"not found", "/gone.png", 400, "answered 404"},
		{"server error", "/broken.png", 503, "answered 502"},
		{"too large", "/big.png", 413, "over 4096 bytes"},
		{"gif", "/anim.gif", 415, "image/gif"},
		{"empty", "/empty.png", 400, "empty body"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := e.validAddBody(alice, map[string]any{"receipt": []string{own, base + tt.path}})
			wantError(t, e.call("POST", "/receipts-service/user/receipt", alice, body), tt.status, "receipt[1]", tt.msg)
		})
	}
}

// By default a remote image URL that leads to a non-public address is
// refused when Till connects, whatever host name it uses and even when the
// host is allowed.
func TestAddReceiptRefusesPrivateAddresses(t *testing.T) {
	var hit atomic.Bool
	base := imageServer(t, func(w http.ResponseWriter, r *http.Request) {
		hit.Store(true)
		w.Write(pngBytes(t))
	})
	port := base[strings.LastIndexByte(base, ':'):]
	e := newEnv(t, func(c *Config) { c.ImageHosts = []string{"127.0.0.1", "localhost"} })
	alice := e.user("alice", till.RoleUser)
	for _, u := range []string{base + "/r.png", "http://localhost" + port + "/r.png"} {
		body := e.validAddBody(alice, map[string]any{"receipt": []string{u}})
		wantError(t, e.call("POST", "/receipts-service/user/receipt", alice, body), 400, "receipt[0]", "does not connect to")
	}
	if hit.Load() {
		t.Error("the private server was reached")
	}
}

func TestRefuseNonPublic(t *testing.T) {
	for _, tt := range []struct {
		addr string
		ok   bool
	}{
		{"93.184.215.14:443", true},
		{"[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:443", true},
		{"127.0.0.1:80", false},
		{"127.9.9.9:80", false},
		{"[::1]:80", false},
		{"10.1.2.3:80", false},
		{"172.16.0.1:80", false},
		{"192.168.1.1:80", false},
		{"169.254.169.254:80", false},
		{"[fe80::1]:80", false},
		{"[fc00::1]:80", false},
		{"0.0.0.0:80", false},
		{"[::]:80", false},
		{"224.0.0.1:80", false},
		{"255.255.255.255:80", false},
		{"100.100.100.200:80", false},
		{"[::ffff:127.0.0.1]:80", false},
		{"[64:ff9b::a00:1]:80", false},
		{"not-an-address", false},
	} {
		err := refuseNonPublic("tcp", tt.addr, nil)
		if (err == nil) != tt.ok {
			t.Errorf("refuseNonPublic(%s) = %v, want ok=%v", tt.addr, err, tt.ok)
		}
	}
}

func TestSniffImage(t *testing.T) {
	for _, tt := range []struct {
		data []byte
		want string
	}{
		{jpegBytes(t), "image/jpeg"},
		{pngBytes(t), "image/png"},
		{webpBytes, "image/webp"},
		{gifBytes, "image/gif"},
		{heicBytes, "image/heic"},
		{[]byte("\x00\x00\x00\x1cftypavif"), "image/avif"},
		{[]byte("%PDF-1.4"), "application/pdf"},
		{[]byte("II*\x00...."), "image/tiff"},
		{[]byte("RIFF\x00\x00\x00\x00WAVE"), "audio/wave"},
		{[]byte("\x00\x01\xff\xd8"), "application/octet-stream"},
		{nil, "text/plain"},
	} {
		if got := sniffImage(tt.data); got != tt.want {
			t.Errorf("sniffImage(%q) = %q, want %q", tt.data, got, tt.want)
		}
	}
}
