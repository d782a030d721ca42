import { describe, expect, it } from 'vitest';
import { toApError } from '../../app/access-point/answers';
import { apErrorTechnical, problemFromApError } from '../../app/domain/problems';

// Walk 6 finding 5: a 422 that named the broken rule and where reached the clerk as "The access
// point refused this invoice (Document failed Peppol validation). Fix the file …", and the
// technical details lost the rule, the place and the request id.

const refusal = toApError(422, {
  error: {
    code: 'VALIDATION_FAILED',
    message: 'Document failed Peppol validation',
    details: [
      {
        rule: 'BR-CO-15',
        location: '/Invoice/cac:LegalMonetaryTotal',
        message: 'Invoice total amount with VAT (BT-112) = Invoice total amount without VAT + VAT',
      },
      {
        rule: 'BR-S-08',
        location: '/Invoice/cac:TaxTotal',
        message: 'VAT category taxable amount',
      },
    ],
    request_id: 'req_42',
  },
});

describe("an access point's refusal, kept whole", () => {
  it('the reason names what the access point found first, and says where the rest is', () => {
    expect(problemFromApError(refusal).message).toBe(
      'The access point refused this invoice (Document failed Peppol validation: BR-CO-15 at /Invoice/cac:LegalMonetaryTotal: Invoice total amount with VAT (BT-112) = Invoice total amount without VAT + VAT; 1 more in the technical details). Fix the file in your accounting system and drop it again.',
    );
  });

  it('the technical details keep every detail and the request id', () => {
    expect(apErrorTechnical(refusal)).toBe(
      '422 VALIDATION_FAILED: Document failed Peppol validation; BR-CO-15 at /Invoice/cac:LegalMonetaryTotal: Invoice total amount with VAT (BT-112) = Invoice total amount without VAT + VAT; BR-S-08 at /Invoice/cac:TaxTotal: VAT category taxable amount (request req_42)',
    );
  });

  it('details as a string, or none at all', () => {
    const said = toApError(400, {
      error: { code: 'BAD', message: 'Bad request', details: 'Line 3: unknown unit code XYZ' },
    });
    expect(problemFromApError(said).message).toMatch(
      /^The access point refused this invoice \(Bad request: Line 3: unknown unit code XYZ\)\. /,
    );
    const bare = toApError(422, { error: { code: 'INVALID', message: 'Invalid document' } });
    expect(problemFromApError(bare).message).toMatch(
      /^The access point refused this invoice \(Invalid document\)\. /,
    );
    expect(apErrorTechnical(bare)).toBe('422 INVALID: Invalid document');
  });
});
