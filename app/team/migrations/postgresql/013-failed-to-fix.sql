-- Failed documents that "Retry all" leaves as they are (problem_action 'fix-file': the access
-- point refused the file itself; 'add-again': its kept copy is gone): a team desk's Needs
-- attention button counted them among those it retries (walk 24 B2), where a single desk's
-- leaves them out (its migration 024). Counted from this partial index (failedToFix(): a few
-- rows, files that need a person), which costs the write path nothing for the other documents.
CREATE INDEX team_documents_failed_to_fix ON team_documents (id)
  WHERE state = 'failed' AND problem_action IN ('fix-file', 'add-again');
