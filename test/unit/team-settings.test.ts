/**
 * A team desk's settings (app/team/team-settings.ts) against a store in memory: what the team
 * holds wins for the shared settings only, a value no desk could have written is ignored, a
 * read-only sync seeds nothing, and a change while the database is down says so and saves nothing.
 */
import { describe, expect, it } from 'vitest';
import { openDb } from '../../app/store/db';
import { SettingsRepo } from '../../app/store/settings-repo';
import { TeamStoreUnavailableError, type TeamSettingRow } from '../../app/team/store';
import {
  TeamEngineSettings,
  teamSettingRowKey,
  type TeamSettingsDeps,
} from '../../app/team/team-settings';

const DESK = { id: 'desk-a', name: 'Anna', host: 'pc-a' };

function fakeStore(
  rows: TeamSettingRow[],
  down = { on: false },
  asked = { desks: 0 },
): TeamSettingsDeps['store'] {
  return {
    label: 'team@db:5432/team',
    settings: async (keys) => rows.filter((r) => keys.includes(r.key)).map((r) => ({ ...r })),
    putSettings: async (deskId, values, onlyMissing) => {
      if (down.on) throw new TeamStoreUnavailableError('team@db:5432/team', 'connection refused');
      for (const v of values) {
        const at = rows.findIndex((r) => r.key === v.key);
        if (at >= 0 && onlyMissing) continue;
        const row = { key: v.key, value: v.value, updatedBy: deskId, updatedAt: 1_000 };
        if (at >= 0) rows[at] = row;
        else rows.push(row);
      }
    },
    desks: async () => {
      asked.desks++;
      return [
        { id: 'desk-b', name: 'Ben', host: 'pc-b', lastSeenAt: 0, online: true },
        { ...DESK, lastSeenAt: 0, online: true },
      ];
    },
  };
}

function settingsOn(
  store: TeamSettingsDeps['store'],
  seen: { log: string[]; changed: string[][] },
) {
  const repo = new SettingsRepo(openDb({ dataDir: ':memory:' }));
  const settings = new TeamEngineSettings(
    repo,
    { dataDir: '/nowhere' },
    {
      store,
      desk: DESK,
      onChange: (keys) => seen.changed.push([...keys]),
      log: (m) => seen.log.push(m),
    },
  );
  settings.set('maxAttempts', 10);
  settings.set('concurrency', 4);
  return settings;
}

const row = (key: Parameters<typeof teamSettingRowKey>[0], value: unknown): TeamSettingRow => ({
  key: teamSettingRowKey(key),
  value: JSON.stringify(value),
  updatedBy: 'desk-b',
  updatedAt: 5_000,
});

describe('a team desk’s settings', () => {
  it('answers the team’s value of a shared setting and its own of the others', async () => {
    const seen = { log: [] as string[], changed: [] as string[][] };
    const rows = [row('maxAttempts', 3), row('maxDocumentBytes', 'a lot')];
    const settings = settingsOn(fakeStore(rows), seen);
    expect(settings.sharedByTeam().maxAttempts).toBeNull();
    await settings.sync(false);
    expect(settings.get('maxAttempts')).toBe(3);
    expect(settings.own('maxAttempts')).toBe(10);
    expect(settings.get('concurrency')).toBe(4);
    // No desk writes "a lot": ignored, said in the log; the desk keeps its own (the default).
    expect(settings.get('maxDocumentBytes')).toBe(settings.own('maxDocumentBytes'));
    expect(seen.log).toEqual([
      "The team's setting maxDocumentBytes is not a valid value; this desk keeps its own.",
    ]);
    expect(seen.changed).toEqual([['maxAttempts']]);
    expect(settings.sharedByTeam()).toMatchObject({
      maxAttempts: { changedBy: 'Ben', changedAt: 5_000 },
      maxDocumentBytes: null,
      remoteValidation: null,
    });
    // Read-only: nothing was seeded.
    expect(rows.map((r) => r.key)).toEqual([
      teamSettingRowKey('maxAttempts'),
      teamSettingRowKey('maxDocumentBytes'),
    ]);
  });

  it('seeds only what the team lacks, and reads the same values again without news', async () => {
    const seen = { log: [] as string[], changed: [] as string[][] };
    // Written by a desk the team no longer lists.
    const rows = [{ ...row('maxAttempts', 3), updatedBy: 'desk-gone' }];
    const asked = { desks: 0 };
    const settings = settingsOn(fakeStore(rows, { on: false }, asked), seen);
    await settings.sync();
    expect(rows).toHaveLength(5);
    expect(settings.sharedByTeam().maxAttempts).toEqual({ changedBy: null, changedAt: 5_000 });
    expect(rows.find((r) => r.key === teamSettingRowKey('maxAttempts'))?.value).toBe('3');
    expect(rows.find((r) => r.key === teamSettingRowKey('remoteValidation'))).toMatchObject({
      value: 'false',
      updatedBy: 'seed:desk-a',
    });
    expect(settings.sharedByTeam().remoteValidation).toMatchObject({
      changedBy: 'Anna',
      seeded: true,
    });
    await settings.sync();
    expect(seen.changed).toEqual([['maxAttempts']]);
    // The desks are read once for the unknown id, not at every heartbeat.
    expect(asked.desks).toBe(1);
  });

  it('refuses a change while the team database is down, saying so; nothing changes', async () => {
    const seen = { log: [] as string[], changed: [] as string[][] };
    const down = { on: false };
    const settings = settingsOn(fakeStore([row('maxAttempts', 3)], down), seen);
    await settings.sync();
    down.on = true;
    await expect(settings.setShared({ maxAttempts: 7 })).rejects.toMatchObject({
      code: 'TEAM_STORE_UNAVAILABLE',
      message:
        'The team database at team@db:5432/team cannot be reached, so settings shared by the team cannot be changed now. Nothing was saved; try again when it is back.',
    });
    await expect(settings.setShared({ maxAttempts: 0 })).rejects.toMatchObject({
      code: 'BAD_SETTING',
    });
    expect([settings.get('maxAttempts'), settings.own('maxAttempts')]).toEqual([3, 10]);
    down.on = false;
    await settings.setShared({ maxAttempts: 7 });
    expect([settings.get('maxAttempts'), settings.own('maxAttempts')]).toEqual([7, 10]);
    expect(settings.sharedByTeam().maxAttempts?.changedBy).toBe('Anna');
  });
});
