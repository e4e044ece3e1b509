package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/tillhq/till"
)

// statusOf is the one place where an error's kind becomes an HTTP status.
// A kind missing here (there is none) would be answered 500.
var statusOf = map[till.Kind]int{
	till.KindInvalid:      http.StatusBadRequest,
	till.KindUnauthorized: http.StatusUnauthorized,
	till.KindForbidden:    http.StatusForbidden,
	till.KindNotFound:     http.StatusNotFound,
	till.KindConflict:     http.StatusConflict,
	till.KindTooLarge:     http.StatusRequestEntityTooLarge,
	till.KindUnsupported:  http.StatusUnsupportedMediaType,
	till.KindUnavailable:  http.StatusServiceUnavailable,
	till.KindInternal:     http.StatusInternalServerError,
}

// errorBody is the receipts service's error shape:
//
//	{"error": {"code": "invalid", "message": "store_id is required", "field": "store_id"}}
//
// code is the kind's name (till.Kind.String), message is for people, and
// field, present only when one request field is at fault, names it as the
// request spells it ("receipt[2]" for an array element).
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// detailBody is the ticket-scan API's error shape, {"detail": "..."},
// used for every path under detailPrefix.
type detailBody struct {
	Detail string `json:"detail"`
}

// detailPrefix starts the paths of the ticket-scan API, whose errors take
// the {"detail": ...} shape its specification gives.
const detailPrefix = "/api/yuno/"

// writeError answers r with err: the status from statusOf, and a body in
// the shape of r's API. Internal errors are logged with their cause and
// answered with a generic message; a request whose client has gone is
// logged as such.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	kind := till.ErrorKind(err)
	status, ok := statusOf[kind]
	if !ok {
		status = http.StatusInternalServerError
	}
	switch {
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		s.log(r).Info("client went away", "error", err.Error())
	case status >= 500:
		s.log(r).Error("request failed", "status", status, "error", err.Error())
	}
	msg, field := till.ErrorMessage(err)
	code := kind.String()
	if status == http.StatusInternalServerError {
		code, field = till.KindInternal.String(), ""
	}
	s.writeErrorBody(w, r, status, code, msg, field)
}

// writeMethodNotAllowed answers a request for a served path with a method
// the path does not serve. It is the one status not tied to an error kind,
// because it comes from routing rather than from a handler.
func (s *server) writeMethodNotAllowed(w http.ResponseWriter, r *http.Request, allow []string) {
	w.Header().Set("Allow", strings.Join(allow, ", "))
	s.writeErrorBody(w, r, http.StatusMethodNotAllowed, "method_not_allowed",
		r.Method+" is not served here; use "+strings.Join(allow, " or "), "")
}

func (s *server) writeErrorBody(w http.ResponseWriter, r *http.Request, status int, code, msg, field string) {
	var body any = errorBody{errorDetail{Code: code, Message: msg, Field: field}}
	if strings.HasPrefix(r.URL.Path, detailPrefix) {
		body = detailBody{msg}
	}
	// The bodies above always marshal.
	_ = writeJSON(w, status, body)
}

// writeJSON writes v as the JSON response with the given status. It fails
// only when v cannot be marshalled, before anything is written, so the
// caller can still answer with an error.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n')) // the client may have gone; nothing to do
	return nil
}
