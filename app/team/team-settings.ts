/**
 * The settings a team shares (TEAM_SETTING_KEYS: attempts, the access point's check, the largest
 * file, the lookup lifetimes): on a team desk they are the team's, so a document's fate does not
 * depend on which desk handles it. They live in the team database's `team_settings` (beside the
 * team's access point, app/team/access-point.ts), as JSON, each with the desk that wrote it and
 * when (database clock); never a secret.
 *
 * - The first desk that connects to a team without a value seeds it from its own (the first
 *   desk wins, as with the access point): joining a new team changes nothing for that desk. A
 *   desk joining a team that has values takes them.
 * - A desk reads them when it connects (before it hands over or sends anything), when the team's
 *   change channel says another desk wrote them, and at each heartbeat (the fallback, should a
 *   notice be lost), and keeps them in memory: documents never read `team_settings`.
 * - `settings:set` of a shared setting writes the team's value (checked as on a single desk);
 *   the other desks hear of it on the change channel (PostgreSQL NOTIFY in the same statement;
 *   the SQLite file's watcher) and use it at once. The desk's own copy in its data folder is
 *   left as it was: a desk that leaves the team gets its own settings back.
 */
import { TEAM_SETTING_KEYS, type TeamSettingChange, type TeamSettingKey } from '../contract';
import { AppError } from '../errors';
import {
  EngineSettings,
  SETTINGS_SCHEMA,
  type SettingKey,
  type SettingValue,
} from '../engine/settings';
import type { SettingsRepo } from '../store/settings-repo';
import type { DeskInfo, TeamSettingRow, TeamStore } from './store';

/** The `team_settings` key of a shared setting (beside `access_point` and its label). */
export const teamSettingRowKey = (key: TeamSettingKey): string => `setting.${key}`;
const ROW_KEYS = TEAM_SETTING_KEYS.map(teamSettingRowKey);

/** True for the settings a team shares. */
export function isTeamSetting(key: string): key is TeamSettingKey {
  return (TEAM_SETTING_KEYS as readonly string[]).includes(key);
}

/** A shared value as this desk last read it. */
interface SharedValue {
  value: unknown;
  by: string | null;
  at: number;
}

/** What a team desk's settings need besides its own data folder. */
export interface TeamSettingsDeps {
  store: Pick<TeamStore, 'settings' | 'putSettings' | 'desks' | 'label'>;
  desk: DeskInfo;
  /** Shared settings whose value changed (read from the team, or set here). */
  onChange?(keys: readonly TeamSettingKey[]): void;
  log?(message: string): void;
}

/** A shared setting's writer when the first desk on the team brought its own value (the seed). */
const SEEDED = 'seed:';
const deskOf = (by: string): string => (by.startsWith(SEEDED) ? by.slice(SEEDED.length) : by);

/**
 * A team desk's settings: `get` answers the team's value of a shared setting once the team's
 * have been read (this desk's own until then, and for every other setting); `set` stays this
 * desk's own. `sync` reads (and seeds) the team's; `setShared` writes them.
 */
export class TeamEngineSettings extends EngineSettings {
  private readonly team = new Map<TeamSettingKey, SharedValue>();
  /** Desk ids → names (null: a desk the team does not list). */
  private readonly names = new Map<string, string | null>();

  constructor(
    repo: SettingsRepo,
    private readonly checkCtx: { dataDir: string },
    private readonly deps: TeamSettingsDeps,
  ) {
    super(repo, checkCtx);
    this.names.set(deps.desk.id, deps.desk.name);
  }

  override get<K extends SettingKey>(key: K): SettingValue<K> {
    const shared = isTeamSetting(key) ? this.team.get(key) : undefined;
    return shared ? (shared.value as SettingValue<K>) : super.get(key);
  }

  /** This desk's own value (its data folder), whatever the team's is. */
  own<K extends SettingKey>(key: K): SettingValue<K> {
    return super.get(key);
  }

  /**
   * Read the team's shared settings into memory. With `seed`, a setting the team has no value
   * for yet gets this desk's own (kept if another desk wrote one meanwhile), then is read back.
   */
  async sync(seed = true): Promise<void> {
    let rows = await this.deps.store.settings(ROW_KEYS);
    const missing = TEAM_SETTING_KEYS.filter(
      (k) => !rows.some((r) => r.key === teamSettingRowKey(k)),
    );
    if (seed && missing.length > 0) {
      const values = missing.map((k) => ({
        key: teamSettingRowKey(k),
        value: JSON.stringify(this.own(k)),
      }));
      // Marked as brought, not changed (a walk: "Changed by Bart" for values nobody changed).
      await this.deps.store.putSettings(`${SEEDED}${this.deps.desk.id}`, values, true);
      rows = await this.deps.store.settings(ROW_KEYS);
    }
    await this.take(rows);
  }

  /**
   * `settings:set` of shared settings: each checked as on a single desk (a bad value throws
   * BAD_SETTING and nothing is written), then written as the team's in one transaction, in use
   * here at once and on the other desks as soon as they hear of it (see the file comment).
   */
  async setShared(patch: Partial<Record<TeamSettingKey, unknown>>): Promise<void> {
    const values: { key: string; value: string }[] = [];
    for (const key of TEAM_SETTING_KEYS) {
      if (patch[key] === undefined) continue;
      const checked: unknown = SETTINGS_SCHEMA[key].check(patch[key], this.checkCtx);
      values.push({ key: teamSettingRowKey(key), value: JSON.stringify(checked) });
    }
    if (values.length === 0) return;
    try {
      await this.deps.store.putSettings(this.deps.desk.id, values, false);
    } catch (err) {
      if ((err as { code?: unknown })?.code !== 'TEAM_STORE_UNAVAILABLE') throw err;
      throw new AppError(
        'TEAM_STORE_UNAVAILABLE',
        `The team database at ${this.deps.store.label} cannot be reached, so settings shared by the team cannot be changed now. Nothing was saved; try again when it is back.`,
      );
    }
    await this.take(await this.deps.store.settings(ROW_KEYS));
  }

  /** Who changed each shared setting last, for `settings:get` (null until read). */
  sharedByTeam(): Record<TeamSettingKey, TeamSettingChange | null> {
    const out = {} as Record<TeamSettingKey, TeamSettingChange | null>;
    for (const key of TEAM_SETTING_KEYS) {
      const v = this.team.get(key);
      out[key] = v
        ? {
            changedBy: v.by === null ? null : (this.names.get(deskOf(v.by)) ?? null),
            changedAt: v.at,
            ...(v.by?.startsWith(SEEDED) ? { seeded: true } : {}),
          }
        : null;
    }
    return out;
  }

  /** Keep what was read (values checked as on a single desk) and tell what changed. */
  private async take(rows: readonly TeamSettingRow[]): Promise<void> {
    const changed: TeamSettingKey[] = [];
    for (const key of TEAM_SETTING_KEYS) {
      const row = rows.find((r) => r.key === teamSettingRowKey(key));
      if (!row) continue;
      let value: unknown;
      try {
        value = SETTINGS_SCHEMA[key].check(JSON.parse(row.value), this.checkCtx);
      } catch {
        // Written by something else than a desk: this desk keeps what it had.
        this.deps.log?.(`The team's setting ${key} is not a valid value; this desk keeps its own.`);
        continue;
      }
      const before = this.team.get(key);
      const was = before ? before.value : this.own(key);
      this.team.set(key, { value, by: row.updatedBy, at: row.updatedAt });
      if (was !== value) changed.push(key);
    }
    const unknown = rows.flatMap((r) =>
      r.updatedBy !== null && !this.names.has(deskOf(r.updatedBy)) ? [deskOf(r.updatedBy)] : [],
    );
    if (unknown.length > 0) {
      for (const d of await this.deps.store.desks(0)) this.names.set(d.id, d.name);
      // A desk the team no longer lists is asked about once, not at every heartbeat.
      for (const id of unknown) if (!this.names.has(id)) this.names.set(id, null);
    }
    if (changed.length > 0) this.deps.onChange?.(changed);
  }
}
