import { describe, expect, it } from 'vitest';
import { toTransaction } from '../../app/access-point/answers';

// Walk 6 finding 6: the contract names no field for the buyer's response; a provider that wrote
// it as `invoice_response` had its rejection read as Delivered (and `send` exited 0).

describe("the buyer's response, under the names providers give it", () => {
  const base = { id: 't1', status: 'delivered' };

  it('business_response as before, as an object or a bare code (any code is kept)', () => {
    expect(
      toTransaction({ ...base, business_response: { code: 'RE', note: 'Wrong order number' } }),
    ).toMatchObject({ businessResponse: 'RE', businessResponseNote: 'Wrong order number' });
    expect(toTransaction({ ...base, business_response: 'ZZ' }).businessResponse).toBe('ZZ');
  });

  it('invoice_response, buyer_response or response when they hold a known code', () => {
    for (const field of ['invoice_response', 'buyer_response', 'response']) {
      expect(
        toTransaction({ ...base, [field]: { code: 'RE', reason: 'Not ordered' } }),
      ).toMatchObject({ businessResponse: 'RE', businessResponseNote: 'Not ordered' });
      expect(toTransaction({ ...base, [field]: 'UQ' }).businessResponse).toBe('UQ');
    }
    // Something else under a generic name is not taken for an answer.
    expect(toTransaction({ ...base, response: { code: 'OK' } }).businessResponse).toBeNull();
    expect(toTransaction({ ...base, response: 'accepted by AS4' }).businessResponse).toBeNull();
  });

  it('the newest of a list of responses', () => {
    expect(
      toTransaction({
        ...base,
        responses: [
          { code: 'AB', received_at: '2026-12-01T10:00:00Z' },
          { code: 'RE', note: 'Duplicate', received_at: '2026-12-01T11:00:00Z' },
        ],
      }),
    ).toMatchObject({
      businessResponse: 'RE',
      businessResponseNote: 'Duplicate',
      businessResponseAt: '2026-12-01T11:00:00Z',
    });
    expect(toTransaction({ ...base, responses: [] }).businessResponse).toBeNull();
  });
});
