-- Failed documents that "Retry all" leaves as they are (problem_action 'fix-file': the access
-- point refused the file itself; 'add-again': its kept copy is gone), as a single desk counts
-- them (its migration 024): a team desk's Needs attention button counted them among those it
-- retries (walk 24 B2). Kept in team_state_counts under the key 'failed:to-fix', which is no
-- state (counts() leaves it out; failedToFix() reads it), by triggers as the states are.
INSERT INTO team_state_counts (state, n)
  SELECT 'failed:to-fix', COUNT(*) FROM team_documents
  WHERE state = 'failed' AND problem_action IN ('fix-file', 'add-again');

CREATE TRIGGER team_failed_to_fix_insert AFTER INSERT ON team_documents
WHEN NEW.state = 'failed' AND NEW.problem_action IN ('fix-file', 'add-again') BEGIN
  UPDATE team_state_counts SET n = n + 1 WHERE state = 'failed:to-fix';
END;

CREATE TRIGGER team_failed_to_fix_update AFTER UPDATE OF state, problem_action ON team_documents
WHEN coalesce(OLD.state = 'failed' AND OLD.problem_action IN ('fix-file', 'add-again'), 0)
  IS NOT coalesce(NEW.state = 'failed' AND NEW.problem_action IN ('fix-file', 'add-again'), 0)
BEGIN
  UPDATE team_state_counts
    SET n = n + CASE
      WHEN coalesce(NEW.state = 'failed' AND NEW.problem_action IN ('fix-file', 'add-again'), 0)
      THEN 1 ELSE -1 END
    WHERE state = 'failed:to-fix';
END;

CREATE TRIGGER team_failed_to_fix_delete AFTER DELETE ON team_documents
WHEN OLD.state = 'failed' AND OLD.problem_action IN ('fix-file', 'add-again') BEGIN
  UPDATE team_state_counts SET n = n - 1 WHERE state = 'failed:to-fix';
END;
