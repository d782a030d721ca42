-- The team list's sorts (issue 14): every column the single desk sorts by, in the single desk's
-- order (SQLite's): names ignore case the way COLLATE NOCASE does (A-Z folded to a-z, then byte
-- order), amounts compare as numbers the way CAST(amount AS REAL) reads them, and a missing
-- value comes first in ascending order. Ties by id, so a page never repeats or skips a row. Each
-- sort has an index in that order (walked backwards for descending): a page reads its rows and
-- the offset, never a sort of the whole table.

-- A name as it sorts: NOCASE's fold (ASCII letters only, whatever the database's locale; used
-- with COLLATE "C", byte order) of its first 500 characters. An index entry holds at most ~2,700
-- bytes: a longer text (a garbage buyer name) would make its document's insert fail. Names alike
-- in their first 500 characters sort by id.
CREATE FUNCTION team_sort_text(t TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
  $$ SELECT left(translate(t, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), 500) $$;

-- An amount (stored as its text) as a number, read as SQLite's CAST(… AS REAL) reads it: the
-- number at the start after spaces (sign, digits, point, exponent), 0 when there is none. Never
-- an error, whatever the text: at most 250 digits on each side of the point and a 3-digit
-- exponent are read (a longer one is read as far as that).
CREATE FUNCTION team_amount_number(a TEXT) RETURNS NUMERIC LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
  $$ SELECT COALESCE(substring(a FROM
       '^[[:space:]]*([+-]?(?:[0-9]{1,250}(?:\.[0-9]{0,250})?|\.[0-9]{1,250})(?:[eE][+-]?[0-9]{1,3})?)'
     )::numeric, 0) $$;

CREATE INDEX team_documents_by_file_name
  ON team_documents ((team_sort_text(file_name) COLLATE "C") NULLS FIRST, id);
CREATE INDEX team_documents_by_invoice_number
  ON team_documents ((team_sort_text(invoice_number) COLLATE "C") NULLS FIRST, id);
CREATE INDEX team_documents_by_buyer_name
  ON team_documents ((team_sort_text(buyer_name) COLLATE "C") NULLS FIRST, id);
CREATE INDEX team_documents_by_amount
  ON team_documents (team_amount_number(amount) NULLS FIRST, id);
CREATE INDEX team_documents_by_issue_date
  ON team_documents ((left(issue_date, 500) COLLATE "C") NULLS FIRST, id);
CREATE INDEX team_documents_by_updated_at ON team_documents (updated_at, id);
