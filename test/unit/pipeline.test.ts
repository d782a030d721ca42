import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AccessPointClient, ApOutcome, SendAnswer } from '../../app/access-point/client';
import type { DocumentState } from '../../app/contract';
import { Pipeline, type PipelineOptions, type Validator } from '../../app/queue/pipeline';
import { openDb } from '../../app/store/db';
import { DocumentsRepo } from '../../app/store/documents-repo';
import { docInState } from '../helpers/walk';
import { pipelineDeps } from '../helpers/pipeline-deps';

const DAY = 24 * 60 * 60_000;
const pipelines: Pipeline[] = [];
/** Sends still waiting for an answer; answered "offline" at the end so stop() can finish. */
const pendingSends: ((o: ApOutcome<SendAnswer>) => void)[] = [];
const OFFLINE: ApOutcome<SendAnswer> = {
  kind: 'transient',
  status: null,
  retryAfterMs: null,
  message: 'test over',
  offline: true,
};
afterEach(async () => {
  vi.useRealTimers();
  const stopping = pipelines.splice(0).map((p) => p.stop());
  for (const answer of pendingSends.splice(0)) answer(OFFLINE);
  await Promise.all(stopping);
});

/** A client that answers nothing by default; each test sets what it needs. */
function stubClient(overrides: Partial<Record<keyof AccessPointClient, unknown>> = {}) {
  const never = () => new Promise<never>(() => undefined);
  return {
    baseUrl: 'http://stub',
    batchSupported: false,
    version: never,
    send: () => new Promise<ApOutcome<SendAnswer>>((r) => pendingSends.push(r)),
    sendBatch: never,
    lookup: never,
    validate: never,
    transaction: never,
    transactions: never,
    close: async () => undefined,
    ...overrides,
  } as unknown as AccessPointClient;
}

function setup(
  client: AccessPointClient,
  options: PipelineOptions = {},
  now: () => number = Date.now,
) {
  const db = openDb({ dataDir: ':memory:' });
  const repo = new DocumentsRepo(db, now);
  const validator: Validator = {
    cacheKey: 'test',
    check: () => new Promise(() => undefined),
  };
  const pipeline = new Pipeline(pipelineDeps(db, { repo, client, validator }, { now }), {
    concurrency: 1,
    ...options,
  });
  pipelines.push(pipeline);
  return { db, repo, pipeline };
}

const docIn = docInState;

const TO_QUEUED: DocumentState[] = ['validating', 'ready', 'resolving', 'queued'];

/** Pump cycles from now on: validation looks for received documents once per cycle. */
function countPumps(repo: DocumentsRepo): () => number {
  let pumps = 0;
  const inState = repo.inState.bind(repo);
  repo.inState = (state, limit) => {
    if (state === 'received') pumps++;
    return inState(state, limit);
  };
  return () => pumps;
}

describe('pipeline timers', () => {
  it('does not spin while paused with retries long due (counts pump cycles over 10 s)', () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'setInterval', 'clearInterval'],
    });
    const { repo, pipeline } = setup(stubClient(), { paused: true });
    for (let i = 0; i < 3; i++) {
      docIn(repo, [...TO_QUEUED, 'sending', 'retry_wait'], {
        next_attempt_at: Date.now() - 60_000,
      });
    }
    const pumps = countPumps(repo);
    pipeline.start();
    vi.advanceTimersByTime(10_000);
    // Before the fix the timer fired every 5 ms: about 2,000 cycles.
    expect(pumps()).toBeGreaterThanOrEqual(1);
    expect(pumps()).toBeLessThanOrEqual(3);
    expect(repo.counts().retry_wait).toBe(3);
    expect(repo.counts().sending).toBe(0);
  });

  it('wakes up at most once a second while the only send slot is busy and a retry is due', () => {
    vi.useFakeTimers({
      toFake: [
        'setTimeout',
        'clearTimeout',
        'setImmediate',
        'setInterval',
        'clearInterval',
        'Date',
      ],
    });
    // The one slot: a send that never answers; the retry comes due while it is out.
    const { repo, pipeline } = setup(stubClient());
    docIn(repo, TO_QUEUED);
    docIn(repo, [...TO_QUEUED, 'sending', 'retry_wait'], { next_attempt_at: Date.now() + 100 });
    const pumps = countPumps(repo);
    pipeline.start();
    vi.advanceTimersByTime(10_000);
    // One request out (a document claimed ahead of the slot may wait in `sending` beside it).
    expect(pendingSends).toHaveLength(1);
    expect(pumps()).toBeLessThanOrEqual(15);
  });
});

describe('delivery tracking', () => {
  it('stops polling a transaction never confirmed after 7 days, leaving the document accepted with a problem', async () => {
    let clock = 1_000_000;
    let polls = 0;
    const client = stubClient({
      transaction: async (id: string) => {
        polls++;
        return {
          kind: 'ok',
          status: 200,
          value: { id, status: 'sending', deliveredAt: null, error: null, businessResponse: null },
        };
      },
    });
    const { repo, pipeline } = setup(client, { pollInitialMs: 10, pollMaxMs: 10 }, () => clock);
    const young = docIn(repo, [...TO_QUEUED, 'sending', 'accepted'], {
      transaction_id: 'tx-young',
      accepted_at: clock,
      next_poll_at: clock,
    });
    const old = docIn(repo, [...TO_QUEUED, 'sending', 'accepted'], {
      transaction_id: 'tx-old',
      accepted_at: clock - 7 * DAY - 1,
      next_poll_at: clock,
    });
    pipeline.start();
    await expect
      .poll(() => repo.get(old)?.problem_code, { timeout: 5_000 })
      .toBe('DELIVERY_UNCONFIRMED');
    const gaveUp = repo.get(old)!;
    expect(gaveUp.state).toBe('accepted');
    expect(gaveUp.next_poll_at).toBeNull();
    expect(gaveUp.problem_message).toMatch(/not confirmed delivery .* after 7 days/);
    expect(gaveUp.problem_message).toContain('Check with your provider');
    expect(repo.timeline(old).at(-1)?.detail).toMatch(/Delivery not confirmed after 7 days/);
    // The young one is still being asked about; the clock moves past its 7 days and it stops too.
    expect(repo.get(young)?.next_poll_at).not.toBeNull();
    clock += 7 * DAY;
    await expect.poll(() => repo.get(young)?.next_poll_at, { timeout: 5_000 }).toBeNull();
    expect(repo.get(young)?.problem_code).toBe('DELIVERY_UNCONFIRMED');
    const asked = polls;
    clock += DAY;
    pipeline.kick();
    await expect.poll(() => pipeline.isIdle()).toBe(true);
    expect(polls).toBe(asked);
  });

  it('on start with tracking on, schedules accepted documents that were never tracked', () => {
    const { repo, pipeline } = setup(stubClient({ transaction: () => new Promise(() => {}) }));
    const untracked = docIn(repo, [...TO_QUEUED, 'sending', 'accepted'], {
      transaction_id: 'tx',
      accepted_at: 1,
    });
    const gaveUp = docIn(repo, [...TO_QUEUED, 'sending', 'accepted'], {
      transaction_id: 'tx2',
      accepted_at: 1,
      problem_code: 'DELIVERY_UNCONFIRMED',
    });
    expect(repo.get(untracked)?.next_poll_at).toBeNull();
    pipeline.start();
    expect(repo.get(untracked)?.next_poll_at).toBeGreaterThan(0);
    expect(repo.get(gaveUp)?.next_poll_at).toBeNull();
  });
});

describe('documents stuck in sending', () => {
  it('are put back at once when the send stage could not commit their outcome', async () => {
    const { repo, pipeline } = setup(stubClient(), { stuckCheckMs: 60_000 });
    const doc = docIn(repo, TO_QUEUED);
    const key = repo.get(doc)!.idempotency_key;
    pipeline.start();
    await expect.poll(() => repo.get(doc)?.state).toBe('sending');
    // The next group commit fails (disk full, database locked...): rolled back.
    const tx = repo.tx.bind(repo);
    let failures = 1;
    repo.tx = <T>(fn: () => T): T => {
      if (failures-- > 0)
        return tx(() => {
          fn();
          throw new Error('SQLITE_FULL: database or disk is full');
        });
      return tx(fn);
    };
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      pipeline.setPaused(true);
      pendingSends.shift()!({
        kind: 'ok',
        status: 200,
        value: { transactionId: 'tx-lost', status: 'accepted' },
      });
      // Not after the periodic check (a minute here): right after the failed commit.
      await expect.poll(() => repo.get(doc)?.state, { timeout: 2_000 }).toBe('queued');
    } finally {
      process.off('warning', onWarning);
    }
    expect(repo.get(doc)?.send_outcome_unknown).toBe(1);
    expect(repo.get(doc)?.idempotency_key).toBe(key);
    expect(warnings.some((w) => w.includes('could not record send outcomes'))).toBe(true);
  });

  it('puts back documents left in sending with no request in flight, and leaves the one in flight alone', async () => {
    const { db, repo, pipeline } = setup(stubClient(), { stuckCheckMs: 60_000 });
    const inFlight = docIn(repo, TO_QUEUED);
    pipeline.start();
    await expect.poll(() => repo.get(inFlight)?.state).toBe('sending');
    // As after a failed group commit: the row says sending, but no request is out for it.
    const stuck = docIn(repo, TO_QUEUED);
    const key = repo.get(stuck)!.idempotency_key;
    db.prepare("UPDATE documents SET state = 'sending', attempts = 1 WHERE id = ?").run(stuck);
    expect(pipeline.recoverStuckSending()).toEqual([stuck]);
    const back = repo.get(stuck)!;
    expect(back.state).toBe('queued');
    expect(back.send_outcome_unknown).toBe(1);
    expect(back.idempotency_key).toBe(key);
    expect(repo.timeline(stuck).at(-1)?.detail).toMatch(/not recorded; sending again/);
    expect(repo.get(inFlight)?.state).toBe('sending');
    expect(pipeline.recoverStuckSending()).toEqual([]);
    // The send answers: the document is accepted, its outcome known.
    pendingSends.shift()!({
      kind: 'ok',
      status: 200,
      value: { transactionId: 'tx-1', status: 'accepted' },
    });
    await expect.poll(() => repo.get(inFlight)?.state).toBe('accepted');
    expect(repo.get(inFlight)?.send_outcome_unknown).toBe(0);
  });

  it('marks a document found in sending at start (the last run died mid-send) as possibly at the access point', () => {
    const { repo, pipeline } = setup(stubClient(), { paused: true });
    const id = docIn(repo, [...TO_QUEUED, 'sending'], { attempts: 1 });
    pipeline.start();
    expect(repo.get(id)).toMatchObject({ state: 'queued', send_outcome_unknown: 1, attempts: 1 });
  });

  it('marks a document whose attempt went unanswered as possibly at the access point', async () => {
    const client = stubClient({
      send: async () => ({
        kind: 'transient',
        status: null,
        retryAfterMs: null,
        message: 'timeout',
        offline: false,
      }),
    });
    const { repo, pipeline } = setup(client, {
      retry: { maxAttempts: 8, baseDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    const id = docIn(repo, TO_QUEUED);
    pipeline.start();
    await expect.poll(() => repo.get(id)?.state).toBe('retry_wait');
    expect(repo.get(id)?.send_outcome_unknown).toBe(1);
  });
});

describe('batch window', () => {
  it('a lone document with more on the way waits the window, and the queue is read once while it is open', () => {
    vi.useFakeTimers({
      toFake: [
        'setTimeout',
        'clearTimeout',
        'setImmediate',
        'setInterval',
        'clearInterval',
        'Date',
        'performance',
      ],
    });
    const lookups: ((o: ApOutcome<unknown>) => void)[] = [];
    const { repo, pipeline } = setup(
      stubClient({
        batchSupported: true,
        lookup: () => new Promise<ApOutcome<unknown>>((r) => lookups.push(r)),
      }),
      { concurrency: 'auto' },
    );
    docIn(repo, TO_QUEUED);
    // More on the way: a document whose receiver is being looked up (the lookup never answers).
    docIn(repo, ['validating', 'ready']);
    const claimableQueued = vi.spyOn(repo, 'claimableQueued');
    const queuedReads = () => claimableQueued.mock.calls.length;
    pipeline.start();
    for (let ms = 0; ms < 15; ms++) {
      pipeline.kick();
      vi.advanceTimersByTime(1);
    }
    // Many commits inside the 20 ms window: the lone document waits, the queue was read once.
    expect(pendingSends).toHaveLength(0);
    expect(queuedReads()).toBe(1);
    vi.advanceTimersByTime(10);
    // The window is over: it leaves (alone, so as a single send).
    expect(pendingSends).toHaveLength(1);
    // The lookup ends (unavailable), so the pipeline can stop.
    expect(lookups).toHaveLength(1);
    lookups[0]!(OFFLINE);
  });
});

describe('receiver lookup', () => {
  /** A pipeline on fake timers whose lookups wait for the test to answer them (`lookups`). */
  function lookingUp() {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'setInterval', 'clearInterval'],
    });
    const lookups: ((o: ApOutcome<unknown>) => void)[] = [];
    const made = setup(
      stubClient({ lookup: () => new Promise<ApOutcome<unknown>>((r) => lookups.push(r)) }),
      { concurrency: 4, sender: { batching: false } },
    );
    return { ...made, lookups };
  }

  it('gives its answer to the documents of that buyer checked while it was out, in the same turn', async () => {
    const { repo, pipeline, lookups } = lookingUp();
    const buyer = '0088:5790000435968';
    docIn(repo, ['validating', 'ready'], { receiver_id: buyer });
    pipeline.start();
    vi.advanceTimersByTime(1);
    expect(lookups).toHaveLength(1);
    expect(repo.counts().resolving).toBe(1);
    // Three more of the same buyer are checked while its lookup is out.
    for (let i = 0; i < 3; i++) docIn(repo, ['validating', 'ready'], { receiver_id: buyer });
    // And one of another buyer: looked up by the pipeline's next pump, not by this round's end
    // (which may come while the pipeline stops or switches access points).
    docIn(repo, ['validating', 'ready'], { receiver_id: '0088:7300010000001' });
    lookups[0]!({
      kind: 'ok',
      status: 200,
      value: { found: true, name: 'Buyer', capabilities: [] },
    });
    // Only promise callbacks run from here (no timer, no setImmediate): a turn of the event
    // loop later the send stage's group commit may already claim, and it took the first alone.
    for (let hop = 0; hop < 50; hop++) await Promise.resolve();
    expect(repo.counts()).toMatchObject({ ready: 1, resolving: 0, queued: 4 });
    expect(lookups).toHaveLength(1);
  });

  it('reads the ready documents again only once one entered ready, and so finds each', () => {
    const { repo, pipeline, lookups } = lookingUp();
    const readyReads = vi.spyOn(repo, 'inState');
    const reads = () => readyReads.mock.calls.filter(([state]) => state === 'ready').length;
    pipeline.start();
    // Nothing is ready: pumps on every change read it once (at 10,000 invoices: 4,497 reads).
    for (let i = 0; i < 50; i++) {
      pipeline.kick();
      vi.advanceTimersByTime(1);
    }
    expect(reads()).toBe(1);
    // A document checked now (its buyer not known yet) enters ready: the next pump finds it.
    docIn(repo, ['validating', 'ready'], { receiver_id: '0088:5790000435968' });
    pipeline.kick();
    vi.advanceTimersByTime(1);
    expect(lookups).toHaveLength(1);
    expect(repo.counts().resolving).toBe(1);
    lookups[0]!(OFFLINE);
  });
});
