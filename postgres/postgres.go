// Package postgres opens Till's store in a PostgreSQL database, for running
// several Till processes on one database, through pgx.
//
// The store reads and writes through one pgxpool.Pool, wrapped for
// database/sql; the pool itself stays reachable so that other parts of Till,
// such as the job queue, can share its connections.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/tillhq/till/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLockKey identifies Till's migrations among the advisory locks
// of the database: the bytes of "tillmigr".
const migrationLockKey = 0x74696c6c6d696772

// dialect is what PostgreSQL needs sqlstore to do differently: only the
// meaning of its errors and the lock that serialises migrations.
var dialect = sqlstore.Dialect{
	Classify:      classify,
	Migrations:    must(fs.Sub(migrations, "migrations")),
	MigrationLock: fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", migrationLockKey),
	UserLock:      fmt.Sprintf("SELECT pg_advisory_xact_lock(%d, hashtext($1))", userLockClass),
	GroupCommit:   true,
}

// userLockClass keeps the advisory locks of users' ledgers apart from
// other advisory locks: it is the first of the two keys of each, the bytes
// of "coin"; the second is a hash of the user id. Two users whose ids hash
// alike share a lock, which costs them waiting, never correctness.
const userLockClass = 0x636f696e

// Store is a sqlstore.Store on PostgreSQL that also gives access to its
// connection pool.
type Store struct {
	*sqlstore.Store
	pool *pgxpool.Pool
}

// Open connects to the database at url, a postgres:// URL with any of
// pgx's parameters (pool_max_conns and the like), applies the migrations it
// lacks (see sqlstore.Migrate) and returns the store. Every other URL
// parameter is set on each connection as a run-time parameter; in
// particular search_path chooses the schema that holds Till's tables. The
// schema must exist.
func Open(ctx context.Context, url string) (*Store, error) {
	pool, err := connect(ctx, url)
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDBFromPool(pool)
	if _, err := sqlstore.Migrate(ctx, db, dialect); err != nil {
		db.Close()
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &Store{Store: sqlstore.New(db, db, dialect), pool: pool}, nil
}

// Migrate applies to the database at url the migrations it lacks and
// returns their names, as sqlstore.Migrate does. Open does the same, so
// Migrate is for running the migrations on their own, as "till migrate"
// does.
func Migrate(ctx context.Context, url string) ([]string, error) {
	pool, err := connect(ctx, url)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	applied, err := sqlstore.Migrate(ctx, db, dialect)
	if err != nil {
		return applied, fmt.Errorf("postgres: %w", err)
	}
	return applied, nil
}

// Pool returns the store's connection pool. It is closed with the store.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the store and then its pool.
func (s *Store) Close() error {
	err := s.Store.Close()
	s.pool.Close()
	return err
}

// connect opens a pool on the database at url and checks that it connects.
func connect(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return pool, nil
}

// classify tells sqlstore what a driver error means.
func classify(err error) sqlstore.ErrorClass {
	if errors.As(err, new(*pgconn.ConnectError)) {
		return sqlstore.ClassUnavailable
	}
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return sqlstore.ClassOther
	}
	switch e.Code {
	case "23505": // unique_violation
		return sqlstore.ClassUnique
	case "23503": // foreign_key_violation
		return sqlstore.ClassForeignKey
	case "40001", "40P01", // serialization_failure, deadlock_detected
		"53300",          // too_many_connections
		"55P03",          // lock_not_available
		"57P01", "57P03": // admin_shutdown, cannot_connect_now
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
