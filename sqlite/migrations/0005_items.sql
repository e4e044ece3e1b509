-- The item lines of each analysis, with the products they were matched to
-- and the users' decisions (JSON: a list of till.ItemLine).
-- postgres/migrations/0005_items.sql is the same for PostgreSQL.
ALTER TABLE analyses ADD COLUMN items TEXT NOT NULL DEFAULT '[]';
