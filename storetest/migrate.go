package storetest

import (
	"context"
	"io/fs"
	"path"
	"slices"
	"sync"
	"testing"
)

// ConcurrentMigrate runs migrate four times at once on one new database, as
// four processes starting together would, and checks that every migration
// in migrations (files *.sql under dir) was applied exactly once.
func ConcurrentMigrate(t *testing.T, migrate func(context.Context) ([]string, error), migrations fs.FS, dir string) {
	t.Helper()
	var wg sync.WaitGroup
	applied := make([][]string, 4)
	for i := range applied {
		wg.Go(func() {
			var err error
			if applied[i], err = migrate(context.Background()); err != nil {
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
	want, err := fs.Glob(migrations, path.Join(dir, "*.sql"))
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
