package till

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Role says what a user may do. See the table in docs/api.md.
type Role string

// The roles. A system user acts for one or more retailers and sees only
// their receipts; moderators decide cases; admins manage rules, the
// catalogue and users.
const (
	RoleUser      Role = "user"
	RoleSystem    Role = "system"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
)

// ParseRole returns the role named s, or a KindInvalid error for field.
func ParseRole(field, s string) (Role, error) {
	switch r := Role(s); r {
	case RoleUser, RoleSystem, RoleModerator, RoleAdmin:
		return r, nil
	}
	return "", Invalid(field, "%s must be one of user, system, moderator, admin; got %q", field, s)
}

// DefaultLevel is the level of a newly registered user.
const DefaultLevel = "basic"

// UserURNPrefix starts every user id, as in the spec's examples.
const UserURNPrefix = "urn:authenticateit:user:username:"

var userNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$`)

// User is a person or system acting on Till.
type User struct {
	ID           string    // UserURNPrefix + Name
	Name         string    // unique; letters, digits and ._@+-
	Role         Role      //
	Retailers    []string  // retailer ids a system user acts for; empty otherwise
	Level        string    // loyalty level, DefaultLevel at registration
	Karma        int       // raised and lowered by alert rules
	RegisteredAt time.Time //
}

// NewUser validates name, role and retailers and returns a user registered at now.
func NewUser(name string, role Role, retailers []string, now time.Time) (*User, error) {
	if !userNameRE.MatchString(name) {
		return nil, Invalid("name", "name must be 1-128 letters, digits or ._@+- and start with a letter or digit; got %q", name)
	}
	if _, err := ParseRole("role", string(role)); err != nil {
		return nil, err
	}
	retailers = slices.Compact(slices.Sorted(slices.Values(retailers)))
	for _, r := range retailers {
		if !RetailerIDRE.MatchString(r) {
			return nil, Invalid("retailers", "retailer id %q must be a lower-case slug such as coles", r)
		}
	}
	if role == RoleSystem && len(retailers) == 0 {
		return nil, Invalid("retailers", "a system user needs at least one retailer id")
	}
	if role != RoleSystem && len(retailers) > 0 {
		return nil, Invalid("retailers", "only system users are scoped to retailers")
	}
	return &User{
		ID:           UserURNPrefix + name,
		Name:         name,
		Role:         role,
		Retailers:    retailers,
		Level:        DefaultLevel,
		RegisteredAt: now.UTC(),
	}, nil
}

// UserIDFromRef accepts a user's URN or bare name and returns the URN.
func UserIDFromRef(ref string) string {
	if strings.HasPrefix(ref, UserURNPrefix) {
		return ref
	}
	return UserURNPrefix + ref
}

// ActsFor reports whether u may see receipts of the given retailer through
// the retailer listings: admins for every retailer, system users for theirs.
func (u *User) ActsFor(retailerID string) bool {
	switch u.Role {
	case RoleAdmin:
		return true
	case RoleSystem:
		return retailerID != "" && slices.Contains(u.Retailers, retailerID)
	}
	return false
}

// Staff reports whether u is a moderator or an admin.
func (u *User) Staff() bool { return u.Role == RoleModerator || u.Role == RoleAdmin }

// Ticket is a session credential. Only its SHA-256 hash is stored; the
// secret is shown once, when it is issued.
type Ticket struct {
	Hash      [32]byte
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// NewTicket returns a fresh 256-bit ticket secret for userID and its record.
func NewTicket(userID string, now time.Time, ttl time.Duration) (secret string, t Ticket) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	secret = base64.RawURLEncoding.EncodeToString(b[:])
	return secret, Ticket{
		Hash:      HashTicket(secret),
		UserID:    userID,
		CreatedAt: now.UTC(),
		ExpiresAt: now.UTC().Add(ttl),
	}
}

// HashTicket returns the stored form of a ticket secret.
func HashTicket(secret string) [32]byte { return sha256.Sum256([]byte(secret)) }

// UserStore keeps users and their tickets.
type UserStore interface {
	// CreateUser stores u. It fails with KindConflict if the name is taken.
	CreateUser(ctx context.Context, u *User) error
	// User returns the user with the given id, or KindNotFound.
	User(ctx context.Context, id string) (*User, error)
	// CreateTicket stores t for an existing user.
	CreateTicket(ctx context.Context, t Ticket) error
	// UserByTicket returns the user holding the ticket with the given hash,
	// or KindUnauthorized when it is unknown, expired at now, or revoked.
	UserByTicket(ctx context.Context, hash [32]byte, now time.Time) (*User, error)
	// RevokeTickets revokes every live ticket of the user and returns how
	// many it revoked. It fails with KindNotFound for an unknown user.
	RevokeTickets(ctx context.Context, userID string, now time.Time) (int, error)
}
