import { describe, expect, it } from 'vitest';
import { sendAnywayLead } from '../../renderer/src/lib/send-anyway-words';

const number = { code: 'DUPLICATE', message: '…', action: 'decide' as const };
const bytes = { code: 'DUPLICATE_CONTENT', message: '…', action: 'decide' as const };
const invoice = { docType: 'Invoice' as const, invoiceNumber: 'A-1', problem: number };

describe("Send anyway's first line says what sending would do (walk 14)", () => {
  it('a first version that was not sent: only this one goes', () => {
    for (const state of ['cancelled', 'invalid', 'superseded', 'failed'] as const) {
      expect(sendAnywayLead(invoice, { id: 3, state }), state).toBe(
        'The first one (document #3) was not sent: only this invoice would go to the buyer. Compare the two before deciding.',
      );
    }
  });

  it('a first version sent or on its way: two invoices with one number', () => {
    expect(sendAnywayLead(invoice, { id: 3, state: 'delivered' })).toBe(
      'The buyer already has invoice A-1 with other content (document #3): sending this one too gives the buyer two invoices with one number. Compare the two before deciding.',
    );
    expect(sendAnywayLead(invoice, { id: 3, state: 'queued' })).toMatch(
      /^The buyer is about to receive invoice A-1 with other content \(document #3\)/,
    );
  });

  it('the same bytes: the buyer receives it twice', () => {
    expect(
      sendAnywayLead(
        { ...invoice, docType: 'CreditNote', problem: bytes },
        { id: 4, state: 'accepted' },
      ),
    ).toBe(
      'The buyer already has this same credit note (document #4): sending it anyway, the buyer receives it twice. Compare the two before deciding.',
    );
  });
});
