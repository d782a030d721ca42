-- Documents that could not be read as an invoice, by the number their file seems to carry (the
-- text of its first element named ID): a correction of that number under the same file name
-- (its last part) replaces them, as on a single desk (its migration 023; walk 21: the old "Needs
-- fixing" document stayed after the clerk dropped the corrected file, as it said to). Partial:
-- only such documents are in it, so a lookup is a few rows whatever the size of the queue.
ALTER TABLE team_documents ADD COLUMN unread_number TEXT;
CREATE INDEX team_documents_unreadable_by_number ON team_documents (unread_number)
  WHERE state = 'invalid' AND unread_number IS NOT NULL;
