-- Documents per state, kept by triggers in the same transaction as every insert, state change and
-- delete. `SELECT state, COUNT(*) … GROUP BY state` walks every row (or index entry), and the
-- header, the metrics tick, the list and every coalesced change event ask for the counts: at
-- 100,000 documents that was a full scan several times a second. Triggers keep the figures right
-- whoever writes (another process on the same data folder, e.g. `peppol-desk cancel`).
CREATE TABLE state_counts (
  state TEXT PRIMARY KEY,
  n INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO state_counts (state, n) SELECT state, COUNT(*) FROM documents GROUP BY state;

CREATE TRIGGER state_counts_insert AFTER INSERT ON documents BEGIN
  INSERT INTO state_counts (state, n) VALUES (NEW.state, 1)
    ON CONFLICT (state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER state_counts_update AFTER UPDATE OF state ON documents
WHEN OLD.state IS NOT NEW.state BEGIN
  UPDATE state_counts SET n = n - 1 WHERE state = OLD.state;
  INSERT INTO state_counts (state, n) VALUES (NEW.state, 1)
    ON CONFLICT (state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER state_counts_delete AFTER DELETE ON documents BEGIN
  UPDATE state_counts SET n = n - 1 WHERE state = OLD.state;
END;
