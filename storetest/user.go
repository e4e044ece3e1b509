package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/tillhq/till"
)

func testUsers(t *testing.T, f *fixture) {
	ctx := t.Context()
	sys, err := till.NewUser("coles-feed", till.RoleSystem, []string{"coles", "aldi"}, f.tick())
	if err != nil {
		t.Fatal(err)
	}
	sys.Karma, sys.Level = -3, "gold"
	if err := f.s.CreateUser(ctx, sys); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	plain := f.user("alice")

	for _, want := range []*till.User{sys, plain} {
		t.Run("round trip "+want.Name, func(t *testing.T) {
			got, err := f.s.User(ctx, want.ID)
			if err != nil {
				t.Fatalf("User: %v", err)
			}
			if !got.RegisteredAt.Equal(want.RegisteredAt) {
				t.Errorf("RegisteredAt = %v, want %v", got.RegisteredAt, want.RegisteredAt)
			}
			g, w := *got, *want
			g.RegisteredAt, w.RegisteredAt = time.Time{}, time.Time{}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("User = %+v, want %+v", g, w)
			}
		})
	}

	errs := []struct {
		name string
		err  func() error
		kind till.Kind
		msg  string
	}{
		{"taken name", func() error {
			u, _ := till.NewUser("alice", till.RoleAdmin, nil, f.tick())
			return f.s.CreateUser(ctx, u)
		}, till.KindConflict, `user "alice" already exists`},
		{"unknown user", func() error {
			_, err := f.s.User(ctx, till.UserIDFromRef("bob"))
			return err
		}, till.KindNotFound, "user not found"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, tt.err(), tt.kind, "", tt.msg)
		})
	}
}

func testTickets(t *testing.T, f *fixture) {
	ctx := t.Context()
	alice := f.user("alice")
	now := f.tick()
	create := func(tk till.Ticket) {
		t.Helper()
		if err := f.s.CreateTicket(ctx, tk); err != nil {
			t.Fatalf("CreateTicket: %v", err)
		}
	}
	revoked, revokedTicket := till.NewTicket(alice.ID, now, time.Hour)
	create(revokedTicket)
	if _, err := f.s.RevokeTickets(ctx, alice.ID, now); err != nil {
		t.Fatalf("RevokeTickets: %v", err)
	}
	live, liveTicket := till.NewTicket(alice.ID, now, time.Hour)
	create(liveTicket)
	expired, expiredTicket := till.NewTicket(alice.ID, now.Add(-2*time.Hour), time.Hour)
	create(expiredTicket)

	tests := []struct {
		name   string
		secret string
		at     time.Time
		msg    string // "" when the ticket is good
	}{
		{"live", live, now, ""},
		{"live until its last microsecond", live, now.Add(time.Hour - time.Microsecond), ""},
		{"expired at its expiry", live, now.Add(time.Hour), "ticket expired"},
		{"expired long ago", expired, now, "ticket expired"},
		{"revoked", revoked, now, "ticket revoked"},
		{"unknown", "not-a-ticket", now, "unknown ticket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := f.s.UserByTicket(ctx, till.HashTicket(tt.secret), tt.at)
			if tt.msg != "" {
				wantError(t, err, till.KindUnauthorized, "", tt.msg)
				return
			}
			if err != nil {
				t.Fatalf("UserByTicket: %v", err)
			}
			if u.ID != alice.ID {
				t.Errorf("UserByTicket = %s, want %s", u.ID, alice.ID)
			}
		})
	}

	t.Run("create for unknown user", func(t *testing.T) {
		_, tk := till.NewTicket(till.UserIDFromRef("bob"), now, time.Hour)
		wantError(t, f.s.CreateTicket(ctx, tk), till.KindNotFound, "", "user not found")
	})
	t.Run("create existing hash", func(t *testing.T) {
		wantError(t, f.s.CreateTicket(ctx, liveTicket), till.KindConflict, "", "ticket already exists")
	})
}

func testRevokeTickets(t *testing.T, f *fixture) {
	ctx := t.Context()
	alice, bob := f.user("alice"), f.user("bob")
	now := f.tick()
	create := func(userID string, created time.Time) string {
		t.Helper()
		secret, tk := till.NewTicket(userID, created, time.Hour)
		if err := f.s.CreateTicket(ctx, tk); err != nil {
			t.Fatalf("CreateTicket: %v", err)
		}
		return secret
	}
	aliceLive := []string{create(alice.ID, now), create(alice.ID, now.Add(-time.Minute))}
	create(alice.ID, now.Add(-2*time.Hour)) // expired: not counted
	bobLive := create(bob.ID, now)

	tests := []struct {
		name   string
		userID string
		want   int
	}{
		{"every live ticket", alice.ID, 2},
		{"none left", alice.ID, 0},
		{"user without tickets", f.user("carol").ID, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := f.s.RevokeTickets(ctx, tt.userID, now)
			if err != nil {
				t.Fatalf("RevokeTickets: %v", err)
			}
			if n != tt.want {
				t.Errorf("RevokeTickets = %d, want %d", n, tt.want)
			}
		})
	}
	t.Run("unknown user", func(t *testing.T) {
		_, err := f.s.RevokeTickets(ctx, till.UserIDFromRef("dave"), now)
		wantError(t, err, till.KindNotFound, "", "user not found")
	})
	t.Run("revoked tickets fail", func(t *testing.T) {
		for _, secret := range aliceLive {
			_, err := f.s.UserByTicket(ctx, till.HashTicket(secret), now)
			wantError(t, err, till.KindUnauthorized, "", "ticket revoked")
		}
	})
	t.Run("other users keep theirs", func(t *testing.T) {
		u, err := f.s.UserByTicket(ctx, till.HashTicket(bobLive), now)
		if err != nil || u.ID != bob.ID {
			t.Fatalf("UserByTicket(bob's ticket) = %v, %v; want bob", u, err)
		}
	})
}
