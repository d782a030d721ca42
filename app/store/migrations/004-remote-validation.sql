-- The access point's own /validate answers, per access point, for 24 hours.
CREATE TABLE remote_validation_cache (
  access_point TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  answer_json TEXT NOT NULL,
  fetched_at INTEGER NOT NULL,
  PRIMARY KEY (access_point, sha256)
) WITHOUT ROWID;
