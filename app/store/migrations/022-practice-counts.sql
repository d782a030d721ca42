-- Documents sent in practice, per state: those pinned to the built-in Sandbox (access_point
-- 'sandbox'), where nothing reaches Peppol. The header's "Sent" had added them to real sends once
-- a desk that practised set up a provider (walks 9 and 12): it now shows them apart. Kept by
-- triggers as state_counts is (migration 011), so reading them costs the same at any size; the
-- triggers do nothing for a document that is not the Sandbox's.
CREATE TABLE practice_counts (
  state TEXT PRIMARY KEY,
  n INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO practice_counts (state, n)
  SELECT state, COUNT(*) FROM documents WHERE access_point = 'sandbox' GROUP BY state;

CREATE TRIGGER practice_counts_insert AFTER INSERT ON documents
WHEN NEW.access_point = 'sandbox' BEGIN
  INSERT INTO practice_counts (state, n) VALUES (NEW.state, 1)
    ON CONFLICT (state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER practice_counts_update AFTER UPDATE OF state, access_point ON documents
WHEN (OLD.access_point = 'sandbox' OR NEW.access_point = 'sandbox')
  AND (OLD.state IS NOT NEW.state OR OLD.access_point IS NOT NEW.access_point) BEGIN
  UPDATE practice_counts SET n = n - 1
    WHERE OLD.access_point = 'sandbox' AND state = OLD.state;
  INSERT INTO practice_counts (state, n) SELECT NEW.state, 1 WHERE NEW.access_point = 'sandbox'
    ON CONFLICT (state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER practice_counts_delete AFTER DELETE ON documents
WHEN OLD.access_point = 'sandbox' BEGIN
  UPDATE practice_counts SET n = n - 1 WHERE state = OLD.state;
END;
