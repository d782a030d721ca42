-- Documents that could not be read as an invoice (invalid, no invoice number), by file name: a
-- correction added under the same name replaces them, as on a single desk (its migration 023;
-- walk 21: the old "Needs fixing" row stayed after the clerk dropped the corrected file, as it
-- said to). Partial: only such documents are in it, so a lookup by name is a few rows whatever
-- the size of the team's queue.
CREATE INDEX team_documents_unreadable_by_name ON team_documents (file_name)
  WHERE state = 'invalid' AND invoice_number IS NULL;
