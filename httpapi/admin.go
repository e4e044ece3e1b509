package httpapi

import (
	"net/http"
	"time"

	"github.com/tillhq/till"
)

// createUserRequest is the body of POST /admin/users.
type createUserRequest struct {
	Name      string   `json:"name"`
	Role      string   `json:"role"`
	Retailers []string `json:"retailers"`
}

// ticketResponse answers the issue of a ticket. The secret is shown here
// only; Till keeps its hash.
type ticketResponse struct {
	ID        string `json:"id"`
	Ticket    string `json:"ticket"`
	ExpiresAt string `json:"expires_at"`
}

// userResponse is a user as the admin endpoints show it.
type userResponse struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Role         string   `json:"role"`
	Retailers    []string `json:"retailers"`
	Level        string   `json:"level"`
	Karma        int      `json:"karma"`
	RegisteredAt string   `json:"registered_at"`
}

// createUser registers a user and answers 201 with its first ticket. A
// taken name is 409.
func (s *server) createUser(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	var q createUserRequest
	if err := s.decodeJSON(w, r, &q); err != nil {
		return err
	}
	if q.Role == "" {
		return till.Invalid("role", "role is required: user, system, moderator or admin")
	}
	role, err := till.ParseRole("role", q.Role)
	if err != nil {
		return err
	}
	now := s.now()
	u, err := till.NewUser(q.Name, role, q.Retailers, now)
	if err != nil {
		return err
	}
	if err := s.store.CreateUser(r.Context(), u); err != nil {
		return err
	}
	return s.writeNewTicket(w, r, u.ID, now)
}

// getUser answers the user named by {id}, its URN or bare name.
func (s *server) getUser(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	u, err := s.store.User(r.Context(), till.UserIDFromRef(r.PathValue("id")))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, userResponse{
		ID:           u.ID,
		Name:         u.Name,
		Role:         string(u.Role),
		Retailers:    nonNil(u.Retailers),
		Level:        u.Level,
		Karma:        u.Karma,
		RegisteredAt: formatTS(u.RegisteredAt),
	})
}

// issueTicket answers 201 with a new ticket for the user named by {id}.
// Tickets issued before stay valid.
func (s *server) issueTicket(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	u, err := s.store.User(r.Context(), till.UserIDFromRef(r.PathValue("id")))
	if err != nil {
		return err
	}
	return s.writeNewTicket(w, r, u.ID, s.now())
}

func (s *server) writeNewTicket(w http.ResponseWriter, r *http.Request, userID string, now time.Time) error {
	secret, t := till.NewTicket(userID, now, s.ticketTTL)
	if err := s.store.CreateTicket(r.Context(), t); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store") // the secret must not linger in caches
	return writeJSON(w, http.StatusCreated, ticketResponse{ID: userID, Ticket: secret, ExpiresAt: formatTS(t.ExpiresAt)})
}

// revokeTickets revokes every live ticket of the user named by {id} and
// answers how many.
func (s *server) revokeTickets(w http.ResponseWriter, r *http.Request, _ *till.User) error {
	n, err := s.store.RevokeTickets(r.Context(), till.UserIDFromRef(r.PathValue("id")), s.now())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Result  string `json:"result"`
		Revoked int    `json:"revoked"`
	}{"ok", n})
}
