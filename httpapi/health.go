package httpapi

import (
	"context"
	_ "embed"
	"net/http"
	"time"

	"github.com/tillhq/till"
)

// openAPIDocument is the hand-written OpenAPI 3.1 description of every
// route in the route table; a test keeps the two in step.
//
//go:embed openapi.json
var openAPIDocument []byte

// readyTimeout bounds the store's answer to /readyz.
const readyTimeout = 2 * time.Second

type statusResponse struct {
	Status string `json:"status"`
}

// healthz answers 200 while the process serves HTTP at all.
func (s *server) healthz(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	return writeJSON(w, http.StatusOK, statusResponse{"ok"})
}

// readyz answers 200 when the store answers, else 503.
func (s *server) readyz(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		return till.Wrap(till.KindUnavailable, err, "the database does not answer")
	}
	return writeJSON(w, http.StatusOK, statusResponse{"ok"})
}

// serveMetrics answers the Prometheus metrics of this handler.
func (s *server) serveMetrics(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	s.metrics.handler.ServeHTTP(w, r)
	return nil
}

// serveOpenAPI answers the OpenAPI description.
func (s *server) serveOpenAPI(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDocument)
	return nil
}
