-- The team list's sorts (issue 14): every column the single desk sorts by, in the single desk's
-- order and with its indexes (store migrations 008 and 013): each in the sort's order, then id
-- (ties, so a page never repeats or skips a row), then the state (a filter is tested on the index
-- entry, without reading the row). A page walks one of them: its rows and the offset, never a
-- sort of the whole table. The state sort has team_documents_state; the id sort, the table.
CREATE INDEX team_documents_by_file_name ON team_documents (file_name COLLATE NOCASE, id, state);
CREATE INDEX team_documents_by_invoice_number
  ON team_documents (invoice_number COLLATE NOCASE, id, state);
CREATE INDEX team_documents_by_buyer_name ON team_documents (buyer_name COLLATE NOCASE, id, state);
CREATE INDEX team_documents_by_amount ON team_documents (CAST(amount AS REAL), id, state);
CREATE INDEX team_documents_by_issue_date ON team_documents (issue_date, id, state);
CREATE INDEX team_documents_by_updated_at ON team_documents (updated_at, id, state);
