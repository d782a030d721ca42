/**
 * Settings shared by the team (app/team/team-settings.ts), on both team stores: the first desk
 * seeds the team's values from its own; a desk joining takes the team's; a change on one desk
 * reaches the other through the change channel (its heartbeat an hour away); the team's attempts decide when a document fails on a desk
 * whose own setting differs; and the desks' own settings (a single desk on the same data folder)
 * are left as they were.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TEAM_SETTING_KEYS, type SettingsPatch, type TeamSettingKey } from '../../app/contract';
import { createEngine, type Engine } from '../../app/engine';
import { memorySecretStore } from '../../app/engine/options';
import { startSandbox, type SandboxHandle } from '../../app/sandbox/server';
import { createTeamEngine } from '../../app/team/engine';
import { makeInvoices } from '../helpers/invoices';
import { teamBackends } from '../helpers/team-backends';
import { useTempDirs } from '../helpers/temp';

const tempDir = useTempDirs();
const BACKENDS = teamBackends('team-settings', tempDir, 'settings');
const [, POSTGRES] = BACKENDS;

const engines: Engine[] = [];
const sandboxes: SandboxHandle[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop();
  for (const s of sandboxes.splice(0)) await s.close();
});
beforeAll(async () => {
  if (!POSTGRES.skip) await POSTGRES.setUp();
}, 60_000);
afterAll(async () => {
  await POSTGRES.tearDown();
});

async function sandbox(): Promise<SandboxHandle> {
  const s = await startSandbox({});
  sandboxes.push(s);
  return s;
}

/** A data folder whose own settings are `own` (set on a single desk, then closed). */
async function dataFolder(own: SettingsPatch): Promise<string> {
  const dataDir = tempDir();
  const single = await createEngine({
    dataDir,
    secrets: memorySecretStore(),
    host: 'cli',
    autoStart: false,
  });
  await single.handlers['settings:set'](own);
  await single.stop();
  return dataDir;
}

/** The settings a single desk on `dataDir` reads (the desk's own copy). */
async function ownSettings(dataDir: string) {
  const single = await createEngine({
    dataDir,
    secrets: memorySecretStore(),
    host: 'cli',
    autoStart: false,
  });
  try {
    return await single.handlers['settings:get'](undefined);
  } finally {
    await single.stop();
  }
}

async function desk(
  store: string,
  ap: SandboxHandle,
  name: string,
  dataDir: string,
  heartbeatMs = 100,
) {
  const engine = await createTeamEngine({
    dataDir,
    secrets: memorySecretStore(),
    host: 'cli',
    endpoint: ap.url,
    coalesceMs: 10,
    store,
    timings: { retryBaseMs: 10, retryMaxMs: 20, settleBackstopMs: 100, pollInitialMs: 600_000 },
    team: { deskName: name, pollMs: 30, heartbeatMs },
  });
  engines.push(engine);
  return engine;
}

/** The settings a team shares, out of a desk's settings or a patch. */
const shared = (s: Partial<Record<TeamSettingKey, unknown>>) =>
  Object.fromEntries(TEAM_SETTING_KEYS.map((k) => [k, s[k]]));

const ANNA: SettingsPatch = {
  maxAttempts: 2,
  remoteValidation: true,
  maxDocumentBytes: 2 * 1024 * 1024,
  lookupFoundTtlMs: 30 * 60_000,
  lookupNotFoundTtlMs: 60_000,
  concurrency: 3,
};
const BEN: SettingsPatch = {
  maxAttempts: 10,
  remoteValidation: false,
  maxDocumentBytes: 12 * 1024 * 1024,
  lookupFoundTtlMs: 60 * 60_000,
  lookupNotFoundTtlMs: 5 * 60_000,
  concurrency: 7,
};

describe.each(BACKENDS)('settings shared by the team ($name)', (backend) => {
  it.skipIf(backend.skip)(
    'the first desk seeds them, the next takes them, a change reaches every desk',
    async () => {
      const store = await backend.newAddress();
      const ap = await sandbox();
      const [dirA, dirB] = [await dataFolder(ANNA), await dataFolder(BEN)];
      const a = await desk(store, ap, 'Anna', dirA);
      // Anna's desk joined a new team: nothing changed for it; the team now has its values.
      const seenA = await a.handlers['settings:get'](undefined);
      expect(shared(seenA)).toEqual(shared(ANNA));
      // Brought by Anna's desk, not changed by anyone (walk 7: "Changed by Bart" for a seed).
      expect(seenA.sharedByTeam?.maxAttempts).toEqual({
        changedBy: 'Anna',
        changedAt: expect.any(Number),
        seeded: true,
      });
      const rows = await backend.raw(
        store,
        `SELECT key, value FROM team_settings WHERE key LIKE 'setting.%' ORDER BY key`,
      );
      expect(rows.map((r) => [r.key, JSON.parse(String(r.value))])).toEqual(
        [...TEAM_SETTING_KEYS].sort().map((k) => [`setting.${k}`, ANNA[k]]),
      );

      // Ben's desk joins: the team's values, its own concurrency.
      const b = await desk(store, ap, 'Ben', dirB);
      const seenB = await b.handlers['settings:get'](undefined);
      expect(shared(seenB)).toEqual(shared(ANNA));
      expect(seenB.concurrency).toBe(7);
      expect(seenB.sharedByTeam?.maxDocumentBytes?.changedBy).toBe('Anna');
      // A file Anna's team refuses is refused on Ben's desk too (3 MB > the team's 2 MB).
      const big = { name: 'big.xml', bytes: new Uint8Array(3 * 1024 * 1024).fill(32) };
      const refused = await b.handlers['documents:add']({ files: [big] });
      expect(refused.rejected.map((r) => r.fileName)).toEqual(['big.xml']);

      // Ben changes two of them (checked as on a single desk): Anna's desk uses them soon after.
      await expect(b.handlers['settings:set']({ maxAttempts: 0 })).rejects.toMatchObject({
        code: 'BAD_SETTING',
      });
      const after = await b.handlers['settings:set']({ maxAttempts: 5, lookupFoundTtlMs: 120_000 });
      expect(after).toMatchObject({ maxAttempts: 5, lookupFoundTtlMs: 120_000 });
      expect(after.sharedByTeam?.maxAttempts?.changedBy).toBe('Ben');
      await vi.waitFor(
        async () => {
          const s = await a.handlers['settings:get'](undefined);
          expect([
            s.maxAttempts,
            s.lookupFoundTtlMs,
            s.sharedByTeam?.maxAttempts?.changedBy,
          ]).toEqual([5, 120_000, 'Ben']);
        },
        { timeout: 10_000, interval: 50 },
      );
      // Anna's desk keeps a receiver's answer as long as the team says (2 minutes, not her 30).
      const sent = await a.handlers['documents:add']({ files: makeInvoices(1, 'TTL') });
      await a.waitUntilSettled(sent.added.map((x) => x.id));
      await vi.waitFor(
        async () => {
          const kept = await backend.raw(
            store,
            'SELECT expires_at - fetched_at AS ttl FROM team_lookup_cache',
          );
          expect(kept.map((r) => Number(r.ttl))).toEqual([120_000]);
        },
        { timeout: 10_000, interval: 50 },
      );
      // A desk's own settings stay its own: Ben's concurrency is not Anna's.
      await b.handlers['settings:set']({ concurrency: 9 });
      expect((await a.handlers['settings:get'](undefined)).concurrency).toBe(3);

      // Each desk's own copy is as it was: leaving the team gives it back.
      for (const e of engines.splice(0)) await e.stop();
      expect(shared(await ownSettings(dirA))).toEqual(shared(ANNA));
      const ownB = await ownSettings(dirB);
      expect(shared(ownB)).toEqual(shared(BEN));
      expect(ownB.concurrency).toBe(9);
      expect(ownB.sharedByTeam).toBeUndefined();
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    'a change reaches the other desks through the change channel, not their heartbeat',
    async () => {
      const store = await backend.newAddress();
      const ap = await sandbox();
      // Heartbeats an hour apart: after connecting, only a notice can bring the team's values.
      const HOUR = 3_600_000;
      const a = await desk(store, ap, 'Anna', await dataFolder(ANNA), HOUR);
      const b = await desk(store, ap, 'Ben', await dataFolder(BEN), HOUR);
      expect((await b.handlers['settings:get'](undefined)).maxAttempts).toBe(2);
      await a.handlers['settings:set']({ maxAttempts: 6, remoteValidation: false });
      await vi.waitFor(
        async () => {
          const s = await b.handlers['settings:get'](undefined);
          expect([
            s.maxAttempts,
            s.remoteValidation,
            s.sharedByTeam?.maxAttempts?.changedBy,
          ]).toEqual([6, false, 'Anna']);
        },
        { timeout: 10_000, interval: 50 },
      );
      // And back the other way: Ben's change reaches Anna's desk.
      await b.handlers['settings:set']({ lookupNotFoundTtlMs: 120_000 });
      await vi.waitFor(
        async () => {
          const s = await a.handlers['settings:get'](undefined);
          expect([s.lookupNotFoundTtlMs, s.sharedByTeam?.lookupNotFoundTtlMs?.changedBy]).toEqual([
            120_000,
            'Ben',
          ]);
        },
        { timeout: 10_000, interval: 50 },
      );
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    'the team’s attempts decide when a document fails, whatever the desk’s own setting',
    async () => {
      const store = await backend.newAddress();
      const ap = await sandbox();
      // Anna seeds 2 attempts; Ben's own setting is 10.
      const a = await desk(store, ap, 'Anna', await dataFolder(ANNA));
      await a.handlers['queue:pause'](undefined);
      const b = await desk(store, ap, 'Ben', await dataFolder(BEN));
      // A 500 counts as an attempt (a 503 says nothing of the invoice and is not counted).
      ap.setFaults({ status: { every: 1, status: 500 } });
      const { added } = await b.handlers['documents:add']({ files: makeInvoices(1, 'TRIES') });
      const id = added[0]!.id;
      await b.waitUntilSettled([id]);
      const detail = await b.handlers['documents:get']({ id });
      expect(detail.state).toBe('failed');
      expect(detail.problem?.code).toBe('ATTEMPTS_EXHAUSTED');
      expect(detail.problem?.message).toMatch(/^Sending failed 2 times/);
      expect(detail.timeline.filter((e) => e.to === 'sending').map((e) => e.desk)).toEqual([
        'Ben',
        'Ben',
      ]);
    },
    60_000,
  );
});

describe('a single desk', () => {
  it('keeps its settings its own and says nothing of a team', async () => {
    const dataDir = await dataFolder(BEN);
    const s = await ownSettings(dataDir);
    expect(shared(s)).toEqual(shared(BEN));
    expect(s.sharedByTeam).toBeUndefined();
  });
});
