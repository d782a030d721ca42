-- An attempt that may have reached the access point without an answer ("in doubt") is sent
-- again under the same idempotency key, and the access point answers the repeat with its first
-- result. But the access point keeps keys per API key and for 24 hours: sent again under another
-- API key, or a day later, the repeat is a new submission and the buyer gets the invoice twice
-- (walk 6, findings 1 and 2). Each claim now records which API key it used (a one-way
-- fingerprint, never the key) and when, at the start of an attempt that may leave the document in
-- doubt; a document in doubt is held for the clerk instead of going again under another key or
-- after 23 hours (app/queue/lifecycle/sending.ts, doubtStale). Rows from before have none: they
-- go as before.
ALTER TABLE documents ADD COLUMN doubt_key TEXT;
ALTER TABLE documents ADD COLUMN doubt_at INTEGER;
