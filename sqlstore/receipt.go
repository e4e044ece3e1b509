package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tillhq/till"
)

// insertColumns are the receipt columns CreateReceipt writes, in the order
// of receiptArgs; the database assigns seq.
const insertColumns = `id, user_id, accuracy, latitude, longitude, images, store_id, location_name,
	country_iso, client_ip, status, retailer_id, retailer_name, receipt_code, issued_us, total,
	ocr_done, recognized_items, unrecognized_items, created_us, updated_us`

// receiptColumns are the columns scanReceipts reads.
const receiptColumns = `seq, ` + insertColumns + `, status_reason, deleted_us`

// CreateReceipt stores r and sets r.Seq, which orders the user's receipts:
// a receipt created after another's CreateReceipt returned has a greater
// Seq. imageKeys gives, in r.Images
// order, the key of each image stored by Till ("" for one that is not); it
// may be shorter than r.Images, nil for none, but not longer. The keys are
// recorded for ImageRetailers and are not checked against the images.
//
// It fails with KindInvalid when r.Status is not a status, KindConflict
// when r.ID exists, and KindNotFound when r.UserID names no user.
func (s *Store) CreateReceipt(ctx context.Context, r *till.Receipt, imageKeys []string) error {
	if err := checkReceipt(r); err != nil {
		return err
	}
	if len(imageKeys) > len(r.Images) {
		return fmt.Errorf("sqlstore: create receipt: %d image keys for %d images", len(imageKeys), len(r.Images))
	}
	if s.group != nil {
		return s.group.create(ctx, r, imageKeys)
	}
	if s.onProcess == nil && !slices.ContainsFunc(imageKeys, func(k string) bool { return k != "" }) {
		return s.insertReceipt(ctx, s.w, r)
	}
	return s.inTx(ctx, "create receipt", func(tx *sql.Tx) error {
		if err := s.createReceipt(ctx, tx, r, imageKeys); err != nil {
			return err
		}
		if s.onProcess != nil {
			return s.onProcess(ctx, tx, []*till.Receipt{r})
		}
		return nil
	}, insertReceiptSQL, insertImageLinkSQL)
}

// createReceipt inserts r and links its images, in tx.
func (s *Store) createReceipt(ctx context.Context, tx *sql.Tx, r *till.Receipt, imageKeys []string) error {
	if err := s.insertReceipt(ctx, tx, r); err != nil {
		return err
	}
	for i, key := range imageKeys {
		if key == "" {
			continue
		}
		if _, err := s.exec(ctx, tx, insertImageLinkSQL, r.Seq, i, key); err != nil {
			return s.fail("create receipt", err)
		}
	}
	return nil
}

// The statements of CreateReceipt.
const (
	insertReceiptSQL = `INSERT INTO receipts (` + insertColumns + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
		RETURNING seq`
	insertImageLinkSQL = `INSERT INTO receipt_images (receipt_seq, position, image_key) VALUES ($1, $2, $3)`
)

func (s *Store) insertReceipt(ctx context.Context, q querier, r *till.Receipt) error {
	err := s.queryRow(ctx, q, insertReceiptSQL, receiptArgs(r)...).Scan(&r.Seq)
	switch s.class(err) {
	case ClassUnique:
		return till.Errorf(till.KindConflict, "receipt %s already exists", r.ID)
	case ClassForeignKey:
		return till.NotFound("user")
	}
	if err != nil {
		return s.fail("create receipt", err)
	}
	return nil
}

// CreateReceipts stores many receipts in one transaction, as CreateReceipt
// does without image keys, and sets each one's Seq. It stores all of them
// or, failing as CreateReceipt fails, none. It is meant for loading data in
// bulk, such as seeding a database.
func (s *Store) CreateReceipts(ctx context.Context, receipts []*till.Receipt) error {
	for _, r := range receipts {
		if err := checkReceipt(r); err != nil {
			return err
		}
	}
	if s.d.CacheStatements {
		// Where statements are cached (SQLite), the prepared one-row
		// insert run per receipt is the fast way: a statement of many
		// rows is parsed anew each time, and the SQLite driver looks up
		// each argument's name by scanning the statement's list of
		// parameters, which makes binding 2,100 of them take most of the
		// time.
		return s.inTx(ctx, "create receipts", func(tx *sql.Tx) error {
			for _, r := range receipts {
				if err := s.insertReceipt(ctx, tx, r); err != nil {
					return err
				}
			}
			return nil
		}, insertReceiptSQL)
	}
	// Elsewhere (PostgreSQL) one statement per 100 rows saves the round
	// trips; 100 rows of 21 arguments stay well below the limit on the
	// number of arguments of one statement.
	const batch = receiptsPerStatement
	return s.inTx(ctx, "create receipts", func(tx *sql.Tx) error {
		for chunk := range slices.Chunk(receipts, batch) {
			if err := s.insertReceipts(ctx, tx, chunk); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertReceipts inserts the receipts with one statement and sets their Seq.
func (s *Store) insertReceipts(ctx context.Context, tx *sql.Tx, receipts []*till.Receipt) error {
	var query strings.Builder
	query.WriteString(`INSERT INTO receipts (` + insertColumns + `) VALUES `)
	args := make([]any, 0, 21*len(receipts))
	byID := make(map[string]*till.Receipt, len(receipts))
	for i, r := range receipts {
		if i > 0 {
			query.WriteString(", ")
		}
		query.WriteByte('(')
		for j, a := range receiptArgs(r) {
			if j > 0 {
				query.WriteString(", ")
			}
			args = append(args, a)
			query.WriteString("$" + strconv.Itoa(len(args)))
		}
		query.WriteByte(')')
		byID[r.ID] = r
	}
	// Neither database promises to return rows in the order of VALUES.
	query.WriteString(` RETURNING id, seq`)
	rows, err := tx.QueryContext(ctx, s.rebind(query.String()), args...)
	if err == nil {
		for rows.Next() {
			var id string
			var seq int64
			if err = rows.Scan(&id, &seq); err != nil {
				break
			}
			if r := byID[id]; r != nil {
				r.Seq = seq
			}
		}
		err = errors.Join(err, rows.Err(), rows.Close())
	}
	switch s.class(err) {
	case ClassUnique:
		return till.Errorf(till.KindConflict, "a receipt already exists")
	case ClassForeignKey:
		return till.NotFound("user")
	}
	if err != nil {
		return s.fail("create receipts", err)
	}
	return nil
}

func checkReceipt(r *till.Receipt) error {
	if r.Status.Code() < 0 {
		return till.Invalid("status", "unknown status %q", r.Status)
	}
	return nil
}

func receiptArgs(r *till.Receipt) []any {
	return []any{
		r.ID, r.UserID, r.Accuracy, r.Latitude, r.Longitude, jsonList(r.Images), r.StoreID, r.LocationName,
		r.CountryISO, r.ClientIP, string(r.Status), r.RetailerID, r.RetailerName, r.ReceiptCode, nullUS(r.IssuedAt), r.Total,
		r.OCRDone, r.RecognizedItems, r.UnrecognizedItems, us(r.CreatedAt), us(r.UpdatedAt),
	}
}

// Receipt returns the receipt with the given id, deleted or not: a deleted
// receipt leaves the user's listings but stays for the fraud checks and
// the moderators. It fails with KindNotFound when there is none.
func (s *Store) Receipt(ctx context.Context, id string) (*till.Receipt, error) {
	return s.receipt(ctx, s.r, id)
}

func (s *Store) receipt(ctx context.Context, q querier, id string) (*till.Receipt, error) {
	rows, err := s.query(ctx, q, `SELECT `+receiptColumns+` FROM receipts WHERE id = $1`, id)
	if err != nil {
		return nil, s.fail("receipt", err)
	}
	list, err := scanReceipts(rows)
	if err != nil {
		return nil, s.fail("receipt", err)
	}
	if len(list) == 0 {
		return nil, till.NotFound("receipt")
	}
	return &list[0], nil
}

// UserReceipts returns up to limit of the user's live receipts, newest
// (greatest Seq) first, leaving out those a moderator hid (HIDDEN), as
// search does by default. after is "" for the first chunk and otherwise the
// id of the last receipt of the previous chunk; the chunk starts with the
// next older receipt. A receipt deleted since it ended a chunk still marks
// where the next one starts. When no receipt is left the result is empty.
//
// It fails with KindInvalid for field chunk_id when after names no receipt
// of the user, and for field limit when limit is less than 1.
func (s *Store) UserReceipts(ctx context.Context, userID, after string, limit int) ([]till.Receipt, error) {
	if limit < 1 {
		return nil, till.Invalid("limit", "limit must be at least 1; got %d", limit)
	}
	before := int64(math.MaxInt64)
	if after != "" {
		err := s.queryRow(ctx, s.r, `SELECT seq FROM receipts WHERE id = $1 AND user_id = $2`, after, userID).Scan(&before)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, till.Invalid("chunk_id", "chunk_id names no receipt of yours: %q", after)
		}
		if err != nil {
			return nil, s.fail("user receipts", err)
		}
	}
	rows, err := s.query(ctx, s.r, `SELECT `+receiptColumns+` FROM receipts
		WHERE user_id = $1 AND deleted_us IS NULL AND seq < $2 AND status <> 'HIDDEN'
		ORDER BY seq DESC LIMIT $3`, userID, before, limit)
	if err != nil {
		return nil, s.fail("user receipts", err)
	}
	list, err := scanReceipts(rows)
	if err != nil {
		return nil, s.fail("user receipts", err)
	}
	return list, nil
}

// DeleteReceipt deletes the user's receipt as of now: it leaves every
// listing, groups and search included, but is kept, status and all, for
// the fraud checks (see Receipt). It fails with KindNotFound when id names
// no live receipt of the user: a missing, foreign or deleted one.
func (s *Store) DeleteReceipt(ctx context.Context, userID, id string, now time.Time) error {
	res, err := s.exec(ctx, s.w, `UPDATE receipts SET deleted_us = $1
		WHERE id = $2 AND user_id = $3 AND deleted_us IS NULL`, us(now), id, userID)
	if err != nil {
		return s.fail("delete receipt", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.fail("delete receipt", err)
	}
	if n == 0 {
		return till.NotFound("receipt")
	}
	return nil
}

// UserReceiptGroups counts the user's live receipts, but the HIDDEN ones,
// in groups that partition them: NeedAttention holds every receipt whose status needs the
// user (SET_RETAILERS, SET_PRODUCTS); of the rest, those with a retailer id
// are counted per retailer and the others in Other. A retailer's name is
// that of its most recent receipt. Retailers are sorted by name, ignoring
// case, then by id.
func (s *Store) UserReceiptGroups(ctx context.Context, userID string) (till.ReceiptGroups, error) {
	var g till.ReceiptGroups
	rows, err := s.query(ctx, s.r, `SELECT status, retailer_id, retailer_name, count(*), max(seq) FROM receipts
		WHERE user_id = $1 AND deleted_us IS NULL AND status <> 'HIDDEN'
		GROUP BY status, retailer_id, retailer_name`, userID)
	if err != nil {
		return g, s.fail("user receipt groups", err)
	}
	defer rows.Close()
	type group struct {
		till.RetailerCount
		seq int64 // of the receipt the name is from
	}
	retailers := map[string]*group{}
	for rows.Next() {
		var status, id, name string
		var count int
		var seq int64
		if err := rows.Scan(&status, &id, &name, &count, &seq); err != nil {
			return g, s.fail("user receipt groups", err)
		}
		switch {
		case till.Status(status).NeedsAttention():
			g.NeedAttention += count
		case id == "":
			g.Other += count
		default:
			r := retailers[id]
			if r == nil {
				r = &group{RetailerCount: till.RetailerCount{RetailerID: id}}
				retailers[id] = r
			}
			r.Count += count
			if seq > r.seq {
				r.RetailerName, r.seq = name, seq
			}
		}
	}
	if err := rows.Err(); err != nil {
		return g, s.fail("user receipt groups", err)
	}
	for _, r := range retailers {
		g.Retailers = append(g.Retailers, r.RetailerCount)
	}
	slices.SortFunc(g.Retailers, func(a, b till.RetailerCount) int {
		return cmp.Or(
			cmp.Compare(strings.ToLower(a.RetailerName), strings.ToLower(b.RetailerName)),
			cmp.Compare(a.RetailerID, b.RetailerID))
	})
	return g, nil
}

// SearchReceipts returns page q.Page of the user's live receipts that match
// q, newest first, q.PageSize to a page, and how many match in all. A
// receipt matches when
//   - q.Text is empty or a substring, ignoring case, of its location name,
//     store id, retailer id, retailer name or receipt code (SQLite ignores
//     the case of ASCII letters only);
//   - its status is one of q.Statuses or, when there are none, any status
//     but HIDDEN;
//   - q.Retailer is "" or "*", or is its retailer id.
//
// It fails with KindInvalid for field page when q.Page is negative, and for
// field page_size when q.PageSize is less than 1; either must be less than
// 2³¹.
func (s *Store) SearchReceipts(ctx context.Context, q till.ReceiptQuery) ([]till.Receipt, int, error) {
	if q.Page < 0 || q.Page > math.MaxInt32 {
		return nil, 0, till.Invalid("page", "page must be from 0 to %d; got %d", math.MaxInt32, q.Page)
	}
	if q.PageSize < 1 || q.PageSize > math.MaxInt32 {
		return nil, 0, till.Invalid("page_size", "page_size must be from 1 to %d; got %d", math.MaxInt32, q.PageSize)
	}
	args := []any{q.UserID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := "user_id = $1 AND deleted_us IS NULL"
	if len(q.Statuses) == 0 {
		where += " AND status <> " + arg(string(till.StatusHidden))
	} else {
		in := make([]string, len(q.Statuses))
		for i, st := range q.Statuses {
			in[i] = arg(string(st))
		}
		where += " AND status IN (" + strings.Join(in, ", ") + ")"
	}
	if q.Retailer != "" && q.Retailer != "*" {
		where += " AND retailer_id = " + arg(q.Retailer)
	}
	if q.Text != "" {
		p := arg("%" + escapeLike(strings.ToLower(q.Text)) + "%")
		var or []string
		for _, col := range []string{"location_name", "store_id", "retailer_id", "retailer_name", "receipt_code"} {
			or = append(or, "lower("+col+") LIKE "+p+` ESCAPE '\'`)
		}
		where += " AND (" + strings.Join(or, " OR ") + ")"
	}
	filter := args
	limit, offset := arg(q.PageSize), arg(int64(q.Page)*int64(q.PageSize))

	// The window count gives the total with the page in one query, except
	// for a page past the last, which has no row to carry it.
	rows, err := s.r.QueryContext(ctx, s.rebind(`SELECT `+receiptColumns+`, count(*) OVER () FROM receipts
		WHERE `+where+` ORDER BY seq DESC LIMIT `+limit+` OFFSET `+offset), args...)
	if err != nil {
		return nil, 0, s.fail("search receipts", err)
	}
	var total int
	list, err := scanReceipts(rows, &total)
	if err != nil {
		return nil, 0, s.fail("search receipts", err)
	}
	if len(list) == 0 && q.Page > 0 {
		err := s.r.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM receipts WHERE `+where), filter...).Scan(&total)
		if err != nil {
			return nil, 0, s.fail("search receipts", err)
		}
	}
	return list, total, nil
}

// escapeLike escapes the wildcards of LIKE, with \ as the escape character.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// scanReceipts reads and closes rows of receiptColumns. The rows may have
// extra columns, scanned into extra, the same for every row. It returns an
// empty, non-nil slice when there is no row.
func scanReceipts(rows *sql.Rows, extra ...any) ([]till.Receipt, error) {
	defer rows.Close()
	list := []till.Receipt{}
	for rows.Next() {
		var r till.Receipt
		var images, status string
		var issued, deleted sql.NullInt64
		var created, updated int64
		dest := append([]any{
			&r.Seq, &r.ID, &r.UserID, &r.Accuracy, &r.Latitude, &r.Longitude, &images, &r.StoreID, &r.LocationName,
			&r.CountryISO, &r.ClientIP, &status, &r.RetailerID, &r.RetailerName, &r.ReceiptCode, &issued, &r.Total,
			&r.OCRDone, &r.RecognizedItems, &r.UnrecognizedItems, &created, &updated, &r.StatusReason, &deleted,
		}, extra...)
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		var err error
		if r.Images, err = parseList(images); err != nil {
			return nil, fmt.Errorf("receipt %s: images: %w", r.ID, err)
		}
		r.Status = till.Status(status)
		r.IssuedAt = fromNullUS(issued)
		r.DeletedAt = fromNullUS(deleted)
		r.CreatedAt, r.UpdatedAt = fromUS(created), fromUS(updated)
		list = append(list, r)
	}
	return list, rows.Err()
}
