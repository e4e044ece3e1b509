// Package blob keeps Till's image bytes. Dir keeps them in a local folder;
// an S3-compatible store will sit beside it behind the same till.BlobStore
// contract. Keys are backend-independent slash paths such as
// "2026/11/23/0193a7c4-….jpg", so an image's key and URL never change when
// its bytes move from one backend to another.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/tillhq/till"
)

// MaxKeyLen is the longest key ValidKey accepts.
const MaxKeyLen = 512

// ValidKey reports, as a KindInvalid error for field "key", why key is not a
// usable blob key, or returns nil. A key is a relative slash path of at most
// MaxKeyLen bytes whose segments are non-empty, consist of ASCII letters,
// digits and ".", "_", "-" only, and do not start with "." (which rules out
// "." and ".." and keeps Dir's temporary files out of the key space).
func ValidKey(key string) error {
	if key == "" {
		return till.Invalid("key", "key is empty")
	}
	if len(key) > MaxKeyLen {
		return till.Invalid("key", "key is longer than %d bytes", MaxKeyLen)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" {
			return till.Invalid("key", "key %q has an empty segment or a leading or trailing slash", key)
		}
		if seg[0] == '.' {
			return till.Invalid("key", "key %q has a segment starting with a dot", key)
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
				return till.Invalid("key", "key %q has a character other than letters, digits, '.', '_', '-' and '/'", key)
			}
		}
	}
	return nil
}

// Dir is a till.BlobStore over a local folder: each object is one file at
// its key's path under the root. It is safe for concurrent use. Content
// types are not kept here; the image records in the database hold them.
type Dir struct {
	root string
}

var _ till.BlobStore = (*Dir)(nil)

// NewDir returns a Dir rooted at root, creating the folder (mode 0750) if
// it does not exist.
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("blob: create %s: %w", root, err)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &Dir{root: abs}, nil
}

// path returns the file path for key, or a KindInvalid error.
func (d *Dir) path(key string) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

// Put stores the bytes read from r under key, replacing any object there.
// It is atomic and durable: the bytes go to a temporary file in the target
// folder, which is synced and then renamed over the key's path, and the
// folder is synced too, so a reader or a crash sees the old object or the
// whole new one, never part of it. When size is not negative, Put fails
// with KindInvalid if r yields a different number of bytes. An invalid key
// is KindInvalid; a failure to read r is returned as is; the context is
// checked before the rename.
func (d *Dir) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (err error) {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	f, err := os.CreateTemp(dir, ".put-*")
	if err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	n, err := io.Copy(f, r)
	if err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	if size >= 0 && n != size {
		return till.Errorf(till.KindInvalid, "blob %s: got %d bytes, expected %d", key, n, size)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), p); err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	df, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("blob: sync %s: %w", dir, err)
	}
	defer df.Close()
	if err := df.Sync(); err != nil {
		return fmt.Errorf("blob: sync %s: %w", dir, err)
	}
	return nil
}

// Get returns a reader of the object under key; the caller closes it. A
// missing object is KindNotFound and an invalid key KindInvalid.
func (d *Dir) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil, till.Wrap(till.KindNotFound, err, "blob not found")
	}
	if err != nil {
		return nil, fmt.Errorf("blob: get %s: %w", key, err)
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, till.NotFound("blob")
	}
	return f, nil
}

// Delete removes the object under key. Deleting a missing object is not an
// error, as with S3, so a retried cleanup succeeds. An invalid key is
// KindInvalid.
func (d *Dir) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}
