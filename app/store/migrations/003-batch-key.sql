-- The batch a document was last sent in, while its outcome is not known. Set when the batch is
-- claimed, kept through timeouts, resets and crashes, cleared once the batch's answer is recorded:
-- a document with a batch_key is always sent again in that identical batch, under that key.
ALTER TABLE documents ADD COLUMN batch_key TEXT;
CREATE INDEX documents_by_batch_key ON documents (batch_key) WHERE batch_key IS NOT NULL;
