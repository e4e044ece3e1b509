// Package sqlite opens Till's store in a SQLite database file, the embedded
// default, through the pure-Go modernc.org/sqlite driver.
//
// The file is in WAL mode, so readers never wait for the writer. Each
// opened Store writes through a single connection whose transactions begin
// IMMEDIATE, taking the database's write lock at once, and reads through a
// pool of query-only connections. Other processes may open the same file at
// the same time, as "till users add" does while "till serve" runs: their
// writers take turns, waiting up to five seconds for the lock.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/tillhq/till/sqlstore"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// dialect is what SQLite needs sqlstore to do differently.
var dialect = sqlstore.Dialect{
	Rebind:          rebind,
	Classify:        classify,
	Migrations:      must(fs.Sub(migrations, "migrations")),
	CacheStatements: true,
	GroupCommit:     true,
}

// pragmas are set on every connection, reader or writer. synchronous=FULL
// makes every commit wait until the WAL is on disk: a receipt answered 2xx
// survives a power cut, not only a crash of the process. Group commit (see
// sqlstore.Dialect) shares that wait among the receipts created together.
var pragmas = []string{"busy_timeout(5000)", "foreign_keys(1)", "synchronous(FULL)"}

// Open opens the SQLite database file at path, creating it if need be,
// applies the migrations it lacks (see Migrate) and returns the store. The
// file must be on a local disk, as WAL mode requires; path may not contain
// "?" and may not be ":memory:", whose connections would each see their
// own, separate database.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	w, err := openWriter(ctx, path)
	if err != nil {
		return nil, err
	}
	if _, err := sqlstore.Migrate(ctx, w, dialect); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	r, err := open(ctx, path, "_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	return sqlstore.New(w, r, dialect), nil
}

// Migrate applies to the database file at path the migrations it lacks and
// returns their names, as sqlstore.Migrate does. Open does the same, so
// Migrate is for running the migrations on their own, as "till migrate"
// does.
func Migrate(ctx context.Context, path string) ([]string, error) {
	w, err := openWriter(ctx, path)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	applied, err := sqlstore.Migrate(ctx, w, dialect)
	if err != nil {
		return applied, fmt.Errorf("sqlite: %w", err)
	}
	return applied, nil
}

// openWriter opens the writer: one connection, so that the process's
// writes queue in Go rather than on the file lock, in WAL mode, with
// transactions that take the write lock when they begin. A deferred
// transaction that read first could find, when it came to write, that
// another process had written since, and fail at once with SQLITE_BUSY.
func openWriter(ctx context.Context, path string) (*sql.DB, error) {
	w, err := open(ctx, path, "_pragma=journal_mode(WAL)", "_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	return w, nil
}

// open opens a pool on the file at path whose every connection has pragmas
// and the extra DSN parameters, and checks that it connects.
func open(ctx context.Context, path string, extra ...string) (*sql.DB, error) {
	if path == "" || path == ":memory:" || strings.Contains(path, "?") {
		return nil, fmt.Errorf("sqlite: %q cannot name a database file", path)
	}
	// The pragmas come first, busy_timeout leading, so that the extra
	// ones (journal_mode, which needs the database's lock) wait for other
	// processes instead of failing at once with SQLITE_BUSY.
	var params []string
	for _, p := range pragmas {
		params = append(params, "_pragma="+url.QueryEscape(p))
	}
	params = append(params, extra...)
	db, err := sql.Open("sqlite", path+"?"+strings.Join(params, "&"))
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	// Switching a new file to WAL needs its lock, and SQLite answers
	// SQLITE_BUSY at once, without waiting, when another process opening
	// the same new file holds it: try again for as long as busy_timeout
	// would have waited.
	deadline := time.Now().Add(5 * time.Second)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err = db.PingContext(ctx)
		if err == nil || classify(err) != sqlstore.ClassUnavailable || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

// rebind rewrites the $N placeholders of query as ?N, which SQLite binds to
// the N-th argument; $N would be a named parameter bound by position of
// first appearance instead. Quoted text and identifiers are left alone.
func rebind(query string) string {
	b := []byte(query)
	var quote byte
	for i, c := range b {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '$' && i+1 < len(b) && '0' <= b[i+1] && b[i+1] <= '9':
			b[i] = '?'
		}
	}
	return string(b)
}

// classify tells sqlstore what a driver error means.
func classify(err error) sqlstore.ErrorClass {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return sqlstore.ClassOther
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return sqlstore.ClassUnique
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return sqlstore.ClassForeignKey
	}
	switch e.Code() & 0xff { // the primary result code
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return sqlstore.ClassUnavailable
	}
	return sqlstore.ClassOther
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
