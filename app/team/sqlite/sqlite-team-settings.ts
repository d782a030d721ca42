/** The team's shared settings on the SQLite team store (`team_settings`, see app/team/team-settings.ts). */
import type Database from 'better-sqlite3';
import type { TeamSettingRow } from '../store';
import { NOW } from './statements';

type Prepare = (sql: string) => Database.Statement;

/** See TeamStore.settings. */
export function readSettings(stmt: Prepare, keys: readonly string[]): TeamSettingRow[] {
  if (keys.length === 0) return [];
  const rows = stmt(
    `SELECT key, value, updated_by, updated_at FROM team_settings
      WHERE key IN (SELECT value FROM json_each(?))`,
  ).all(JSON.stringify(keys)) as {
    key: string;
    value: string;
    updated_by: string | null;
    updated_at: number;
  }[];
  return rows.map((r) => ({
    key: r.key,
    value: r.value,
    updatedBy: r.updated_by,
    updatedAt: Number(r.updated_at),
  }));
}

/** See TeamStore.putSettings: one immediate transaction. */
export function putSettings(
  db: Database.Database,
  stmt: Prepare,
  deskId: string,
  values: readonly { key: string; value: string }[],
  onlyMissing: boolean,
): void {
  const write = stmt(`INSERT INTO team_settings (key, value, updated_by, updated_at)
    VALUES (?, ?, ?, ${NOW})
    ON CONFLICT (key) DO ${onlyMissing ? 'NOTHING' : `UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`}`);
  db.transaction(() => {
    for (const v of values) write.run(v.key, v.value, deskId);
  }).immediate();
}
