package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tillhq/till"
)

// Every route that needs a ticket refuses a request without one, with an
// unknown, expired or revoked one (401, saying which), and with a ticket
// of a role the route is not for (403).
func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.user("alice", till.RoleUser)
	e.user("root", till.RoleAdmin)
	e.user("coles-pos", till.RoleSystem, "coles")
	e.user("mod", till.RoleModerator)

	// A ticket that has expired, and a revoked one.
	expiredSecret, expired := till.NewTicket(till.UserIDFromRef("alice"), e.now().Add(-2*time.Hour), time.Hour)
	if err := e.store.CreateTicket(ctx, expired); err != nil {
		t.Fatal(err)
	}
	e.user("eve", till.RoleUser)
	revoked := e.tickets["eve"]
	if _, err := e.store.RevokeTickets(ctx, till.UserIDFromRef("eve"), e.now()); err != nil {
		t.Fatal(err)
	}

	for _, rt := range (&server{}).routes() {
		if rt.roles == nil {
			continue
		}
		// {id} names no user: as alice, DELETE /admin/users/{id}/tickets
		// would revoke the ticket the routes after it are called with.
		path := strings.NewReplacer("{id}", "nobody", "{key...}", "2026/11/23/x.jpg").Replace(rt.pattern)
		t.Run(rt.method+" "+rt.pattern, func(t *testing.T) {
			for _, tt := range []struct{ name, ticket, msg string }{
				{"no ticket", "", "missing authenticateit_identity_ticket header"},
				{"unknown ticket", "no-such-ticket", "unknown ticket"},
				{"expired ticket", expiredSecret, "ticket expired"},
				{"revoked ticket", revoked, "ticket revoked"},
			} {
				w := e.call(rt.method, path, tt.ticket, "{}")
				if w.Code != 401 {
					t.Errorf("%s: status %d, want 401", tt.name, w.Code)
					continue
				}
				wantError(t, w, 401, "", tt.msg)
			}
			for _, name := range []string{"alice", "root", "coles-pos", "mod"} {
				u, _ := e.store.User(ctx, till.UserIDFromRef(name))
				allowed := false
				for _, r := range rt.roles {
					allowed = allowed || r == u.Role
				}
				w := e.call(rt.method, path, e.tickets[name], "{}")
				if !allowed {
					wantError(t, w, 403, "", "this endpoint is for role")
				} else if w.Code == 401 || w.Code == 403 {
					t.Errorf("%s (%s): status %d; %s", name, u.Role, w.Code, w.Body)
				}
			}
		})
	}
}

func TestUnknownRoutes(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	wantError(t, e.call("GET", "/receipts-service/nope", alice, ""), 404, "", "no such endpoint: GET /receipts-service/nope")

	w := e.call("PUT", "/receipts-service/user/receipt", alice, "")
	wantError(t, w, 405, "", "PUT is not served here")
	if got := w.Header().Get("Allow"); got != "GET, HEAD, POST" {
		t.Errorf("Allow %q", got)
	}

	// The ticket-scan API's paths answer errors in its own shape.
	w = e.call("GET", "/api/yuno/loyalty/ticket-scan/1", "", "")
	var detail map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &detail); err != nil || w.Code != 404 || len(detail) != 1 || detail["detail"] == "" {
		t.Errorf("ticket-scan error: %d %s", w.Code, w.Body)
	}
}

// Every answer carries a request id: the client's when it is sane, a new
// one otherwise; the access log line carries it with the route pattern,
// status and user.
func TestRequestIDAndAccessLog(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	ids := e.addReceipts("alice", 1, till.StatusInitial, "")

	w := e.do(request{method: "DELETE", path: "/receipts-service/user/receipt/" + ids[0], ticket: alice, header: http.Header{"X-Request-Id": {"req-42"}}})
	if got := w.Header().Get("X-Request-Id"); got != "req-42" {
		t.Errorf("X-Request-Id %q, want req-42", got)
	}
	var line map[string]any
	for l := range strings.Lines(e.logs.String()) {
		if strings.Contains(l, `"request_id":"req-42"`) {
			json.Unmarshal([]byte(l), &line)
		}
	}
	want := map[string]any{"msg": "request", "method": "DELETE", "route": "/receipts-service/user/receipt/{id}",
		"status": 200.0, "user_id": "urn:authenticateit:user:username:alice"}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("log %s = %v, want %v (line %v)", k, line[k], v, line)
		}
	}
	if _, ok := line["duration_ms"]; !ok {
		t.Errorf("log line has no duration: %v", line)
	}

	for _, bad := range []string{"", "has spaces", strings.Repeat("x", 200), "a\"b"} {
		w := e.do(request{method: "GET", path: "/healthz", header: http.Header{"X-Request-Id": {bad}}})
		if got := w.Header().Get("X-Request-Id"); got == bad || got == "" {
			t.Errorf("X-Request-Id %q kept as %q", bad, got)
		}
	}
}

// A panic in a handler is answered 500 with no detail and logged with its
// stack; the server goes on.
func TestPanicRecovered(t *testing.T) {
	e := newEnv(t)
	e.h.(*server).mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("secret detail") })
	w := e.call("GET", "/boom", "", "")
	wantError(t, w, 500, "", "internal error")
	if strings.Contains(w.Body.String(), "secret") {
		t.Errorf("panic detail leaked: %s", w.Body)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, `"msg":"panic"`) || !strings.Contains(logs, "secret detail") || !strings.Contains(logs, "goroutine") {
		t.Errorf("panic not logged with stack:\n%s", logs)
	}
	if w := e.call("GET", "/healthz", "", ""); w.Code != 200 {
		t.Errorf("after panic: %d", w.Code)
	}
}

// Internal errors reach the log, not the client.
func TestInternalErrorsStayInside(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	e.store.Close() // every query now fails
	w := e.call("GET", "/receipts-service/user/receipt", alice, "")
	if w.Code < 500 {
		t.Fatalf("status %d", w.Code)
	}
	var got apiError
	json.Unmarshal(w.Body.Bytes(), &got)
	if strings.Contains(strings.ToLower(got.Error.Message), "sql") {
		t.Errorf("internal detail leaked: %s", w.Body)
	}
	if !strings.Contains(e.logs.String(), `"msg":"request failed"`) {
		t.Errorf("failure not logged:\n%s", e.logs)
	}
}

func TestNewRequiresStores(t *testing.T) {
	e := newEnv(t)
	if _, err := New(Config{Blobs: e.blobs}); err == nil {
		t.Error("New without Store succeeded")
	}
	if _, err := New(Config{Store: e.store}); err == nil {
		t.Error("New without Blobs succeeded")
	}
}
