package httpapi

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tillhq/till"
)

func TestHealthAndReadiness(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		if got := decode[statusResponse](t, e.call("GET", path, "", ""), 200); got.Status != "ok" {
			t.Errorf("%s = %+v", path, got)
		}
	}
	e.store.Close()
	wantError(t, e.call("GET", "/readyz", "", ""), http.StatusServiceUnavailable, "", "the database does not answer")
	if w := e.call("GET", "/healthz", "", ""); w.Code != 200 {
		t.Errorf("healthz with the store down: %d", w.Code)
	}
}

// The metrics count requests by route pattern, never by raw path, so ids
// in paths do not multiply the series.
func TestMetrics(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	for _, id := range e.addReceipts("alice", 2, till.StatusInitial, "") {
		e.call("DELETE", "/receipts-service/user/receipt/"+id, alice, "")
	}
	e.call("GET", "/no/such/path", "", "")
	e.call("BREW", "/healthz", "", "")

	w := e.call("GET", "/metrics", "", "")
	body, _ := io.ReadAll(w.Body)
	text := string(body)
	for _, want := range []string{
		`till_http_requests_total{code="200",method="DELETE",route="/receipts-service/user/receipt/{id}"} 2`,
		`till_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`till_http_requests_total{code="405",method="OTHER",route="unmatched"} 1`,
		`till_http_request_duration_seconds_count{code="200",method="DELETE",route="/receipts-service/user/receipt/{id}"} 2`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(text, "0000-7000") {
		t.Error("a receipt id made it into a metric label")
	}
}
