/**
 * A delivery read from the access point is written with its date on the access point's clock;
 * the acceptance is dated on the database's. A delivery is never shown before its acceptance.
 */
import { describe, expect, it } from 'vitest';
import { pollResultOf } from '../../app/team/desk-poller';
import { DEFAULT_DELIVERY_OPTIONS } from '../../app/queue/stages/delivery-judge';
import type { PollClaim } from '../../app/team/store';

const claim: PollClaim = {
  id: 7,
  pollFence: 1,
  state: 'accepted',
  transactionId: 'tx-7',
  acceptedAt: 1_000_000,
  deliveredAt: null,
  businessResponse: null,
  businessResponseAt: null,
  leaseUntil: 1_030_000,
};

describe('a delivery written by a team desk', () => {
  it('is dated at its acceptance when the access point dates it earlier, else as it says', () => {
    const delivered = (at: number) =>
      pollResultOf(
        claim,
        { kind: 'delivered', deliveredAt: at, nextPollAt: null, answer: null },
        1_001_000,
        DEFAULT_DELIVERY_OPTIONS,
      ).deliveredAt;
    expect(delivered(999_828)).toBe(1_000_000);
    expect(delivered(1_000_300)).toBe(1_000_300);
  });
});
