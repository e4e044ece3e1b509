package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tillhq/till"
)

func TestValidKey(t *testing.T) {
	tests := []struct {
		key string
		ok  bool
	}{
		{"2026/11/23/0193a7c4-1b2c-7d3e-8f40-123456789abc.jpg", true},
		{"a", true},
		{"A_b-c.d/e", true},
		{"", false},
		{"/abs/path.jpg", false},
		{"a//b", false},
		{"a/b/", false},
		{"../etc/passwd", false},
		{"a/../b", false},
		{"a/./b", false},
		{".hidden", false},
		{"a/.put-123", false},
		{`a\b`, false},
		{"a b", false},
		{"a%2Fb", false},
		{"é.jpg", false},
		{"a\x00b", false},
		{strings.Repeat("a", MaxKeyLen), true},
		{strings.Repeat("a", MaxKeyLen+1), false},
	}
	for _, tt := range tests {
		err := ValidKey(tt.key)
		if (err == nil) != tt.ok {
			t.Errorf("ValidKey(%q) = %v, want ok=%v", tt.key, err, tt.ok)
		}
		if err != nil && till.ErrorKind(err) != till.KindInvalid {
			t.Errorf("ValidKey(%q) kind = %v, want invalid", tt.key, till.ErrorKind(err))
		}
	}
}

func newDir(t *testing.T) (*Dir, string) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "images")
	d, err := NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	return d, root
}

func get(t *testing.T, d *Dir, key string) []byte {
	t.Helper()
	rc, err := d.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDirPutGetDelete(t *testing.T) {
	ctx := context.Background()
	d, root := newDir(t)
	key := "2026/11/23/x.jpg"
	data := []byte("\xff\xd8\xff jpeg bytes")
	if err := d.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if got := get(t, d, key); !bytes.Equal(got, data) {
		t.Fatalf("Get = %q, want %q", got, data)
	}
	if _, err := os.Stat(filepath.Join(root, "2026", "11", "23", "x.jpg")); err != nil {
		t.Fatalf("object not at its key's path: %v", err)
	}

	// Put replaces; unknown size is accepted.
	if err := d.Put(ctx, key, strings.NewReader("new"), -1, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if got := get(t, d, key); string(got) != "new" {
		t.Fatalf("after replace Get = %q", got)
	}

	if err := d.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Get(ctx, key); till.ErrorKind(err) != till.KindNotFound {
		t.Fatalf("Get after Delete: %v, want not found", err)
	}
	if err := d.Delete(ctx, key); err != nil {
		t.Fatalf("second Delete: %v, want nil", err)
	}
	assertNoTemp(t, root)
}

func TestDirGetMissing(t *testing.T) {
	ctx := context.Background()
	d, _ := newDir(t)
	if err := d.Put(ctx, "a/file", strings.NewReader("x"), 1, ""); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"nope.jpg", "a", "a/file/under-a-file", "b/c"} {
		if _, err := d.Get(ctx, key); till.ErrorKind(err) != till.KindNotFound {
			t.Errorf("Get(%q) = %v, want not found", key, err)
		}
	}
}

func TestDirRejectsBadKeys(t *testing.T) {
	ctx := context.Background()
	d, root := newDir(t)
	for _, key := range []string{"../escape", "/etc/passwd", "a/../../b", ""} {
		if err := d.Put(ctx, key, strings.NewReader("x"), 1, ""); till.ErrorKind(err) != till.KindInvalid {
			t.Errorf("Put(%q) = %v, want invalid", key, err)
		}
		if _, err := d.Get(ctx, key); till.ErrorKind(err) != till.KindInvalid {
			t.Errorf("Get(%q) = %v, want invalid", key, err)
		}
		if err := d.Delete(ctx, key); till.ErrorKind(err) != till.KindInvalid {
			t.Errorf("Delete(%q) = %v, want invalid", key, err)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(root), "escape")); err == nil {
		t.Fatal("Put wrote outside the root")
	}
}

type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errors.New("connection reset")
	}
	r.n--
	return copy(p, "partial"), nil
}

// A failed or short Put leaves the old object untouched and no temporary
// file behind.
func TestDirPutIsAtomic(t *testing.T) {
	ctx := context.Background()
	d, root := newDir(t)
	key := "k/obj.png"
	if err := d.Put(ctx, key, strings.NewReader("old"), 3, ""); err != nil {
		t.Fatal(err)
	}
	if err := d.Put(ctx, key, &failingReader{n: 2}, -1, ""); err == nil {
		t.Fatal("Put from a failing reader succeeded")
	}
	if err := d.Put(ctx, key, strings.NewReader("short"), 10, ""); till.ErrorKind(err) != till.KindInvalid {
		t.Fatalf("Put with wrong size = %v, want invalid", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := d.Put(cctx, key, strings.NewReader("late"), 4, ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put with cancelled context = %v", err)
	}
	if got := get(t, d, key); string(got) != "old" {
		t.Fatalf("object = %q after failed puts, want old", got)
	}
	assertNoTemp(t, root)
}

// Concurrent readers see a whole object, never a partial one.
func TestDirConcurrentPutGet(t *testing.T) {
	ctx := context.Background()
	d, _ := newDir(t)
	key := "c/obj"
	a, b := bytes.Repeat([]byte("a"), 1<<16), bytes.Repeat([]byte("b"), 1<<16)
	if err := d.Put(ctx, key, bytes.NewReader(a), int64(len(a)), ""); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 20 {
				src := a
				if (i+j)%2 == 0 {
					src = b
				}
				if err := d.Put(ctx, key, bytes.NewReader(src), int64(len(src)), ""); err != nil {
					t.Error(err)
				}
				rc, err := d.Get(ctx, key)
				if err != nil {
					t.Error(err)
					return
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					t.Error(err)
				}
				if !bytes.Equal(got, a) && !bytes.Equal(got, b) {
					t.Errorf("read a partial object of %d bytes", len(got))
				}
			}
		})
	}
	wg.Wait()
}

func assertNoTemp(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(e.Name(), ".put-") {
			t.Errorf("temporary file left behind: %s", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
