-- Delivery tracking on a team outbox: accepted documents are asked about by one desk at a time
-- (a poll claim: poll_owner, poll_fence, its lease in next_poll_at), then the buyer's answer.
ALTER TABLE team_documents ADD COLUMN accepted_at BIGINT;
ALTER TABLE team_documents ADD COLUMN delivered_at BIGINT;
ALTER TABLE team_documents ADD COLUMN business_response TEXT;
ALTER TABLE team_documents ADD COLUMN business_response_note TEXT;
ALTER TABLE team_documents ADD COLUMN business_response_at BIGINT;
-- When to ask next (database clock); while claimed, when the poll lease ends. NULL: not asked.
ALTER TABLE team_documents ADD COLUMN next_poll_at BIGINT;
ALTER TABLE team_documents ADD COLUMN poll_owner TEXT;
ALTER TABLE team_documents ADD COLUMN poll_fence BIGINT NOT NULL DEFAULT 0;
-- Only due polls are read, however long the queue.
CREATE INDEX team_documents_poll ON team_documents (next_poll_at, id) WHERE next_poll_at IS NOT NULL;
-- Documents accepted before this migration are asked about at once.
UPDATE team_documents SET accepted_at = updated_at, next_poll_at = updated_at WHERE state = 'accepted';
