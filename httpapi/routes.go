package httpapi

import (
	"net/http"
	"slices"
	"strings"

	"github.com/tillhq/till"
)

// handlerFunc handles one route. u is the authenticated caller, or nil on
// a public route. An error it returns before writing is answered by
// writeError; a handler that has written must return nil.
type handlerFunc func(w http.ResponseWriter, r *http.Request, u *till.User) error

// route is one row of the route table.
type route struct {
	method  string
	pattern string      // a ServeMux path pattern
	roles   []till.Role // nil: public; else the caller must hold one of them
	handle  handlerFunc
}

// The role sets of the route table.
var (
	public []till.Role
	users  = []till.Role{till.RoleUser}
	admins = []till.Role{till.RoleAdmin}
	staff  = []till.Role{till.RoleModerator, till.RoleAdmin}
	anyone = []till.Role{till.RoleUser, till.RoleSystem, till.RoleModerator, till.RoleAdmin}
)

// svc starts every path of the receipts service.
const svc = "/receipts-service"

// routes is the table of every route the API serves. The OpenAPI test walks
// it, so a route is documented exactly when it is here.
func (s *server) routes() []route {
	return []route{
		{"POST", svc + "/user/receipt", users, s.addReceipt},
		{"GET", svc + "/user/receipt", users, s.listReceipts},
		{"DELETE", svc + "/user/receipt/{id}", users, s.deleteReceipt},
		{"PUT", svc + "/user/receipt/{id}/retailer", users, s.setReceiptRetailer},
		{"GET", svc + "/user/receipt/{id}/products", users, s.receiptProducts},
		{"PUT", svc + "/user/receipt/{id}/products", users, s.setReceiptProducts},
		{"GET", svc + "/user/retailers", users, s.listUserRetailers},
		{"GET", svc + "/user/groups", users, s.receiptGroups},
		{"GET", svc + "/user/actions", users, s.receiptActions},
		{"POST", svc + "/user/search", users, s.searchReceipts},
		{"GET", svc + "/user/coins", users, s.userCoins},
		{"GET", svc + "/user/coins/history", users, s.coinHistory},

		{"POST", svc + "/user/receipt/images", users, s.uploadImage},
		{"GET", svc + "/images/{key...}", anyone, s.serveImage},

		{"GET", svc + "/receipts/{id}/audit", staff, s.receiptAudit},
		{"PUT", svc + "/receipts/{id}/products", staff, s.moderateReceiptProducts},

		{"POST", svc + "/admin/users", admins, s.createUser},
		{"GET", svc + "/admin/users/{id}", admins, s.getUser},
		{"POST", svc + "/admin/users/{id}/tickets", admins, s.issueTicket},
		{"DELETE", svc + "/admin/users/{id}/tickets", admins, s.revokeTickets},

		{"GET", svc + "/admin/retailers", admins, s.listRetailers},
		{"GET", svc + "/admin/retailers/{id}", admins, s.getRetailer},
		{"PUT", svc + "/admin/retailers/{id}", admins, s.putRetailer},
		{"DELETE", svc + "/admin/retailers/{id}", admins, s.deleteRetailer},
		{"GET", svc + "/admin/retailers/{id}/outlets", admins, s.listOutlets},
		{"PUT", svc + "/admin/retailers/{id}/outlets/{store_id}", admins, s.putOutlet},
		{"DELETE", svc + "/admin/retailers/{id}/outlets/{store_id}", admins, s.deleteOutlet},
		{"GET", svc + "/admin/brands", admins, s.listBrands},
		{"GET", svc + "/admin/brands/{id}", admins, s.getBrand},
		{"PUT", svc + "/admin/brands/{id}", admins, s.putBrand},
		{"DELETE", svc + "/admin/brands/{id}", admins, s.deleteBrand},
		{"GET", svc + "/admin/products", admins, s.listProducts},
		{"GET", svc + "/admin/products/{gtin}", admins, s.getProduct},
		{"PUT", svc + "/admin/products/{gtin}", admins, s.putProduct},
		{"DELETE", svc + "/admin/products/{gtin}", admins, s.deleteProduct},

		{"GET", "/healthz", public, s.healthz},
		{"GET", "/readyz", public, s.readyz},
		{"GET", "/metrics", public, s.serveMetrics},
		{"GET", "/openapi.json", public, s.serveOpenAPI},
	}
}

// register adds the route table to the mux, each route behind its
// authentication, and a catch-all that answers unknown paths 404 and known
// paths with the wrong method 405, both in the API's error shape.
func (s *server) register() {
	for _, rt := range s.routes() {
		s.mux.Handle(rt.method+" "+rt.pattern, s.wrap(rt))
		if !slices.Contains(s.methods, rt.method) {
			s.methods = append(s.methods, rt.method)
		}
	}
	s.methods = append(s.methods, http.MethodHead) // GET routes answer HEAD too
	slices.Sort(s.methods)
	s.mux.HandleFunc("/", s.notFound)
}

// wrap authenticates and authorises the caller of rt and runs its handler.
func (s *server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u *till.User
		if rt.roles != nil {
			var err error
			if u, err = s.authenticate(r); err != nil {
				s.writeError(w, r, err)
				return
			}
			info(r.Context()).userID = u.ID
			if !slices.Contains(rt.roles, u.Role) {
				s.writeError(w, r, till.Errorf(till.KindForbidden, "this endpoint is for role %s; the ticket's user has role %s", joinRoles(rt.roles), u.Role))
				return
			}
		}
		if err := rt.handle(w, r, u); err != nil {
			s.writeError(w, r, err)
		}
	})
}

func joinRoles(roles []till.Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return strings.Join(names, " or ")
}

// ticketHeader carries the session ticket, as the spec names it.
const ticketHeader = "authenticateit_identity_ticket"

// authenticate returns the user holding r's ticket. It fails with
// KindUnauthorized when the header is missing, and passes on the store's
// KindUnauthorized error (naming unknown, expired or revoked) otherwise.
func (s *server) authenticate(r *http.Request) (*till.User, error) {
	secret := r.Header.Get(ticketHeader)
	if secret == "" {
		return nil, till.Errorf(till.KindUnauthorized, "missing %s header", ticketHeader)
	}
	return s.store.UserByTicket(r.Context(), till.HashTicket(secret), s.now())
}

// notFound answers requests no route matched: 405 with an Allow header when
// the path is served for other methods, 404 otherwise.
func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range s.methods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		s.writeMethodNotAllowed(w, r, allow)
		return
	}
	s.writeError(w, r, till.Errorf(till.KindNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
}
