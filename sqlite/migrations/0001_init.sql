-- Till's first schema. Times are microseconds since the Unix epoch (*_us);
-- lists of strings are JSON arrays. postgres/migrations/0001_init.sql is the
-- same schema for PostgreSQL.

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE,
	role          TEXT NOT NULL,
	retailers     TEXT NOT NULL DEFAULT '[]',
	level         TEXT NOT NULL,
	karma         INTEGER NOT NULL DEFAULT 0,
	registered_us INTEGER NOT NULL
);

-- A ticket is stored as the SHA-256 hash of its secret.
CREATE TABLE tickets (
	hash       BLOB PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id),
	created_us INTEGER NOT NULL,
	expires_us INTEGER NOT NULL,
	revoked_us INTEGER
);

CREATE INDEX tickets_user_live ON tickets (user_id) WHERE revoked_us IS NULL;

-- seq, the rowid, orders a user's receipts. It is not AUTOINCREMENT, which
-- would cost a write to sqlite_sequence on every insert: receipts are only
-- ever soft-deleted, and chunk cursors are receipt ids, so a reused seq could
-- not move a cursor.
CREATE TABLE receipts (
	seq                INTEGER PRIMARY KEY,
	id                 TEXT NOT NULL UNIQUE,
	user_id            TEXT NOT NULL REFERENCES users (id),
	accuracy           TEXT NOT NULL,
	latitude           TEXT NOT NULL,
	longitude          TEXT NOT NULL,
	images             TEXT NOT NULL,
	store_id           TEXT NOT NULL,
	location_name      TEXT NOT NULL,
	country_iso        TEXT NOT NULL,
	client_ip          TEXT NOT NULL,
	status             TEXT NOT NULL,
	retailer_id        TEXT NOT NULL,
	retailer_name      TEXT NOT NULL,
	receipt_code       TEXT NOT NULL,
	issued_us          INTEGER,
	total              TEXT NOT NULL,
	ocr_done           BOOLEAN NOT NULL,
	recognized_items   INTEGER NOT NULL,
	unrecognized_items INTEGER NOT NULL,
	deleted_us         INTEGER,
	created_us         INTEGER NOT NULL,
	updated_us         INTEGER NOT NULL
);

-- A user's live receipts, newest first: chunk listing, groups and search.
CREATE INDEX receipts_user_live ON receipts (user_id, seq DESC) WHERE deleted_us IS NULL;

-- The images of a receipt that Till stores, by position in its image list.
-- Receipts are found by image, so the key leads the primary key and no
-- other index is needed.
CREATE TABLE receipt_images (
	image_key   TEXT NOT NULL,
	receipt_seq INTEGER NOT NULL REFERENCES receipts (seq),
	position    INTEGER NOT NULL,
	PRIMARY KEY (image_key, receipt_seq, position)
) WITHOUT ROWID;

CREATE TABLE images (
	key          TEXT PRIMARY KEY,
	owner_id     TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	sha256       TEXT NOT NULL,
	source_url   TEXT NOT NULL,
	created_us   INTEGER NOT NULL
);
