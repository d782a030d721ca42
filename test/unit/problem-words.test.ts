import { describe, expect, it } from 'vitest';
import {
  accessPointChangedUnconfirmed,
  inDoubtHeld,
  queuedForOtherAccessPoint,
} from '../../app/domain/in-doubt';
import { duplicateNumber, receiverNotOnPeppol, validationFailed } from '../../app/domain/problems';
import { duplicateProblemNow } from '../../app/domain/duplicate-number';
import {
  attemptsExhausted,
  buyerResponseProblem,
  deliveryFailed,
  deliveryFailedWords,
  offlineWords,
  problemFromApError,
  readsAsWords,
  transientWords,
} from '../../app/queue/problems';

describe("the access point's words in a clerk's message", () => {
  it('keeps a readable sentence of the provider', () => {
    const p = problemFromApError({
      status: 400,
      code: 'DOCUMENT_TYPE_NOT_ACCEPTED',
      message: 'The receiver does not accept credit notes',
      details: null,
    });
    expect(p.message).toBe(
      'The access point refused this invoice (The receiver does not accept credit notes). Fix the file in your accounting system and drop it again.',
    );
  });

  it('leaves out JSON, HTML, bare status lines, errno codes and dumps', () => {
    for (const raw of [
      '{"error":"bad"}',
      '<html><body>502 Bad Gateway</body></html>',
      'HTTP 500',
      'connect ECONNREFUSED 127.0.0.1:443',
      'x'.repeat(201),
      '',
    ]) {
      expect(readsAsWords(raw), raw).toBe(false);
      const p = problemFromApError({ status: 401, code: 'HTTP_401', message: raw, details: null });
      expect(p.message).toBe(
        'The access point did not accept the API key. Check the key in Settings, then retry.',
      );
    }
  });

  it('says how often sending failed, and the last failure in words, without an errno', () => {
    expect(
      attemptsExhausted(5, transientWords(null, 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9'))
        .message,
    ).toBe(
      'Sending failed 5 times (last: the connection to the access point was interrupted). Retry when the access point works again.',
    );
    expect(attemptsExhausted(2, transientWords(503, '{"error":{"code":"BUSY"}}')).message).toBe(
      'Sending failed 2 times (last: the access point had a temporary problem). Retry when the access point works again.',
    );
  });

  it('says what a passing failure means, never its raw text', () => {
    const cases: [number | null, string, RegExp][] = [
      [429, 'Too Many Requests', /slow down/],
      [502, '<html>Bad Gateway</html>', /temporary problem/],
      [null, 'UND_ERR_HEADERS_TIMEOUT: Headers Timeout Error', /did not answer in time/],
      [null, 'ECONNRESET: socket hang up', /connection to the access point was interrupted/],
      [null, 'the batch answer did not mention this document', /did not mention this invoice/],
    ];
    for (const [status, raw, words] of cases) {
      const said = transientWords(status, raw);
      expect(said).toMatch(words);
      expect(readsAsWords(said)).toBe(true);
    }
  });

  it('says why the access point is offline without the errno or address', () => {
    for (const raw of [
      'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9',
      'UND_ERR_CONNECT_TIMEOUT: Connect Timeout Error',
      'ENOTFOUND: getaddrinfo ENOTFOUND app.example',
    ]) {
      const said = offlineWords(raw);
      expect(readsAsWords(said), said).toBe(true);
      expect(said).toMatch(/Peppol Desk keeps trying/);
    }
    expect(offlineWords('ENOTFOUND: getaddrinfo ENOTFOUND app.example')).toMatch(
      /address could not be found/,
    );
  });

  it('leaves out XPaths, stack frames and keys', () => {
    for (const raw of [
      'Element /Invoice/cac:AccountingSupplierParty is missing',
      'cbc:ID must be present',
      'TypeError: x is undefined at send (/app/send.js:10:4)',
      'Idempotency key 3f2c1a9e-0b7d-4c52-9a1e-2b3c4d5e6f70 was reused',
    ]) {
      expect(readsAsWords(raw), raw).toBe(false);
    }
  });

  it('a failed delivery for a certificate says so on the timeline, without the buyer-id advice', () => {
    expect(deliveryFailedWords('CERTIFICATE_ERROR', 'PKIX path validation failed')).toMatch(
      /no valid Peppol certificate/,
    );
    const p = deliveryFailed('CERTIFICATE_ERROR', 'PKIX path validation failed');
    expect(p.message).not.toMatch(/Peppol ID/);
    expect(p.action).not.toBe('check-receiver');
    expect(deliveryFailedWords(null, 'Receiving AP timed out')).toBe(
      "Delivery to the buyer's access point failed",
    );
  });

  it('a conflict (409) offers no decision that has no button (walk 19: "Decide whether to send it anyway")', () => {
    const p = problemFromApError({
      status: 409,
      code: 'DUPLICATE_NUMBER',
      message: 'A document with this invoice number was already sent for this sender',
    });
    expect(p).toEqual({
      code: 'AP_CONFLICT',
      message:
        'The access point reports a conflict for this invoice (A document with this invoice number was already sent for this sender). It may already have been sent under another version: check with your access point before you retry it, or cancel it here.',
      action: 'none',
    });
  });

  it('a refusal that asks to contact the provider is not "fix the file" (walk 19)', () => {
    const p = problemFromApError({
      status: 400,
      code: 'BAD_REQUEST',
      message: 'Rejected by provider',
      details:
        "Buyer reference PO-10125 is on the provider's blocked list (fraud check); contact GoRoute support with this reference",
    });
    expect(p.message).toBe(
      "The access point refused this invoice (Rejected by provider: Buyer reference PO-10125 is on the provider's blocked list (fraud check); contact GoRoute support with this reference). Contact your access point provider as it asks; once they have cleared it, choose Retry.",
    );
    expect(p.action).toBe('none');
    // A refusal of the file itself still says to fix it.
    const fix = problemFromApError({
      status: 422,
      code: 'VALIDATION_FAILED',
      message: 'Document failed validation',
      details: [{ rule: 'BR-CO-15', location: '/Invoice', message: 'Totals do not add up' }],
    });
    expect([fix.action, fix.message]).toEqual([
      'fix-file',
      expect.stringMatching(/Fix the file in your accounting system and drop it again\.$/),
    ]);
  });

  it('a failed delivery to a buyer not in the SMP says the buyer is not registered, quoting the access point (walk 19)', () => {
    const said = 'Receiver 0208:1165693639 is not registered in the SMP';
    const p = deliveryFailed(null, said);
    expect(p.message).toBe(
      `Your access point accepted the invoice, but could not deliver it: the buyer is not registered on the Peppol network (the access point says: "${said}"). Check the buyer's Peppol ID on the invoice, or send this invoice another way.`,
    );
    expect([p.code, p.action]).toEqual(['DELIVERY_FAILED', 'check-receiver']);
    expect(deliveryFailedWords(null, said)).toBe(
      'Delivery failed: the buyer is not registered on the Peppol network',
    );
    for (const [code, text] of [
      ['RECEIVER_NOT_FOUND', null],
      ['PARTICIPANT_NOT_REGISTERED', 'x'],
      [null, 'Participant iso6523-actorid-upis::0208:123 not found in SMP'],
      [null, 'Unknown recipient 9915:abc'],
      [null, 'No SMP entry for this participant'],
    ] as const)
      expect(deliveryFailed(code, text).action, `${code} ${text}`).toBe('check-receiver');
    // Others keep their own words: a certificate, a timeout, an access point that is down.
    expect(deliveryFailed(null, 'Receiver certificate not found in truststore').message).toMatch(
      /certificate is not valid/,
    );
    for (const text of ['Receiving AP timed out', 'AS4 endpoint returned 503', null])
      expect(deliveryFailed(null, text).action, String(text)).toBe('retry');
  });

  it("quotes the buyer's note as one sentence, without a second full stop after its own", () => {
    // The clerk walk's rejection read `…to a purchase order.". Agree the correction…`.
    expect(
      buyerResponseProblem('RE', 'The order reference is missing; we cannot match it.')!.message,
    ).toBe(
      'The buyer rejected this invoice: "The order reference is missing; we cannot match it." Agree the correction with the buyer, then send a corrected invoice or a credit note from your accounting system.',
    );
    expect(buyerResponseProblem('UQ', 'Which delivery date')!.message).toMatch(
      /^The buyer has a question about this invoice: "Which delivery date"\. Contact the buyer;/,
    );
    expect(buyerResponseProblem('RE', null)!.message).toMatch(
      /^The buyer rejected this invoice \(the buyer gave no reason\)\. Agree/,
    );
  });

  it('a credit note is called a credit note, and a condition is quoted (walk 4)', () => {
    expect(buyerResponseProblem('RE', 'Wrong amount', 'CreditNote')!.message).toBe(
      'The buyer rejected this credit note: "Wrong amount". Agree the correction with the buyer, then send a corrected credit note from your accounting system.',
    );
    expect(buyerResponseProblem('UQ', null, 'CreditNote')!.message).toMatch(
      /^The buyer has a question about this credit note /,
    );
    expect(buyerResponseProblem('CA', 'Send the delivery note.')).toEqual({
      code: 'BUYER_CONDITION',
      message:
        'The buyer accepted this invoice on a condition: "Send the delivery note." Do what the buyer asks, then mark it as handled; the invoice itself is not sent again.',
      action: 'none',
    });
    expect(buyerResponseProblem('AP', 'Fine')).toBeNull();
  });

  it('rules finding fault with the same place are one thing to fix (walk 22: one date, "2 problems")', () => {
    const date = '/Invoice/cbc:IssueDate';
    const p = validationFailed([
      {
        rule: 'PEPPOL-EN16931-F001',
        message: 'A date must be written as YYYY-MM-DD …',
        location: date,
      },
      {
        rule: 'XSD-DATATYPE',
        message: 'Invoice issue date (BT-2) "07/12/2026" is not a valid date; use YYYY-MM-DD.',
        location: date,
      },
    ]);
    expect(p.message).toBe(
      'Invoice issue date (BT-2) "07/12/2026" is not a valid date; use YYYY-MM-DD. (XSD-DATATYPE, PEPPOL-EN16931-F001). Fix the invoice in your accounting system and drop it again.',
    );
    // Two places: two problems, whatever the rules.
    const two = validationFailed([
      { rule: 'XSD-DATATYPE', message: 'issue date', location: date },
      { rule: 'XSD-DATATYPE', message: 'due date', location: '/Invoice/cbc:DueDate' },
    ]);
    expect(two.message).toMatch(/^2 problems found, including: /);
  });

  it('a check with several errors says where they are listed, true on the row and in the details', () => {
    // The clerk walk read "Open the details to see all" at the top of the open details.
    const p = validationFailed([
      { rule: 'BR-CO-15', message: 'Invoice total amount with VAT (BT-112) must equal …' },
      { rule: 'BR-CO-14', message: 'Invoice total VAT amount (BT-110) must equal …' },
    ]);
    expect(p.message).toMatch(/^2 problems found, including: Invoice total amount with VAT/);
    expect(p.message).not.toMatch(/Open the details/);
    // A code or the file's structure leads (the rest often follows from it), else the checks'
    // order: currency "EURO" led with a total that was right, the currency being 19th.
    const euro = validationFailed([
      { rule: 'BR-CO-15', message: 'Invoice total amount with VAT (BT-112) must equal …' },
      { rule: 'BR-S-08', message: 'VAT category taxable amount …' },
      { rule: 'BR-CL-04', message: 'Invoice currency code (BT-5) "EURO" is not a valid code' },
    ]);
    expect(euro.message).toMatch(/^3 problems found, including: Invoice currency code \(BT-5\)/);
    const structure = validationFailed([
      { rule: 'BR-CL-04', message: 'currency' },
      { rule: 'XSD-MISSING-ELEMENT', message: 'Invoice must contain cbc:ID.' },
    ]);
    expect(structure.message).toMatch(
      /including: Invoice must contain cbc:ID\. \(XSD-MISSING-ELEMENT\)/,
    );
    expect(p.message).toMatch(
      /The details list them all\. Fix the invoice in your accounting system and drop it again\.$/,
    );
  });

  it('a file in another format (an older EHF, XRechnung, a national CIUS) says so first', () => {
    // Real EHF 2.0 files of other projects led with the legal registration scheme ("NO:ORGNR").
    const ehf = validationFailed([
      { rule: 'XSD-UNEXPECTED-ELEMENT', message: 'Unexpected element cbc:UBLVersionID' },
      {
        rule: 'BR-CL-11',
        message: 'Legal registration identifier scheme must be an ISO 6523 ICD code',
      },
      { rule: 'PEPPOL-EN16931-R004', message: 'Specification identifier (BT-24) must be …' },
    ]);
    expect(ehf.message).toBe(
      "3 problems found (the details list them all). This file does not say it is in the Peppol BIS Billing 3.0 format (PEPPOL-EN16931-R004: its specification identifier, BT-24, is not 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0'). It is probably in another format, such as an older EHF, XRechnung or a national one. Export it from your accounting system as Peppol BIS Billing 3.0 and drop it again.",
    );
    expect(ehf.action).toBe('fix-file');
    const only = validationFailed([
      { rule: 'PEPPOL-EN16931-R004', message: 'Specification identifier (BT-24) must be …' },
    ]);
    expect(only.message).toMatch(/^This file does not say it is in the Peppol BIS Billing 3\.0/);
  });

  it('a same-number duplicate says whether the first one was already sent', () => {
    expect(duplicateNumber(4, 'INV-9', 'Invoice').message).toBe(
      'Invoice INV-9 from this seller was already added (document #4) with different content. Send it anyway only if this is meant as a separate invoice; otherwise cancel it.',
    );
    expect(duplicateNumber(4, 'CN-9', 'CreditNote', true).message).toBe(
      'Credit note CN-9 from this seller was already sent (document #4) with different content: if this corrects it, the first one is on its way to the buyer or with the buyer already. Send it anyway only if this is meant as a separate credit note; otherwise cancel it.',
    );
  });
});

describe("a held second version's words as they read now (walk 17)", () => {
  const held = duplicateNumber(4, 'INV-9', 'Invoice');
  it('says "already sent" once the first version went out, and nothing else changes', () => {
    expect(duplicateProblemNow(held, { id: 4, state: 'delivered' }, 'INV-9', 'Invoice')).toEqual({
      ...held,
      message: duplicateNumber(4, 'INV-9', 'Invoice', true).message,
    });
    expect(duplicateProblemNow(held, { id: 4, state: 'queued' }, 'INV-9', 'Invoice')).toEqual(held);
    // Other problems, and a first version no longer there, are left as they are.
    expect(duplicateProblemNow(held, null, 'INV-9', 'Invoice')).toBe(held);
    const other = { code: 'DUPLICATE_CONTENT', message: 'Same content', action: 'decide' } as const;
    expect(duplicateProblemNow(other, { id: 4, state: 'accepted' }, 'INV-9', 'Invoice')).toBe(
      other,
    );
  });
});

describe('a credit note is called a credit note in the words that hold or stop it (walk 9)', () => {
  it('says "credit note" where it said "This invoice", and keeps "invoice" for invoices', () => {
    const words = (docType: 'Invoice' | 'CreditNote') => [
      inDoubtHeld('key', docType).message,
      inDoubtHeld('old', docType).message,
      accessPointChangedUnconfirmed('the old provider', docType).message,
      queuedForOtherAccessPoint('the old provider', true, docType).message,
      queuedForOtherAccessPoint('the old provider', false, docType).message,
      receiverNotOnPeppol('0088:1', docType).message,
    ];
    for (const m of words('CreditNote')) {
      expect(m).toContain('credit note');
      expect(m).not.toContain('invoice');
    }
    for (const m of words('Invoice')) expect(m).toContain('invoice');
    expect(receiverNotOnPeppol('0088:1', 'CreditNote').message).toContain(
      'so the credit note cannot be delivered electronically. Ask the buyer for their Peppol ID (or check the one on the credit note), or send this credit note another way.',
    );
  });
});

describe('held for the access point it was queued for', () => {
  it('says when only the API key changed, to another environment at the same address (walk 16)', () => {
    const same = queuedForOtherAccessPoint(
      '127.0.0.1:35201 (Production)',
      false,
      'Invoice',
      '127.0.0.1:35201 (Test)',
    );
    expect(same.message).toBe(
      'This invoice was queued for 127.0.0.1:35201 (Production), and Peppol Desk now sends to 127.0.0.1:35201 (Test): the same address, with an API key for another environment. It waits until you send it with the new key or cancel it.',
    );
    expect(queuedForOtherAccessPoint('old.example (Test)', false, 'Invoice').message).toContain(
      'and Peppol Desk now uses another access point.',
    );
  });
});
