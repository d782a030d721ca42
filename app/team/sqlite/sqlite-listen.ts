/**
 * listen() of the SQLite team store: its own connection watches `PRAGMA data_version` (which
 * changes when any other connection commits) and reports the documents of the timeline rows
 * written since, or "re-read" when there are too many.
 */
import type Database from 'better-sqlite3';
import { MAX_NOTIFY_IDS } from '../store-rows';

/** How often the change counter is looked at. */
const LISTEN_POLL_MS = 250;

/** Watch `watcher` (a connection of its own) for changes; returns the function that stops. */
export function watchChanges(
  watcher: Database.Database,
  onChange: (ids: readonly number[]) => void,
): () => void {
  const version = watcher.prepare('PRAGMA data_version').pluck();
  const since = watcher
    .prepare('SELECT seq, document_id FROM team_events WHERE seq > ? ORDER BY seq LIMIT ?')
    .raw();
  const maxSeq = watcher.prepare('SELECT COALESCE(MAX(seq), 0) FROM team_events').pluck();
  let last = (maxSeq.get() ?? 0) as number;
  let seen = version.get() as number;
  const timer = setInterval(() => {
    const v = version.get() as number;
    if (v === seen) return;
    seen = v;
    const rows = since.all(last, MAX_NOTIFY_IDS + 1) as [number, number][];
    if (rows.length === 0) return;
    if (rows.length > MAX_NOTIFY_IDS) {
      last = (maxSeq.get() ?? last) as number;
      onChange([]);
      return;
    }
    last = rows[rows.length - 1]![0];
    onChange([...new Set(rows.map((r) => r[1]))]);
  }, LISTEN_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
