-- Migration 013 counted the failed documents "Retry all" leaves in the state deltas, which made
-- the trigger that every UPDATE of team_documents runs (claims, lease renewals, outcomes) scan
-- its rows twice more: PostgreSQL's CPU per invoice rose in the team bench. They are counted
-- from a partial index instead (a few rows: files that need a person), and the trigger is as
-- migration 001 made it.
CREATE OR REPLACE FUNCTION team_state_deltas_inserted() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO team_state_deltas (state, delta)
  SELECT state, COUNT(*) FROM new_rows GROUP BY state;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION team_state_deltas_updated() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO team_state_deltas (state, delta)
  SELECT state, SUM(d) FROM (
    SELECT state, -1 AS d FROM old_rows UNION ALL SELECT state, 1 AS d FROM new_rows
  ) moved GROUP BY state HAVING SUM(d) <> 0;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION team_state_deltas_deleted() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO team_state_deltas (state, delta)
  SELECT state, -COUNT(*) FROM old_rows GROUP BY state;
  RETURN NULL;
END $$;

DELETE FROM team_state_deltas WHERE state = 'failed:to-fix';
DELETE FROM team_state_counts WHERE state = 'failed:to-fix';

CREATE INDEX team_documents_failed_to_fix ON team_documents (id)
  WHERE state = 'failed' AND problem_action IN ('fix-file', 'add-again');
