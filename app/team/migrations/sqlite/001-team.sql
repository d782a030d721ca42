-- The team outbox (issue 14) in one SQLite file shared by desks on one machine. Times are
-- milliseconds since the epoch read inside SQL (the machine's clock, which all its desks share).
CREATE TABLE team_documents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  -- teamKeyOf(body): identity and idempotency key.
  key TEXT NOT NULL UNIQUE,
  file_name TEXT NOT NULL,
  size INTEGER NOT NULL,
  state TEXT NOT NULL,
  doc_type TEXT,
  invoice_number TEXT,
  sender_id TEXT,
  receiver_id TEXT,
  buyer_name TEXT,
  amount TEXT,
  currency TEXT,
  issue_date TEXT,
  problem_code TEXT,
  problem_message TEXT,
  problem_action TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  transaction_id TEXT,
  added_by TEXT NOT NULL,
  sent_by TEXT,
  lease_owner TEXT,
  lease_until INTEGER,
  fence INTEGER NOT NULL DEFAULT 0,
  -- An attempt may have reached the access point: never cancelled, re-sent with the same key.
  reached_maybe INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  next_attempt_at INTEGER,
  -- When it may be claimed (database clock): queued → when added; retry_wait → its retry time;
  -- sending → when its lease ends; NULL for every other state.
  due_at INTEGER
);
-- What claim() walks: only rows that are due, in the order they became due; rows waiting for a
-- retry or leased to a desk are never read before their time.
CREATE INDEX team_documents_due ON team_documents (due_at, id) WHERE due_at IS NOT NULL;
CREATE INDEX team_documents_state ON team_documents (state, id);

-- The exact bytes, apart from the row so lists never read them.
CREATE TABLE team_document_bodies (
  document_id INTEGER PRIMARY KEY REFERENCES team_documents (id) ON DELETE CASCADE,
  body BLOB NOT NULL
);

CREATE TABLE team_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  document_id INTEGER NOT NULL REFERENCES team_documents (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  -- The desk's id (its name is read from team_desks).
  desk TEXT,
  from_state TEXT,
  to_state TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX team_events_document ON team_events (document_id, seq);

CREATE TABLE team_desks (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  host TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);

CREATE TABLE team_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_by TEXT,
  updated_at INTEGER NOT NULL
);

-- Documents per state, kept by triggers in the writer's transaction (as the local store's 011).
CREATE TABLE team_state_counts (
  state TEXT PRIMARY KEY,
  n INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER team_state_counts_insert AFTER INSERT ON team_documents BEGIN
  INSERT INTO team_state_counts (state, n) VALUES (NEW.state, 1)
    ON CONFLICT (state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER team_state_counts_update AFTER UPDATE OF state ON team_documents
WHEN OLD.state IS NOT NEW.state BEGIN
  UPDATE team_state_counts SET n = n - 1 WHERE state = OLD.state;
  INSERT INTO team_state_counts (state, n) VALUES (NEW.state, 1)
    ON CONFLICT (state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER team_state_counts_delete AFTER DELETE ON team_documents BEGIN
  UPDATE team_state_counts SET n = n - 1 WHERE state = OLD.state;
END;
