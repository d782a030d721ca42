/**
 * A team desk's sends in flight follow its setting as a single desk's do: 'auto' (the default)
 * is the adaptive limiter, which grows while the access point answers as fast with more in
 * flight; a number fixes it. A team desk used to turn 'auto' into a fixed 10 (at L = 50 ms, at
 * most 200 invoices a second per desk whatever its access point could take), and its Prometheus
 * gauges of the sender said 0.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import { useTeamDesks } from '../helpers/team-desks';
import { makeInvoices } from '../helpers/invoices';
import { MemoryTeamStore } from '../helpers/team-memory-store';

const { desk, sandbox } = useTeamDesks();

/** Add `n` invoices and wait until each is accepted (or delivered already: the desk follows). */
async function sendAll(e: Engine, n: number, prefix: string): Promise<void> {
  const { added } = await e.handlers['documents:add']({ files: makeInvoices(n, prefix) });
  const ids = added.map((x) => x.id);
  expect(ids).toHaveLength(n);
  await e.waitUntilSettled(ids);
  const { rows } = await e.handlers['documents:briefs']({ ids });
  expect(rows.filter((r) => r.state !== 'accepted' && r.state !== 'delivered')).toEqual([]);
}

/** A gauge's value on the desk's Prometheus endpoint. */
async function gauge(e: Engine, name: string): Promise<number> {
  const text = await (await fetch(e.metricsUrl()!)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  expect(line, `${name} on the metrics endpoint`).toBeDefined();
  return Number(line!.split(' ')[1]);
}

describe('sends in flight on a team desk', () => {
  it("'auto' is the adaptive limiter, which starts below the 10 'auto' used to be fixed at", async () => {
    const ap = await sandbox({ latencyMs: 5 });
    const a = await desk(new MemoryTeamStore(), ap, 'desk A', { metricsPort: 0 });
    expect((await a.handlers['settings:get'](undefined)).concurrency).toBe('auto');
    // Its slow start; it grows while answers stay as fast with more in flight (unit
    // team-desk-concurrency, where nothing else competes for the machine: here a loaded machine
    // makes answers look slower and it rightly does not grow).
    expect(await gauge(a, 'peppol_desk_send_concurrency_limit')).toBeLessThan(10);
    await sendAll(a, 60, 'TCA');
    const limit = await gauge(a, 'peppol_desk_send_concurrency_limit');
    expect(limit).toBeGreaterThanOrEqual(1);
    expect(limit).toBeLessThanOrEqual(64);
    expect(ap.stats().acceptedDocuments).toBe(60);
    expect(ap.stats().duplicateContentAccepts).toBe(0);
  });

  it('a number in Settings fixes it, and the gauge says so', async () => {
    const ap = await sandbox({ latencyMs: 5 });
    const a = await desk(new MemoryTeamStore(), ap, 'desk A', { metricsPort: 0 });
    await a.handlers['settings:set']({ concurrency: 3 });
    await sendAll(a, 60, 'TCF');
    expect(await gauge(a, 'peppol_desk_send_concurrency_limit')).toBe(3);
    expect(await gauge(a, 'peppol_desk_send_in_flight')).toBe(0);
  });
});
