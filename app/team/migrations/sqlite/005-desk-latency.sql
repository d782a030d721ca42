-- Each desk's send latency per 10-second interval (app/team/shared-store.ts), for every desk's
-- charts: one small row per desk and interval, never per document. `interval_start` is on the
-- desk's own clock and only identifies the row; `at` is its start on the database's clock.
-- Rows not written for an hour are pruned (by updated_at) whenever a desk publishes.
CREATE TABLE team_desk_latency (
  desk TEXT NOT NULL,
  interval_start INTEGER NOT NULL,
  at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  count INTEGER NOT NULL,
  p50 REAL NOT NULL,
  p95 REAL NOT NULL,
  p99 REAL NOT NULL,
  PRIMARY KEY (desk, interval_start)
);
CREATE INDEX team_desk_latency_updated ON team_desk_latency (updated_at);
