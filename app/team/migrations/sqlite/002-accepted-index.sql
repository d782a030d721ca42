-- The team's charts read documents accepted per desk per second over the last hour: a range of
-- this small partial index (only accepted events, newest at the end), never the whole timeline.
CREATE INDEX team_events_accepted ON team_events (at, desk) WHERE to_state = 'accepted';
