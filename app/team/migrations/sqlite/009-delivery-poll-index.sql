-- Delivery polls (accepted documents, waiting for the access point's transport receipt) are
-- claimed apart from the buyer-response polls, which a poll budget lets pile up due at month-end:
-- this index reads only the due accepted ones, never through that backlog.
CREATE INDEX team_documents_delivery_poll ON team_documents (next_poll_at, id)
  WHERE state = 'accepted' AND next_poll_at IS NOT NULL;
