/**
 * Statuses as the docs write them (`delivered`, `failed`, `accepted`, `rejected`), whatever case
 * the provider answers in: an upper-case `DELIVERED` read as an unknown status was tracked for a
 * week, and an `ACCEPTED` batch item read as not mentioned was sent again (a duplicate).
 */
import { describe, expect, it } from 'vitest';
import { toBatchResults, toTransaction } from '../../app/access-point/answers';
import { DEFAULT_DELIVERY_OPTIONS, judgeTransaction } from '../../app/queue/stages/delivery-judge';

describe('status values in any case', () => {
  it('reads transaction statuses in lower case, so DELIVERED and Failed are final', () => {
    expect(toTransaction({ transaction_id: 't1', status: 'DELIVERED' }).status).toBe('delivered');
    expect(toTransaction({ id: 't2', status: ' Failed ' }).status).toBe('failed');
    expect(toTransaction({ id: 't3', status: 'QUEUED_FOR_AS4' }).status).toBe('queued_for_as4');
    const facts = {
      state: 'accepted' as const,
      acceptedAt: 0,
      deliveredAt: null,
      businessResponse: null,
      businessResponseAt: null,
    };
    const delivered = toTransaction({ id: 't1', status: 'DELIVERED' });
    expect(judgeTransaction(facts, delivered, DEFAULT_DELIVERY_OPTIONS, 5_000).kind).toBe(
      'delivered',
    );
  });

  it('reads batch item statuses in lower case', () => {
    const results = toBatchResults({
      results: [
        { id: 'k1', status: 'ACCEPTED', transaction_id: 't1' },
        { id: 'k2', status: 'Rejected', error: { code: 'X', message: 'No.' } },
      ],
    });
    expect(results.map((r) => r.status)).toEqual(['accepted', 'rejected']);
  });
});
