// Package sqlstore implements till.Store over database/sql, once for every
// database Till supports. The backends (sqlite, postgres) open the
// connections and describe their database with a Dialect; everything else,
// every query included, is shared.
//
// Queries are written once, in PostgreSQL's $1, $2, … placeholder syntax,
// and rebound by the Dialect where the database wants another. Timestamps
// are stored as BIGINT microseconds since the Unix epoch (columns named
// *_us) so that comparisons and ordering mean the same in every database.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"github.com/tillhq/till"
)

// ErrorClass is what a database error means to Store, as told by a Dialect.
type ErrorClass int

// The classes of database error Store answers differently. Everything else
// is ClassOther and becomes a KindInternal error.
const (
	ClassOther       ErrorClass = iota
	ClassUnique                 // a unique or primary key constraint was violated
	ClassForeignKey             // a foreign key constraint was violated
	ClassUnavailable            // the database is locked, overloaded or out of reach; the caller may retry
)

// Dialect is what one database needs Store to do differently.
type Dialect struct {
	// Rebind rewrites a query written with $1, $2, … placeholders into
	// the database's syntax. Nil means the database takes $N as it is.
	Rebind func(query string) string
	// Classify tells which ErrorClass a driver error belongs to.
	Classify func(err error) ErrorClass
	// Migrations holds the database's schema migrations as *.sql files at
	// its root, applied in name order by Migrate.
	Migrations fs.FS
	// MigrationLock, when not empty, is executed first in every migration
	// transaction to keep other processes from migrating at the same time.
	// It may be empty where beginning a transaction already excludes every
	// other writer, as SQLite's BEGIN IMMEDIATE does.
	MigrationLock string
	// CacheStatements has Store prepare each of its fixed queries once per
	// handle and connection instead of at every call. It pays where the
	// handles keep their connections and parsing is dear, as with SQLite;
	// pgx caches prepared statements on its own connections already.
	CacheStatements bool
	// GroupCommit has Store commit receipts created at the same time
	// together, in one transaction, each in a savepoint of its own. It
	// pays where every commit waits for the disk and one writer commits at
	// a time, as with SQLite in synchronous=FULL; PostgreSQL already lets
	// concurrent commits share a flush.
	GroupCommit bool
	// UserLock, when not empty, is executed with a user id as $1 first in
	// every transaction of UpdateLedger, to keep other transactions of the
	// same user from overlapping it until it ends; a daily limit checked
	// in one would otherwise miss the awards of another. It may be empty
	// where beginning a transaction already excludes every other writer,
	// as SQLite's BEGIN IMMEDIATE does.
	UserLock string
}

// Store is till.Store over two database/sql handles: a writer for every
// change and a reader for every query that changes nothing. They may be the
// same handle.
type Store struct {
	w, r      *sql.DB
	d         Dialect
	stmts     sync.Map     // of stmtKey to *sql.Stmt, when d.CacheStatements
	group     *groupCommit // when d.GroupCommit
	onProcess ReceiptHook
}

// ReceiptHook runs in the transactions that send receipts to processing:
// once after CreateReceipt inserts them (one receipt, or every receipt of a
// commit group, see Dialect.GroupCommit), and once when ResumeReceipt
// sends a receipt back with a user's answer (its status then is the
// _PENDING one). Its error undoes the whole transaction. The job queue
// uses it to enqueue the receipts' processing atomically with them, in one
// batch.
type ReceiptHook func(ctx context.Context, tx *sql.Tx, receipts []*till.Receipt) error

// OnProcess sets the hook that enqueues receipts' processing. Call it
// before the Store is used.
func (s *Store) OnProcess(h ReceiptHook) { s.onProcess = h }

// Writer returns the handle every change goes through: on SQLite its single
// connection, which the job queue must share.
func (s *Store) Writer() *sql.DB { return s.w }

type stmtKey struct {
	db    *sql.DB
	query string
}

var _ till.Store = (*Store)(nil)

// New returns a Store that writes through writer and reads through reader.
// The schema must be migrated already (see Migrate). The Store owns both
// handles: Close closes them.
func New(writer, reader *sql.DB, d Dialect) *Store {
	s := &Store{w: writer, r: reader, d: d}
	if d.GroupCommit {
		s.group = newGroupCommit(s)
	}
	return s
}

// Ping reports whether both handles reach the database.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return s.fail("ping", err)
	}
	if err := s.r.PingContext(ctx); err != nil {
		return s.fail("ping", err)
	}
	return nil
}

// Close closes both handles.
func (s *Store) Close() error {
	if s.group != nil {
		s.group.close()
	}
	var err error
	for _, st := range s.stmts.Range {
		err = errors.Join(err, st.(*sql.Stmt).Close())
	}
	err = errors.Join(err, s.w.Close())
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) rebind(query string) string {
	if s.d.Rebind == nil {
		return query
	}
	return s.d.Rebind(query)
}

// exec, query and queryRow run one of the Store's fixed queries on q,
// through a cached statement when the Dialect asks for it. Queries built
// at run time go to q directly, rebound, so that the cache stays small.

func (s *Store) exec(ctx context.Context, q querier, query string, args ...any) (sql.Result, error) {
	if st := s.stmt(ctx, q, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.ExecContext(ctx, s.rebind(query), args...)
}

func (s *Store) query(ctx context.Context, q querier, query string, args ...any) (*sql.Rows, error) {
	if st := s.stmt(ctx, q, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.QueryContext(ctx, s.rebind(query), args...)
}

func (s *Store) queryRow(ctx context.Context, q querier, query string, args ...any) *sql.Row {
	if st := s.stmt(ctx, q, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.QueryRowContext(ctx, s.rebind(query), args...)
}

// stmt returns the cached statement of query for q, preparing it on first
// use. It returns nil when the Dialect does not cache statements, when the
// query fails to prepare (running it unprepared then reports the error),
// and for a transaction when the statement is not prepared yet: preparing
// it would wait for the writer's connection, which the transaction holds
// (see inTx).
func (s *Store) stmt(ctx context.Context, q querier, query string) *sql.Stmt {
	if !s.d.CacheStatements {
		return nil
	}
	switch q := q.(type) {
	case *sql.Tx:
		if v, ok := s.stmts.Load(stmtKey{s.w, query}); ok {
			return q.StmtContext(ctx, v.(*sql.Stmt))
		}
	case *sql.DB:
		key := stmtKey{q, query}
		if v, ok := s.stmts.Load(key); ok {
			return v.(*sql.Stmt)
		}
		st, err := q.PrepareContext(ctx, s.rebind(query))
		if err != nil {
			return nil
		}
		if v, loaded := s.stmts.LoadOrStore(key, st); loaded {
			st.Close()
			return v.(*sql.Stmt)
		}
		return st
	}
	return nil
}

// class returns the ErrorClass of err.
func (s *Store) class(err error) ErrorClass {
	if err == nil || s.d.Classify == nil {
		return ClassOther
	}
	return s.d.Classify(err)
}

// fail wraps a database error that the calling method does not answer
// itself: ClassUnavailable becomes KindUnavailable, everything else stays
// internal, with op naming what failed for the logs.
func (s *Store) fail(op string, err error) error {
	if s.class(err) == ClassUnavailable {
		return till.Wrap(till.KindUnavailable, err, "database unavailable, try again later")
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// inTx runs f in a transaction on the writer and commits it when f
// succeeds. It returns f's error unchanged, or the commit's as a fail.
// The fixed queries f runs are given as prepare, to be prepared before the
// transaction begins.
func (s *Store) inTx(ctx context.Context, op string, f func(tx *sql.Tx) error, prepare ...string) error {
	for _, query := range prepare {
		s.stmt(ctx, s.w, query)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(op, err)
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return s.fail(op, err)
	}
	return nil
}

// us returns t as stored: microseconds since the Unix epoch.
func us(t time.Time) int64 { return t.UnixMicro() }

// fromUS returns the UTC time of a stored timestamp.
func fromUS(v int64) time.Time { return time.UnixMicro(v).UTC() }

// nullUS returns the stored form of an optional time.
func nullUS(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

// fromNullUS returns the optional time of a stored, nullable timestamp.
func fromNullUS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromUS(v.Int64)
	return &t
}
