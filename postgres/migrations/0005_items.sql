-- The item lines of each analysis, with the products they were matched to
-- and the users' decisions (JSON: a list of till.ItemLine).
-- sqlite/migrations/0005_items.sql is the same for SQLite.
ALTER TABLE analyses ADD COLUMN items TEXT NOT NULL DEFAULT '[]';
