package httpapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/tillhq/till"
)

// catalogStep is one call of a catalogue scenario and the answer it must
// get: status, and a body equal as JSON to want (unchecked when empty).
type catalogStep struct {
	name, method, path, body string
	status                   int
	want                     string
}

// runCatalogSteps runs the steps in order, as an admin, each one after the
// state the ones before it left.
func runCatalogSteps(t *testing.T, steps []catalogStep) {
	t.Helper()
	e := newEnv(t)
	root := e.user("root", till.RoleAdmin)
	for _, st := range steps {
		w := e.call(st.method, "/receipts-service/admin"+st.path, root, st.body)
		if w.Code != st.status {
			t.Fatalf("%s: %s %s = %d, want %d; body %s", st.name, st.method, st.path, w.Code, st.status, w.Body)
		}
		if st.want == "" {
			continue
		}
		if got, want := jsonValue(t, w.Body.Bytes()), jsonValue(t, []byte(st.want)); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: %s %s answered\n%s\nwant\n%s", st.name, st.method, st.path, w.Body, st.want)
		}
	}
}

// jsonValue decodes b keeping numbers as written, so that coin amounts
// beyond float64 compare exactly.
func jsonValue(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

const okBody = `{"result": "ok"}`

func TestCatalogRetailers(t *testing.T) {
	coles := `{"id": "coles", "name": "Coles", "alias": "Coles", "logo_url": "https://cdn.example.com/coles.png", "country": "AU",
		"tax_ids": ["45 004 189 708"], "phones": [], "name_variants": ["COLES", "COLES SUPERMARKETS"]}`
	colesGroup := `{"id": "coles", "name": "Coles Group", "alias": "", "logo_url": "", "country": "", "tax_ids": [], "phones": [], "name_variants": []}`
	bare := func(id, name string) string {
		return `{"id": "` + id + `", "name": "` + name + `", "alias": "", "logo_url": "", "country": "", "tax_ids": [], "phones": [], "name_variants": []}`
	}
	runCatalogSteps(t, []catalogStep{
		{"create; the path's id wins", "PUT", "/retailers/coles", `{"id": "aldi", "name": " Coles ", "alias": "Coles",
			"logo_url": "https://cdn.example.com/coles.png", "country": "au", "tax_ids": ["45 004 189 708", " "],
			"name_variants": ["COLES SUPERMARKETS", "COLES", "COLES"]}`, 201, coles},
		{"read", "GET", "/retailers/coles", "", 200, coles},
		{"not created under the body's id", "GET", "/retailers/aldi", "", 404, ""},
		{"replace", "PUT", "/retailers/coles", `{"name": "Coles Group"}`, 200, colesGroup},
		{"read replaced", "GET", "/retailers/coles", "", 200, colesGroup},
		{"create aldi", "PUT", "/retailers/aldi", `{"name": "ALDI"}`, 201, bare("aldi", "ALDI")},
		{"create iga", "PUT", "/retailers/iga", `{"name": "IGA"}`, 201, bare("iga", "IGA")},
		{"first page", "GET", "/retailers?page_size=2", "", 200,
			`{"retailers": [` + bare("aldi", "ALDI") + `, ` + colesGroup + `], "more": true}`},
		{"last page", "GET", "/retailers?page=1&page_size=2", "", 200, `{"retailers": [` + bare("iga", "IGA") + `], "more": false}`},
		{"past the end", "GET", "/retailers?page=5", "", 200, `{"retailers": [], "more": false}`},
		{"default page", "GET", "/retailers", "", 200,
			`{"retailers": [` + bare("aldi", "ALDI") + `, ` + colesGroup + `, ` + bare("iga", "IGA") + `], "more": false}`},
		{"delete", "DELETE", "/retailers/coles", "", 200, okBody},
		{"read deleted", "GET", "/retailers/coles", "", 404, `{"error": {"code": "not_found", "message": "retailer not found"}}`},
		{"delete again", "DELETE", "/retailers/coles", "", 404, `{"error": {"code": "not_found", "message": "retailer not found"}}`},
	})
}

func TestCatalogOutlets(t *testing.T) {
	richmond := `{"retailer_id": "coles", "store_id": "0421", "name": "Coles Richmond", "address": "Victoria Gardens",
		"postcode": "3121", "latitude": -37.8265, "longitude": 145.0014}`
	replaced := `{"retailer_id": "coles", "store_id": "0421", "name": "Coles Richmond Central", "address": "", "postcode": "", "latitude": 0, "longitude": 0}`
	bare := func(id string) string {
		return `{"retailer_id": "coles", "store_id": "` + id + `", "name": "", "address": "", "postcode": "", "latitude": 0, "longitude": 0}`
	}
	notFound := `{"error": {"code": "not_found", "message": "retailer not found"}}`
	runCatalogSteps(t, []catalogStep{
		{"its retailer", "PUT", "/retailers/coles", `{"name": "Coles"}`, 201, ""},
		{"no outlets yet", "GET", "/retailers/coles/outlets", "", 200, `{"outlets": [], "more": false}`},
		{"create; the path's ids win", "PUT", "/retailers/coles/outlets/0421", `{"retailer_id": "aldi", "store_id": "9",
			"name": "Coles Richmond", "address": " Victoria Gardens ", "postcode": "3121", "latitude": -37.8265, "longitude": 145.0014}`,
			201, richmond},
		{"read", "GET", "/retailers/coles/outlets", "", 200, `{"outlets": [` + richmond + `], "more": false}`},
		{"replace", "PUT", "/retailers/coles/outlets/0421", `{"name": "Coles Richmond Central"}`, 200, replaced},
		{"create 0422", "PUT", "/retailers/coles/outlets/0422", `{}`, 201, bare("0422")},
		{"create 0423", "PUT", "/retailers/coles/outlets/0423", `{}`, 201, bare("0423")},
		{"first page", "GET", "/retailers/coles/outlets?page_size=2", "", 200,
			`{"outlets": [` + replaced + `, ` + bare("0422") + `], "more": true}`},
		{"last page", "GET", "/retailers/coles/outlets?page=1&page_size=2", "", 200, `{"outlets": [` + bare("0423") + `], "more": false}`},
		{"delete", "DELETE", "/retailers/coles/outlets/0421", "", 200, okBody},
		{"delete again", "DELETE", "/retailers/coles/outlets/0421", "", 404, `{"error": {"code": "not_found", "message": "outlet not found"}}`},
		{"deleted from the list", "GET", "/retailers/coles/outlets?page_size=1", "", 200, `{"outlets": [` + bare("0422") + `], "more": true}`},
		{"unknown retailer's outlets", "GET", "/retailers/aldi/outlets", "", 404, notFound},
		{"outlet of an unknown retailer", "PUT", "/retailers/aldi/outlets/1", `{}`, 404,
			`{"error": {"code": "not_found", "message": "retailer \"aldi\" not found"}}`},
		{"deleting the retailer", "DELETE", "/retailers/coles", "", 200, okBody},
		{"deletes its outlets", "DELETE", "/retailers/coles/outlets/0422", "", 404, ""},
		{"and their list", "GET", "/retailers/coles/outlets", "", 404, notFound},
	})
}

func TestCatalogBrands(t *testing.T) {
	nestle := `{"id": "nestle", "name": "Nestlé", "partner": true, "item_coins": 410000000000000000, "spend_coins": 170000000000000000}`
	replaced := `{"id": "nestle", "name": "Nestle", "partner": false, "item_coins": 1000000000000000000000000, "spend_coins": 0}`
	bare := func(id, name string) string {
		return `{"id": "` + id + `", "name": "` + name + `", "partner": false, "item_coins": 0, "spend_coins": 0}`
	}
	runCatalogSteps(t, []catalogStep{
		{"create with a bare and a quoted rate; the path's id wins", "PUT", "/brands/nestle",
			`{"id": "mars", "name": "Nestlé", "partner": true, "item_coins": 410000000000000000, "spend_coins": "170000000000000000"}`, 201, nestle},
		{"read", "GET", "/brands/nestle", "", 200, nestle},
		{"replace at the largest rate", "PUT", "/brands/nestle", `{"name": "Nestle", "item_coins": "1000000000000000000000000", "spend_coins": null}`, 200, replaced},
		{"read replaced", "GET", "/brands/nestle", "", 200, replaced},
		{"create mars", "PUT", "/brands/mars", `{"name": "Mars"}`, 201, bare("mars", "Mars")},
		{"create arnotts", "PUT", "/brands/arnotts", `{"name": "Arnott's", "item_coins": "007"}`, 201,
			`{"id": "arnotts", "name": "Arnott's", "partner": false, "item_coins": 7, "spend_coins": 0}`},
		{"first page", "GET", "/brands?page_size=2", "", 200,
			`{"brands": [{"id": "arnotts", "name": "Arnott's", "partner": false, "item_coins": 7, "spend_coins": 0}, ` + bare("mars", "Mars") + `], "more": true}`},
		{"last page", "GET", "/brands?page=1&page_size=2", "", 200, `{"brands": [` + replaced + `], "more": false}`},
		{"delete", "DELETE", "/brands/nestle", "", 200, okBody},
		{"read deleted", "GET", "/brands/nestle", "", 404, `{"error": {"code": "not_found", "message": "brand not found"}}`},
		{"delete again", "DELETE", "/brands/nestle", "", 404, `{"error": {"code": "not_found", "message": "brand not found"}}`},
	})
}

func TestCatalogProducts(t *testing.T) {
	kitkat := `{"gtin": "09311995843710", "name": "KitKat 4 Finger", "brand_id": "nestle", "size": "45", "unit": "g",
		"aliases": [{"retailer_id": "coles", "text": "KITKAT 4F 45G"}]}`
	renamed := `{"gtin": "09311995843710", "name": "Kit Kat 4 Finger", "brand_id": "", "size": "", "unit": "",
		"aliases": [{"retailer_id": "coles", "text": "KITKAT 4F 45G"}]}`
	unaliased := `{"gtin": "09311995843710", "name": "Kit Kat", "brand_id": "", "size": "", "unit": "", "aliases": []}`
	bare := func(gtin, name string) string {
		return `{"gtin": "` + gtin + `", "name": "` + name + `", "brand_id": "", "size": "", "unit": "", "aliases": []}`
	}
	notFound := `{"error": {"code": "not_found", "message": "product not found"}}`
	runCatalogSteps(t, []catalogStep{
		{"the alias's retailer", "PUT", "/retailers/coles", `{"name": "Coles"}`, 201, ""},
		{"create by GTIN-13; the path's GTIN wins", "PUT", "/products/9311995843710", `{"gtin": "96385074", "name": "KitKat 4 Finger",
			"brand_id": "nestle", "size": "45", "unit": "G", "aliases": [{"retailer_id": "coles", "text": "kitkat 4f-45g", "gtin": "96385074"}]}`,
			201, kitkat},
		{"read by GTIN-14", "GET", "/products/09311995843710", "", 200, kitkat},
		{"read by GTIN-13", "GET", "/products/9311995843710", "", 200, kitkat},
		{"not created under the body's GTIN", "GET", "/products/96385074", "", 404, notFound},
		{"replace; no aliases keeps them", "PUT", "/products/09311995843710", `{"name": "Kit Kat 4 Finger"}`, 200, renamed},
		{"read replaced", "GET", "/products/9311995843710", "", 200, renamed},
		{"an empty alias list removes them", "PUT", "/products/9311995843710", `{"name": "Kit Kat", "aliases": []}`, 200, unaliased},
		{"create by GTIN-8", "PUT", "/products/96385074", `{"name": "Eight"}`, 201, bare("00000096385074", "Eight")},
		{"create by GTIN-12", "PUT", "/products/036000291452", `{"name": "Twelve"}`, 201, bare("00036000291452", "Twelve")},
		{"first page", "GET", "/products?page_size=2", "", 200,
			`{"products": [` + bare("00000096385074", "Eight") + `, ` + bare("00036000291452", "Twelve") + `], "more": true}`},
		{"last page", "GET", "/products?page=1&page_size=2", "", 200, `{"products": [` + unaliased + `], "more": false}`},
		{"alias of an unknown retailer", "PUT", "/products/96385074", `{"name": "Eight", "aliases": [{"retailer_id": "aldi", "text": "EIGHT"}]}`,
			404, `{"error": {"code": "not_found", "message": "retailer \"aldi\" or product 00000096385074 not found"}}`},
		{"delete by GTIN-12", "DELETE", "/products/036000291452", "", 200, okBody},
		{"read deleted", "GET", "/products/00036000291452", "", 404, notFound},
		{"delete again", "DELETE", "/products/00036000291452", "", 404, notFound},
	})
}

// TestCatalogInvalid checks every kind of bad request on every resource:
// malformed JSON, values of the wrong type, values Validate refuses, bad
// paging and bad GTINs are 400 naming the field when one is at fault.
func TestCatalogInvalid(t *testing.T) {
	e := newEnv(t)
	root := e.user("root", till.RoleAdmin)
	for _, path := range []string{"/retailers/coles", "/brands/nestle"} {
		if w := e.call("PUT", "/receipts-service/admin"+path, root, `{"name": "X"}`); w.Code != 201 {
			t.Fatalf("PUT %s: %d %s", path, w.Code, w.Body)
		}
	}
	long := strings.Repeat("9", 65)
	for _, tt := range []struct {
		name, method, path, body string
		status                   int
		field, msg               string
	}{
		// Malformed bodies.
		{"retailer: malformed JSON", "PUT", "/retailers/coles", `{"name": "Coles",}`, 400, "", "malformed JSON at byte"},
		{"retailer: truncated JSON", "PUT", "/retailers/coles", `{"name": `, 400, "", "ends inside its JSON value"},
		{"retailer: empty body", "PUT", "/retailers/coles", ``, 400, "", "request body is empty"},
		{"retailer: not an object", "PUT", "/retailers/coles", `["Coles"]`, 400, "", "must be a JSON object"},
		{"retailer: trailing data", "PUT", "/retailers/coles", `{"name": "Coles"} {}`, 400, "", "has more after its JSON value"},
		{"outlet: malformed JSON", "PUT", "/retailers/coles/outlets/1", `{name: "x"}`, 400, "", "malformed JSON"},
		{"brand: malformed JSON", "PUT", "/brands/nestle", `{"name": "Nestlé" "partner": true}`, 400, "", "malformed JSON"},
		{"product: malformed JSON", "PUT", "/products/9311995843710", `{"name": 'KitKat'}`, 400, "", "malformed JSON"},

		// Values of the wrong type.
		{"retailer: name a number", "PUT", "/retailers/coles", `{"name": 5}`, 400, "name", "found number where a string was expected"},
		{"retailer: tax_ids a string", "PUT", "/retailers/coles", `{"name": "Coles", "tax_ids": "1"}`, 400, "tax_ids", "where an array was expected"},
		{"outlet: latitude a string", "PUT", "/retailers/coles/outlets/1", `{"latitude": "north"}`, 400, "latitude", "where a number was expected"},
		{"brand: partner a string", "PUT", "/brands/nestle", `{"name": "N", "partner": "yes"}`, 400, "partner", "where true or false was expected"},
		{"brand: item_coins a fraction", "PUT", "/brands/nestle", `{"name": "N", "item_coins": 1.5}`, 400, "item_coins", "integer number of units"},
		{"brand: item_coins an exponent", "PUT", "/brands/nestle", `{"name": "N", "item_coins": 1e18}`, 400, "item_coins", "integer number of units"},
		{"brand: item_coins a quoted fraction", "PUT", "/brands/nestle", `{"name": "N", "item_coins": "0.5"}`, 400, "item_coins", "integer number of units"},
		{"brand: item_coins true", "PUT", "/brands/nestle", `{"name": "N", "item_coins": true}`, 400, "item_coins", "found bool"},
		{"brand: spend_coins an object", "PUT", "/brands/nestle", `{"name": "N", "spend_coins": {}}`, 400, "spend_coins", "found object"},
		{"brand: spend_coins an empty string", "PUT", "/brands/nestle", `{"name": "N", "spend_coins": ""}`, 400, "spend_coins", "empty string"},
		{"product: name a number", "PUT", "/products/9311995843710", `{"name": 5}`, 400, "name", "where a string was expected"},
		{"product: aliases a string", "PUT", "/products/9311995843710", `{"name": "K", "aliases": "KITKAT"}`, 400, "aliases", "where an array was expected"},

		// Values Validate refuses.
		{"retailer: id not a slug", "PUT", "/retailers/Coles", `{"name": "Coles"}`, 400, "id", "lower-case slug"},
		{"retailer: no name", "PUT", "/retailers/coles", `{"alias": "Coles"}`, 400, "name", "name is required"},
		{"retailer: logo not http", "PUT", "/retailers/coles", `{"name": "C", "logo_url": "ftp://x"}`, 400, "logo_url", "http(s) URL"},
		{"retailer: country", "PUT", "/retailers/coles", `{"name": "C", "country": "AUS"}`, 400, "country", "ISO 3166-1"},
		{"outlet: store id too long", "PUT", "/retailers/coles/outlets/" + long, `{}`, 400, "store_id", "1-64 characters"},
		{"outlet: latitude", "PUT", "/retailers/coles/outlets/1", `{"latitude": 91}`, 400, "latitude", "between -90 and 90"},
		{"outlet: longitude", "PUT", "/retailers/coles/outlets/1", `{"longitude": -181}`, 400, "longitude", "between -180 and 180"},
		{"brand: id not a slug", "PUT", "/brands/Nestl%C3%A9", `{"name": "N"}`, 400, "id", "lower-case slug"},
		{"brand: no name", "PUT", "/brands/nestle", `{"partner": true}`, 400, "name", "name is required"},
		{"brand: negative rate", "PUT", "/brands/nestle", `{"name": "N", "item_coins": -1}`, 400, "item_coins", "must not be negative"},
		{"brand: rate over the earning bound", "PUT", "/brands/nestle", `{"name": "N", "spend_coins": "1000000000000000000000001"}`, 400, "spend_coins", "at most 1000000000000000000000000 units"},
		{"brand: rate of 2^127", "PUT", "/brands/nestle", `{"name": "N", "item_coins": 170141183460469231731687303715884105728}`, 400, "item_coins", "below 2^127"},
		{"product: no name", "PUT", "/products/9311995843710", `{"brand_id": "nestle"}`, 400, "name", "name is required"},
		{"product: brand id", "PUT", "/products/9311995843710", `{"name": "K", "brand_id": "Nestlé"}`, 400, "brand_id", "lower-case slug"},
		{"product: size", "PUT", "/products/9311995843710", `{"name": "K", "size": "big", "unit": "g"}`, 400, "size", "positive decimal"},
		{"product: unit without size", "PUT", "/products/9311995843710", `{"name": "K", "unit": "g"}`, 400, "unit", "size and unit go together"},
		{"product: alias retailer", "PUT", "/products/9311995843710", `{"name": "K", "aliases": [{"retailer_id": "coles", "text": "K"}, {"retailer_id": "Coles", "text": "K"}]}`, 400, "aliases[1].retailer_id", "lower-case slug"},
		{"product: alias text", "PUT", "/products/9311995843710", `{"name": "K", "aliases": [{"retailer_id": "coles", "text": "--"}]}`, 400, "aliases[0].text", "1-200 letters or digits"},

		// GTINs in the path.
		{"product: bad check digit (GET)", "GET", "/products/9311995843711", "", 400, "gtin", "right check digit"},
		{"product: bad check digit (PUT)", "PUT", "/products/9311995843711", `{"name": "K"}`, 400, "gtin", "right check digit"},
		{"product: bad check digit (DELETE)", "DELETE", "/products/9311995843711", "", 400, "gtin", "right check digit"},
		{"product: GTIN of 11 digits", "GET", "/products/93119958437", "", 400, "gtin", "GTIN-8, -12, -13 or -14"},
		{"product: GTIN not digits", "GET", "/products/kitkat", "", 400, "gtin", "GTIN-8, -12, -13 or -14"},

		// Paging.
		{"retailers: negative page", "GET", "/retailers?page=-1", "", 400, "page", "from 0 to"},
		{"outlets: page not a number", "GET", "/retailers/coles/outlets?page=one", "", 400, "page", "must be an integer"},
		{"brands: page_size 0", "GET", "/brands?page_size=0", "", 400, "page_size", "from 1 to 100"},
		{"products: page_size over 100", "GET", "/products?page_size=101", "", 400, "page_size", "from 1 to 100"},

		// Unknown ids.
		{"retailer unknown", "GET", "/retailers/aldi", "", 404, "", "retailer not found"},
		{"retailer unknown (DELETE)", "DELETE", "/retailers/aldi", "", 404, "", "retailer not found"},
		{"outlet unknown (DELETE)", "DELETE", "/retailers/coles/outlets/1", "", 404, "", "outlet not found"},
		{"brand unknown", "GET", "/brands/mars", "", 404, "", "brand not found"},
		{"brand unknown (DELETE)", "DELETE", "/brands/mars", "", 404, "", "brand not found"},
		{"product unknown", "GET", "/products/96385074", "", 404, "", "product not found"},
		{"product unknown (DELETE)", "DELETE", "/products/96385074", "", 404, "", "product not found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.call(tt.method, "/receipts-service/admin"+tt.path, root, tt.body), tt.status, tt.field, tt.msg)
		})
	}
}

// TestCatalogRoles checks that only admins reach the catalogue: no ticket
// is 401, a ticket of any other role 403, whatever the request.
func TestCatalogRoles(t *testing.T) {
	e := newEnv(t)
	root := e.user("root", till.RoleAdmin)
	others := map[string]string{
		"user":      e.user("alice", till.RoleUser),
		"system":    e.user("coles-pos", till.RoleSystem, "coles"),
		"moderator": e.user("mod", till.RoleModerator),
	}
	n := 0
	for _, rt := range (&server{}).routes() {
		if !strings.Contains(rt.pattern, "/admin/retailers") && !strings.Contains(rt.pattern, "/admin/brands") && !strings.Contains(rt.pattern, "/admin/products") {
			continue
		}
		n++
		path := strings.NewReplacer("{id}", "coles", "{store_id}", "0421", "{gtin}", "9311995843710").Replace(rt.pattern)
		body := ""
		if rt.method == "PUT" {
			body = `{"name": "X"}`
		}
		t.Run(rt.method+" "+rt.pattern, func(t *testing.T) {
			wantError(t, e.call(rt.method, path, "", body), 401, "", "missing authenticateit_identity_ticket header")
			for role, ticket := range others {
				wantError(t, e.call(rt.method, path, ticket, body), 403, "", "this endpoint is for role admin; the ticket's user has role "+role)
			}
			if w := e.call(rt.method, path, root, body); w.Code == 401 || w.Code == 403 {
				t.Errorf("admin: %d %s", w.Code, w.Body)
			}
		})
	}
	if n != 15 {
		t.Errorf("%d catalogue routes, want 15", n)
	}
}
