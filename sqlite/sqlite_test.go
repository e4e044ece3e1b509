package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tillhq/till"
	"github.com/tillhq/till/sqlstore"
	"github.com/tillhq/till/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) till.Store { return openTemp(t) })
}

// openTemp opens a store in a new file that is closed when t ends.
func openTemp(t *testing.T) *sqlstore.Store {
	t.Helper()
	return openFile(t, filepath.Join(t.TempDir(), "till.db"))
}

// openFile opens the store at path and closes it when t ends.
func openFile(t testing.TB, path string) *sqlstore.Store {
	t.Helper()
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var now = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "till.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	u, _ := till.NewUser("alice", till.RoleUser, nil, now)
	secret, tk := till.NewTicket(u.ID, now, time.Hour)
	r := &till.Receipt{ID: "0b6f3c1e-5d5e-4f4e-9a51-3c2b1a0f9e8d", UserID: u.ID, Status: till.StatusInitial,
		Images: []string{"https://cdn.example.com/a.jpg"}, CreatedAt: now, UpdatedAt: now}
	img := &till.Image{Key: "2026/3/14/a.jpg", OwnerID: u.ID, ContentType: "image/jpeg", CreatedAt: now}
	for _, err := range []error{
		s.CreateUser(ctx, u),
		s.CreateTicket(ctx, tk),
		s.CreateImage(ctx, img),
		s.CreateReceipt(ctx, r, []string{img.Key}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = openFile(t, path)
	if got, err := s.UserByTicket(ctx, till.HashTicket(secret), now); err != nil || got.ID != u.ID {
		t.Errorf("UserByTicket after reopening = %v, %v; want %s", got, err, u.ID)
	}
	if got, err := s.Receipt(ctx, r.ID); err != nil || got.Seq != r.Seq || !slices.Equal(got.Images, r.Images) {
		t.Errorf("Receipt after reopening = %+v, %v; want %+v", got, err, r)
	}
	if got, err := s.Image(ctx, img.Key); err != nil || got.Key != img.Key {
		t.Errorf("Image after reopening = %+v, %v; want %+v", got, err, img)
	}
	if applied, err := Migrate(ctx, path); err != nil || len(applied) != 0 {
		t.Errorf("Migrate of a current file = %v, %v; want nothing applied", applied, err)
	}
}

// TestTwoProcesses opens the same file twice, as "till users add" does
// while "till serve" runs, and writes through both at once.
func TestTwoProcesses(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "till.db")
	stores := []*sqlstore.Store{openFile(t, path), openFile(t, path)}
	const perStore = 50
	var wg sync.WaitGroup
	errs := make(chan error, len(stores)*perStore)
	for i, s := range stores {
		wg.Go(func() {
			for j := range perStore {
				u, _ := till.NewUser(fmt.Sprintf("p%d-%d", i, j), till.RoleUser, nil, now)
				if err := s.CreateUser(ctx, u); err != nil {
					errs <- err
				}
				_, tk := till.NewTicket(u.ID, now, time.Hour)
				if err := s.CreateTicket(ctx, tk); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("write: %v", err)
	}
	for _, s := range stores {
		for i := range stores {
			id := till.UserIDFromRef(fmt.Sprintf("p%d-%d", i, perStore-1))
			if _, err := s.User(ctx, id); err != nil {
				t.Errorf("User(%s): %v", id, err)
			}
		}
	}
}

func TestConcurrentMigrate(t *testing.T) {
	file := filepath.Join(t.TempDir(), "till.db")
	storetest.ConcurrentMigrate(t, func(ctx context.Context) ([]string, error) { return Migrate(ctx, file) }, migrations, "migrations")
}

func TestRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"WHERE a = $1 AND b IN ($2, $10)", "WHERE a = ?1 AND b IN (?2, ?10)"},
		{`x LIKE $3 ESCAPE '\' OR y = $3`, `x LIKE ?3 ESCAPE '\' OR y = ?3`},
		{"a = '$1' AND \"$2\" = $2", "a = '$1' AND \"$2\" = ?2"},
		{"cost$ = $", "cost$ = $"},
	}
	for _, tt := range tests {
		if got := rebind(tt.in); got != tt.want {
			t.Errorf("rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOpenRejectsPaths(t *testing.T) {
	for _, path := range []string{"", ":memory:", "till.db?mode=memory"} {
		if s, err := Open(t.Context(), path); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
}

func BenchmarkCreateReceipt(b *testing.B) {
	s := openFile(b, filepath.Join(b.TempDir(), "till.db"))
	storetest.BenchmarkCreateReceipt(b, s)
}

// BenchmarkReads measures reads among 100,000 receipts of 1,000 users, or
// as many as TILL_BENCH_RECEIPTS and TILL_BENCH_USERS say.
func BenchmarkReads(b *testing.B) {
	receipts, users := storetest.ReadsScale(b)
	storetest.BenchmarkReads(b, openFile(b, filepath.Join(b.TempDir(), "till.db")), receipts, users)
}

// TestReceiptHook checks that the hook runs in the receipts' transaction,
// once per commit group, and that its error undoes the group.
func TestReceiptHook(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "till.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, _ := till.NewUser("alice", till.RoleUser, nil, time.Now())
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	hooked := map[string]int{}
	refuse := false
	s.OnProcess(func(ctx context.Context, tx *sql.Tx, rs []*till.Receipt) error {
		mu.Lock()
		defer mu.Unlock()
		if refuse {
			return errors.New("refused")
		}
		for _, r := range rs {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM receipts WHERE id = ?`, r.ID).Scan(&n); err != nil || n != 1 {
				return fmt.Errorf("receipt %s not visible in its transaction: %d, %v", r.ID, n, err)
			}
			hooked[r.ID]++
		}
		return nil
	})
	newReceipt := func(id string) *till.Receipt {
		return &till.Receipt{ID: id, UserID: u.ID, Images: []string{"x"}, StoreID: "s",
			Status: till.StatusInitial, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	}

	// Created at once: every receipt is hooked exactly once, the duplicate
	// never.
	var wg sync.WaitGroup
	rs := make([]*till.Receipt, 16)
	errs := make([]error, len(rs))
	for i := range rs {
		rs[i] = newReceipt(fmt.Sprintf("r%d", i))
		wg.Go(func() { errs[i] = s.CreateReceipt(ctx, rs[i], []string{"k"}) })
	}
	wg.Wait()
	for i, r := range rs {
		if errs[i] != nil || hooked[r.ID] != 1 {
			t.Errorf("receipt %d: create error %v, hooked %d times; want no error, once", i, errs[i], hooked[r.ID])
		}
	}
	if err := s.CreateReceipt(ctx, newReceipt("r0"), nil); till.ErrorKind(err) != till.KindConflict || hooked["r0"] != 1 {
		t.Errorf("duplicate: error %v, hooked %d times; want a conflict, hooked once", err, hooked["r0"])
	}

	// A failing hook undoes the receipt.
	refuse = true
	err = s.CreateReceipt(ctx, newReceipt("refused"), nil)
	if _, getErr := s.Receipt(ctx, "refused"); err == nil || till.ErrorKind(getErr) != till.KindNotFound {
		t.Errorf("refused receipt: create error %v, then Receipt error %v; want an error, then not found", err, getErr)
	}
}
