/**
 * Delivery tracking on a team outbox: two desks on one SQLite team store and one sandbox access
 * point (which delivers, then answers for the buyer) share the polling; every document reaches
 * delivered and its buyer's answer exactly once on its timeline.
 */
import { describe, expect, it } from 'vitest';
import { makeInvoice } from '../helpers/invoices';
import { useTeamDesks } from '../helpers/team-desks';

const { desk, sandbox, sqliteStore } = useTeamDesks({
  timings: { pollInitialMs: 30, pollMaxMs: 100, responseWindowMs: 60_000 },
  team: { leaseMs: 2_000 },
});

describe('delivery on a team outbox', () => {
  it('two desks share the polling: each document is delivered and answered exactly once', async () => {
    // Delivered 3 steps after its acceptance (the access point's clock): a step long enough that
    // a busy machine's late write of the acceptance (the desk's answer time) stays before it, and
    // that desk A, paused once everything is accepted, cannot have asked about the last ones.
    const ap = await sandbox({ transactionStepMs: 300 });
    const store = sqliteStore();
    const a = await desk(store, ap, 'desk A');
    const b = await desk(store, ap, 'desk B');
    // Desk A sends everything; desk B then asks about what A sent (which desk asks is decided
    // here, not by which one happens to claim first on a busy machine).
    await b.handlers['queue:pause'](undefined);
    // Alternate buyers that pay and that reject: both answers end the asking.
    const files = Array.from({ length: 16 }, (_, i) => ({
      name: `d-${i}.xml`,
      bytes: makeInvoice(`DLV-${i}`, { receiver: i % 2 ? '9915:respond-re' : '9915:respond-pd' }),
    }));
    const added = await a.handlers['documents:add']({ files });
    const ids = added.added.map((x) => x.id);
    expect(ids).toHaveLength(16);
    await a.waitUntilSettled(ids, { includeAccepted: true });
    await a.handlers['queue:pause'](undefined);
    await b.handlers['queue:resume'](undefined);
    // Delivered at least: the waiter follows delivery when asked to.
    await b.waitUntilSettled(ids, { includeAccepted: false });
    const afterWait = await b.handlers['documents:briefs']({ ids });
    expect(afterWait.rows.every((r) => r.state !== 'accepted')).toBe(true);
    const answered = async () => {
      const { rows } = await b.handlers['documents:briefs']({ ids });
      return rows.every((r) => r.state === 'paid' || r.state === 'rejected');
    };
    // Bounded: 20 s at most.
    for (let i = 0; i < 200 && !(await answered()); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await answered()).toBe(true);
    const pollers = new Set<string>();
    for (const [i, id] of ids.entries()) {
      const detail = await a.handlers['documents:get']({ id });
      expect(detail.state).toBe(i % 2 ? 'rejected' : 'paid');
      // The details panel says when it was accepted and delivered, and the buyer's answer.
      expect(detail.acceptedAt).toEqual(expect.any(Number));
      expect(detail.deliveredAt).toBeGreaterThanOrEqual(detail.acceptedAt!);
      expect(detail.businessResponse).toBe(i % 2 ? 'RE' : 'PD');
      expect(detail.businessResponseAt).toEqual(expect.any(Number));
      const delivered = detail.timeline.filter((e) => e.to === 'delivered');
      const answered = detail.timeline.filter((e) => e.to === 'paid' || e.to === 'rejected');
      expect(delivered).toHaveLength(1);
      expect(answered).toHaveLength(1);
      expect(delivered[0]!.from).toBe('accepted');
      // Sent by desk A only (B was paused until everything was accepted).
      expect(detail.timeline.filter((e) => e.to === 'accepted').map((e) => e.desk)).toEqual([
        'desk A',
      ]);
      for (const e of [...delivered, ...answered]) pollers.add(e.desk ?? '?');
    }
    // B asked about what A sent (A may have asked about the first ones before its pause).
    expect(pollers.has('desk B')).toBe(true);
    expect([...pollers].every((p) => p === 'desk A' || p === 'desk B')).toBe(true);
    // One status request per poll claim, not per desk: nothing was sent twice either.
    expect(ap.stats().acceptedDocuments).toBe(16);
  });
});
