-- The team list's sorts (issue 14): every column the single desk sorts by, in the single desk's
-- order (store migrations 008 and 013): each index in the sort's order, then id (ties, so a page
-- never repeats or skips a row). A page walks one of them: its rows and the offset, never a sort
-- of the whole table. The state sort has team_documents_state; the id sort, the table. Unlike
-- the single desk's, they do not hold the state: every claim and outcome changes it, and would
-- rewrite all six entries (the write path ran 4x slower); a filter reads the rows it walks past.
CREATE INDEX team_documents_by_file_name ON team_documents (file_name COLLATE NOCASE, id);
CREATE INDEX team_documents_by_invoice_number
  ON team_documents (invoice_number COLLATE NOCASE, id);
CREATE INDEX team_documents_by_buyer_name ON team_documents (buyer_name COLLATE NOCASE, id);
CREATE INDEX team_documents_by_amount ON team_documents (CAST(amount AS REAL), id);
CREATE INDEX team_documents_by_issue_date ON team_documents (issue_date, id);
CREATE INDEX team_documents_by_updated_at ON team_documents (updated_at, id);
