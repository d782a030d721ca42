import { describe, expect, it } from 'vitest';
import {
  DELIVERY_LATE_MS,
  deliveredValue,
} from '../../renderer/src/features/detail/delivery-section';
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
