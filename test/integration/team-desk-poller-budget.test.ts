/**
 * A team desk's buyer-response polls within their budget (app/sender/poll-budget.ts, as on a
 * single desk), on both team stores: documents due together are asked about at most the budget's
 * rate and number in flight, each once; a 429 on a poll (or on a send) stops the next polls for
 * its Retry-After, and the refused claim goes back and is asked again after it. Delivery polls
 * (accepted documents) do not wait for the budget.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type {
  AccessPointClient,
  ApOutcome,
  TransactionAnswer,
} from '../../app/access-point/client';
import { Metrics } from '../../app/metrics/metrics';
import {
  DEFAULT_DELIVERY_OPTIONS,
  type DeliveryOptions,
} from '../../app/queue/stages/delivery-judge';
import { DeskPoller, pollResultOf } from '../../app/team/desk-poller';
import type { TeamStore } from '../../app/team/store';
import { useTeamBackends, useTeamStores } from '../helpers/team-backends';
import { teamDocMaker } from '../helpers/team-docs';
import { useTempDirs } from '../helpers/temp';
import { until, waitFor } from '../helpers/wait';

const BACKENDS = useTeamBackends('team-desk-poller-budget', useTempDirs(), 'pollbudget');
const newDoc = teamDocMaker('POLLBUDGET');
const DESK = 'desk-anna';

type Answer = ApOutcome<TransactionAnswer>;
const SENDING: Answer = {
  kind: 'ok',
  status: 200,
  value: { id: '', status: 'sending', deliveredAt: null, error: null, businessResponse: null },
};
function throttled(retryAfterMs: number): Answer {
  return { kind: 'transient', status: 429, retryAfterMs, message: 'slow down', offline: false };
}

/** `n` documents accepted by the team, their delivery due to be asked about now. */
async function accepted(store: TeamStore, n: number): Promise<number[]> {
  const rows = await store.enqueue(
    DESK,
    Array.from({ length: n }, () => newDoc()),
  );
  const claims = await store.claim(DESK, n, 30_000);
  for (const c of claims) {
    await store.finish(DESK, c, {
      kind: 'accepted',
      transactionId: `tx-${c.id}`,
      firstPollInMs: 0,
    });
  }
  return rows.map((r) => r.id);
}

/** `n` documents delivered, the buyer's response due to be asked about now. */
async function awaitingResponse(store: TeamStore, n: number): Promise<number[]> {
  const ids = await accepted(store, n);
  const claims = await store.claimPolls(DESK, n, 30_000, undefined, 'delivery');
  expect(claims).toHaveLength(n);
  const now = Date.now();
  for (const c of claims) {
    const delivered = {
      kind: 'delivered',
      deliveredAt: now,
      nextPollAt: now,
      answer: null,
    } as const;
    const result = pollResultOf(c, delivered, now, DEFAULT_DELIVERY_OPTIONS);
    expect(await store.finishPoll(DESK, c, result)).toBe(true);
  }
  return ids;
}

/** An access point client that counts status requests and answers `answer(n)` after `ms`. */
function countingClient(answer: (n: number) => Answer, ms: number) {
  const calls: { id: string; at: number }[] = [];
  const answered: { status: number | null; at: number }[] = [];
  let open = 0;
  let most = 0;
  const client = {
    transaction: async (id: string): Promise<Answer> => {
      calls.push({ id, at: performance.now() });
      const outcome = answer(calls.length);
      open++;
      most = Math.max(most, open);
      await new Promise((r) => setTimeout(r, ms));
      open--;
      answered.push({
        status: outcome.kind === 'transient' ? outcome.status : 200,
        at: performance.now(),
      });
      return outcome;
    },
  } as unknown as AccessPointClient;
  return { client, calls, answered, most: () => most };
}

/** The most requests made in any one-second window (half-open). */
function busiestSecond(at: readonly number[]): number {
  let most = 0;
  for (let i = 0, j = 0; i < at.length; i++) {
    while (at[i]! - at[j]! >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

const pollers: DeskPoller[] = [];

function poller(
  store: TeamStore,
  client: AccessPointClient,
  perSecond: number,
  inFlight: number,
  options: DeliveryOptions = DEFAULT_DELIVERY_OPTIONS,
) {
  const p = new DeskPoller({
    store,
    deskId: DESK,
    client: () => client,
    metrics: new Metrics(),
    options,
    maxInFlight: inFlight,
    perSecond,
    leaseMs: 30_000,
    onUnavailable: (err) => {
      throw err;
    },
    onChanged: () => undefined,
  });
  pollers.push(p);
  return p;
}

describe.each(BACKENDS)('team desk polls within their budget on $name', (backend) => {
  const { fresh } = useTeamStores(backend);
  // Registered after the stores' clean-up, so it runs first: the pollers stop before the stores close.
  afterEach(async () => {
    for (const p of pollers.splice(0)) await p.stop();
  });

  it.skipIf(backend.skip)(
    'documents due together: at most the rate and in flight, each asked once',
    async () => {
      const store = await fresh();
      const ids = await awaitingResponse(store, 40);
      const ap = countingClient(() => SENDING, 20);
      const p = poller(store, ap.client, 10, 3);
      p.start();
      // The poller claims again after each claim; the desk's timer would pump too.
      const pump = setInterval(() => p.pump(), 50);
      try {
        await until(() => ap.calls.length >= 40, '40 status requests', 20_000);
      } finally {
        clearInterval(pump);
      }
      const first = ap.calls.slice(0, 40);
      expect(new Set(first.map((c) => c.id))).toEqual(new Set(ids.map((id) => `tx-${id}`)));
      expect(busiestSecond(first.map((c) => c.at))).toBeLessThanOrEqual(10);
      expect(ap.most()).toBeLessThanOrEqual(3);
    },
  );

  it.skipIf(backend.skip)(
    'a 429 on a poll stops the next polls for its Retry-After; the refused claim is asked again',
    async () => {
      const store = await fresh();
      const ids = await awaitingResponse(store, 5);
      const ap = countingClient((n) => (n === 1 ? throttled(1_000) : SENDING), 5);
      const p = poller(store, ap.client, 20, 1);
      p.start();
      const pump = setInterval(() => p.pump(), 50);
      try {
        await until(() => ap.calls.length >= 6, 'five documents asked, one twice', 20_000);
      } finally {
        clearInterval(pump);
      }
      const refusedAt = ap.answered[0]!.at;
      expect(ap.answered[0]!.status).toBe(429);
      for (const c of ap.calls.slice(1)) expect(c.at - refusedAt).toBeGreaterThanOrEqual(999);
      expect(new Set(ap.calls.map((c) => c.id))).toEqual(new Set(ids.map((id) => `tx-${id}`)));
      expect(ap.calls.filter((c) => c.id === ap.calls[0]!.id)).toHaveLength(2);
    },
  );

  it.skipIf(backend.skip)(
    "a send's 429 stops the polls too: nothing is claimed until its Retry-After ends",
    async () => {
      const store = await fresh();
      await awaitingResponse(store, 3);
      const ap = countingClient(() => SENDING, 5);
      const p = poller(store, ap.client, 20, 1);
      p.noteOutcome(throttled(60_000));
      p.start();
      p.pump();
      // Claimable by another desk: this one claimed nothing.
      expect((await store.claimPolls('desk-ben', 10, 30_000)).length).toBe(3);
      expect(ap.calls).toHaveLength(0);
      expect(p.budget.pauseLeftMs()).toBeGreaterThan(50_000);
    },
  );

  it.skipIf(backend.skip)(
    'delivery polls do not wait for the budget: accepted documents asked twice are all delivered',
    async () => {
      const store = await fresh();
      const ids = await accepted(store, 40);
      // "sending" when first asked, delivered when asked again.
      const asked = new Map<string, number>();
      const client = {
        transaction: async (id: string): Promise<Answer> => {
          const n = (asked.get(id) ?? 0) + 1;
          asked.set(id, n);
          await new Promise((r) => setTimeout(r, 2));
          if (n === 1) return { ...SENDING, value: { ...SENDING.value, id } };
          const at = new Date().toISOString();
          return {
            ...SENDING,
            value: { ...SENDING.value, id, status: 'delivered', deliveredAt: at },
          };
        },
      } as unknown as AccessPointClient;
      // One buyer-response poll a second: the 80 delivery polls would take 80 s within it. No
      // response window: once delivered, a document is not asked about again.
      const options = { ...DEFAULT_DELIVERY_OPTIONS, pollInitialMs: 50, responseWindowMs: 0 };
      const p = poller(store, client, 1, 2, options);
      p.start();
      const pump = setInterval(() => p.pump(), 50);
      try {
        await waitFor(
          '40 documents delivered',
          async () => (await store.counts()).delivered === 40,
          20_000,
        );
      } finally {
        clearInterval(pump);
      }
      for (const id of ids) expect(asked.get(`tx-${id}`)).toBe(2);
      // None of them went through the buyer-response budget.
      expect(p.budget.granted).toBe(0);
    },
  );
});
