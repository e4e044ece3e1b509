-- The catalogue: retailers and their outlets, brands, and products with the
-- texts retailers print for them. Lists of strings are JSON arrays; coin
-- rates are decimal strings of coin units. postgres/migrations/0003_catalog.sql
-- is the same schema for PostgreSQL.

CREATE TABLE retailers (
	id            TEXT PRIMARY KEY,
	name          TEXT NOT NULL,
	alias         TEXT NOT NULL,
	logo_url      TEXT NOT NULL,
	country       TEXT NOT NULL,
	tax_ids       TEXT NOT NULL DEFAULT '[]',
	phones        TEXT NOT NULL DEFAULT '[]',
	name_variants TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE outlets (
	retailer_id TEXT NOT NULL REFERENCES retailers (id) ON DELETE CASCADE,
	store_id    TEXT NOT NULL,
	name        TEXT NOT NULL,
	address     TEXT NOT NULL,
	postcode    TEXT NOT NULL,
	latitude    REAL NOT NULL,
	longitude   REAL NOT NULL,
	PRIMARY KEY (retailer_id, store_id)
);

CREATE TABLE brands (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	partner     BOOLEAN NOT NULL,
	item_coins  TEXT NOT NULL,
	spend_coins TEXT NOT NULL
);

-- brand_id is not a foreign key: products are imported from sources that
-- name brands the catalogue may not hold, and such products earn as
-- non-partner products.
CREATE TABLE products (
	gtin     TEXT PRIMARY KEY,
	name     TEXT NOT NULL,
	brand_id TEXT NOT NULL,
	size     TEXT NOT NULL,
	unit     TEXT NOT NULL
);

-- text is AliasKey's form of what the retailer prints.
CREATE TABLE product_aliases (
	retailer_id TEXT NOT NULL REFERENCES retailers (id) ON DELETE CASCADE,
	text        TEXT NOT NULL,
	gtin        TEXT NOT NULL REFERENCES products (gtin) ON DELETE CASCADE,
	PRIMARY KEY (retailer_id, text)
);

CREATE INDEX product_aliases_gtin ON product_aliases (gtin);
