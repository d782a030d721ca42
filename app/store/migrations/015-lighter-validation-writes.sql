-- Less written per checked document (issue 9 point 3: CPU per invoice on the engine's thread).
--
-- 1. The search box's trigram index (migration 013) held the file name, invoice number and buyer
--    in one row per document. Validation sets the invoice number and buyer after the document was
--    added, so every checked document deleted its whole row and inserted it again, the file
--    name's trigrams included. The file name now has an index of its own, written when the
--    document is added; the invoice number and buyer have another, written when validation sets
--    them (nothing to delete then). A search looks in both; the list still applies LIKE to the
--    documents they name, so its results are unchanged.
DROP TRIGGER documents_search_insert;
DROP TRIGGER documents_search_update;
DROP TRIGGER documents_search_delete;
DROP TABLE documents_search;

CREATE VIRTUAL TABLE documents_search_file USING fts5 (
  file_name,
  content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 0'
);
CREATE VIRTUAL TABLE documents_search_fields USING fts5 (
  invoice_number, buyer_name,
  content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 0'
);

INSERT INTO documents_search_file (rowid, file_name) SELECT id, file_name FROM documents;
INSERT INTO documents_search_fields (rowid, invoice_number, buyer_name)
  SELECT id, invoice_number, buyer_name FROM documents
  WHERE invoice_number IS NOT NULL OR buyer_name IS NOT NULL;

CREATE TRIGGER documents_search_file_insert AFTER INSERT ON documents BEGIN
  INSERT INTO documents_search_file (rowid, file_name) VALUES (NEW.id, NEW.file_name);
END;

CREATE TRIGGER documents_search_fields_insert AFTER INSERT ON documents
WHEN NEW.invoice_number IS NOT NULL OR NEW.buyer_name IS NOT NULL BEGIN
  INSERT INTO documents_search_fields (rowid, invoice_number, buyer_name)
    VALUES (NEW.id, NEW.invoice_number, NEW.buyer_name);
END;

CREATE TRIGGER documents_search_file_update AFTER UPDATE OF file_name ON documents
WHEN OLD.file_name IS NOT NEW.file_name BEGIN
  DELETE FROM documents_search_file WHERE rowid = OLD.id;
  INSERT INTO documents_search_file (rowid, file_name) VALUES (NEW.id, NEW.file_name);
END;

-- Validation sets them the first time: the document has no entry yet, nothing to delete.
CREATE TRIGGER documents_search_fields_set AFTER UPDATE OF invoice_number, buyer_name ON documents
WHEN OLD.invoice_number IS NULL AND OLD.buyer_name IS NULL
  AND (NEW.invoice_number IS NOT NULL OR NEW.buyer_name IS NOT NULL) BEGIN
  INSERT INTO documents_search_fields (rowid, invoice_number, buyer_name)
    VALUES (NEW.id, NEW.invoice_number, NEW.buyer_name);
END;

-- Changed or cleared afterwards (a corrected file checked again): the entry is replaced or gone.
CREATE TRIGGER documents_search_fields_change AFTER UPDATE OF invoice_number, buyer_name
ON documents
WHEN (OLD.invoice_number IS NOT NULL OR OLD.buyer_name IS NOT NULL)
  AND (OLD.invoice_number IS NOT NEW.invoice_number OR OLD.buyer_name IS NOT NEW.buyer_name) BEGIN
  DELETE FROM documents_search_fields WHERE rowid = OLD.id;
  INSERT INTO documents_search_fields (rowid, invoice_number, buyer_name)
    SELECT NEW.id, NEW.invoice_number, NEW.buyer_name
    WHERE NEW.invoice_number IS NOT NULL OR NEW.buyer_name IS NOT NULL;
END;

CREATE TRIGGER documents_search_delete AFTER DELETE ON documents BEGIN
  DELETE FROM documents_search_file WHERE rowid = OLD.id;
  DELETE FROM documents_search_fields WHERE rowid = OLD.id;
END;

-- 2. Validation verdicts (migration 002) were a WITHOUT ROWID table keyed by (sha256, rule set):
--    each verdict, with the document's summary (a kilobyte or more of JSON), went in the middle of
--    that tree at a random place (content hashes), splitting and rewriting wide pages, by
--    `INSERT OR REPLACE` (a delete, then an insert). Verdicts are now appended in rowid order and
--    only the narrow unique index on (sha256, rule set) takes a random place; a verdict for a key
--    already stored (an older row without a summary) is updated in place.
CREATE TABLE validation_cache_appended (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL,
  ruleset TEXT NOT NULL,
  verdict_json TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
INSERT INTO validation_cache_appended (sha256, ruleset, verdict_json, created_at)
  SELECT sha256, ruleset, verdict_json, created_at FROM validation_cache ORDER BY created_at;
DROP TABLE validation_cache;
ALTER TABLE validation_cache_appended RENAME TO validation_cache;
CREATE UNIQUE INDEX validation_cache_by_key ON validation_cache (sha256, ruleset);
