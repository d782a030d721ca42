/**
 * A clerk's lookups tell a single desk's header, as the pipeline's do (issue 14): "Check again"
 * (`lookup:refresh`) and Retry of an unreachable document that cannot reach the access point
 * turn the header's connection to Offline in the usual words; it comes back once a probe is
 * answered. The queue is paused throughout, so nothing else asks the access point meanwhile.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import { engineInternals } from '../../app/engine/internals';
import { offlineWords } from '../../app/domain/problems';
import { makeInvoice } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';

const engines = useEngines({
  // Delivery is not asked about within a test; an offline access point is probed every 50-200 ms.
  timings: { pollInitialMs: 600_000, probeInitialMs: 50, probeMaxMs: 200 },
});

const OFFLINE_WORDS = offlineWords('connect ECONNREFUSED');

const connection = async (e: Engine) => {
  const s = await e.handlers['connection:get'](undefined);
  return [s.state, s.message];
};
const stateOf = (e: Engine, id: number) => engineInternals(e).repo.get(id)?.state;

/** A paused engine, online, with one document whose receiver lookup is done (`receiver`). */
async function pausedWithOne(receiver?: string) {
  const e = await engines();
  await e.handlers['queue:pause'](undefined);
  const { added } = await e.handlers['documents:add']({
    files: [{ name: 'one.xml', bytes: makeInvoice('CLK-1', receiver ? { receiver } : {}) }],
  });
  const id = added[0]!.id;
  await expect
    .poll(() => stateOf(e, id), { timeout: 10_000 })
    .toBe(receiver ? 'unreachable' : 'queued');
  await expect.poll(() => connection(e), { timeout: 10_000 }).toEqual(['online', null]);
  return { e, id, ap: engineInternals(e).sandbox! };
}

describe("a clerk's lookup tells a single desk's header", () => {
  it('"Check again" that cannot reach the access point says Offline; a probe answered says Online', async () => {
    const { e, id, ap } = await pausedWithOne();
    await ap.outage(600_000);
    await expect(e.handlers['lookup:refresh']({ id })).rejects.toMatchObject({
      code: 'LOOKUP_UNAVAILABLE',
    });
    expect(await connection(e)).toEqual(['offline', OFFLINE_WORDS]);
    // Back: the probes (they wait while paused) find it once sending resumes.
    await ap.outage(0);
    await e.handlers['queue:resume'](undefined);
    await expect.poll(() => connection(e), { timeout: 10_000 }).toEqual(['online', null]);
    await e.waitUntilSettled([id], { includeAccepted: true });
    expect(stateOf(e, id)).toBe('accepted');
  });

  it('Retry of an unreachable document that cannot reach the access point says Offline', async () => {
    const { e, id, ap } = await pausedWithOne('9915:unreg-buyer');
    await ap.outage(600_000);
    expect(await e.handlers['documents:retry']({ ids: [id] })).toEqual({ retried: 1 });
    await expect.poll(() => connection(e), { timeout: 10_000 }).toEqual(['offline', OFFLINE_WORDS]);
  });
});
