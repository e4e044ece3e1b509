package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tillhq/till"
)

const userColumns = `users.id, users.name, users.role, users.retailers, users.level, users.karma, users.registered_us`

// CreateUser stores u. It fails with KindConflict when u's id or name is
// taken.
func (s *Store) CreateUser(ctx context.Context, u *till.User) error {
	_, err := s.exec(ctx, s.w, `INSERT INTO users (id, name, role, retailers, level, karma, registered_us)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		u.ID, u.Name, string(u.Role), jsonList(u.Retailers), u.Level, u.Karma, us(u.RegisteredAt))
	if s.class(err) == ClassUnique {
		return till.Errorf(till.KindConflict, "user %q already exists", u.Name)
	}
	if err != nil {
		return s.fail("create user", err)
	}
	return nil
}

// User returns the user with the given id. It fails with KindNotFound when
// there is none.
func (s *Store) User(ctx context.Context, id string) (*till.User, error) {
	u, err := scanUser(s.queryRow(ctx, s.r, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, till.NotFound("user")
	}
	if err != nil {
		return nil, s.fail("user", err)
	}
	return u, nil
}

// CreateTicket stores t. It fails with KindNotFound when t.UserID names no
// user and with KindConflict when a ticket with t's hash exists.
func (s *Store) CreateTicket(ctx context.Context, t till.Ticket) error {
	_, err := s.exec(ctx, s.w, `INSERT INTO tickets (hash, user_id, created_us, expires_us) VALUES ($1, $2, $3, $4)`,
		t.Hash[:], t.UserID, us(t.CreatedAt), us(t.ExpiresAt))
	switch s.class(err) {
	case ClassForeignKey:
		return till.NotFound("user")
	case ClassUnique:
		return till.Errorf(till.KindConflict, "ticket already exists")
	}
	if err != nil {
		return s.fail("create ticket", err)
	}
	return nil
}

// UserByTicket returns the user holding the ticket whose hash is given. It
// fails with KindUnauthorized when the ticket is unknown ("unknown ticket"),
// revoked ("ticket revoked") or, at now, expired ("ticket expired"); a
// ticket expires at the instant of its ExpiresAt.
func (s *Store) UserByTicket(ctx context.Context, hash [32]byte, now time.Time) (*till.User, error) {
	var expires int64
	var revoked sql.NullInt64
	row := s.queryRow(ctx, s.r, `SELECT `+userColumns+`, tickets.expires_us, tickets.revoked_us
		FROM tickets JOIN users ON users.id = tickets.user_id
		WHERE tickets.hash = $1`, hash[:])
	u, err := scanUser(row, &expires, &revoked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, till.Errorf(till.KindUnauthorized, "unknown ticket")
	case err != nil:
		return nil, s.fail("user by ticket", err)
	case revoked.Valid:
		return nil, till.Errorf(till.KindUnauthorized, "ticket revoked")
	case us(now) >= expires:
		return nil, till.Errorf(till.KindUnauthorized, "ticket expired")
	}
	return u, nil
}

// RevokeTickets revokes, as of now, every ticket of the user that is
// neither revoked nor expired at now, and returns how many it revoked. It
// fails with KindNotFound when there is no such user.
func (s *Store) RevokeTickets(ctx context.Context, userID string, now time.Time) (int, error) {
	res, err := s.exec(ctx, s.w, `UPDATE tickets SET revoked_us = $1
		WHERE user_id = $2 AND revoked_us IS NULL AND expires_us > $1`, us(now), userID)
	if err != nil {
		return 0, s.fail("revoke tickets", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.fail("revoke tickets", err)
	}
	if n == 0 {
		var exists bool
		err := s.queryRow(ctx, s.w, `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)`, userID).Scan(&exists)
		if err != nil {
			return 0, s.fail("revoke tickets", err)
		}
		if !exists {
			return 0, till.NotFound("user")
		}
	}
	return int(n), nil
}

// scanUser scans the userColumns of row, then the extra destinations.
func scanUser(row *sql.Row, extra ...any) (*till.User, error) {
	var u till.User
	var role, retailers string
	var registered int64
	dest := append([]any{&u.ID, &u.Name, &role, &retailers, &u.Level, &u.Karma, &registered}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	u.Role = till.Role(role)
	u.RegisteredAt = fromUS(registered)
	var err error
	if u.Retailers, err = parseList(retailers); err != nil {
		return nil, fmt.Errorf("user %s: retailers: %w", u.ID, err)
	}
	return &u, nil
}

// jsonList returns the stored form of a list of strings: a JSON array,
// "[]" when it is empty.
func jsonList(list []string) string {
	if len(list) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(list) // a []string always marshals
	return string(b)
}

// parseList returns the list stored by jsonList; nil when it is empty.
func parseList(s string) ([]string, error) {
	var list []string
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}
