-- As PostgreSQL's migration 014: the failed documents "Retry all" leaves are counted from a
-- partial index (a few rows: files that need a person) instead of by triggers, the same way in
-- both dialects.
DROP TRIGGER team_failed_to_fix_insert;
DROP TRIGGER team_failed_to_fix_update;
DROP TRIGGER team_failed_to_fix_delete;
DELETE FROM team_state_counts WHERE state = 'failed:to-fix';

CREATE INDEX team_documents_failed_to_fix ON team_documents (id)
  WHERE state = 'failed' AND problem_action IN ('fix-file', 'add-again');
