-- The caches the desks of a team share (app/team/shared-store.ts). Lookup answers per access
-- point and receiver, dated and expired by the clock read inside SQL; verdicts per sha256 of the
-- bytes and cache key (rule-set release + rules revision), as a desk caches them.
CREATE TABLE team_lookup_cache (
  access_point TEXT NOT NULL,
  participant_id TEXT NOT NULL,
  found INTEGER NOT NULL,
  answer_json TEXT NOT NULL,
  fetched_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (access_point, participant_id)
);
-- Expired answers are pruned a bounded number at a time, oldest first.
CREATE INDEX team_lookup_cache_expires ON team_lookup_cache (expires_at);

CREATE TABLE team_validation_cache (
  sha256 TEXT NOT NULL,
  cache_key TEXT NOT NULL,
  verdict_json TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (sha256, cache_key)
);
CREATE INDEX team_validation_cache_created ON team_validation_cache (created_at);
