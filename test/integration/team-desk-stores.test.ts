/**
 * Desks on the real team stores (SQLite file and a throwaway PostgreSQL): two createTeamEngine in
 * one process share one queue and one sandbox access point. Every invoice is accepted exactly
 * once; a desk whose lease was ended in SQL does not overwrite the new owner, which resends with
 * the same key (the sandbox replays); PostgreSQL down at start and restarted mid-run loses nothing.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import { makeInvoices } from '../helpers/invoices';
import { startPostgres } from '../helpers/postgres.mjs';
import { useTeamBackends, type TeamBackend } from '../helpers/team-backends';
import { useTeamDesks } from '../helpers/team-desks';
import { waitFor } from '../helpers/wait';

const { desk, sandbox, tempDir } = useTeamDesks({
  // Delivery is not asked about within a test (a busy machine would otherwise see 'delivered').
  timings: { settleBackstopMs: 200, pollInitialMs: 600_000 },
  team: { pollMs: 50, heartbeatMs: 200, reconnectInitialMs: 50, reconnectMaxMs: 200 },
});
const BACKENDS = useTeamBackends('team-desk', tempDir, 'desk');
const [, POSTGRES] = BACKENDS;
const skipPostgres = POSTGRES.skip;

/** End a document's lease now, in SQL (as if its desk had been asleep past it). */
async function endLease(backend: TeamBackend, address: string, id: number): Promise<void> {
  const at = backend.name === 'sqlite' ? '?' : '$1';
  await backend.raw(
    address,
    `UPDATE team_documents SET lease_until = 0, due_at = 0 WHERE id = ${at}`,
    [id],
  );
}

const briefs = async (engine: Engine, ids: number[]) =>
  (await engine.handlers['documents:briefs']({ ids })).rows;

describe.each(BACKENDS)('desks on the $name team store', (backend) => {
  it.skipIf(backend.skip)(
    'two desks share one queue: every invoice accepted exactly once',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      const [a, b] = [await desk(address, ap, 'desk A'), await desk(address, ap, 'desk B')];
      const files = makeInvoices(60, 'SHARE');
      // Half dropped on each desk, and a third on both at once.
      const [ra, rb] = await Promise.all([
        a.handlers['documents:add']({ files: files.slice(0, 40) }),
        b.handlers['documents:add']({ files: files.slice(20) }),
      ]);
      const idsA = [...ra.added, ...ra.known].map((x) => x.id);
      const idsB = [...rb.added, ...rb.known].map((x) => x.id);
      const all = [...new Set([...idsA, ...idsB])];
      expect(all).toHaveLength(60);
      await Promise.all([a.waitUntilSettled(idsA), b.waitUntilSettled(idsB)]);
      const rows = await briefs(b, all);
      expect(rows.map((r) => r.state)).toEqual(Array(60).fill('accepted'));
      const stats = ap.stats();
      expect(stats.acceptedDocuments).toBe(60);
      expect(stats.duplicateContentAccepts).toBe(0);
      const list = await a.handlers['documents:list']({ filter: 'sent', limit: 100 });
      expect(list.total).toBe(60);
      expect(list.counts.accepted).toBe(60);
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    'a lost claim does not overwrite the new owner, who resends with the same key',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      ap.setFaults({ stallMs: { every: 1, max: 1, ms: 4000, when: 'after' } });
      const a = await desk(address, ap, 'desk A', { team: { leaseMs: 60_000 } });
      const { added } = await a.handlers['documents:add']({ files: makeInvoices(1, 'LEASE') });
      const id = added[0]!.id;
      await waitFor('the access point to accept it', () => ap.stats().acceptedDocuments === 1);
      // Desk A claims nothing more (as if asleep), its send still out; its lease ends.
      await a.handlers['queue:pause'](undefined);
      await endLease(backend, address, id);
      const b = await desk(address, ap, 'desk B');
      await b.waitUntilSettled([id]);
      // Accepted (or already delivered: the team tracks delivery), sent by desk B.
      const [brief] = await briefs(b, [id]);
      expect(['accepted', 'delivered']).toContain(brief!.state);
      expect(brief).toMatchObject({ sentBy: 'desk B' });
      // Desk A's late answer is dropped under the fence.
      await new Promise((r) => setTimeout(r, 4200));
      const detail = await a.handlers['documents:get']({ id });
      expect(['accepted', 'delivered']).toContain(detail.state);
      expect(detail.timeline.filter((e) => e.to === 'accepted').map((e) => e.desk)).toEqual([
        'desk B',
      ]);
      expect(ap.stats()).toMatchObject({ acceptedDocuments: 1, idempotentReplays: 1 });
    },
    30_000,
  );

  it.skipIf(backend.skip)(
    'a send longer than the lease keeps its claim: the lease is renewed, no other desk takes it',
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox();
      // The answer takes five leases; renewal (every third of a lease) keeps the claim.
      ap.setFaults({ stallMs: { every: 1, max: 1, ms: 3000, when: 'after' } });
      const a = await desk(address, ap, 'desk A', { team: { leaseMs: 600 } });
      const b = await desk(address, ap, 'desk B', { team: { leaseMs: 600 } });
      const { added } = await a.handlers['documents:add']({ files: makeInvoices(1, 'RENEW') });
      const id = added[0]!.id;
      await a.waitUntilSettled([id]);
      const detail = await b.handlers['documents:get']({ id });
      expect(detail.state).toBe('accepted');
      // Claimed once, accepted once: nobody took it over while its answer was late.
      expect(detail.timeline.map((e) => e.to)).toEqual(['queued', 'sending', 'accepted']);
      expect(ap.stats()).toMatchObject({ acceptedDocuments: 1, idempotentReplays: 0 });
    },
    30_000,
  );
});

/** A loopback port nothing listens on (yet). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe.skipIf(skipPostgres)('PostgreSQL cannot be reached', () => {
  it('at start: files are kept on the desk and handed over once it answers', async () => {
    const port = await freePort();
    const ap = await sandbox();
    const a = await desk(`postgresql://postgres@127.0.0.1:${port}/postgres`, ap, 'desk A');
    const status = await a.handlers['connection:get'](undefined);
    expect(status.team).toMatchObject({
      reachable: false,
      label: `postgres@127.0.0.1:${port}/postgres`,
    });
    expect(status.message).toContain('cannot be reached');
    const { added } = await a.handlers['documents:add']({ files: makeInvoices(4, 'LATE') });
    const ids = added.map((x) => x.id);
    expect(ids.every((id) => id < 0)).toBe(true);
    const late = await startPostgres({ port });
    try {
      await a.waitUntilSettled(ids);
      expect((await briefs(a, ids)).map((r) => r.state)).toEqual(Array(4).fill('accepted'));
      expect(ap.stats().acceptedDocuments).toBe(4);
    } finally {
      await a.stop();
      await late.stop();
    }
  }, 60_000);

  it('mid-run (restarted): outcomes and files kept meanwhile are handed over, nothing twice', async () => {
    const address = await POSTGRES.newAddress();
    const ap = await sandbox();
    ap.setFaults({ stallMs: { every: 1, max: 3, ms: 1500, when: 'after' } });
    const a = await desk(address, ap, 'desk A', { team: { leaseMs: 60_000 } });
    const first = await a.handlers['documents:add']({ files: makeInvoices(3, 'BEFORE') });
    await waitFor('three accepts', () => ap.stats().acceptedDocuments === 3);
    // Down while the three answers are late, back after them.
    const restarted = POSTGRES.cluster!.restart({ downMs: 2500 });
    await new Promise((r) => setTimeout(r, 1000));
    const meanwhile = await a.handlers['documents:add']({ files: makeInvoices(2, 'DURING') });
    await restarted;
    const ids = [...first.added, ...meanwhile.added].map((x) => x.id);
    await a.waitUntilSettled(ids);
    expect((await briefs(a, ids)).map((r) => r.state)).toEqual(Array(5).fill('accepted'));
    expect(ap.stats()).toMatchObject({ acceptedDocuments: 5, duplicateContentAccepts: 0 });
  }, 60_000);
});
