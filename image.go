package till

import (
	"context"
	"io"
	"time"
)

// Image is an original image stored by Till, addressed by its key. Keys look
// like "2026/11/23/<uuid>.jpg" and are the same whatever the blob backend,
// so an image's URL on this server never depends on where it is kept.
type Image struct {
	Key         string
	OwnerID     string
	ContentType string // image/jpeg, image/png or image/webp
	Size        int64
	SHA256      string // hex
	SourceURL   string // the remote URL it was fetched from, if any
	CreatedAt   time.Time
}

// ImageStore keeps image records; the bytes live in a BlobStore.
type ImageStore interface {
	// CreateImage stores img. It fails with KindConflict if the key exists.
	CreateImage(ctx context.Context, img *Image) error
	// Image returns the image with the given key, or KindNotFound.
	Image(ctx context.Context, key string) (*Image, error)
	// ImageRetailers returns the retailer ids of the live receipts that show
	// the image, for deciding which system users may see it.
	ImageRetailers(ctx context.Context, key string) ([]string, error)
}

// BlobStore keeps bytes under keys. Put is atomic: a reader sees the whole
// object or none. Get of a missing key fails with KindNotFound.
type BlobStore interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}
