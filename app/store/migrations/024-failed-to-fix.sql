-- Failed documents that "Retry all" leaves as they are: the access point refused the file itself
-- (problem_action 'fix-file') or its kept copy is gone ('add-again'); the details offer no Retry
-- for them (app/engine/user-actions.ts, NOT_RETRIED_ACTIONS). The Needs attention button counted
-- them among those it retries (walk 23: "Retry all failed or not found (56)", then "49 documents
-- will be tried again", and the 56 never went down). Kept by triggers as state_counts is
-- (migration 011), so reading it costs the same at any size.
CREATE TABLE failed_to_fix (
  only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
  n INTEGER NOT NULL
);

INSERT INTO failed_to_fix (only_row, n)
  SELECT 1, COUNT(*) FROM documents
  WHERE state = 'failed' AND problem_action IN ('fix-file', 'add-again');

CREATE TRIGGER failed_to_fix_insert AFTER INSERT ON documents
WHEN NEW.state = 'failed' AND NEW.problem_action IN ('fix-file', 'add-again') BEGIN
  UPDATE failed_to_fix SET n = n + 1 WHERE only_row = 1;
END;

CREATE TRIGGER failed_to_fix_update AFTER UPDATE OF state, problem_action ON documents
WHEN coalesce(OLD.state = 'failed' AND OLD.problem_action IN ('fix-file', 'add-again'), 0)
  IS NOT coalesce(NEW.state = 'failed' AND NEW.problem_action IN ('fix-file', 'add-again'), 0)
BEGIN
  UPDATE failed_to_fix
    SET n = n + CASE
      WHEN coalesce(NEW.state = 'failed' AND NEW.problem_action IN ('fix-file', 'add-again'), 0)
      THEN 1 ELSE -1 END
    WHERE only_row = 1;
END;

CREATE TRIGGER failed_to_fix_delete AFTER DELETE ON documents
WHEN OLD.state = 'failed' AND OLD.problem_action IN ('fix-file', 'add-again') BEGIN
  UPDATE failed_to_fix SET n = n - 1 WHERE only_row = 1;
END;
