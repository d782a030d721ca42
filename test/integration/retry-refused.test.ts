/**
 * A Retry of an invoice the access point refused for good goes as a new submission, on both
 * desks. The access point keeps the first answer of an Idempotency-Key for a day, a refusal
 * included: a buyer not registered when the invoice went (its lookup said it was, or could not be
 * asked in an outage: walk 8), registered since, would be refused again for the whole day under
 * the old key, however often the clerk pressed Retry. Nothing was accepted under that key, so a
 * new one cannot make a second submission.
 *
 * Nor can an earlier attempt whose answer was lost (a 503 after it may have gone through): the
 * refusal under the same key means it was refused alike, so the invoice may be cancelled again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memorySecretStore, type Engine } from '../../app/engine';
import { REFUSED_RETRY_WORDS } from '../../app/domain/retry-policy';
import type { SandboxHandle } from '../../app/sandbox/server';
import {
  startDocAccessPoint,
  type DocAccessPoint,
  type DocRefusal,
} from '../helpers/doc-access-point.mjs';
import { useEngines } from '../helpers/engine';
import { makeInvoice } from '../helpers/invoices';
import { useTeamBackends } from '../helpers/team-backends';
import { useTeamDesks } from '../helpers/team-desks';

const BUYER = '9915:registers-later';
const NOT_REGISTERED: DocRefusal = {
  status: 404,
  code: 'RECEIVER_NOT_REGISTERED',
  message: `Receiver ${BUYER} is not registered in the SMP.`,
  details: [],
};

const servers: DocAccessPoint[] = [];
// Registered first, so it runs last (hooks run as a stack): the access points close once the
// engines and desks have stopped.
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
const engines = useEngines();
const { desk, tempDir } = useTeamDesks({ timings: { pollInitialMs: 600_000 } });
const BACKENDS = useTeamBackends('retry-refused', tempDir, 'refused');

/** How the access point refuses the invoice at first, and how the document then reads. */
interface Refusal {
  name: string;
  refusal: DocRefusal;
  state: 'unreachable' | 'failed';
  code: string;
  /** How the timeline's words for the Retry begin, on a single desk and on a team desk. */
  retried: { single: string; team: string };
}
const REFUSALS: Refusal[] = [
  {
    // "Receiver not on Peppol", as when its lookup says so (walk 8 finding 6).
    name: 'the buyer not registered (404)',
    refusal: NOT_REGISTERED,
    state: 'unreachable',
    code: 'AP_NOT_FOUND',
    retried: {
      single: `${REFUSED_RETRY_WORDS} (new lookup)`,
      // A team desk asks about the receiver, then queues it (its key round: REFUSED_FOR_GOOD_SQL).
      team: `${BUYER} is on Peppol after all (retry requested by `,
    },
  },
  {
    // The buyer's access point takes credit notes only, until it is set up for invoices.
    name: 'the document type not taken (422)',
    refusal: {
      status: 422,
      code: 'DOCUMENT_TYPE_NOT_SUPPORTED',
      message: `Receiver ${BUYER} does not accept this document type.`,
      details: [],
    },
    state: 'failed',
    code: 'AP_REJECTED_DOCUMENT_TYPE_NOT_SUPPORTED',
    retried: { single: REFUSED_RETRY_WORDS, team: REFUSED_RETRY_WORDS },
  },
];

/** An access point whose lookup knows the buyer, whose send refuses it until told otherwise. */
async function accessPoint(r: Refusal): Promise<DocAccessPoint> {
  const ap = await startDocAccessPoint({
    receivers: [BUYER],
    replayRefusals: true,
    refuse: (xml) => (xml.includes('registers-later') ? r.refusal : null),
  });
  servers.push(ap);
  return ap;
}

/** A single desk sending through `ap`, single sends, delivery not tracked. */
function singleDesk(ap: DocAccessPoint): Promise<Engine> {
  return engines({
    endpoint: ap.url,
    secrets: memorySecretStore(ap.apiKey),
    trackDelivery: false,
    batching: false,
  });
}

/** A team desk on a new team of `backend`, sending through `ap`. */
async function teamDesk(backend: (typeof BACKENDS)[number], ap: DocAccessPoint): Promise<Engine> {
  const address = await backend.newAddress();
  return desk(address, { url: ap.url } as SandboxHandle, 'desk A', {
    secrets: memorySecretStore(ap.apiKey),
  });
}

/** Invoice `number` to the buyer, added and refused as `r` says: its id. */
async function addRefused(e: Engine, number: string, r: Refusal): Promise<number> {
  const { added } = await e.handlers['documents:add']({
    files: [{ name: `${number}.xml`, bytes: makeInvoice(number, { receiver: BUYER }) }],
  });
  const id = added[0]!.id;
  await e.waitUntilSettled([id]);
  const refused = await e.handlers['documents:get']({ id });
  expect([refused.state, refused.problem?.code]).toEqual([r.state, r.code]);
  return id;
}

/** Refused, then (the buyer set up) retried by the clerk: accepted once. */
async function refusedThenRetried(
  e: Engine,
  ap: DocAccessPoint,
  number: string,
  r: Refusal,
  team: boolean,
) {
  const id = await addRefused(e, number, r);
  expect(ap.acceptedByNumber().get(number)).toBeUndefined();

  // The buyer is set up; the clerk presses Retry.
  ap.set({ refuse: () => null });
  expect((await e.handlers['documents:retry']({ ids: [id] })).retried).toBe(1);
  await e.waitUntilSettled([id], { includeAccepted: true });
  const sent = await e.handlers['documents:get']({ id });
  expect(sent.state).toBe('accepted');
  expect(ap.acceptedByNumber().get(number)).toBe(1);
  const words = team ? r.retried.team : r.retried.single;
  expect(sent.timeline.filter((t) => t.detail?.startsWith(words))).toHaveLength(1);
  // Two sends: the refused one and the new submission (no replay of the refusal between).
  expect(ap.requests('POST /api/v1/send')).toBe(2);
}

describe.each(REFUSALS)('a Retry of an invoice refused for good: $name', (r) => {
  it('single desk: sent as a new submission, accepted once', async () => {
    const ap = await accessPoint(r);
    const e = await singleDesk(ap);
    await refusedThenRetried(e, ap, 'REFUSED-1', r, false);
  });

  describe.each(BACKENDS)('team desk on the $name store', (backend) => {
    it.skipIf(backend.skip)(
      'sent as a new submission, accepted once',
      async () => {
        const ap = await accessPoint(r);
        const e = await teamDesk(backend, ap);
        await refusedThenRetried(e, ap, 'REFUSED-T', r, true);
      },
      60_000,
    );
  });
});

/** A 503 first (it may have gone through), then the refusal under the same key: cancelled. */
async function refusedAfterUnknownThenCancelled(
  e: Engine,
  ap: DocAccessPoint,
  number: string,
  r: Refusal,
) {
  ap.set({ serverErrors: 1 });
  const id = await addRefused(e, number, r);
  expect(ap.faults().serverErrors).toBe(1);
  expect(ap.requests('POST /api/v1/send')).toBe(2);
  // Before: "may already have reached the access point", so Cancel did nothing.
  expect((await e.handlers['documents:cancel']({ ids: [id] })).cancelled).toBe(1);
  expect((await e.handlers['documents:get']({ id })).state).toBe('cancelled');
  expect(ap.acceptedByNumber().get(number)).toBeUndefined();
}

describe.each(REFUSALS)('refused after an attempt with no answer: $name', (r) => {
  it('single desk: it may be cancelled', async () => {
    const ap = await accessPoint(r);
    const e = await singleDesk(ap);
    await refusedAfterUnknownThenCancelled(e, ap, 'UNKNOWN-1', r);
  });

  describe.each(BACKENDS)('team desk on the $name store', (backend) => {
    it.skipIf(backend.skip)(
      'it may be cancelled',
      async () => {
        const ap = await accessPoint(r);
        const e = await teamDesk(backend, ap);
        await refusedAfterUnknownThenCancelled(e, ap, 'UNKNOWN-T', r);
      },
      60_000,
    );
  });
});
