package httpapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tillhq/till"
)

var (
	uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	tsRE   = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
)

// fakeCDN serves data over HTTPS for every path and makes every fetch of
// the API reach it, as if the image hosts were on the internet.
func fakeCDN(t *testing.T, e *env, data []byte) *httptest.Server {
	t.Helper()
	cdn := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(data)
	}))
	t.Cleanup(cdn.Close)
	roots := x509.NewCertPool()
	roots.AddCert(cdn.Certificate())
	tr := e.h.(*server).fetchClient.Transport.(*http.Transport)
	tr.TLSClientConfig = &tls.Config{RootCAs: roots, ServerName: "example.com"} // a name in httptest's certificate
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, cdn.Listener.Addr().String())
	}
	return cdn
}

// The spec's example body, sent verbatim, adds a receipt whose image Till
// fetches from the allowed CDN and keeps; the list then shows it as the
// spec's list example does.
func TestAddReceiptSpecExample(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.ImageHosts = []string{"dev-cdn.shping.com"} })
	fakeCDN(t, e, jpegBytes(t))
	alice := e.user("alice", till.RoleUser)
	body := readTestdata(t, "add_receipt_request.json")

	w := e.call("POST", "/receipts-service/user/receipt", alice, body)
	raw := decode[json.RawMessage](t, w, http.StatusOK)
	if got, want := keysOf(t, raw), keysOf(t, json.RawMessage(readTestdata(t, "add_receipt_response.json"))); !slices.Equal(got, want) {
		t.Errorf("answer keys %v, want the spec's %v", got, want)
	}
	var added struct{ ID string }
	json.Unmarshal(raw, &added)
	if !uuidRE.MatchString(added.ID) {
		t.Errorf("id %q is not a UUIDv7", added.ID)
	}

	list := e.call("GET", "/receipts-service/user/receipt", alice, "")
	var got struct {
		Receipts []json.RawMessage
		Next     *string
	}
	if err := json.Unmarshal(decode[json.RawMessage](t, list, http.StatusOK), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Receipts) != 1 || got.Next != nil {
		t.Fatalf("list = %s, want one receipt and no next", list.Body)
	}
	var example struct{ Receipts []json.RawMessage }
	json.Unmarshal([]byte(readTestdata(t, "list_receipts_response.json")), &example)
	if k, want := keysOf(t, got.Receipts[0]), keysOf(t, example.Receipts[0]); !slices.Equal(k, want) {
		t.Errorf("receipt keys %v, want the spec's %v", k, want)
	}
	var rec chunkReceipt
	json.Unmarshal(got.Receipts[0], &rec)
	want := chunkReceipt{
		Accuracy: "14,4549999237061", ClientIP: "203.0.113.7", Latitude: "-37838094",
		LocationName: "Store name", Longitude: "144974757",
		Receipt:   []string{"https://dev-cdn.shping.com/2019/1/28/5efe62a4-db8c-47ab-94ea-3f43e8cd62e7.jpg"},
		ReceiptID: added.ID, StoreID: "53ehdb5e67e67", TS: rec.TS,
	}
	if fmt.Sprint(rec) != fmt.Sprint(want) {
		t.Errorf("listed %+v\nwant     %+v", rec, want)
	}
	if !tsRE.MatchString(rec.TS) {
		t.Errorf("ts %q is not RFC 3339 UTC with milliseconds", rec.TS)
	}

	// The fetched copy is kept, with its source.
	stored, err := e.store.Receipt(context.Background(), added.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Status != till.StatusInitial || stored.CountryISO != "036" {
		t.Errorf("stored status %s country %q, want INITIAL 036", stored.Status, stored.CountryISO)
	}
}

// validAddBody returns the spec's example body with its image replaced by
// one the user uploaded, and with the changes applied; a nil value removes
// the field.
func (e *env) validAddBody(ticket string, changes map[string]any) string {
	e.t.Helper()
	var m map[string]any
	json.Unmarshal([]byte(readTestdata(e.t, "add_receipt_request.json")), &m)
	m["receipt"] = []string{e.upload(ticket, jpegBytes(e.t)).URL}
	for k, v := range changes {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestAddReceiptFields(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	bob := e.user("bob", till.RoleUser)
	bobsImage := e.upload(bob, pngBytes(t)).URL
	own := e.upload(alice, pngBytes(t)).URL
	urls := func(n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = fmt.Sprintf("https://cdn.example/%d.jpg", i)
		}
		return s
	}
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	tests := []struct {
		name    string
		changes map[string]any
		body    string // instead of changes
		status  int
		field   string
		msg     string
	}{
		{name: "spec fields with uploaded image", status: 200},
		{name: "decimal point", changes: map[string]any{"accuracy": "14.45", "latitude": "-37.8381", "longitude": "+144.97e0"}, status: 200},
		{name: "alpha-2 country", changes: map[string]any{"country_iso": "au"}, status: 200},
		{name: "alpha-3 country", changes: map[string]any{"country_iso": "AUS"}, status: 200},
		{name: "no country", changes: map[string]any{"country_iso": nil}, status: 200},
		{name: "empty country", changes: map[string]any{"country_iso": ""}, status: 200},
		{name: "unknown fields ignored", changes: map[string]any{"colour": "blue", "n": 1}, status: 200},

		{name: "missing accuracy", changes: map[string]any{"accuracy": nil}, status: 400, field: "accuracy", msg: "accuracy is required"},
		{name: "missing longitude", changes: map[string]any{"longitude": nil}, status: 400, field: "longitude", msg: "required"},
		{name: "missing latitude", changes: map[string]any{"latitude": nil}, status: 400, field: "latitude", msg: "required"},
		{name: "missing receipt", changes: map[string]any{"receipt": nil}, status: 400, field: "receipt", msg: "required"},
		{name: "missing store_id", changes: map[string]any{"store_id": nil}, status: 400, field: "store_id", msg: "store_id is required"},
		{name: "missing location_name", changes: map[string]any{"location_name": nil}, status: 400, field: "location_name", msg: "required"},
		{name: "null accuracy", changes: map[string]any{"accuracy": raw("null")}, status: 400, field: "accuracy", msg: "required"},
		{name: "empty store_id", changes: map[string]any{"store_id": ""}, status: 400, field: "store_id", msg: "empty"},
		{name: "blank location_name", changes: map[string]any{"location_name": "  "}, status: 400, field: "location_name", msg: "empty"},
		{name: "long store_id", changes: map[string]any{"store_id": strings.Repeat("x", 257)}, status: 400, field: "store_id", msg: "longer"},

		{name: "accuracy as number", changes: map[string]any{"accuracy": 14.45}, status: 400, field: "accuracy", msg: "found number where a string was expected"},
		{name: "latitude as bool", changes: map[string]any{"latitude": true}, status: 400, field: "latitude", msg: "found bool"},
		{name: "store_id as object", changes: map[string]any{"store_id": map[string]any{}}, status: 400, field: "store_id", msg: "found object"},
		{name: "location_name as array", changes: map[string]any{"location_name": []int{}}, status: 400, field: "location_name", msg: "found array"},
		{name: "country_iso as number", changes: map[string]any{"country_iso": 36}, status: 400, field: "country_iso", msg: "found number"},
		{name: "receipt as string", changes: map[string]any{"receipt": "https://x/y.jpg"}, status: 400, field: "receipt", msg: "where an array was expected"},
		{name: "receipt of numbers", changes: map[string]any{"receipt": []int{1}}, status: 400, field: "receipt", msg: "found number where a string"},

		{name: "accuracy not a number", changes: map[string]any{"accuracy": "about 14"}, status: 400, field: "accuracy", msg: "decimal number"},
		{name: "latitude two commas", changes: map[string]any{"latitude": "1,2,3"}, status: 400, field: "latitude", msg: "decimal number"},
		{name: "longitude hex", changes: map[string]any{"longitude": "0x10"}, status: 400, field: "longitude", msg: "decimal number"},
		{name: "accuracy NaN", changes: map[string]any{"accuracy": "NaN"}, status: 400, field: "accuracy", msg: "decimal number"},
		{name: "country four digits", changes: map[string]any{"country_iso": "0361"}, status: 400, field: "country_iso", msg: "ISO 3166"},
		{name: "country mixed", changes: map[string]any{"country_iso": "A1"}, status: 400, field: "country_iso", msg: "ISO 3166"},

		{name: "no images", changes: map[string]any{"receipt": []string{}}, status: 400, field: "receipt", msg: "1 to 10"},
		{name: "eleven images", changes: map[string]any{"receipt": urls(11)}, status: 400, field: "receipt", msg: "got 11"},
		{name: "not a URL", changes: map[string]any{"receipt": []string{"receipt.jpg"}}, status: 400, field: "receipt[0]", msg: "absolute http or https URL"},
		{name: "ftp URL", changes: map[string]any{"receipt": []string{own, "ftp://cdn.example/a.jpg"}}, status: 400, field: "receipt[1]", msg: "absolute http"},
		{name: "URL with credentials", changes: map[string]any{"receipt": []string{"https://u:p@cdn.example/a.jpg"}}, status: 400, field: "receipt[0]", msg: "absolute http"},
		{name: "host not allowed", changes: map[string]any{"receipt": []string{"https://cdn.example/a.jpg"}}, status: 400, field: "receipt[0]", msg: "not an image host"},
		{name: "repeated image", changes: map[string]any{"receipt": []string{own, own}}, status: 400, field: "receipt[1]", msg: "repeats receipt[0]"},
		{name: "another user's image", changes: map[string]any{"receipt": []string{own, bobsImage}}, status: 400, field: "receipt[1]", msg: "not an image you uploaded"},
		{name: "unknown local image", changes: map[string]any{"receipt": []string{"http://till.test/receipts-service/images/2026/11/23/nope.jpg"}}, status: 400, field: "receipt[0]", msg: "not an image you uploaded"},
		{name: "local path escape", changes: map[string]any{"receipt": []string{"http://till.test/receipts-service/images/../../etc/passwd"}}, status: 400, field: "receipt[0]"},

		{name: "empty body", body: " ", status: 400, msg: "request body is empty"},
		{name: "truncated JSON", body: `{"accuracy": "1"`, status: 400, msg: "ends inside"},
		{name: "malformed JSON", body: `{"accuracy": "1",}`, status: 400, msg: "malformed JSON at byte 18"},
		{name: "array body", body: `[1, 2]`, status: 400, msg: "must be a JSON object"},
		{name: "two values", body: `{} {}`, status: 400, msg: "more after its JSON value"},
		{name: "null body", body: `null`, status: 400, field: "accuracy", msg: "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body
			if body == "" {
				body = e.validAddBody(e.tickets["alice"], tt.changes)
			}
			w := e.call("POST", "/receipts-service/user/receipt", alice, body)
			if tt.status == 200 {
				got := decode[struct{ ID string }](t, w, 200)
				if !uuidRE.MatchString(got.ID) {
					t.Errorf("id %q", got.ID)
				}
				return
			}
			wantError(t, w, tt.status, tt.field, tt.msg)
		})
	}
}

func TestAddReceiptBodyTooLarge(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	body := e.validAddBody(alice, map[string]any{"padding": strings.Repeat("x", DefaultMaxBodyBytes)})
	w := e.call("POST", "/receipts-service/user/receipt", alice, body)
	wantError(t, w, http.StatusRequestEntityTooLarge, "", "over 1048576 bytes")

	e = newEnv(t, func(c *Config) { c.MaxBodyBytes = 100 })
	alice = e.user("alice", till.RoleUser)
	w = e.call("POST", "/receipts-service/user/search", alice, `{"search_query": "`+strings.Repeat("a", 100)+`"}`)
	wantError(t, w, http.StatusRequestEntityTooLarge, "", "over 100 bytes")
}

// With a proxy in front and TrustProxy set, the client IP is the last
// X-Forwarded-For address; without TrustProxy the header is ignored.
func TestAddReceiptClientIP(t *testing.T) {
	for _, trust := range []bool{false, true} {
		e := newEnv(t, func(c *Config) { c.TrustProxy = trust })
		alice := e.user("alice", till.RoleUser)
		body := e.validAddBody(alice, nil)
		w := e.do(request{method: "POST", path: "/receipts-service/user/receipt", ticket: alice, body: strings.NewReader(body),
			header: http.Header{"X-Forwarded-For": {"10.9.9.9, 198.51.100.4"}}})
		id := decode[struct{ ID string }](t, w, 200).ID
		rec, err := e.store.Receipt(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		want := "203.0.113.7"
		if trust {
			want = "198.51.100.4"
		}
		if rec.ClientIP != want {
			t.Errorf("TrustProxy=%v: client_ip %q, want %q", trust, rec.ClientIP, want)
		}
	}
}

// addReceipts stores n receipts of the user directly, oldest first, with
// the given status and retailer, and returns their ids.
func (e *env) addReceipts(name string, n int, status till.Status, retailer string) []string {
	e.t.Helper()
	var ids []string
	for i := range n {
		now := e.now()
		r := &till.Receipt{
			ID: fmt.Sprintf("%08x-0000-7000-8000-%012d", now.UnixMilli()&0xffffffff, i), UserID: till.UserIDFromRef(name),
			Accuracy: "1", Latitude: "2", Longitude: "3", Images: []string{fmt.Sprintf("https://cdn.example/%d.jpg", i)},
			StoreID: "s", LocationName: "Store", CountryISO: "036", ClientIP: "192.0.2.1",
			Status: status, RetailerID: retailer, CreatedAt: now, UpdatedAt: now,
		}
		if retailer != "" {
			r.RetailerName = strings.ToUpper(retailer[:1]) + retailer[1:]
		}
		if err := e.store.CreateReceipt(context.Background(), r, []string{""}); err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	return ids
}

func TestListReceiptsChunks(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	e.user("bob", till.RoleUser)
	ids := e.addReceipts("alice", 45, till.StatusInitial, "")
	bobs := e.addReceipts("bob", 1, till.StatusInitial, "")
	slices.Reverse(ids) // newest first

	var got []string
	chunk := ""
	for page := 0; ; page++ {
		path := "/receipts-service/user/receipt"
		if chunk != "" {
			path += "?chunk_id=" + chunk
		}
		resp := decode[receiptChunk](t, e.call("GET", path, alice, ""), 200)
		for _, r := range resp.Receipts {
			got = append(got, r.ReceiptID)
		}
		wantLen := []int{20, 20, 5}[page]
		if len(resp.Receipts) != wantLen {
			t.Fatalf("chunk %d has %d receipts, want %d", page, len(resp.Receipts), wantLen)
		}
		if resp.Next == "" {
			if page != 2 {
				t.Fatalf("chunk %d has no next", page)
			}
			break
		}
		if want := chunkURNPrefix + resp.Receipts[len(resp.Receipts)-1].ReceiptID; resp.Next != want {
			t.Fatalf("next %q, want %q", resp.Next, want)
		}
		chunk = resp.Next
	}
	if !slices.Equal(got, ids) {
		t.Errorf("listed %v\nwant %v", got, ids)
	}

	// A chunk of exactly 20 is the last when nothing follows.
	resp := decode[receiptChunk](t, e.call("GET", "/receipts-service/user/receipt?chunk_id="+ids[24], alice, ""), 200)
	if len(resp.Receipts) != 20 || resp.Next != "" {
		t.Errorf("bare-id chunk: %d receipts, next %q; want 20 and none", len(resp.Receipts), resp.Next)
	}
	// No receipts: an empty array, not null.
	if w := e.call("GET", "/receipts-service/user/receipt", e.user("carol", till.RoleUser), ""); !strings.Contains(w.Body.String(), `"receipts":[]`) {
		t.Errorf("empty list body %s", w.Body)
	}

	for _, tt := range []struct{ name, chunk string }{
		{"malformed", "urn:authenticateit:receipts_chunk:nope"},
		{"other urn", "urn:authenticateit:other:" + ids[0]},
		{"another user's receipt", chunkURNPrefix + bobs[0]},
		{"unknown receipt", chunkURNPrefix + "0190a000-0000-7000-8000-000000000000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.call("GET", "/receipts-service/user/receipt?chunk_id="+tt.chunk, alice, ""), 400, "chunk_id", "chunk_id")
		})
	}
}

func TestDeleteReceipt(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	bob := e.user("bob", till.RoleUser)
	mine := e.addReceipts("alice", 2, till.StatusInitial, "")
	bobs := e.addReceipts("bob", 1, till.StatusInitial, "")

	w := e.call("DELETE", "/receipts-service/user/receipt/"+mine[0], alice, "")
	var got, want any
	json.Unmarshal(decode[json.RawMessage](t, w, 200), &got)
	json.Unmarshal([]byte(readTestdata(t, "delete_receipt_response.json")), &want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("delete answered %v, want the spec's %v", got, want)
	}
	for _, tt := range []struct{ name, id string }{
		{"deleted", mine[0]},
		{"another user's", bobs[0]},
		{"unknown", "0190a000-0000-7000-8000-000000000000"},
		{"malformed", "not-a-uuid"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.call("DELETE", "/receipts-service/user/receipt/"+tt.id, alice, ""), 404, "", "receipt not found")
		})
	}
	// Bob's receipt survived Alice's attempt.
	if got := decode[receiptChunk](t, e.call("GET", "/receipts-service/user/receipt", bob, ""), 200); len(got.Receipts) != 1 {
		t.Errorf("bob has %d receipts, want 1", len(got.Receipts))
	}
	if got := decode[receiptChunk](t, e.call("GET", "/receipts-service/user/receipt", alice, ""), 200); len(got.Receipts) != 1 || got.Receipts[0].ReceiptID != mine[1] {
		t.Errorf("alice lists %+v, want only %s", got.Receipts, mine[1])
	}
}

func TestReceiptGroups(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	e.user("bob", till.RoleUser)

	// Every user has the need-attention and other groups, even empty.
	w := e.call("GET", "/receipts-service/user/groups", alice, "")
	if got, want := strings.TrimSpace(w.Body.String()), `{"result":[{"name":"!Need attention","type":"need_attention","image":null,"count":0},{"name":"Other","type":"other","image":null,"count":0}],"total":0}`; got != want {
		t.Errorf("empty groups\n got %s\nwant %s", got, want)
	}

	e.addReceipts("alice", 1, till.StatusSetProducts, "coles") // needs attention, not counted for coles
	e.addReceipts("alice", 1, till.StatusCompleted, "coles")
	e.addReceipts("alice", 2, till.StatusFailed, "woolworths")
	e.addReceipts("alice", 3, till.StatusInitial, "")
	e.addReceipts("bob", 5, till.StatusInitial, "")

	raw := decode[json.RawMessage](t, e.call("GET", "/receipts-service/user/groups", alice, ""), 200)
	var got, example struct {
		Result []json.RawMessage
		Total  int
	}
	json.Unmarshal(raw, &got)
	json.Unmarshal([]byte(readTestdata(t, "groups_response.json")), &example)
	want := []group{
		{Name: "!Need attention", Type: "need_attention", Count: 1},
		{RetailerID: "coles", Name: "Coles", Type: "retailer", Count: 1},
		{RetailerID: "woolworths", Name: "Woolworths", Type: "retailer", Count: 2},
		{Name: "Other", Type: "other", Count: 3},
	}
	if len(got.Result) != len(want) || got.Total != 7 {
		t.Fatalf("groups %s, want %d groups totalling 7", raw, len(want))
	}
	for i, r := range got.Result {
		var g group
		json.Unmarshal(r, &g)
		if fmt.Sprint(g) != fmt.Sprint(want[i]) {
			t.Errorf("group %d = %+v, want %+v", i, g, want[i])
		}
		// Each group has the keys of the spec's group of its type.
		ex := example.Result[1]
		switch i {
		case 0:
			ex = example.Result[0]
		case len(want) - 1:
			ex = example.Result[2]
		}
		if k, wk := keysOf(t, r), keysOf(t, ex); !slices.Equal(k, wk) {
			t.Errorf("group %d keys %v, want %v", i, k, wk)
		}
	}
}

func TestReceiptActions(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	e.user("bob", till.RoleUser)
	e.addReceipts("alice", 2, till.StatusSetRetailers, "")
	e.addReceipts("alice", 1, till.StatusSetProducts, "coles")
	e.addReceipts("alice", 4, till.StatusCompleted, "coles")
	e.addReceipts("bob", 3, till.StatusSetProducts, "coles")

	example := keysOf(t, json.RawMessage(readTestdata(t, "actions_response.json")))
	for _, path := range []string{"/receipts-service/user/actions", "/receipts-service/user/actions?action=need_attention"} {
		raw := decode[json.RawMessage](t, e.call("GET", path, alice, ""), 200)
		if got, want := string(raw), `{"set_retailers":2,"set_products":1,"total":3}`; got != want {
			t.Errorf("%s = %s, want %s", path, got, want)
		}
		if k := keysOf(t, raw); !slices.Equal(k, example) {
			t.Errorf("keys %v, want %v", k, example)
		}
	}
	wantError(t, e.call("GET", "/receipts-service/user/actions?action=set_products", alice, ""), 400, "action", "need_attention")
}

func TestSearchReceipts(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	e.user("bob", till.RoleUser)
	coles := e.addReceipts("alice", 3, till.StatusFailed, "coles")
	other := e.addReceipts("alice", 2, till.StatusUnrecognized, "")
	e.addReceipts("alice", 1, till.StatusHidden, "coles")
	e.addReceipts("bob", 2, till.StatusFailed, "coles")

	type result struct {
		Receipts []json.RawMessage
		Total    int
	}
	search := func(body string) result {
		t.Helper()
		return decode[result](t, e.call("POST", "/receipts-service/user/search", alice, body), 200)
	}
	ids := func(r result) []string {
		var out []string
		for _, raw := range r.Receipts {
			var x struct{ ID string }
			json.Unmarshal(raw, &x)
			out = append(out, x.ID)
		}
		return out
	}
	rev := func(s ...[]string) []string {
		all := slices.Concat(s...)
		slices.Reverse(all)
		return all
	}

	// The spec's example request: retailer coles; the query matches the
	// location name of none, so nothing.
	if got := search(readTestdata(t, "search_request.json")); got.Total != 0 || len(got.Receipts) != 0 {
		t.Errorf("spec example request: %+v, want nothing", got)
	}
	if got := search(`{"retailer": "coles"}`); !slices.Equal(ids(got), rev(coles)) || got.Total != 3 {
		t.Errorf("retailer coles: %v (total %d), want %v", ids(got), got.Total, rev(coles))
	}
	for _, body := range []string{`{}`, `{"retailer": "*"}`, `{"retailer": "", "status": []}`} {
		if got := search(body); !slices.Equal(ids(got), rev(coles, other)) || got.Total != 5 {
			t.Errorf("%s: %v (total %d), want every receipt but the hidden one", body, ids(got), got.Total)
		}
	}
	if got := search(`{"search_query": "STORE", "status": ["UNRECOGNIZED"]}`); !slices.Equal(ids(got), rev(other)) {
		t.Errorf("status UNRECOGNIZED: %v, want %v", ids(got), rev(other))
	}
	if got := search(`{"page": 1, "page_size": 2}`); !slices.Equal(ids(got), rev(coles, other)[2:4]) || got.Total != 5 {
		t.Errorf("page 1 of 2: %v (total %d)", ids(got), got.Total)
	}

	// The receipts have the spec's keys: retailer_id and retailer_name only
	// when the retailer is known; coins as bare integers.
	var example result
	json.Unmarshal([]byte(readTestdata(t, "search_response.json")), &example)
	got := search(`{"page_size": 100}`)
	for _, raw := range got.Receipts {
		var x struct {
			RetailerID string `json:"retailer_id"`
		}
		json.Unmarshal(raw, &x)
		ex := example.Receipts[0]
		if x.RetailerID != "" {
			ex = example.Receipts[1]
		}
		if k, wk := keysOf(t, raw), keysOf(t, ex); !slices.Equal(k, wk) {
			t.Errorf("keys %v\nwant %v", k, wk)
		}
		for _, f := range []string{`"pending_coins":0`, `"partner_brand_product_coins":0`, `"ocr_done":0`, `"country":"036"`} {
			if !strings.Contains(string(raw), f) {
				t.Errorf("%s lacks %s", raw, f)
			}
		}
		var r searchedReceipt
		json.Unmarshal(raw, &r)
		if !tsRE.MatchString(r.TS) || !tsRE.MatchString(r.UpdatedAt) {
			t.Errorf("times %q %q", r.TS, r.UpdatedAt)
		}
	}
}

func TestSearchReceiptsInvalid(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	tests := []struct{ name, body, field, msg string }{
		{"unknown status", `{"status": ["COMPLETED", "DONE"]}`, "status[1]", `unknown status "DONE"`},
		{"hidden status", `{"status": ["HIDDEN"]}`, "status[0]", "hidden"},
		{"status not a list", `{"status": "COMPLETED"}`, "status", "where an array was expected"},
		{"status of numbers", `{"status": [5]}`, "status", "found number where a string"},
		{"negative page", `{"page": -1}`, "page", "page must be between 0"},
		{"huge page", `{"page": 1000000000}`, "page", "page must be between 0"},
		{"page as string", `{"page": "1"}`, "page", "found string where an integer"},
		{"fractional page", `{"page": 1.5}`, "page", "found number 1.5"},
		{"page_size zero", `{"page_size": 0}`, "page_size", "between 1 and 100"},
		{"page_size too big", `{"page_size": 101}`, "page_size", "got 101"},
		{"page_size overflow", `{"page_size": 99999999999999999999}`, "page_size", "found number"},
		{"bad retailer", `{"retailer": "Coles & Co"}`, "retailer", "retailer id"},
		{"retailer as number", `{"retailer": 7}`, "retailer", "found number"},
		{"search_query as list", `{"search_query": ["a"]}`, "search_query", "found array"},
		{"long search_query", `{"search_query": "` + strings.Repeat("q", 201) + `"}`, "search_query", "longer than 200"},
		{"malformed", `{"page": }`, "", "malformed JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.call("POST", "/receipts-service/user/search", alice, tt.body), 400, tt.field, tt.msg)
		})
	}
}

// The spec's coin amounts exceed 64 bits; they are rendered from big
// integers, never through float64.
func TestCoinsMarshalExactly(t *testing.T) {
	var r searchedReceipt
	var example struct{ Receipts []json.RawMessage }
	json.Unmarshal([]byte(readTestdata(t, "search_response.json")), &example)
	dec := json.NewDecoder(strings.NewReader(string(example.Receipts[0])))
	if err := dec.Decode(&r); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(r)
	if !strings.Contains(string(out), `"partner_brand_product_coins":41220000000000000000`) {
		t.Errorf("coins not kept exactly: %s", out)
	}
}

// A receipt accepted before a restart is there after it.
func TestRestartKeepsReceipts(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	id := decode[struct{ ID string }](t, e.call("POST", "/receipts-service/user/receipt", alice, e.validAddBody(alice, nil)), 200).ID

	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	e.openStore()
	e.start()
	got := decode[receiptChunk](t, e.call("GET", "/receipts-service/user/receipt", alice, ""), 200)
	if len(got.Receipts) != 1 || got.Receipts[0].ReceiptID != id {
		t.Fatalf("after restart: %+v, want receipt %s", got.Receipts, id)
	}
	// Its image is still served.
	if w := e.call("GET", strings.TrimPrefix(got.Receipts[0].Receipt[0], "http://till.test"), alice, ""); w.Code != 200 {
		t.Errorf("image after restart: %d", w.Code)
	}
}

// FuzzAddReceipt feeds arbitrary bodies to the add-receipt endpoint, which
// must answer every one without a 5xx.
func FuzzAddReceipt(f *testing.F) {
	f.Add(`{"accuracy":"14,4549999237061","longitude":"144974757","latitude":"-37838094","receipt":["https://dev-cdn.shping.com/a.jpg"],"store_id":"53ehdb5e67e67","location_name":"Store name","country_iso":"036"}`)
	f.Add(`{"accuracy":"1","longitude":"2","latitude":"3","receipt":["http://till.test/receipts-service/images/2026/11/23/x.jpg"],"store_id":"s","location_name":"l"}`)
	f.Add(`{"receipt":[null,1,{}],"accuracy":[]}`)
	f.Add(`{"accuracy":"1e999999","longitude":"-.5","latitude":",5"}`)
	f.Add(`"\ud800"`)
	f.Add(`{`)
	f.Add(``)
	e := newEnv(f)
	alice := e.user("alice", till.RoleUser)
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "http://till.test/receipts-service/user/receipt", strings.NewReader(body))
		r.Header.Set(ticketHeader, alice)
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body)
		}
		if w.Code != 200 {
			var got apiError
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || got.Error.Message == "" {
				t.Fatalf("status %d with body %s", w.Code, w.Body)
			}
		}
	})
}
