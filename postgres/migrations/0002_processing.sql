-- What processing learns from a receipt, and its audit trail.
-- sqlite/migrations/0002_processing.sql is the same for SQLite.

-- Why a receipt is FAILED or UNRECOGNIZED.
ALTER TABLE receipts ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';

-- Processing reads a receipt's images in order.
CREATE INDEX receipt_images_receipt ON receipt_images (receipt_seq, position);

-- One analysis per receipt, replaced when the receipt is processed again.
-- data is the analyzed_receipt document (JSON).
CREATE TABLE analyses (
	receipt_id TEXT PRIMARY KEY REFERENCES receipts (id),
	data       TEXT NOT NULL,
	ocr_text   TEXT NOT NULL,
	ocr_hash   TEXT NOT NULL,
	image_hash TEXT NOT NULL,
	updated_us BIGINT NOT NULL
);

-- Duplicate detection looks receipts up by the hash of their text.
CREATE INDEX analyses_ocr_hash ON analyses (ocr_hash);

-- Append-only: one row per processing step of every attempt.
CREATE TABLE receipt_events (
	id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	receipt_id  TEXT NOT NULL REFERENCES receipts (id),
	attempt     INTEGER NOT NULL,
	step        TEXT NOT NULL,
	outcome     TEXT NOT NULL,
	detail      TEXT NOT NULL,
	started_us  BIGINT NOT NULL,
	duration_us BIGINT NOT NULL
);

CREATE INDEX receipt_events_receipt ON receipt_events (receipt_id, id);
