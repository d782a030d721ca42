import { describe, expect, it } from 'vitest';
import { checkDocument } from '../../app/validation/check';
import { warmUpInvoice, WARM_UP_ROUNDS } from '../../app/validation/warm-up';

// A fresh validation worker checks this built-in invoice a few times before real documents come
// (app/validation/worker.ts): it must take the path a typical valid invoice takes, all the rules.
describe('validation worker warm-up', () => {
  it('checks a valid typical invoice, another number each round', () => {
    const numbers = new Set<string>();
    for (let round = 0; round < WARM_UP_ROUNDS; round++) {
      const r = checkDocument(warmUpInvoice(round));
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.verdict.findings).toEqual([]);
      expect(r.verdict.valid).toBe(true);
      numbers.add(r.summary.invoiceNumber ?? '');
    }
    expect(numbers.size).toBe(WARM_UP_ROUNDS);
  });
});
