package coins

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tillhq/till"
	"github.com/tillhq/till/postgres"
	"github.com/tillhq/till/sqlite"
	"github.com/tillhq/till/storetest"
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
	s, err := postgres.Open(t.Context(), storetest.PostgresURL(t))
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
