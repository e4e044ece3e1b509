-- The coin ledger: append-only entries that move coins between buckets
-- (see till.LedgerEntry), and the users' coin settings. Amounts are whole
-- numbers of coin units (1 coin is 10^18 units) in NUMERIC(78,0), beyond
-- any 64-bit integer. sqlite/migrations/0004_coins.sql is the same schema
-- for SQLite.

CREATE TABLE coin_entries (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id),
	receipt_id TEXT NOT NULL REFERENCES receipts (id),
	item_key   TEXT NOT NULL,
	kind       TEXT NOT NULL CHECK (kind IN ('pending', 'earned', 'reversed')),
	from_kind  TEXT NOT NULL CHECK (from_kind IN ('', 'pending', 'earned')),
	amount     NUMERIC(78, 0) NOT NULL CHECK (amount >= 0),
	partner    BOOLEAN NOT NULL,
	created_us BIGINT NOT NULL,
	-- The idempotency key: a line is awarded, released and reversed once.
	UNIQUE (receipt_id, item_key, kind)
);

-- A user's entries by time: the daily limit's sum, the history, balances.
CREATE INDEX coin_entries_user ON coin_entries (user_id, created_us);

CREATE FUNCTION coin_entries_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'coin_entries is append-only';
END;
$$;

CREATE TRIGGER coin_entries_append_only BEFORE UPDATE OR DELETE ON coin_entries
FOR EACH ROW EXECUTE FUNCTION coin_entries_append_only();

-- time_zone is an IANA name, '' until chosen; daily_limit NULL means the
-- service's default and 0 no limit.
CREATE TABLE coin_accounts (
	user_id     TEXT PRIMARY KEY REFERENCES users (id),
	time_zone   TEXT NOT NULL,
	daily_limit NUMERIC(78, 0) CHECK (daily_limit >= 0)
);
