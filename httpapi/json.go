package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"

	"github.com/tillhq/till"
)

// decodeJSON decodes r's body, one JSON value of at most s.maxBody bytes,
// into v. Unknown fields are ignored. It fails with KindTooLarge for a
// larger body, and with KindInvalid for an empty body, malformed JSON (the
// message gives the byte offset), trailing data, or a value of the wrong
// type (the error names the field).
func (s *server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, s.maxBody)
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		return s.jsonError(err)
	}
	if err := dec.Decode(&json.RawMessage{}); err != io.EOF {
		if err == nil {
			return till.Errorf(till.KindInvalid, "request body has more after its JSON value at byte %d", dec.InputOffset())
		}
		return s.jsonError(err)
	}
	return nil
}

// jsonError classifies an error of json.Decoder.Decode.
func (s *server) jsonError(err error) error {
	var (
		maxErr  *http.MaxBytesError
		synErr  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &maxErr):
		return till.Wrap(till.KindTooLarge, err, "request body is over %d bytes", maxErr.Limit)
	case errors.Is(err, io.EOF):
		return till.Errorf(till.KindInvalid, "request body is empty; expected a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return till.Errorf(till.KindInvalid, "request body ends inside its JSON value")
	case errors.As(err, &synErr):
		return till.Errorf(till.KindInvalid, "malformed JSON at byte %d: %v", synErr.Offset, synErr)
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return till.Errorf(till.KindInvalid, "request body must be a JSON object; found %s", typeErr.Value)
		}
		return till.Invalid(typeErr.Field, "%s: found %s where %s was expected", typeErr.Field, typeErr.Value, jsonTypeName(typeErr.Type))
	}
	return fmt.Errorf("read request body: %w", err)
}

// jsonTypeName names the JSON form of a Go type, for error messages.
func jsonTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return jsonTypeName(t.Elem())
	}
	return "an object"
}
