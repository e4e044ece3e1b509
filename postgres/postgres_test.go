package postgres

import (
	"context"
	"crypto/rand"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"slices"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tillhq/till"
	"github.com/tillhq/till/storetest"
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

// schemaURL creates an empty schema, drops it when t ends and returns the
// test database's URL with the schema as its search_path.
func schemaURL(t testing.TB) string {
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

// openSchema opens a store in a new schema; both go when t ends.
func openSchema(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.Context(), schemaURL(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	testURL(t)
	storetest.Run(t, func(t *testing.T) till.Store { return openSchema(t) })
}

func TestSearchPath(t *testing.T) {
	s := openSchema(t)
	var schema string
	if err := s.Pool().QueryRow(t.Context(), "SELECT current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	var tables int
	err := s.Pool().QueryRow(t.Context(),
		"SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'receipts'", schema).Scan(&tables)
	if err != nil {
		t.Fatal(err)
	}
	if tables != 1 {
		t.Errorf("schema %s holds %d receipts tables, want 1", schema, tables)
	}
}

func TestConcurrentMigrate(t *testing.T) {
	u := schemaURL(t)
	var wg sync.WaitGroup
	applied := make([][]string, 4)
	for i := range applied {
		wg.Go(func() {
			var err error
			if applied[i], err = Migrate(context.Background(), u); err != nil {
				t.Errorf("Migrate: %v", err)
			}
		})
	}
	wg.Wait()
	var all []string
	for _, a := range applied {
		all = append(all, a...)
	}
	slices.Sort(all)
	want, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(want) == 0 {
		t.Fatalf("embedded migrations: %v %v", want, err)
	}
	for i := range want {
		want[i] = path.Base(want[i])
	}
	if !slices.Equal(all, want) {
		t.Errorf("migrations applied by four processes at once: %v, want %v once", all, want)
	}
}

func BenchmarkCreateReceipt(b *testing.B) {
	storetest.BenchmarkCreateReceipt(b, openSchema(b))
}

// BenchmarkReads measures reads among 100,000 receipts of 1,000 users, or
// as many as TILL_BENCH_RECEIPTS and TILL_BENCH_USERS say.
func BenchmarkReads(b *testing.B) {
	receipts, users := storetest.ReadsScale(b)
	storetest.BenchmarkReads(b, openSchema(b), receipts, users)
}
