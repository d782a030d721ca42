-- Documents: one row per distinct file content, with its state in the send pipeline.
CREATE TABLE documents (
  id INTEGER PRIMARY KEY,
  file_name TEXT NOT NULL,
  sha256 TEXT NOT NULL UNIQUE,
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
  next_poll_at INTEGER
);
CREATE INDEX documents_by_state ON documents (state, next_attempt_at);
CREATE INDEX documents_by_business_key ON documents (seller_id, invoice_number, doc_type);
CREATE INDEX documents_by_poll ON documents (state, next_poll_at);

-- The bytes exactly as dropped, kept apart so scans of documents stay small.
CREATE TABLE document_bodies (
  document_id INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
  body BLOB NOT NULL
);

-- Every state transition: the document's timeline.
CREATE TABLE document_events (
  id INTEGER PRIMARY KEY,
  document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX document_events_by_document ON document_events (document_id, id);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
