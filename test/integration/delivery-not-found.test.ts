/**
 * An accepted document whose transaction the access point no longer knows (404): asked about a
 * few times, then no more, with the reason on the row. A clerk's walk met it with the built-in
 * Sandbox, which forgets its transactions when the app restarts: the rows said "Accepted by
 * access point" for the 7 days of the delivery timeout, asked about every minute.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { engineInternals } from '../../app/engine/internals';
import { startSandbox } from '../../app/sandbox/server';
import { useEngines } from '../helpers/engine';
import { makeInvoices } from '../helpers/invoices';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const engines = useEngines();

const statusRequests = (stats: { requests: { byEndpoint: Record<string, { total: number }> } }) =>
  Object.entries(stats.requests.byEndpoint)
    .filter(([label]) => /transaction|status/i.test(label))
    .reduce((n, [, e]) => n + e.total, 0);

/**
 * An engine tracking delivery on a sandbox whose transactions stay pending (only a 404 can end
 * the polling), with `n` documents accepted; `notFoundAfterMs` as the engine's option.
 */
async function acceptedOnPendingSandbox(n: number, prefix: string, notFoundAfterMs: number) {
  const sandbox = await startSandbox({ latencyMs: 0, transactionStepMs: 600_000 });
  cleanups.push(() => sandbox.close());
  const e = await engines({
    endpoint: sandbox.url,
    trackDelivery: true,
    timings: { pollInitialMs: 20, pollMaxMs: 40, notFoundAfterMs },
  });
  const ids = (await e.handlers['documents:add']({ files: makeInvoices(n, prefix) })).added.map(
    (a) => a.id,
  );
  await e.waitUntilSettled(ids, { includeAccepted: true });
  return { sandbox, ids, repo: engineInternals(e).repo };
}

describe('a transaction the access point does not know', () => {
  it('stops being asked about, and the row says what happened and what to do', async () => {
    const { sandbox, ids, repo } = await acceptedOnPendingSandbox(3, 'NF', 300);
    expect(ids.every((id) => repo.get(id)!.state === 'accepted')).toBe(true);
    // Polled and still pending: nothing to say yet.
    await expect.poll(() => statusRequests(sandbox.stats()), { timeout: 5_000 }).toBeGreaterThan(3);
    expect(ids.every((id) => repo.get(id)!.problem_code === null)).toBe(true);

    sandbox.reset(); // the access point forgets every transaction
    await expect
      .poll(() => ids.every((id) => repo.get(id)!.next_poll_at === null), { timeout: 10_000 })
      .toBe(true);
    for (const id of ids) {
      const d = repo.get(id)!;
      expect(d.state).toBe('accepted');
      expect(d.problem_code).toBe('DELIVERY_UNCONFIRMED');
      expect(d.problem_message).toContain('now answers that it does not know its transaction');
      expect(repo.timeline(id).at(-1)?.detail).toBe(
        'The access point does not know this transaction; stopped asking',
      );
    }
    // No more questions about them.
    const asked = statusRequests(sandbox.stats());
    await new Promise((r) => setTimeout(r, 300));
    expect(statusRequests(sandbox.stats())).toBe(asked);
  });

  it('a delivered invoice whose transaction is forgotten is no longer asked about for the buyer’s answer, and stays delivered', async () => {
    // A walk: a reset access point was asked 20 times a second about delivered invoices.
    const sandbox = await startSandbox({ latencyMs: 0, transactionStepMs: 20 });
    cleanups.push(() => sandbox.close());
    const e = await engines({
      endpoint: sandbox.url,
      trackDelivery: true,
      timings: { pollInitialMs: 20, pollMaxMs: 40, notFoundAfterMs: 200, responseWindowMs: 60_000 },
    });
    const ids = (await e.handlers['documents:add']({ files: makeInvoices(3, 'NFR') })).added.map(
      (a) => a.id,
    );
    const repo = engineInternals(e).repo;
    await expect
      .poll(() => ids.every((id) => repo.get(id)!.state === 'delivered'), { timeout: 10_000 })
      .toBe(true);
    // Waiting for the buyer's answer: asked again and again.
    expect(ids.every((id) => repo.get(id)!.next_poll_at !== null)).toBe(true);
    await new Promise((r) => setTimeout(r, 250));
    sandbox.reset();
    await expect
      .poll(() => ids.every((id) => repo.get(id)!.next_poll_at === null), { timeout: 10_000 })
      .toBe(true);
    for (const id of ids) {
      const d = repo.get(id)!;
      expect(d.state).toBe('delivered');
      expect(d.problem_code).toBeNull();
      expect(repo.timeline(id).at(-1)?.detail).toBe(
        "The access point no longer knows this transaction; stopped asking for the buyer's answer",
      );
    }
    const asked = statusRequests(sandbox.stats());
    await new Promise((r) => setTimeout(r, 300));
    expect(statusRequests(sandbox.stats())).toBe(asked);
  });

  it('a 404 soon after acceptance is only "not on record yet": asked again', async () => {
    const { sandbox, ids, repo } = await acceptedOnPendingSandbox(2, 'NFS', 600_000);
    sandbox.reset();
    const before = statusRequests(sandbox.stats());
    await expect
      .poll(() => statusRequests(sandbox.stats()), { timeout: 5_000 })
      .toBeGreaterThan(before + 4);
    for (const id of ids) {
      expect(repo.get(id)!.problem_code).toBeNull();
      expect(repo.get(id)!.next_poll_at).not.toBeNull();
    }
  });

  it('with the built-in Sandbox, which forgets on a restart, says so in its own words', async () => {
    const e = await engines({
      trackDelivery: true,
      sandboxStepMs: 600_000,
      timings: { pollInitialMs: 20, pollMaxMs: 40, notFoundAfterMs: 300 },
    });
    const { sandbox, repo } = engineInternals(e);
    expect(sandbox).not.toBeNull();
    const ids = (await e.handlers['documents:add']({ files: makeInvoices(1, 'NFB') })).added.map(
      (a) => a.id,
    );
    await e.waitUntilSettled(ids, { includeAccepted: true });
    expect(repo.get(ids[0]!)!.environment).toBe('sandbox');
    sandbox!.reset();
    await expect
      .poll(() => repo.get(ids[0]!)!.problem_code, { timeout: 10_000 })
      .toBe('DELIVERY_UNCONFIRMED');
    expect(repo.get(ids[0]!)!.problem_message).toMatch(
      /^The built-in Sandbox no longer knows this practice invoice .*Nothing was really sent\./,
    );
  });

  it('after a restart the built-in Sandbox is known to have forgotten: said at the first 404, not 10 minutes later', async () => {
    const dataDir = engines.tempDir();
    const options = {
      dataDir,
      trackDelivery: true,
      sandboxStepMs: 600_000,
      // The 10 minutes of a provider's 404: only the restart can end the asking in this test.
      timings: { pollInitialMs: 20, pollMaxMs: 40 },
    };
    const first = await engines(options);
    const ids = (
      await first.handlers['documents:add']({ files: makeInvoices(2, 'NFR') })
    ).added.map((a) => a.id);
    await first.waitUntilSettled(ids, { includeAccepted: true });
    await engines.stop(first);
    const second = await engines(options);
    const { repo } = engineInternals(second);
    for (const id of ids) {
      await expect
        .poll(() => repo.get(id)!.problem_code, { timeout: 10_000 })
        .toBe('DELIVERY_UNCONFIRMED');
      expect(repo.get(id)!.state).toBe('accepted');
      expect(repo.get(id)!.next_poll_at).toBeNull();
    }
    expect(repo.get(ids[0]!)!.problem_message).toMatch(
      /^The built-in Sandbox no longer knows this practice invoice .*it forgets what it was sent when Peppol Desk restarts\. Nothing was really sent\./,
    );
    // Accepted by the Sandbox now running: a 404 about it is still only "not on record yet".
    const fresh = (await second.handlers['documents:add']({ files: makeInvoices(1, 'NFN') }))
      .added[0]!.id;
    await second.waitUntilSettled([fresh], { includeAccepted: true });
    engineInternals(second).sandbox!.reset();
    const polled = repo.get(fresh)!.next_poll_at;
    await expect.poll(() => repo.get(fresh)!.next_poll_at, { timeout: 5_000 }).not.toBe(polled);
    await new Promise((r) => setTimeout(r, 200));
    expect(repo.get(fresh)!.problem_code).toBeNull();
  });
});
