-- The document table sorts by any column at 100,000 rows and pages with LIMIT/OFFSET. Without an
-- index per sort key SQLite sorts the whole table on every page (about 1.5 s for the last page
-- sorted by buyer). Each index ends with id, the tie-breaker of every sort, and uses the same
-- expression as the ORDER BY (COLLATE NOCASE, CAST) so the planner can walk it in either direction.
CREATE INDEX documents_by_file_name ON documents (file_name COLLATE NOCASE, id);
CREATE INDEX documents_by_invoice_number ON documents (invoice_number COLLATE NOCASE, id);
CREATE INDEX documents_by_buyer_name ON documents (buyer_name COLLATE NOCASE, id);
CREATE INDEX documents_by_amount ON documents (CAST(amount AS REAL), id);
CREATE INDEX documents_by_issue_date ON documents (issue_date, id);
CREATE INDEX documents_by_updated_at ON documents (updated_at, id);
