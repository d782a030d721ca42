-- The same bytes may now be added twice under different file names (the second is held as a
-- duplicate for the user to decide), so sha256 is no longer UNIQUE. SQLite cannot drop a
-- constraint: the table is rebuilt (the documented 12-step procedure; migrate() turns foreign
-- keys off around migrations and checks them before each commit).
CREATE TABLE documents_new (
  id INTEGER PRIMARY KEY,
  file_name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  state TEXT NOT NULL,
  doc_type TEXT,
  invoice_number TEXT,
  seller_id TEXT,
  buyer_name TEXT,
  receiver_id TEXT,
  amount TEXT,
  currency TEXT,
  issue_date TEXT,
  summary_json TEXT,
  validation_json TEXT,
  -- Stored before the first attempt and sent on every attempt, across restarts.
  idempotency_key TEXT NOT NULL UNIQUE,
  transaction_id TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  problem_code TEXT,
  problem_message TEXT,
  problem_action TEXT,
  duplicate_of INTEGER,
  send_anyway INTEGER NOT NULL DEFAULT 0,
  business_response TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  accepted_at INTEGER,
  delivered_at INTEGER,
  next_poll_at INTEGER,
  batch_key TEXT
);
INSERT INTO documents_new
  (id, file_name, sha256, size, state, doc_type, invoice_number, seller_id, buyer_name,
   receiver_id, amount, currency, issue_date, summary_json, validation_json, idempotency_key,
   transaction_id, attempts, next_attempt_at, problem_code, problem_message, problem_action,
   duplicate_of, send_anyway, business_response, created_at, updated_at, accepted_at,
   delivered_at, next_poll_at, batch_key)
SELECT id, file_name, sha256, size, state, doc_type, invoice_number, seller_id, buyer_name,
   receiver_id, amount, currency, issue_date, summary_json, validation_json, idempotency_key,
   transaction_id, attempts, next_attempt_at, problem_code, problem_message, problem_action,
   duplicate_of, send_anyway, business_response, created_at, updated_at, accepted_at,
   delivered_at, next_poll_at, batch_key
FROM documents;
DROP TABLE documents;
ALTER TABLE documents_new RENAME TO documents;
CREATE INDEX documents_by_state ON documents (state, next_attempt_at);
CREATE INDEX documents_by_business_key ON documents (seller_id, invoice_number, doc_type);
CREATE INDEX documents_by_poll ON documents (state, next_poll_at);
CREATE INDEX documents_by_batch_key ON documents (batch_key) WHERE batch_key IS NOT NULL;
CREATE INDEX documents_by_state_id ON documents (state, id);
-- "Already known" is the same bytes under the same file name.
CREATE INDEX documents_by_content ON documents (sha256, file_name);
