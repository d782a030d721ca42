/** The team's shared settings on PostgreSQL (`team_settings`, see app/team/team-settings.ts). */
import type pg from 'pg';
import type { TeamSettingRow } from '../store';
import { TEAM_NOTIFY_CHANNEL } from '../store-rows';

type Query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>;

const READ = `SELECT key, value, updated_by, updated_at FROM team_settings WHERE key = ANY($1::text[])`;

/**
 * One statement for all the values: `$4` true keeps a value already there. When it wrote any
 * value it tells every desk on the change channel (`s:<desk>:`, see parseNotice), on commit.
 */
const WRITE = `WITH written AS (
    INSERT INTO team_settings (key, value, updated_by, updated_at)
    SELECT k, v, $3::text, team_now_ms() FROM unnest($1::text[], $2::text[]) AS t (k, v)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by,
      updated_at = excluded.updated_at
    WHERE NOT $4::boolean
    RETURNING key
  )
  SELECT pg_notify('${TEAM_NOTIFY_CHANNEL}', 's:' || $3::text || ':')
    FROM (SELECT 1 FROM written LIMIT 1) AS any_written`;

/** See TeamStore.settings. */
export async function readSettings(q: Query, keys: readonly string[]): Promise<TeamSettingRow[]> {
  const rows = await q<{
    key: string;
    value: string;
    updated_by: string | null;
    updated_at: string;
  }>(READ, [keys]);
  return rows.map((r) => ({
    key: r.key,
    value: r.value,
    updatedBy: r.updated_by,
    updatedAt: Number(r.updated_at),
  }));
}

/** See TeamStore.putSettings. */
export async function putSettings(
  q: Query,
  deskId: string,
  values: readonly { key: string; value: string }[],
  onlyMissing: boolean,
): Promise<void> {
  if (values.length === 0) return;
  await q(WRITE, [values.map((v) => v.key), values.map((v) => v.value), deskId, onlyMissing]);
}
