package coins

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tillhq/till"
	"github.com/tillhq/till/postgres"
	"github.com/tillhq/till/sqlite"
)

// backends returns how to open a new, empty store on every database the
// tests can reach: SQLite always, PostgreSQL when TILL_TEST_DATABASE_URL
// names one.
func backends() map[string]func(t testing.TB) till.Store {
	b := map[string]func(t testing.TB) till.Store{"sqlite": openSQLite}
	if os.Getenv("TILL_TEST_DATABASE_URL") != "" {
		b["postgres"] = openPostgres
	}
	return b
}

// forEachBackend runs test as a subtest per backend, on a new store.
func forEachBackend(t *testing.T, test func(t *testing.T, s till.Store)) {
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) { test(t, open(t)) })
	}
}

func openSQLite(t testing.TB) till.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "till.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openPostgres opens a store in a new schema of the test database; both
// go when t ends.
func openPostgres(t testing.TB) till.Store {
	t.Helper()
	base := os.Getenv("TILL_TEST_DATABASE_URL")
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	schema := fmt.Sprintf("till_coins_%x", b)
	admin, err := pgxpool.New(t.Context(), base)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		admin, err := pgxpool.New(ctx, base)
		if err != nil {
			t.Errorf("connect: %v", err)
			return
		}
		defer admin.Close()
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TILL_TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	s, err := postgres.Open(t.Context(), u.String())
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newUser stores a user named name.
func newUser(t testing.TB, s till.Store, name string, now time.Time) *till.User {
	t.Helper()
	u, err := till.NewUser(name, till.RoleUser, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return u
}

// newReceipt stores a receipt of u from the given country.
func newReceipt(t testing.TB, s till.Store, u *till.User, country string, now time.Time) *till.Receipt {
	t.Helper()
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	r := &till.Receipt{
		ID:         fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]),
		UserID:     u.ID,
		Images:     []string{"https://cdn.example.com/r.jpg"},
		CountryISO: country,
		Status:     till.StatusInitial,
		CreatedAt:  now,
		UpdatedAt:  now,
	}
	if err := s.CreateReceipt(t.Context(), r, nil); err != nil {
		t.Fatalf("CreateReceipt: %v", err)
	}
	return r
}
