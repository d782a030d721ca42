/**
 * listen() of the SQLite team store: its own connection watches `PRAGMA data_version` (which
 * changes when any other connection commits) and reports the documents of the timeline rows
 * written since, or "re-read" when there are too many; and, when the team's shared settings or
 * its access point are no longer what they were (a handful of rows, read only after a commit),
 * a settings or an access point notice; when a desk joined, paused or resumed (its row of
 * team_desks, as few), a presence notice.
 */
import type Database from 'better-sqlite3';
import { LIMIT_PARAM } from '../../store/document-record';
import { ACCESS_POINT_LABEL_SETTING, ACCESS_POINT_SETTING } from '../access-point';
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
    .prepare(`SELECT seq, document_id FROM team_events WHERE seq > ? ORDER BY seq ${LIMIT_PARAM}`)
    .raw();
  const maxSeq = watcher.prepare('SELECT COALESCE(MAX(seq), 0) FROM team_events').pluck();
  const settings = settingsWatch(watcher);
  const presence = presenceWatch(watcher);
  let last = (maxSeq.get() ?? 0) as number;
  let seen = version.get() as number;
  const timer = setInterval(() => {
    const v = version.get() as number;
    if (v === seen) return;
    seen = v;
    const changed = settings();
    if (changed.settings !== undefined)
      onChange([], { desk: changed.settings, due: false, settings: true });
    if (changed.accessPoint !== undefined)
      onChange([], { desk: changed.accessPoint, due: false, accessPoint: true });
    const desk = presence();
    if (desk !== undefined) onChange([], { desk, due: false, presence: true });
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

/** What changed among the team's settings rows since the last look: who wrote the newest. */
interface SettingsChange {
  /** The shared settings (`setting.*`) changed: the desk that wrote the newest (null if none). */
  settings?: string | null;
  /** The team's access point changed: the desk that wrote it (null if none is named). */
  accessPoint?: string | null;
}

type SettingRow = [key: string, value: string, by: string | null, at: number];

/**
 * A function that answers, each time the shared settings or the team's access point differ from
 * the last time it looked, which did and the desk that wrote the newest of them.
 */
function settingsWatch(watcher: Database.Database): () => SettingsChange {
  // Every shared setting and the access point's two rows: the table holds a handful of rows.
  const read = watcher
    .prepare(
      `SELECT key, value, updated_by, updated_at FROM team_settings
        WHERE key LIKE 'setting.%' OR key IN ('${ACCESS_POINT_SETTING}', '${ACCESS_POINT_LABEL_SETTING}')
        ORDER BY key`,
    )
    .raw();
  const signature = (rows: readonly SettingRow[]): { text: string; by: string | null } => {
    let newest: SettingRow | undefined;
    for (const r of rows) if (!newest || r[3] > newest[3]) newest = r;
    return { text: JSON.stringify(rows), by: newest?.[2] ?? null };
  };
  const both = () => {
    const rows = read.all() as SettingRow[];
    const shared = rows.filter((r) => r[0].startsWith('setting.'));
    const ap = rows.filter((r) => !r[0].startsWith('setting.'));
    return { settings: signature(shared), accessPoint: signature(ap) };
  };
  let before = both();
  return () => {
    const now = both();
    const change: SettingsChange = {};
    if (now.settings.text !== before.settings.text) change.settings = now.settings.by;
    if (now.accessPoint.text !== before.accessPoint.text) change.accessPoint = now.accessPoint.by;
    before = now;
    return change;
  };
}

/**
 * A function that answers, each time a desk joined, paused, resumed or signed off since the last
 * look (a row of team_desks added, naming another access point, or signed off: heartbeats alone
 * change none of that), that desk (null when several did); undefined when none did.
 */
function presenceWatch(watcher: Database.Database): () => string | null | undefined {
  const read = watcher
    .prepare('SELECT id, started_at, access_point, last_seen = 0 FROM team_desks ORDER BY id')
    .raw();
  const look = () =>
    new Map(
      (read.all() as [string, number, string | null, number][]).map((r) => [
        r[0],
        r.slice(1).join('|'),
      ]),
    );
  let before = look();
  return () => {
    const now = look();
    const changed = [...now].filter(([id, sig]) => before.get(id) !== sig).map(([id]) => id);
    before = now;
    if (changed.length === 0) return undefined;
    return changed.length === 1 ? changed[0]! : null;
  };
}
