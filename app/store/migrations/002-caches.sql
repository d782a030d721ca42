-- Validation verdicts, valid only for the rule-set version that produced them.
CREATE TABLE validation_cache (
  sha256 TEXT NOT NULL,
  ruleset TEXT NOT NULL,
  verdict_json TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (sha256, ruleset)
) WITHOUT ROWID;

-- Receiver lookups per access point; found and not-found answers expire differently.
CREATE TABLE participant_cache (
  access_point TEXT NOT NULL,
  participant_id TEXT NOT NULL,
  found INTEGER NOT NULL,
  answer_json TEXT NOT NULL,
  fetched_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (access_point, participant_id)
) WITHOUT ROWID;
