-- The team list's sorts (issue 14): every column the single desk sorts by, in the single desk's
-- order (SQLite's): names ignore case the way COLLATE NOCASE does (A-Z folded to a-z, then byte
-- order), amounts compare as numbers the way CAST(amount AS REAL) reads them, and a missing
-- value comes first in ascending order. Ties by id, so a page never repeats or skips a row. Each
-- sort has an index in that order (walked backwards for descending): a page reads its rows and
-- the offset, never a sort of the whole table.
--
-- The sort keys of the columns a document keeps from its enqueue on (names, amount, issue date)
-- live in team_document_sort_keys, written once by a trigger when documents are inserted: every
-- claim and outcome rewrites a team_documents row and adds an entry to each of its indexes, and
-- five more there made the claim and finish path 1.5x as costly for the database. The last
-- change (updated_at) changes with each of them: its index is on team_documents.

-- A name as it sorts: NOCASE's fold (ASCII letters only, whatever the database's locale; kept
-- with COLLATE "C", byte order) of its first 500 characters. An index entry holds at most ~2,700
-- bytes: a longer text (a garbage buyer name) would make its document's insert fail. Names alike
-- in their first 500 characters sort by id.
CREATE FUNCTION team_sort_text(t TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
  $$ SELECT left(translate(t, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), 500) $$;

-- An amount (stored as its text) as a number, read as SQLite's CAST(… AS REAL) reads it: the
-- number at the start after spaces (sign, digits, point, exponent), 0 when there is none; NULL
-- stays NULL. Never an error, whatever the text: only its first 1,000 characters and a 3-digit
-- exponent are read.
CREATE FUNCTION team_amount_number(a TEXT) RETURNS NUMERIC LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  $$ SELECT CASE WHEN a IS NULL THEN NULL ELSE COALESCE(substring(left(a, 1000) FROM
       '^[[:space:]]*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?)')::numeric,
     0) END $$;

CREATE TABLE team_document_sort_keys (
  document_id BIGINT PRIMARY KEY REFERENCES team_documents (id) ON DELETE CASCADE,
  file_name_key TEXT COLLATE "C",
  invoice_number_key TEXT COLLATE "C",
  buyer_name_key TEXT COLLATE "C",
  amount_key NUMERIC,
  issue_date_key TEXT COLLATE "C"
);

CREATE FUNCTION team_sort_keys_inserted() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO team_document_sort_keys
    (document_id, file_name_key, invoice_number_key, buyer_name_key, amount_key, issue_date_key)
  SELECT id, team_sort_text(file_name), team_sort_text(invoice_number),
    team_sort_text(buyer_name), team_amount_number(amount), left(issue_date, 500)
  FROM new_rows;
  RETURN NULL;
END $$;

-- Should a later statement change one of these columns, its keys follow (no cost otherwise: the
-- trigger fires only for an UPDATE that sets one of them).
CREATE FUNCTION team_sort_keys_updated() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  UPDATE team_document_sort_keys SET file_name_key = team_sort_text(NEW.file_name),
    invoice_number_key = team_sort_text(NEW.invoice_number),
    buyer_name_key = team_sort_text(NEW.buyer_name), amount_key = team_amount_number(NEW.amount),
    issue_date_key = left(NEW.issue_date, 500)
  WHERE document_id = NEW.id;
  RETURN NULL;
END $$;

CREATE TRIGGER team_sort_keys_inserted AFTER INSERT ON team_documents
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION team_sort_keys_inserted();
CREATE TRIGGER team_sort_keys_updated
  AFTER UPDATE OF file_name, invoice_number, buyer_name, amount, issue_date ON team_documents
  FOR EACH ROW EXECUTE FUNCTION team_sort_keys_updated();

INSERT INTO team_document_sort_keys
  (document_id, file_name_key, invoice_number_key, buyer_name_key, amount_key, issue_date_key)
SELECT id, team_sort_text(file_name), team_sort_text(invoice_number), team_sort_text(buyer_name),
  team_amount_number(amount), left(issue_date, 500)
FROM team_documents;

CREATE INDEX team_sort_keys_by_file_name
  ON team_document_sort_keys (file_name_key NULLS FIRST, document_id);
CREATE INDEX team_sort_keys_by_invoice_number
  ON team_document_sort_keys (invoice_number_key NULLS FIRST, document_id);
CREATE INDEX team_sort_keys_by_buyer_name
  ON team_document_sort_keys (buyer_name_key NULLS FIRST, document_id);
CREATE INDEX team_sort_keys_by_amount ON team_document_sort_keys (amount_key NULLS FIRST, document_id);
CREATE INDEX team_sort_keys_by_issue_date
  ON team_document_sort_keys (issue_date_key NULLS FIRST, document_id);
CREATE INDEX team_documents_by_updated_at ON team_documents (updated_at, id);
