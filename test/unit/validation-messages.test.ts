import { describe, expect, it } from 'vitest';
import { checkDocument } from '../../app/validation/index';
import type { Finding } from '../../app/validation/index';
import type { Ctx } from '../../app/validation/rule';
import { ALL_RULES } from '../../app/validation/rules/index';
import { change, utf8, validCreditNote, validInvoice } from '../conformance/sample-documents';

const NAMES_TERM = /\bB[TG]-\d+/;

/**
 * Rules whose message cannot name a business term, and why. Everything else must name the BT/BG
 * it is about, so the clerk can find the field in the accounting system.
 */
const NO_BUSINESS_TERM: { ids: (id: string) => boolean; why: string }[] = [
  {
    ids: (id) => /^UBL-CR-\d{3}$/.test(id) && id !== 'UBL-CR-666' && id !== 'UBL-CR-673',
    why: 'UBL elements that Peppol BIS does not use: they have no business term by definition',
  },
  {
    ids: (id) => /^UBL-DT-(0[89]|1\d|2[0-8])$/.test(id),
    why: 'UBL attributes that Peppol BIS does not use: no business term by definition',
  },
  {
    ids: (id) => id === 'PEPPOL-EN16931-R008',
    why: 'any empty element, whatever its business term (the location names it)',
  },
];

function allowed(id: string): boolean {
  return NO_BUSINESS_TERM.some((a) => a.ids(id));
}

/** The message a rule gives on an invoice and on a credit note. */
function messagesOf(rule: (typeof ALL_RULES)[number]): string[] {
  if (!rule.messageFor) return [rule.message];
  const ctx = (isInvoice: boolean) => ({ isInvoice }) as unknown as Ctx;
  return [rule.message, rule.messageFor(ctx(true)), rule.messageFor(ctx(false))];
}

function findings(xml: string): Finding[] {
  const r = checkDocument(utf8(xml));
  if (!r.ok) throw new Error(r.error.message);
  return r.verdict.findings;
}

describe('finding messages', () => {
  it('every rule names a business term (BT/BG) or is on the explicit allow-list', () => {
    const missing = ALL_RULES.filter(
      (r) => !allowed(r.id) && messagesOf(r).some((m) => !NAMES_TERM.test(m)),
    ).map((r) => `${r.id}: ${r.message}`);
    expect(missing).toEqual([]);
    // The allow-list is not a blanket: it covers only the families it says.
    expect(ALL_RULES.filter((r) => allowed(r.id)).length).toBeLessThan(ALL_RULES.length / 1.5);
  });

  it('no message shows an internal key ("!UBLVersionID", "!665", …)', () => {
    const leaked = ALL_RULES.flatMap((r) => messagesOf(r).map((m) => [r.id, m]))
      .filter(([, m]) => /![A-Za-z0-9]/.test(m!))
      .map(([id, m]) => `${id}: ${m}`);
    expect(leaked).toEqual([]);
  });

  it('UBL-CR findings are worded for the document type and point at the offending element', () => {
    const cn = change(
      validCreditNote(),
      '<cac:CreditNoteLine><cbc:ID>1</cbc:ID>',
      '<cac:CreditNoteLine><cbc:ID>1</cbc:ID><cbc:UUID>u-1</cbc:UUID>',
    );
    const f = findings(cn).find((x) => x.rule === 'UBL-CR-515');
    expect(f).toMatchObject({
      flag: 'warning',
      location: '/CreditNote/cac:CreditNoteLine/cbc:UUID',
    });
    expect(f!.message).toMatch(/^The credit note contains CreditNoteLine\/UUID,/);
    expect(f!.message).not.toMatch(/invoice contains|InvoiceLine/);

    const inv = change(
      validInvoice(),
      '<cac:InvoiceLine><cbc:ID>1</cbc:ID>',
      '<cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:UUID>u-1</cbc:UUID>',
    );
    const g = findings(inv).find((x) => x.rule === 'UBL-CR-515');
    expect(g!.message).toMatch(/^The invoice contains InvoiceLine\/UUID,/);
    expect(g!.location).toBe('/Invoice/cac:InvoiceLine/cbc:UUID');
  });

  it('UBL-CR-002 (UBL version other than 2.1) reads plainly and points at the version', () => {
    const xml = change(
      validInvoice(),
      '<cbc:CustomizationID>',
      '<cbc:UBLVersionID>2.0</cbc:UBLVersionID><cbc:CustomizationID>',
    );
    const f = findings(xml).find((x) => x.rule === 'UBL-CR-002');
    expect(f).toMatchObject({ location: '/Invoice/cbc:UBLVersionID' });
    expect(f!.message).toContain('UBL version (UBLVersionID) other than 2.1');
  });

  it('UBL-DT attribute findings point at the element that carries the attribute', () => {
    const xml = change(
      validInvoice(),
      '<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>',
      '<cbc:DocumentCurrencyCode listName="x">EUR</cbc:DocumentCurrencyCode>',
    );
    expect(findings(xml).find((x) => x.rule === 'UBL-DT-17')?.location).toBe(
      '/Invoice/cbc:DocumentCurrencyCode',
    );
  });

  it('"at most once" findings point at the second occurrence', () => {
    const xml = change(
      validInvoice(),
      '<cbc:BuyerReference>REF-1</cbc:BuyerReference>',
      '<cbc:BuyerReference>REF-1</cbc:BuyerReference><cac:ContractDocumentReference><cbc:ID>C-1</cbc:ID></cac:ContractDocumentReference><cac:ContractDocumentReference><cbc:ID>C-2</cbc:ID></cac:ContractDocumentReference>',
    );
    expect(findings(xml).find((x) => x.rule === 'UBL-SR-01')?.location).toBe(
      '/Invoice/cac:ContractDocumentReference[2]/cbc:ID',
    );
  });

  it('common findings carry a hint: totals, missing buyer reference, endpoint, dates, structure', () => {
    const totals = change(
      validInvoice(),
      '<cbc:PayableAmount currencyID="EUR">125.00</cbc:PayableAmount>',
      '<cbc:PayableAmount currencyID="EUR">126.00</cbc:PayableAmount>',
    );
    expect(findings(totals).find((x) => x.rule === 'BR-CO-16')?.hint).toMatch(/Amount due/);
    const noRef = change(validInvoice(), '<cbc:BuyerReference>REF-1</cbc:BuyerReference>', '');
    expect(findings(noRef).find((x) => x.rule === 'PEPPOL-EN16931-R003')?.hint).toMatch(
      /buyer for their reference/,
    );
    const badDate = change(
      validInvoice(),
      '<cbc:DueDate>2025-05-31</cbc:DueDate>',
      '<cbc:DueDate>31.05.2025</cbc:DueDate>',
    );
    const dateFindings = findings(badDate).filter((x) => x.location === '/Invoice/cbc:DueDate');
    expect(dateFindings.length).toBeGreaterThan(0);
    for (const f of dateFindings) expect(f.hint).toMatch(/2025-05-31/);
    for (const id of [
      'BR-CO-10',
      'BR-CO-13',
      'BR-CO-14',
      'BR-CO-15',
      'BR-CO-17',
      'BR-S-08',
      'BR-CO-25',
      'PEPPOL-EN16931-R010',
      'PEPPOL-EN16931-R020',
    ]) {
      expect(ALL_RULES.find((r) => r.id === id)?.hint, id).toBeTruthy();
    }
  });

  it('a rule listing its terms in `bt` shows them in the message (BR-CL-03, BR-CL-14)', () => {
    expect(ALL_RULES.find((r) => r.id === 'BR-CL-03')?.message).toContain('(BT-5)');
    expect(ALL_RULES.find((r) => r.id === 'BR-CL-14')?.message).toMatch(/BT-40/);
  });
});
