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
  docType: 'Invoice',
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

describe('a transaction the team’s access point does not know (404)', () => {
  const unknown = (sandbox: boolean) =>
    pollResultOf(claim, { kind: 'unknown' }, 1_700_000, DEFAULT_DELIVERY_OPTIONS, sandbox);

  it('stops asking and says to ask the provider, or, on built-in Sandboxes, why', () => {
    const provider = unknown(false);
    expect(provider).toMatchObject({
      moves: [],
      nextPollInMs: null,
      problem: { code: 'DELIVERY_UNCONFIRMED', action: 'none' },
      note: 'The access point does not know this transaction; stopped asking',
    });
    expect(provider.problem!.message).toContain('Ask your provider whether it was delivered');
    const practice = unknown(true);
    expect(practice.problem!.message).toBe(
      "The built-in Sandbox no longer knows this practice invoice (transaction tx-7): on a team, each desk's Sandbox knows only what that desk sent, and forgets it when Peppol Desk restarts. Nothing was really sent. Add the file again to practise with it once more.",
    );
    expect(practice.note).toBe('The built-in Sandbox no longer knows this invoice; stopped asking');
  });
});

describe("a buyer's answer read by a team desk", () => {
  it('calls a credit note a credit note, as a single desk does', () => {
    const answered = (docType: PollClaim['docType']) =>
      pollResultOf(
        { ...claim, state: 'delivered', deliveredAt: 1_000_500, docType },
        {
          kind: 'response',
          answer: { code: 'RE', note: 'Wrong order number', at: 1_002_000 },
          nextPollAt: null,
        },
        1_002_000,
        DEFAULT_DELIVERY_OPTIONS,
      ).problem!.message;
    expect(answered('CreditNote')).toContain('this credit note');
    expect(answered('CreditNote')).not.toContain('this invoice');
    expect(answered('Invoice')).toContain('this invoice');
  });
});
