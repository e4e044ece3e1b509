-- The coin ledger: append-only entries that move coins between buckets
-- (see till.LedgerEntry), and the users' coin settings. Amounts are decimal
-- strings of coin units (1 coin is 10^18 units), summed in Go with
-- math/big, since SQLite's integers stop at 2^63 and its sums turn to
-- floats. postgres/migrations/0004_coins.sql is the same schema for
-- PostgreSQL.

CREATE TABLE coin_entries (
	id         INTEGER PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id),
	receipt_id TEXT NOT NULL REFERENCES receipts (id),
	item_key   TEXT NOT NULL,
	kind       TEXT NOT NULL CHECK (kind IN ('pending', 'earned', 'reversed')),
	from_kind  TEXT NOT NULL CHECK (from_kind IN ('', 'pending', 'earned')),
	amount     TEXT NOT NULL CHECK (amount NOT GLOB '*[^0-9]*' AND amount <> ''),
	partner    BOOLEAN NOT NULL,
	created_us INTEGER NOT NULL,
	-- The idempotency key: a line is awarded, released and reversed once.
	UNIQUE (receipt_id, item_key, kind)
);

-- A user's entries by time: the daily limit's sum, the history, balances.
CREATE INDEX coin_entries_user ON coin_entries (user_id, created_us);

CREATE TRIGGER coin_entries_no_update BEFORE UPDATE ON coin_entries
BEGIN
	SELECT RAISE(ABORT, 'coin_entries is append-only');
END;

CREATE TRIGGER coin_entries_no_delete BEFORE DELETE ON coin_entries
BEGIN
	SELECT RAISE(ABORT, 'coin_entries is append-only');
END;

-- time_zone is an IANA name, '' until chosen; daily_limit NULL means the
-- service's default and '0' no limit.
CREATE TABLE coin_accounts (
	user_id     TEXT PRIMARY KEY REFERENCES users (id),
	time_zone   TEXT NOT NULL,
	daily_limit TEXT CHECK (daily_limit NOT GLOB '*[^0-9]*' AND daily_limit <> '')
);
