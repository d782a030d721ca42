/**
 * How many sends a team desk has in flight. Its setting is the single desk's: 'auto' (the
 * default) lets the adaptive limiter grow while the access point answers as fast with more in
 * flight, a number fixes it. A team desk used to turn 'auto' into a fixed 10, so at L = 50 ms a
 * desk could not send more than 200 invoices a second whatever its access point took.
 */
import { describe, expect, it } from 'vitest';
import type { AccessPointClient, ApOutcome, SendAnswer } from '../../app/access-point/client';
import { teamDocMaker } from '../helpers/team-docs';
import { MemoryTeamStore } from '../helpers/team-memory-store';
import { testSender } from '../helpers/team-sender';
import { waitFor } from '../helpers/wait';

/** An access point that accepts every send after `ms`, noting the most sends it held at once. */
function countingClient(ms: number) {
  let now = 0;
  let most = 0;
  let n = 0;
  const client = {
    send: async (): Promise<ApOutcome<SendAnswer>> => {
      n++;
      now++;
      most = Math.max(most, now);
      await new Promise((r) => setTimeout(r, ms));
      now--;
      return { kind: 'ok', status: 202, value: { transactionId: `tx-${n}` } as SendAnswer };
    },
  } as unknown as AccessPointClient;
  return {
    client,
    most: () => most,
    resetMost: () => (most = now),
    sends: () => n,
  };
}

const sender = (store: MemoryTeamStore, client: AccessPointClient, c: number | 'auto') =>
  testSender(store, client, 'desk-c', c);

describe('sends in flight on a team desk', () => {
  it("'auto' grows past 10 while the access point answers as fast; a number fixes it", async () => {
    const store = new MemoryTeamStore();
    const doc = teamDocMaker('CC');
    const N = 400;
    await store.enqueue(
      'desk-c',
      Array.from({ length: N }, () => doc()),
    );
    const ap = countingClient(10);
    const s = sender(store, ap.client, 'auto');
    s.start();
    try {
      await waitFor('more than 10 sends in flight at once', () => ap.most() > 10, 20_000);
      // The single desk's bound: the limiter never goes past 64.
      expect(ap.most()).toBeLessThanOrEqual(64);
      // Settings → a number: from then on at most that many.
      s.setConcurrency(3);
      await waitFor('the sends over 3 answered', () => ap.resetMost() <= 3, 10_000);
      const at = ap.sends();
      await waitFor('more invoices sent at 3', () => ap.sends() >= at + 30, 10_000);
      expect(ap.most()).toBeLessThanOrEqual(3);
      await waitFor('every invoice written', () => s.finished === N, 30_000);
      expect(ap.sends()).toBe(N);
    } finally {
      await s.stop();
    }
  });

  it('a fixed number is never exceeded', async () => {
    const store = new MemoryTeamStore();
    const doc = teamDocMaker('CF');
    const N = 200;
    await store.enqueue(
      'desk-c',
      Array.from({ length: N }, () => doc()),
    );
    const ap = countingClient(5);
    const s = sender(store, ap.client, 10);
    s.start();
    try {
      await waitFor('every invoice written', () => s.finished === N, 30_000);
      expect(ap.most()).toBe(10);
    } finally {
      await s.stop();
    }
  });
});
