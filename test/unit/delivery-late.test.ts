import { describe, expect, it } from 'vitest';
import {
  DELIVERY_LATE_MS,
  deliveredValue,
} from '../../renderer/src/features/detail/delivery-section';
import { deliveryLateWords } from '../../renderer/src/features/documents/wait-reason';
import { formatTime } from '../../renderer/src/lib/format';

const ACCEPTED = Date.UTC(2026, 11, 6, 18, 0);

describe('"Delivered" of an invoice the access point accepted (walk 19)', () => {
  it('is the delivery time once delivered', () => {
    const d = { state: 'delivered', acceptedAt: ACCEPTED, deliveredAt: ACCEPTED + 5_000 } as const;
    expect(deliveredValue(d, ACCEPTED + 3_600_000)).toBe(formatTime(ACCEPTED + 5_000));
  });

  it('says nothing while a delivery is usual, and that it is late past ten minutes', () => {
    const d = { state: 'accepted', acceptedAt: ACCEPTED, deliveredAt: null } as const;
    expect(deliveredValue(d, ACCEPTED + 30_000)).toBeNull();
    expect(deliveredValue(d, ACCEPTED + DELIVERY_LATE_MS - 1)).toBeNull();
    expect(deliveredValue(d, ACCEPTED + 3_600_000)).toBe(
      'Not confirmed yet, although deliveries usually take less than a minute. Peppol Desk keeps asking the access point; if it lasts, ask your provider about the transaction.',
    );
    // Not for one whose delivery failed or was never sent.
    expect(deliveredValue({ ...d, state: 'failed' }, ACCEPTED + 3_600_000)).toBeNull();
    expect(
      deliveredValue({ state: 'queued', acceptedAt: null, deliveredAt: null }, ACCEPTED),
    ).toBeNull();
  });
});

describe('the row of an invoice the access point accepted (walk 19b, B2)', () => {
  const row = {
    state: 'accepted',
    acceptedAt: ACCEPTED,
    deliveredAt: null,
    problem: null,
  } as const;

  it('says its delivery is not confirmed once it is late, nothing before', () => {
    expect(deliveryLateWords(row, ACCEPTED + DELIVERY_LATE_MS - 1)).toBeNull();
    expect(deliveryLateWords(row, ACCEPTED + DELIVERY_LATE_MS)).toBe('Delivery not confirmed yet');
    expect(deliveryLateWords(row, ACCEPTED + 3_600_000)).toBe('Delivery not confirmed yet');
  });

  it('says nothing once delivered, for other states, or when its problem says more', () => {
    const late = ACCEPTED + 3_600_000;
    expect(deliveryLateWords({ ...row, state: 'delivered', deliveredAt: late }, late)).toBeNull();
    expect(deliveryLateWords({ ...row, state: 'failed' }, late)).toBeNull();
    const stopped = {
      ...row,
      problem: {
        code: 'DELIVERY_UNCONFIRMED',
        message: 'Check with your provider.',
        action: 'none',
      },
    } as const;
    expect(deliveryLateWords(stopped, late)).toBeNull();
    // The details do not say "keeps asking" beside such a problem either.
    expect(deliveredValue(stopped, late)).toBe('Not confirmed');
  });
});
