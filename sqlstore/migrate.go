package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// Migrate brings the schema of db up to date with d.Migrations and returns
// the names of the migrations it applied, in order; none when the schema
// was current.
//
// Each migration runs in its own transaction on db, which must be the
// writer, together with its record in the till_migrations table, so a
// migration is applied entirely and once or not at all. Every such
// transaction first takes d.MigrationLock and then checks the record, so
// several processes may migrate the same database at once: one applies
// each migration and the others find it recorded.
func Migrate(ctx context.Context, db *sql.DB, d Dialect) ([]string, error) {
	names, err := fs.Glob(d.Migrations, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrate: %w", err)
	}
	d.CacheStatements = false // the statements would outlive the migration
	s := &Store{w: db, r: db, d: d}
	var applied []string
	for _, name := range names { // fs.Glob returns names sorted
		body, err := fs.ReadFile(d.Migrations, name)
		if err != nil {
			return applied, fmt.Errorf("sqlstore: migrate: %w", err)
		}
		done, err := s.migrate(ctx, name, string(body))
		if err != nil {
			return applied, fmt.Errorf("sqlstore: migration %s: %w", name, err)
		}
		if done {
			applied = append(applied, name)
		}
	}
	return applied, nil
}

// migrate applies the migration named name unless it is recorded, and
// reports whether it applied it.
func (s *Store) migrate(ctx context.Context, name, body string) (applied bool, err error) {
	err = s.inTx(ctx, "migrate", func(tx *sql.Tx) error {
		if s.d.MigrationLock != "" {
			if _, err := tx.ExecContext(ctx, s.d.MigrationLock); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS till_migrations (
			name       TEXT PRIMARY KEY,
			applied_us BIGINT NOT NULL
		)`); err != nil {
			return err
		}
		var n int
		if err := s.queryRow(ctx, tx, `SELECT count(*) FROM till_migrations WHERE name = $1`, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errRecorded
		}
		if _, err := tx.ExecContext(ctx, body); err != nil {
			return err
		}
		_, err := s.exec(ctx, tx, `INSERT INTO till_migrations (name, applied_us) VALUES ($1, $2)`, name, us(time.Now()))
		return err
	})
	if errors.Is(err, errRecorded) {
		return false, nil
	}
	return err == nil, err
}

// errRecorded rolls back the transaction of a migration found recorded.
var errRecorded = errors.New("migration already recorded")
