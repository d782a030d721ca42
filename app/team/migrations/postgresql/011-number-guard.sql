-- The team's number guard (the single desk's findBusinessDuplicate): a document added while
-- another one of the same seller, invoice number and type is live is held for the clerk, with
-- the one it would duplicate. Rows from before stay empty.
ALTER TABLE team_documents ADD COLUMN duplicate_of BIGINT;
CREATE INDEX team_documents_number ON team_documents (sender_id, invoice_number, doc_type, id)
  WHERE invoice_number IS NOT NULL;
