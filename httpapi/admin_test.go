package httpapi

import (
	"net/http"
	"testing"
	"time"

	"github.com/tillhq/till"
)

func TestAdminUsers(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.TicketTTL = 48 * time.Hour })
	root := e.user("root", till.RoleAdmin)

	// A new user gets a ticket that works at once.
	w := e.call("POST", "/receipts-service/admin/users", root, `{"name": "alice", "role": "user"}`)
	tk := decode[ticketResponse](t, w, http.StatusCreated)
	if tk.ID != "urn:authenticateit:user:username:alice" || tk.Ticket == "" || !tsRE.MatchString(tk.ExpiresAt) {
		t.Fatalf("created %+v", tk)
	}
	if exp, _ := time.Parse(time.RFC3339, tk.ExpiresAt); exp.Sub(e.now()) < 47*time.Hour {
		t.Errorf("expires at %s, want 48h from now", tk.ExpiresAt)
	}
	if w := e.call("GET", "/receipts-service/user/groups", tk.Ticket, ""); w.Code != 200 {
		t.Errorf("new ticket: %d %s", w.Code, w.Body)
	}

	// A system user with its retailers, fetched by name and by URN.
	decode[ticketResponse](t, e.call("POST", "/receipts-service/admin/users", root, `{"name": "coles-pos", "role": "system", "retailers": ["coles"]}`), 201)
	for _, ref := range []string{"coles-pos", "urn:authenticateit:user:username:coles-pos"} {
		u := decode[userResponse](t, e.call("GET", "/receipts-service/admin/users/"+ref, root, ""), 200)
		if u.ID != "urn:authenticateit:user:username:coles-pos" || u.Role != "system" || len(u.Retailers) != 1 || u.Retailers[0] != "coles" || u.Level != "basic" || !tsRE.MatchString(u.RegisteredAt) {
			t.Errorf("GET %s = %+v", ref, u)
		}
	}
	wantError(t, e.call("GET", "/receipts-service/admin/users/nobody", root, ""), 404, "", "user not found")

	// More tickets, then revoke them all.
	second := decode[ticketResponse](t, e.call("POST", "/receipts-service/admin/users/alice/tickets", root, ""), 201)
	if second.Ticket == tk.Ticket {
		t.Fatal("the same ticket twice")
	}
	wantError(t, e.call("POST", "/receipts-service/admin/users/nobody/tickets", root, ""), 404, "", "user not found")
	got := decode[struct {
		Result  string
		Revoked int
	}](t, e.call("DELETE", "/receipts-service/admin/users/alice/tickets", root, ""), 200)
	if got.Result != "ok" || got.Revoked != 2 {
		t.Errorf("revoke = %+v, want ok 2", got)
	}
	for _, secret := range []string{tk.Ticket, second.Ticket} {
		wantError(t, e.call("GET", "/receipts-service/user/groups", secret, ""), 401, "", "ticket revoked")
	}
	wantError(t, e.call("DELETE", "/receipts-service/admin/users/nobody/tickets", root, ""), 404, "", "user not found")
}

func TestAdminCreateUserInvalid(t *testing.T) {
	e := newEnv(t)
	root := e.user("root", till.RoleAdmin)
	e.user("taken", till.RoleUser)
	for _, tt := range []struct {
		name, body string
		status     int
		field, msg string
	}{
		{"taken name", `{"name": "taken", "role": "user"}`, 409, "", "already exists"},
		{"no role", `{"name": "bob"}`, 400, "role", "role is required"},
		{"unknown role", `{"name": "bob", "role": "boss"}`, 400, "role", "must be one of"},
		{"bad name", `{"name": "bob smith", "role": "user"}`, 400, "name", "letters, digits"},
		{"no name", `{"role": "user"}`, 400, "name", "name must be"},
		{"system without retailers", `{"name": "pos", "role": "system"}`, 400, "retailers", "at least one retailer"},
		{"user with retailers", `{"name": "bob", "role": "user", "retailers": ["coles"]}`, 400, "retailers", "only system users"},
		{"bad retailer", `{"name": "pos", "role": "system", "retailers": ["Coles!"]}`, 400, "retailers", "slug"},
		{"retailers as string", `{"name": "pos", "role": "system", "retailers": "coles"}`, 400, "retailers", "where an array was expected"},
		{"name as number", `{"name": 5, "role": "user"}`, 400, "name", "found number"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.call("POST", "/receipts-service/admin/users", root, tt.body), tt.status, tt.field, tt.msg)
		})
	}
}
