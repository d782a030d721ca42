-- Documents that could not be read as an invoice (invalid, no invoice number), by file name: a
-- correction saved under the same name replaces them (walk 21: a clerk who did what the row said,
-- "drop the corrected file again", was left with the old "Needs fixing" row whenever its first
-- version had no number to match the correction by: a DOCTYPE, a wrong encoding, a half-written
-- file). Partial: only such documents are in it, so it costs nothing for the others, and a
-- lookup by name is a few rows whatever the size of the data folder.
CREATE INDEX documents_unreadable_by_name ON documents (file_name)
  WHERE state = 'invalid' AND invoice_number IS NULL;
