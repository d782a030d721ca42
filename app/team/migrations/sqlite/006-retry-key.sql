-- A clerk's retry of a document whose delivery failed sends it again under a new idempotency key
-- (the access point would answer the old key with the failed transaction): the key sent is
-- `key` while key_round is 0, else `key` || '-r' || key_round. `key` itself stays the
-- document's identity (the same file dropped twice is one document).
ALTER TABLE team_documents ADD COLUMN key_round INTEGER NOT NULL DEFAULT 0;
-- Each desk's access point (its fingerprint, app/team/access-point.ts), written with its heartbeat:
-- whether a desk that sends through the team's access point is online.
ALTER TABLE team_desks ADD COLUMN access_point TEXT;
