package storetest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// testURL returns the URL of the database the tests may use, from
// TILL_TEST_DATABASE_URL, or skips t when it is not set.
func testURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("TILL_TEST_DATABASE_URL")
	if u == "" {
		t.Skip("TILL_TEST_DATABASE_URL is not set; set it to a postgres:// URL to test PostgreSQL")
	}
	return u
}

// PostgresURL skips t unless TILL_TEST_DATABASE_URL names a PostgreSQL
// database; otherwise it creates an empty schema, drops it when t ends and returns the
// test database's URL with the schema as its search_path.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := testURL(t)
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	schema := fmt.Sprintf("till_test_%x", b)

	// A pool, not a pgx.Conn, so that the URL may carry pool parameters.
	admin, err := pgxpool.New(t.Context(), base)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
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
	return u.String()
}
