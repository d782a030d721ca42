-- 1 while an attempt may have reached the access point without us knowing its answer (timeout,
-- reset, 5xx, a crash mid-send, attempts used up on such errors). Such a document may already be
-- accepted, so it cannot be cancelled and still counts for the duplicate guard. Cleared by a
-- definite answer (accepted, or refused under the same idempotency key) or a new key.
ALTER TABLE documents ADD COLUMN send_outcome_unknown INTEGER NOT NULL DEFAULT 0;
UPDATE documents SET send_outcome_unknown = 1
WHERE state = 'retry_wait'
   OR (state = 'failed' AND problem_code = 'ATTEMPTS_EXHAUSTED')
   OR (state IN ('queued', 'sending') AND attempts > 0)
   OR batch_key IS NOT NULL;
