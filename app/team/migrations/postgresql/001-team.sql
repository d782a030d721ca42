-- The team outbox (issue 14). Times are milliseconds since the epoch read from the database's
-- clock (team_now_ms): leases and retry times never depend on a desk's clock.
CREATE FUNCTION team_now_ms() RETURNS BIGINT LANGUAGE sql VOLATILE AS
  $$ SELECT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT $$;

CREATE TABLE team_documents (
  id BIGSERIAL PRIMARY KEY,
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
  lease_until BIGINT,
  fence BIGINT NOT NULL DEFAULT 0,
  -- An attempt may have reached the access point: never cancelled, re-sent with the same key.
  reached_maybe BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  next_attempt_at BIGINT,
  -- When it may be claimed (database clock): queued → when added; retry_wait → its retry time;
  -- sending → when its lease ends; NULL for every other state.
  due_at BIGINT
);
-- What claim() walks: only rows that are due, in the order they became due; rows waiting for a
-- retry or leased to a desk are never read before their time.
CREATE INDEX team_documents_due ON team_documents (due_at, id) WHERE due_at IS NOT NULL;
CREATE INDEX team_documents_state ON team_documents (state, id);

-- The exact bytes, apart from the row so lists never read them.
CREATE TABLE team_document_bodies (
  document_id BIGINT PRIMARY KEY REFERENCES team_documents (id) ON DELETE CASCADE,
  body BYTEA NOT NULL
);

CREATE TABLE team_events (
  seq BIGSERIAL PRIMARY KEY,
  document_id BIGINT NOT NULL REFERENCES team_documents (id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
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
  started_at BIGINT NOT NULL,
  last_seen BIGINT NOT NULL
);

CREATE TABLE team_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_by TEXT,
  updated_at BIGINT NOT NULL
);

-- Documents per state without a hot row: each statement that adds, moves or removes documents
-- appends its per-state changes to team_state_deltas (inserts only, so desks never wait on each
-- other for it); counts() folds the deltas into team_state_counts and adds what is left. A
-- single counts row per state would be locked by every claim and every outcome of every desk
-- until its commit.
CREATE TABLE team_state_counts (
  state TEXT PRIMARY KEY,
  n BIGINT NOT NULL
);

CREATE TABLE team_state_deltas (
  seq BIGSERIAL PRIMARY KEY,
  state TEXT NOT NULL,
  delta BIGINT NOT NULL
);

CREATE FUNCTION team_state_deltas_inserted() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO team_state_deltas (state, delta)
  SELECT state, COUNT(*) FROM new_rows GROUP BY state;
  RETURN NULL;
END $$;

CREATE FUNCTION team_state_deltas_updated() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO team_state_deltas (state, delta)
  SELECT state, SUM(d) FROM (
    SELECT state, -1 AS d FROM old_rows UNION ALL SELECT state, 1 AS d FROM new_rows
  ) moved GROUP BY state HAVING SUM(d) <> 0;
  RETURN NULL;
END $$;

CREATE FUNCTION team_state_deltas_deleted() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO team_state_deltas (state, delta)
  SELECT state, -COUNT(*) FROM old_rows GROUP BY state;
  RETURN NULL;
END $$;

CREATE TRIGGER team_state_deltas_inserted AFTER INSERT ON team_documents
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION team_state_deltas_inserted();
CREATE TRIGGER team_state_deltas_updated AFTER UPDATE ON team_documents
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION team_state_deltas_updated();
CREATE TRIGGER team_state_deltas_deleted AFTER DELETE ON team_documents
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION team_state_deltas_deleted();
