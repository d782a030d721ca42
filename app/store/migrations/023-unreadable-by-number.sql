-- Documents that could not be read as an invoice, by the number their file seems to carry (the
-- text of its first element named ID): a correction of that number under the same file name
-- (its last part) replaces them (walk 21: the old "Needs fixing" row stayed after the clerk
-- dropped the corrected file, as it said to; walk 21b: matched by the file name alone, another
-- invoice exported to the same name replaced a failure it had nothing to do with). Partial: only
-- such documents are in it, so a lookup is a few rows whatever the size of the data folder.
ALTER TABLE documents ADD COLUMN unread_number TEXT;
CREATE INDEX documents_unreadable_by_number ON documents (unread_number)
  WHERE state = 'invalid' AND unread_number IS NOT NULL;
