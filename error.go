package till

import (
	"errors"
	"fmt"
)

// Kind classifies an error so that each edge (HTTP, CLI) can answer it the
// same way. The HTTP status for every kind is chosen in one table, in
// httpapi/errors.go.
type Kind uint8

// The kinds of error Till distinguishes. Anything not classified is Internal,
// and its message never reaches a client.
const (
	KindInternal     Kind = iota // a bug or an unexpected failure
	KindInvalid                  // the request is malformed or a field is wrong
	KindNotFound                 // the thing does not exist or is not visible to the caller
	KindConflict                 // the thing already exists or the change clashes with state
	KindUnauthorized             // no identity, or a bad, expired or revoked ticket
	KindForbidden                // the identity is known but may not do this
	KindTooLarge                 // the request body or an image is over a limit
	KindUnsupported              // a media type Till does not handle
	KindUnavailable              // a dependency is down; the caller may retry
)

var kindNames = [...]string{
	KindInternal:     "internal",
	KindInvalid:      "invalid",
	KindNotFound:     "not_found",
	KindConflict:     "conflict",
	KindUnauthorized: "unauthorized",
	KindForbidden:    "forbidden",
	KindTooLarge:     "too_large",
	KindUnsupported:  "unsupported",
	KindUnavailable:  "unavailable",
}

// String returns the kind's stable name, as used in the error body's "code".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "internal"
}

// Error is Till's error type. Message is written for the client and must not
// leak internals; Field names the offending request field when there is one;
// Err keeps the cause for logs.
type Error struct {
	Kind    Kind
	Field   string
	Message string
	Err     error
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" && msg == "" {
		msg = e.Field + " is invalid"
	}
	if e.Err != nil {
		if msg == "" {
			return e.Err.Error()
		}
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an error of the given kind with a client-facing message.
func Errorf(kind Kind, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a KindInvalid error naming the request field at fault.
func Invalid(field, format string, args ...any) error {
	return &Error{Kind: KindInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns a KindNotFound error such as "receipt not found".
func NotFound(what string) error {
	return &Error{Kind: KindNotFound, Message: what + " not found"}
}

// Wrap returns err classified as kind with a message, keeping err as the cause.
func Wrap(kind Kind, err error, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorKind returns the kind of the first *Error in err's chain, or
// KindInternal when there is none.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// ErrorMessage returns the client-facing message and field of err. For
// internal errors it returns a generic message so that causes stay in logs.
func ErrorMessage(err error) (msg, field string) {
	var e *Error
	if !errors.As(err, &e) || e.Kind == KindInternal {
		return "internal error", ""
	}
	msg = e.Message
	if msg == "" && e.Field != "" {
		msg = e.Field + " is invalid"
	}
	return msg, e.Field
}
