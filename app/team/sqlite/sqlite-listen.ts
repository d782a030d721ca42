/**
 * listen() of the SQLite team store: its own connection watches `PRAGMA data_version` (which
 * changes when any other connection commits) and reports the documents of the timeline rows
 * written since, or "re-read" when there are too many; and, when the team's shared settings are
 * no longer what they were (a handful of rows, read only after a commit), a settings notice.
 */
import type Database from 'better-sqlite3';
import type { ChangeNotice } from '../store';
import { MAX_NOTIFY_IDS } from '../store-rows';

/** How often the change counter is looked at. */
const LISTEN_POLL_MS = 250;

/** Watch `watcher` (a connection of its own) for changes; returns the function that stops. */
export function watchChanges(
  watcher: Database.Database,
  onChange: (ids: readonly number[], notice?: ChangeNotice) => void,
): () => void {
  const version = watcher.prepare('PRAGMA data_version').pluck();
  const since = watcher
    .prepare('SELECT seq, document_id FROM team_events WHERE seq > ? ORDER BY seq LIMIT ?')
    .raw();
  const maxSeq = watcher.prepare('SELECT COALESCE(MAX(seq), 0) FROM team_events').pluck();
  const settings = settingsWatch(watcher);
  let last = (maxSeq.get() ?? 0) as number;
  let seen = version.get() as number;
  const timer = setInterval(() => {
    const v = version.get() as number;
    if (v === seen) return;
    seen = v;
    const settingsBy = settings();
    if (settingsBy !== undefined) onChange([], { desk: settingsBy, due: false, settings: true });
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

/**
 * A function that answers, each time the shared settings differ from the last time it looked,
 * the desk that wrote the newest of them (null if none is named), and undefined otherwise.
 */
function settingsWatch(watcher: Database.Database): () => string | null | undefined {
  // Every shared setting with who wrote it and when: the table holds a handful of rows.
  const read = watcher
    .prepare(
      `SELECT key, value, updated_by, updated_at FROM team_settings
        WHERE key LIKE 'setting.%' ORDER BY key`,
    )
    .raw();
  const signature = (): { text: string; by: string | null } => {
    const rows = read.all() as [string, string, string | null, number][];
    let newest: [string, string, string | null, number] | undefined;
    for (const r of rows) if (!newest || r[3] > newest[3]) newest = r;
    return { text: JSON.stringify(rows), by: newest?.[2] ?? null };
  };
  let before = signature().text;
  return () => {
    const now = signature();
    if (now.text === before) return undefined;
    before = now.text;
    return now.by;
  };
}
