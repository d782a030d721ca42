import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApOutcome } from '../../app/access-point/client';
import type { Metrics } from '../../app/metrics/metrics';
import { SendSlots, type SendStageOptions } from '../../app/queue/stages/send-slots';
import type { Unit } from '../../app/queue/stages/send-plan';
import type { DocumentRecord } from '../../app/store/documents-repo';

// The send stage's slots, pace and bytes (app/queue/stages/send-slots.ts) on their own: what a
// claim waiting for the disk takes, and what an answer gives back and teaches.

const OPTIONS: SendStageOptions = {
  concurrency: 3,
  retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
  trackDelivery: false,
  pollInitialMs: 1000,
};

function setup(options: SendStageOptions = OPTIONS) {
  const requests: [string, string][] = [];
  const heard: ApOutcome<unknown>[] = [];
  const metrics = {
    recordRequest: (kind: string, status: string) => requests.push([kind, status]),
  } as unknown as Metrics;
  const slots = new SendSlots({ metrics, noteOutcome: (o) => heard.push(o) }, options);
  return { slots, requests, heard };
}

const doc = { id: 1 } as DocumentRecord;
const single = (bytes: number): Unit => ({ kind: 'single', doc, body: Buffer.alloc(0), bytes });
const batch = (bytes: number): Unit => ({ kind: 'batch', docs: [doc], items: [], key: 'k', bytes });

describe('SendSlots', () => {
  it('counts claims waiting for the disk as taken until they are released', () => {
    const { slots } = setup();
    expect(slots.freeSingles()).toBe(3);
    expect(slots.freeBatches()).toBe(3);
    const claims = [
      { unit: single(10), ahead: false },
      { unit: single(20), ahead: true },
      { unit: batch(300), ahead: false },
    ];
    for (const c of claims) slots.reserve(c);
    expect(slots.freeSingles()).toBe(2); // the claim ahead takes no slot yet
    expect(slots.pendingAhead).toBe(1);
    expect(slots.freeBatches()).toBe(2);
    expect(slots.bytesHeld).toBe(330);
    slots.unreserve(claims);
    expect([slots.freeSingles(), slots.pendingAhead, slots.freeBatches()]).toEqual([3, 0, 3]);
    expect(slots.bytesHeld).toBe(0);
  });

  it('holds a request’s slot and bytes while it is out, and frees them on its answer', () => {
    const { slots, requests, heard } = setup();
    const req = slots.start('single', 1234);
    expect(slots.inFlight).toBe(1);
    expect(slots.freeSingles()).toBe(2);
    expect(slots.bytesInFlight).toBe(1234);
    expect(slots.bytesHeld).toBe(1234);
    slots.unhold(req);
    expect(slots.bytesInFlight).toBe(0);
    const outcome: ApOutcome<unknown> = { kind: 'ok', value: {}, status: 202 };
    expect(slots.answered(req, outcome)).toBeGreaterThanOrEqual(0);
    expect(slots.inFlight).toBe(0);
    expect(slots.freeSingles()).toBe(3);
    expect(requests).toEqual([['single', '202']]);
    expect(heard).toEqual([outcome]);
  });

  it('measures silence by the documents out: one single send says nothing, a batch of 6 does', () => {
    // Walk 9: one batch of 6 hanging for 30 s a try left the header "Online".
    const { slots } = setup();
    const later = () => performance.now() + 10_000;
    const one = slots.start('single', 10);
    expect(slots.silentForMs(later())).toBe(0);
    slots.unhold(one);
    const six = slots.start('batch', 600, 6);
    expect(slots.silentForMs(later())).toBeGreaterThan(9_000);
    slots.unhold(six);
    expect(slots.silentForMs(later())).toBe(0);
    // Two single sends out with no answer: silence, as before.
    slots.start('single', 10);
    slots.start('single', 10);
    expect(slots.silentForMs(later())).toBeGreaterThan(9_000);
  });

  it('learns a rate limit from a 429 and names offline and network failures in the metrics', () => {
    const { slots, requests } = setup({ ...OPTIONS, concurrency: 'auto' });
    const transient = (status: number | null, offline: boolean): ApOutcome<unknown> => ({
      kind: 'transient',
      status,
      retryAfterMs: null,
      message: 'm',
      offline,
    });
    slots.answered(slots.start('batch', 1), transient(429, false));
    expect(slots.gate.rateLimited).toBe(1);
    slots.answered(slots.start('single', 1), transient(null, true));
    slots.answered(slots.start('single', 1), transient(null, false));
    expect(requests).toEqual([
      ['batch', '429'],
      ['single', 'offline'],
      ['single', 'network'],
    ]);
    expect(slots.inFlight).toBe(0);
  });

  it('sets a fixed number of requests in flight, or adaptive again', () => {
    const { slots } = setup({ ...OPTIONS, concurrency: 'auto' });
    expect(slots.single.isFixed).toBe(false);
    slots.setConcurrency(5.7);
    expect(slots.single.isFixed).toBe(true);
    expect([slots.single.limit, slots.batch.limit]).toEqual([5, 5]);
    slots.setConcurrency('auto');
    expect(slots.single.isFixed).toBe(false);
  });

  describe('what an answer teaches the slots’ limiter (walk 15)', () => {
    afterEach(() => vi.restoreAllMocks());

    // Walk 15: an access point refusing 30 % of sends with 429 at once, taking the others in
    // 300 ms: each quick 429 taught the limiter a round trip of a millisecond, every send then
    // looked like queueing, and the limit fell to 1 (0.5 invoices a second).
    it('a quick 429 or refusal teaches no round trip: sends taken in 300 ms keep their limit', () => {
      const clock = { t: 0 };
      vi.spyOn(performance, 'now').mockImplementation(() => clock.t);
      const { slots } = setup({ ...OPTIONS, concurrency: 'auto' });
      const tooMany: ApOutcome<unknown> = {
        kind: 'transient',
        status: 429,
        retryAfterMs: 1000,
        message: 'Too many requests',
        offline: false,
      };
      const refused: ApOutcome<unknown> = {
        kind: 'permanent',
        error: { status: 400, code: 'VALIDATION_FAILED', message: 'refused', details: [] },
      } as unknown as ApOutcome<unknown>;
      const taken: ApOutcome<unknown> = { kind: 'ok', value: {}, status: 202 };
      const out: {
        req: ReturnType<SendSlots['start']>;
        at: number;
        outcome: ApOutcome<unknown>;
      }[] = [];
      let n = 0;
      for (; clock.t < 20_000; clock.t++) {
        for (let i = out.length - 1; i >= 0; i--) {
          const r = out[i]!;
          if (r.at > clock.t) continue;
          out.splice(i, 1);
          slots.unhold(r.req);
          slots.answered(r.req, r.outcome);
        }
        for (let k = slots.freeSingles(); k > 0; k--) {
          // Every 10th a 429 and every 10th a refusal, each at once; the rest taken in 300 ms.
          const outcome = n % 10 === 3 ? tooMany : n % 10 === 7 ? refused : taken;
          n++;
          out.push({
            req: slots.start('single', 10),
            at: clock.t + (outcome === taken ? 300 : 1),
            outcome,
          });
        }
      }
      expect(slots.single.limit).toBeGreaterThanOrEqual(60);
    });
  });
});
