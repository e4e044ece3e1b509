package postgres

import (
	"context"
	"testing"

	"github.com/tillhq/till"
	"github.com/tillhq/till/storetest"
)

// openSchema opens a store in a new schema; both go when t ends.
func openSchema(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.Context(), storetest.PostgresURL(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	storetest.PostgresURL(t)
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
	u := storetest.PostgresURL(t)
	storetest.ConcurrentMigrate(t, func(ctx context.Context) ([]string, error) { return Migrate(ctx, u) }, migrations, "migrations")
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
