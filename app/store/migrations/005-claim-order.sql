-- Every stage claims the oldest documents of a state (`WHERE state = ? ORDER BY id LIMIT n`).
-- Without this index SQLite sorts every document in that state on each claim, which at
-- thousands of queued documents costs milliseconds per claim (see docs/performance.md).
CREATE INDEX documents_by_state_id ON documents (state, id);
