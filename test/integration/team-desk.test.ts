/**
 * Desks on a team outbox (createTeamEngine), two in one process on one store and one sandbox
 * access point: one queue, every invoice accepted exactly once, a lost claim never overwrites
 * the new owner, an in-doubt document is resent with the same key, and a database that cannot be
 * reached keeps dropped files and outcomes on the desk until it is back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import { memorySecretStore } from '../../app/engine/options';
import { startSandbox, type SandboxHandle } from '../../app/sandbox/server';
import { createTeamEngine } from '../../app/team/engine';
import type { TeamStore } from '../../app/team/store';
import { makeInvoices } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';
import { waitFor } from '../helpers/wait';
import { MemoryTeamStore } from '../helpers/team-memory-store';

const tempDir = useTempDirs();
const engines: Engine[] = [];
const sandboxes: SandboxHandle[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop();
  for (const s of sandboxes.splice(0)) await s.close();
});

async function sandbox(): Promise<SandboxHandle> {
  const s = await startSandbox({});
  sandboxes.push(s);
  return s;
}

/** A desk on `store` sending to `ap`, with short timings. */
async function desk(
  store: TeamStore,
  ap: SandboxHandle,
  name: string,
  team: { leaseMs?: number } = {},
): Promise<Engine> {
  const engine = await createTeamEngine(
    {
      dataDir: tempDir(),
      secrets: memorySecretStore(),
      host: 'cli',
      endpoint: ap.url,
      coalesceMs: 10,
      store: 'memory:',
      timings: { retryBaseMs: 20, retryMaxMs: 100, settleBackstopMs: 100 },
      team: {
        deskName: name,
        pollMs: 30,
        heartbeatMs: 100,
        reconnectInitialMs: 30,
        reconnectMaxMs: 100,
        ...team,
      },
    },
    { openStore: () => store },
  );
  engines.push(engine);
  return engine;
}

async function states(engine: Engine, ids: number[]) {
  const { rows } = await engine.handlers['documents:briefs']({ ids });
  return rows;
}

describe('two desks on one team outbox', () => {
  it('share one queue: every invoice is accepted exactly once, whichever desk it was dropped on', async () => {
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    const a = await desk(store, ap, 'desk A');
    const b = await desk(store, ap, 'desk B');
    const files = makeInvoices(30, 'TEAM');
    // Every file dropped on both desks, at once.
    const [ra, rb] = await Promise.all([
      a.handlers['documents:add']({ files }),
      b.handlers['documents:add']({ files }),
    ]);
    const idsA = [...ra.added, ...ra.known].map((x) => x.id);
    const idsB = [...rb.added, ...rb.known].map((x) => x.id);
    expect(new Set(idsA).size).toBe(30);
    expect(new Set([...idsA, ...idsB]).size).toBe(30);
    expect(ra.added.length + rb.added.length).toBe(30);
    await Promise.all([a.waitUntilSettled(idsA), b.waitUntilSettled(idsB)]);
    const rows = await states(a, idsA);
    expect(rows.map((r) => r.state)).toEqual(Array(30).fill('accepted'));
    expect(rows.every((r) => r.sentBy === 'desk A' || r.sentBy === 'desk B')).toBe(true);
    const stats = ap.stats();
    expect(stats.acceptedDocuments).toBe(30);
    expect(stats.duplicateContentAccepts).toBe(0);
    const status = await a.handlers['connection:get'](undefined);
    expect(status.team).toMatchObject({
      label: 'memory-team',
      deskName: 'desk A',
      reachable: true,
    });
    expect(status.team!.desksOnline).toBe(2);
  });

  it('the same file dropped on both desks at once is one document', async () => {
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    const a = await desk(store, ap, 'desk A');
    const b = await desk(store, ap, 'desk B');
    const [file] = makeInvoices(1, 'ONE');
    const [ra, rb] = await Promise.all([
      a.handlers['documents:add']({ files: [file!] }),
      b.handlers['documents:add']({ files: [file!] }),
    ]);
    const idA = [...ra.added, ...ra.known][0]!.id;
    const idB = [...rb.added, ...rb.known][0]!.id;
    expect(idA).toBe(idB);
    expect(ra.added.length + rb.added.length).toBe(1);
    await a.waitUntilSettled([idA]);
    expect(ap.stats().acceptedDocuments).toBe(1);
    const detail = await b.handlers['documents:get']({ id: idA });
    expect(detail.timeline[0]!.desk).toMatch(/^desk [AB]$/);
  });

  it('a desk whose claim was lost does not overwrite the new owner; the document is resent with the same key', async () => {
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    // The first answer is late: the document is accepted, the desk does not know it yet.
    ap.setFaults({ stallMs: { every: 1, max: 1, ms: 1500, when: 'after' } });
    const a = await desk(store, ap, 'desk A', { leaseMs: 60_000 });
    const res = await a.handlers['documents:add']({ files: makeInvoices(1, 'LOST') });
    const id = res.added[0]!.id;
    await waitFor('the first accept', () => ap.stats().acceptedDocuments === 1, 5000);
    // A's lease ends (as `UPDATE … SET lease_until = now()` would): B claims it, in doubt.
    store.expireLease(id);
    const b = await desk(store, ap, 'desk B');
    await b.waitUntilSettled([id]);
    const [row] = await states(b, [id]);
    expect(row).toMatchObject({ state: 'accepted', sentBy: 'desk B' });
    // A's late answer comes back and is dropped: nothing changes.
    await new Promise((r) => setTimeout(r, 1700));
    const detail = await a.handlers['documents:get']({ id });
    expect(detail.state).toBe('accepted');
    expect(detail.timeline.filter((e) => e.to === 'accepted').map((e) => e.desk)).toEqual([
      'desk B',
    ]);
    const stats = ap.stats();
    expect(stats.acceptedDocuments).toBe(1);
    expect(stats.idempotentReplays).toBe(1);
  });
});

describe('the team database cannot be reached', () => {
  it('at start: dropped files are kept on the desk, said plainly, and handed over when it is back', async () => {
    const store = new MemoryTeamStore();
    store.down = true;
    const ap = await sandbox();
    const a = await desk(store, ap, 'desk A');
    const status = await a.handlers['connection:get'](undefined);
    expect(status.state).toBe('offline');
    expect(status.message).toBe(
      'The team database at memory-team cannot be reached: documents dropped here are kept on this computer and handed over when it is back.',
    );
    const res = await a.handlers['documents:add']({ files: makeInvoices(5, 'DOWN') });
    const ids = res.added.map((x) => x.id);
    expect(ids).toHaveLength(5);
    expect(ids.every((id) => id < 0)).toBe(true);
    expect((await states(a, ids)).map((r) => r.state)).toEqual(Array(5).fill('received'));
    store.down = false;
    await a.waitUntilSettled(ids);
    expect((await states(a, ids)).map((r) => r.state)).toEqual(Array(5).fill('accepted'));
    expect(ap.stats().acceptedDocuments).toBe(5);
    expect((await a.handlers['connection:get'](undefined)).team!.reachable).toBe(true);
  });

  it('mid-run: an outcome that could not be written is kept and applied under its fence', async () => {
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    ap.setFaults({ stallMs: { every: 1, max: 1, ms: 600, when: 'after' } });
    const a = await desk(store, ap, 'desk A', { leaseMs: 60_000 });
    const res = await a.handlers['documents:add']({ files: makeInvoices(1, 'MID') });
    const id = res.added[0]!.id;
    await waitFor('the first accept', () => ap.stats().acceptedDocuments === 1, 5000);
    store.down = true;
    // The answer arrives while the database is down; more files are dropped meanwhile.
    await new Promise((r) => setTimeout(r, 800));
    const more = await a.handlers['documents:add']({ files: makeInvoices(3, 'MEANWHILE') });
    expect(more.added.every((x) => x.id < 0)).toBe(true);
    expect((await store.states([id]).catch(() => null)) ?? 'down').toBe('down');
    store.down = false;
    const all = [id, ...more.added.map((x) => x.id)];
    await a.waitUntilSettled(all);
    expect((await states(a, all)).map((r) => r.state)).toEqual(Array(4).fill('accepted'));
    expect(ap.stats().acceptedDocuments).toBe(4);
    expect(ap.stats().duplicateContentAccepts).toBe(0);
  });
});
