// Package till holds Till's domain: receipts, users, images, their statuses
// and roles, the error kinds every edge answers with, and the storage
// contract that both database backends (sqlite, postgres) satisfy. It
// imports no other package of the module.
package till

import "context"

// Store is the storage contract. sqlstore implements it over database/sql
// for both SQLite and PostgreSQL; storetest checks any implementation.
type Store interface {
	UserStore
	ReceiptStore
	ImageStore
	CatalogStore
	ProcessingStore
	LedgerStore
	// Ping reports whether the database answers, for /readyz.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error
}
