import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkDocument } from '../../app/validation/index';
import { codeList } from '../../app/validation/rules/code-lists';
import {
  CODE_LISTS,
  CODE_LISTS_CHECKSUM,
  CODE_LISTS_RULESET,
} from '../../app/validation/rules/code-lists.generated';
import { RULESET_VERSION } from '../../app/validation/version';
import { change, utf8, validInvoice } from '../conformance/sample-documents';

function fatal(xml: string): string[] {
  const r = checkDocument(utf8(xml));
  if (!r.ok) throw new Error(r.error.message);
  return r.verdict.findings.filter((f) => f.flag === 'fatal').map((f) => f.rule);
}

/** The seller's electronic address of the sample invoice with another scheme identifier. */
function withEndpointScheme(scheme: string): string {
  return change(
    validInvoice(),
    'schemeID="0088">7300010000001',
    `schemeID="${scheme}">7300010000001`,
  );
}

// How each rule implemented in app/validation/rules/code-lists.ts compares the value with its list.
// A new release that changes one of these expressions (not only the codes) fails here, so the
// implementation is looked at again instead of silently comparing the old way.
const CEN_CONTAINS = (v: string) =>
  `((not(contains(normalize-space(${v}), ' ')) and contains({0}, concat(' ', normalize-space(${v}), ' '))))`;
const CEN_CONTAINS_SPACED = (v: string) =>
  `( ( not(contains(normalize-space(${v}),' ')) and contains({0}, concat(' ',normalize-space(${v}),' ') ) ) )`;
const PEPPOL_SOME = (v: string) => `some $code in {0} satisfies ${v} = $code`;
const SHAPES: Record<string, string> = {
  'BR-CL-01':
    "(self::cbc:InvoiceTypeCode and ((not(contains(normalize-space(.), ' ')) and contains({0}, concat(' ', normalize-space(.), ' '))))) or (self::cbc:CreditNoteTypeCode and ((not(contains(normalize-space(.), ' ')) and contains({1}, concat(' ', normalize-space(.), ' ')))))",
  'BR-CL-03': CEN_CONTAINS('@currencyID'),
  'BR-CL-04': CEN_CONTAINS('.'),
  'BR-CL-05': CEN_CONTAINS('.'),
  'BR-CL-06': CEN_CONTAINS('.'),
  'BR-CL-07': CEN_CONTAINS('@schemeID'),
  'BR-CL-10':
    "((not(contains(normalize-space(@schemeID), ' ')) and contains({0}, concat(' ', normalize-space(@schemeID), ' ')))) or ((not(contains(normalize-space(@schemeID), ' ')) and contains({1}, concat(' ', normalize-space(@schemeID), ' '))) and ((ancestor::cac:AccountingSupplierParty) or (ancestor::cac:PayeeParty)))",
  'BR-CL-11': CEN_CONTAINS('@schemeID'),
  'BR-CL-13': CEN_CONTAINS('@listID'),
  'BR-CL-14': CEN_CONTAINS('.'),
  'BR-CL-15': CEN_CONTAINS('.'),
  'BR-CL-16': CEN_CONTAINS_SPACED('.'),
  'BR-CL-17': CEN_CONTAINS_SPACED('.'),
  'BR-CL-18': CEN_CONTAINS_SPACED('.'),
  'BR-CL-19': CEN_CONTAINS('.'),
  'BR-CL-20': CEN_CONTAINS('.'),
  'BR-CL-21': CEN_CONTAINS('@schemeID'),
  'BR-CL-22':
    "((not(contains(normalize-space(.), ' ')) and contains({0}, concat(' ', normalize-space(upper-case(.)), ' '))))",
  'BR-CL-23': CEN_CONTAINS('@unitCode'),
  'BR-CL-24':
    '((@mimeCode = {0} or @mimeCode = {0} or @mimeCode = {0} or @mimeCode = {0} or @mimeCode = {0} or @mimeCode = {0}))',
  'BR-CL-25': CEN_CONTAINS('@schemeID'),
  'BR-CL-26': CEN_CONTAINS('@schemeID'),
  'PEPPOL-EN16931-CL001': PEPPOL_SOME('@mimeCode'),
  'PEPPOL-EN16931-CL002': PEPPOL_SOME('normalize-space(text())'),
  'PEPPOL-EN16931-CL003': PEPPOL_SOME('normalize-space(text())'),
  'PEPPOL-EN16931-CL006': PEPPOL_SOME('normalize-space(text())'),
  'PEPPOL-EN16931-CL007': PEPPOL_SOME('@currencyID'),
  'PEPPOL-EN16931-CL008': PEPPOL_SOME('@schemeID'),
  'PEPPOL-EN16931-P0100': `$profile != '01' or (${PEPPOL_SOME('normalize-space(text())')})`,
  'PEPPOL-EN16931-P0101': `$profile != '01' or (${PEPPOL_SOME('normalize-space(text())')})`,
};

describe('generated code lists (code-lists.generated.ts)', () => {
  it('were generated for the rule release the validator names', () => {
    expect(CODE_LISTS_RULESET).toBe(RULESET_VERSION);
  });

  it('have not been edited by hand since they were generated (checksum)', () => {
    const sum = createHash('sha256')
      .update(JSON.stringify({ ruleset: CODE_LISTS_RULESET, lists: CODE_LISTS }))
      .digest('hex');
    expect(sum).toBe(CODE_LISTS_CHECKSUM);
  });

  it('every implemented rule compares the way its official test does (context and expression)', () => {
    for (const [rule, shape] of Object.entries(SHAPES)) {
      expect(CODE_LISTS[rule]?.shape, rule).toBe(shape);
    }
    expect(CODE_LISTS['PEPPOL-EN16931-CL008']?.context).toBe('cbc:EndpointID[@schemeID]');
    expect(CODE_LISTS['BR-CL-25']?.context).toBe('cbc:EndpointID[@schemeID]');
    expect(CODE_LISTS['BR-CL-23']?.context).toBe(
      'cbc:InvoicedQuantity[@unitCode] | cbc:BaseQuantity[@unitCode] | cbc:CreditedQuantity[@unitCode]',
    );
  });

  it('gives each rule its own list (no union of editions across rules)', () => {
    expect(codeList('BR-CL-25').has('AN')).toBe(true);
    expect(codeList('PEPPOL-EN16931-CL008').has('AN')).toBe(false);
    expect(codeList('BR-CL-14').has('1A')).toBe(true);
    expect(codeList('BR-CL-15').has('1A')).toBe(false);
    expect(codeList('BR-CL-10', 1)).toEqual(new Set(['SEPA']));
    expect(() => codeList('BR-CL-99')).toThrow(/no generated code list/);
  });
});

describe('Peppol lists of the 3.0.19 release (codes the earlier union of editions let through)', () => {
  it('CL007 refuses currencies the 3.0.19 list does not have (HRK, CUC, …) and accepts current ones', () => {
    for (const gone of ['HRK', 'CUC', 'SLL', 'VEF', 'ZWL']) {
      expect(fatal(validInvoice().replace(/EUR/g, gone)), gone).toContain('PEPPOL-EN16931-CL007');
    }
    for (const current of ['NOK', 'SLE', 'VES', 'ZWG']) {
      expect(fatal(validInvoice().replace(/EUR/g, current)), current).not.toContain(
        'PEPPOL-EN16931-CL007',
      );
    }
  });

  it('CL008 refuses electronic address schemes outside the 3.0.19 Peppol list (9901, 0242, 0244, 0245)', () => {
    for (const gone of ['9901', '0242', '0244', '0245']) {
      expect(fatal(withEndpointScheme(gone)), gone).toContain('PEPPOL-EN16931-CL008');
    }
    for (const current of ['0088', '0208', '0210', '9930']) {
      expect(fatal(withEndpointScheme(current)), current).not.toContain('PEPPOL-EN16931-CL008');
    }
  });
});

describe('code list comparisons reproduce the official semantics', () => {
  it('BR-CL-25 normalises the scheme (surrounding spaces pass) while CL008 compares it raw', () => {
    const ids = fatal(withEndpointScheme(' 0088 '));
    expect(ids).not.toContain('BR-CL-25');
    expect(ids).toContain('PEPPOL-EN16931-CL008');
    expect(fatal(withEndpointScheme('0088'))).not.toContain('PEPPOL-EN16931-CL008');
  });

  it('a scheme with a space inside is refused by both, an empty scheme too', () => {
    expect(fatal(withEndpointScheme('00 88'))).toEqual(
      expect.arrayContaining(['BR-CL-25', 'PEPPOL-EN16931-CL008']),
    );
    expect(fatal(withEndpointScheme(''))).toEqual(
      expect.arrayContaining(['BR-CL-25', 'PEPPOL-EN16931-CL008']),
    );
  });

  it('normalize-space strips XML white space only: a no-break space makes the code unknown', () => {
    expect(fatal(withEndpointScheme('\u00a00088'))).toContain('BR-CL-25');
    expect(fatal(withEndpointScheme('\t0088\n'))).not.toContain('BR-CL-25');
  });

  it('codes are case-sensitive except the VAT exemption reason (upper-case in BR-CL-22)', () => {
    expect(fatal(withEndpointScheme('em'))).toContain('BR-CL-25');
    expect(fatal(withEndpointScheme('EM'))).not.toContain('BR-CL-25');
    const exempt = change(
      validInvoice(),
      '<cbc:Percent>25</cbc:Percent><cac:TaxScheme>',
      '<cbc:Percent>25</cbc:Percent><cbc:TaxExemptionReasonCode>vatex-eu-79-c</cbc:TaxExemptionReasonCode><cac:TaxScheme>',
    );
    expect(exempt).toContain('vatex-eu-79-c');
    expect(fatal(exempt)).not.toContain('BR-CL-22');
    expect(fatal(exempt.replace('vatex-eu-79-c', 'vatex-eu-79-x'))).toContain('BR-CL-22');
  });

  it('BR-CL-23 judges an empty unit code (the attribute is there) and skips a missing one', () => {
    expect(fatal(validInvoice().replace('unitCode="C62"', 'unitCode=""'))).toContain('BR-CL-23');
    expect(fatal(validInvoice().replace(' unitCode="C62"', ''))).not.toContain('BR-CL-23');
  });

  it('P0100 compares the normalised own text of the type code', () => {
    expect(
      fatal(change(validInvoice(), '<cbc:InvoiceTypeCode>380', '<cbc:InvoiceTypeCode> 380 ')),
    ).not.toContain('PEPPOL-EN16931-P0100');
    expect(
      fatal(change(validInvoice(), '<cbc:InvoiceTypeCode>380', '<cbc:InvoiceTypeCode>3 80')),
    ).toContain('PEPPOL-EN16931-P0100');
  });
});
