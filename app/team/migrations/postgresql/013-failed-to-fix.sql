-- Failed documents that "Retry all" leaves as they are (problem_action 'fix-file': the access
-- point refused the file itself; 'add-again': its kept copy is gone), as a single desk counts
-- them (its migration 024): a team desk's Needs attention button counted them among those it
-- retries (walk 24 B2). Counted as the states are (migration 001: deltas appended by each
-- statement, folded by counts()), under the key 'failed:to-fix', which is no state (counts()
-- leaves it out; failedToFix() reads it).
INSERT INTO team_state_deltas (state, delta)
  SELECT 'failed:to-fix', COUNT(*) FROM team_documents
  WHERE state = 'failed' AND problem_action IN ('fix-file', 'add-again')
  HAVING COUNT(*) > 0;

CREATE OR REPLACE FUNCTION team_state_deltas_inserted() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO team_state_deltas (state, delta)
  SELECT state, COUNT(*) FROM (
    SELECT state FROM new_rows
    UNION ALL SELECT 'failed:to-fix' FROM new_rows
      WHERE state = 'failed' AND problem_action IN ('fix-file', 'add-again')
  ) added GROUP BY state;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION team_state_deltas_updated() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO team_state_deltas (state, delta)
  SELECT state, SUM(d) FROM (
    SELECT state, -1 AS d FROM old_rows UNION ALL SELECT state, 1 AS d FROM new_rows
    UNION ALL SELECT 'failed:to-fix', -1 FROM old_rows
      WHERE state = 'failed' AND problem_action IN ('fix-file', 'add-again')
    UNION ALL SELECT 'failed:to-fix', 1 FROM new_rows
      WHERE state = 'failed' AND problem_action IN ('fix-file', 'add-again')
  ) moved GROUP BY state HAVING SUM(d) <> 0;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION team_state_deltas_deleted() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO team_state_deltas (state, delta)
  SELECT state, -COUNT(*) FROM (
    SELECT state FROM old_rows
    UNION ALL SELECT 'failed:to-fix' FROM old_rows
      WHERE state = 'failed' AND problem_action IN ('fix-file', 'add-again')
  ) removed GROUP BY state;
  RETURN NULL;
END $$;
