package postgres

import (
	"context"
	"io/fs"
	"path"
	"slices"
	"sync"
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
