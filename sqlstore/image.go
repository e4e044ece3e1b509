package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/tillhq/till"
)

// CreateImage stores img. It fails with KindConflict when its key exists.
func (s *Store) CreateImage(ctx context.Context, img *till.Image) error {
	_, err := s.exec(ctx, s.w, `INSERT INTO images (key, owner_id, content_type, size, sha256, source_url, created_us)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		img.Key, img.OwnerID, img.ContentType, img.Size, img.SHA256, img.SourceURL, us(img.CreatedAt))
	if s.class(err) == ClassUnique {
		return till.Errorf(till.KindConflict, "image %s already exists", img.Key)
	}
	if err != nil {
		return s.fail("create image", err)
	}
	return nil
}

// Image returns the image with the given key. It fails with KindNotFound
// when there is none.
func (s *Store) Image(ctx context.Context, key string) (*till.Image, error) {
	var img till.Image
	var created int64
	err := s.queryRow(ctx, s.r, `SELECT key, owner_id, content_type, size, sha256, source_url, created_us
		FROM images WHERE key = $1`, key).
		Scan(&img.Key, &img.OwnerID, &img.ContentType, &img.Size, &img.SHA256, &img.SourceURL, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, till.NotFound("image")
	}
	if err != nil {
		return nil, s.fail("image", err)
	}
	img.CreatedAt = fromUS(created)
	return &img, nil
}

// ImageRetailers returns, sorted and without repeats, the retailer ids of
// the live receipts that were stored with the image's key (see
// CreateReceipt). Receipts with no retailer yet add nothing; an image no
// live receipt shows, or an unknown key, gives an empty list.
func (s *Store) ImageRetailers(ctx context.Context, key string) ([]string, error) {
	rows, err := s.query(ctx, s.r, `SELECT DISTINCT receipts.retailer_id
		FROM receipt_images JOIN receipts ON receipts.seq = receipt_images.receipt_seq
		WHERE receipt_images.image_key = $1 AND receipts.deleted_us IS NULL AND receipts.retailer_id <> ''
		ORDER BY receipts.retailer_id`, key)
	if err != nil {
		return nil, s.fail("image retailers", err)
	}
	defer rows.Close()
	retailers := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, s.fail("image retailers", err)
		}
		retailers = append(retailers, id)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("image retailers", err)
	}
	return retailers, nil
}
