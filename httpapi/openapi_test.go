package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// openAPI is the part of the document the tests read.
type openAPI struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas   map[string]json.RawMessage `json:"schemas"`
		Responses map[string]json.RawMessage `json:"responses"`
	} `json:"components"`
}

// openAPIPath turns a ServeMux pattern into an OpenAPI path: "{key...}"
// becomes "{key}".
func openAPIPath(pattern string) string {
	return strings.ReplaceAll(pattern, "...}", "}")
}

// TestOpenAPICoversRoutes fails when a route is missing from the document
// or the document lists an operation no route serves.
func TestOpenAPICoversRoutes(t *testing.T) {
	var doc openAPI
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	served := map[string]bool{}
	for _, rt := range (&server{}).routes() {
		op := strings.ToLower(rt.method) + " " + openAPIPath(rt.pattern)
		served[op] = true
		item, ok := doc.Paths[openAPIPath(rt.pattern)]
		if !ok {
			t.Errorf("route %s %s: path missing from openapi.json", rt.method, rt.pattern)
			continue
		}
		raw, ok := item[strings.ToLower(rt.method)]
		if !ok {
			t.Errorf("route %s %s: method missing from openapi.json", rt.method, rt.pattern)
			continue
		}
		var o struct {
			Security  *[]any                     `json:"security"`
			Responses map[string]json.RawMessage `json:"responses"`
		}
		if err := json.Unmarshal(raw, &o); err != nil {
			t.Fatal(err)
		}
		public := rt.roles == nil
		if documentedPublic := o.Security != nil && len(*o.Security) == 0; public != documentedPublic {
			t.Errorf("route %s %s: public=%v but the document says public=%v", rt.method, rt.pattern, public, documentedPublic)
		}
		if !public {
			for _, code := range []string{"401", "403"} {
				if _, ok := o.Responses[code]; !ok {
					t.Errorf("route %s %s: no %s response documented", rt.method, rt.pattern, code)
				}
			}
		}
	}
	for path, item := range doc.Paths {
		for method := range item {
			if !served[method+" "+path] {
				t.Errorf("openapi.json lists %s %s, which no route serves", strings.ToUpper(method), path)
			}
		}
	}
}

// TestOpenAPIRefs checks that every $ref in the document resolves.
func TestOpenAPIRefs(t *testing.T) {
	var doc openAPI
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	var all any
	if err := json.Unmarshal(openAPIDocument, &all); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				var found bool
				if name, ok := strings.CutPrefix(ref, "#/components/schemas/"); ok {
					_, found = doc.Components.Schemas[name]
				} else if name, ok := strings.CutPrefix(ref, "#/components/responses/"); ok {
					_, found = doc.Components.Responses[name]
				}
				if !found {
					t.Errorf("unresolved $ref %q", ref)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(all)
}

func TestServeOpenAPI(t *testing.T) {
	e := newEnv(t)
	w := e.call("GET", "/openapi.json", "", "")
	var doc openAPI
	if err := json.Unmarshal(decode[json.RawMessage](t, w, http.StatusOK), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Paths) == 0 {
		t.Fatal("no paths served")
	}
}
