import type { Ctx, Rule } from '../rule';
import type { XNode } from '../xml-tree';
import { attr, norm, nspace, ntext, str, val } from '../xpath';
import { bothGerman, profile } from './common';
import { CODE_LISTS } from './code-lists.generated';

/**
 * Code list rules: EN 16931 BR-CL-* and the Peppol restrictions (PEPPOL-EN16931-CL*, P01xx, F001).
 * Every list comes from code-lists.generated.ts (generated from the official Schematron of the
 * release in version.ts); each rule compares the value the way its official test does (which
 * value is normalised, which is compared raw), pinned by the shape checks in
 * test/unit/validation-code-lists-generated.test.ts.
 */

/**
 * The values for which list `i` of `rule`'s official test is true. Built once at load; throws
 * when the generated module lacks the list, so a renamed rule cannot silently accept everything.
 */
export function codeList(rule: string, i = 0): ReadonlySet<string> {
  const l = CODE_LISTS[rule]?.lists[i];
  if (l === undefined) throw new Error(`no generated code list ${i} for ${rule}`);
  const set = new Set(l.codes === '' ? [] : l.codes.split(' '));
  if (l.empty === true) set.add('');
  return set;
}

const INVOICE_TYPES = codeList('BR-CL-01', 0);
const CREDIT_NOTE_TYPES = codeList('BR-CL-01', 1);
const CL03 = codeList('BR-CL-03');
const CL04 = codeList('BR-CL-04');
const CL05 = codeList('BR-CL-05');
const CL06 = codeList('BR-CL-06');
const CL07 = codeList('BR-CL-07');
const CL10 = codeList('BR-CL-10', 0);
const CL10_SEPA = codeList('BR-CL-10', 1);
const CL11 = codeList('BR-CL-11');
const CL13 = codeList('BR-CL-13');
const CL14 = codeList('BR-CL-14');
const CL15 = codeList('BR-CL-15');
const CL16 = codeList('BR-CL-16');
const CL17 = codeList('BR-CL-17');
const CL18 = codeList('BR-CL-18');
const CL19 = codeList('BR-CL-19');
const CL20 = codeList('BR-CL-20');
const CL21 = codeList('BR-CL-21');
const CL22 = codeList('BR-CL-22');
const CL23 = codeList('BR-CL-23');
const CL24 = codeList('BR-CL-24');
const CL25 = codeList('BR-CL-25');
const CL26 = codeList('BR-CL-26');
const P_CL001 = codeList('PEPPOL-EN16931-CL001');
const P_CL002 = codeList('PEPPOL-EN16931-CL002');
const P_CL003 = codeList('PEPPOL-EN16931-CL003');
const P_CL006 = codeList('PEPPOL-EN16931-CL006');
const P_CL007 = codeList('PEPPOL-EN16931-CL007');
const P_CL008 = codeList('PEPPOL-EN16931-CL008');
const P0100 = codeList('PEPPOL-EN16931-P0100');
const P0101 = codeList('PEPPOL-EN16931-P0101');

const AMOUNTS = [
  'cbc:Amount',
  'cbc:BaseAmount',
  'cbc:PriceAmount',
  'cbc:TaxAmount',
  'cbc:TaxableAmount',
  'cbc:LineExtensionAmount',
  'cbc:TaxExclusiveAmount',
  'cbc:TaxInclusiveAmount',
  'cbc:AllowanceTotalAmount',
  'cbc:ChargeTotalAmount',
  'cbc:PrepaidAmount',
  'cbc:PayableRoundingAmount',
  'cbc:PayableAmount',
];

function normAttr(n: XNode, name: string): string {
  return nspace(attr(n, name) ?? '');
}
function parentIs(n: XNode, q: string): boolean {
  return n.parent !== null && n.parent.q === q;
}
function acIndicator(n: XNode): string | null {
  const ac = n.parent;
  if (ac === null || ac.q !== 'cac:AllowanceCharge') return null;
  return val(ac, 'cbc:ChargeIndicator');
}
function code(
  id: string,
  bt: string,
  message: string,
  context: string | string[],
  when: ((n: XNode, c: Ctx) => boolean) | undefined,
  test: (n: XNode, c: Ctx) => boolean,
): Rule {
  const r: Rule = { id, flag: 'fatal', bt, message, context, test };
  if (when !== undefined) r.when = when;
  return r;
}

/** What BR-CL-01's finding says of this document's type code (see the rule). */
function typeCodeFigures(invoice: boolean, v: string): string | undefined {
  if (v === '') return undefined;
  if (invoice && CREDIT_NOTE_TYPES.has(v))
    return `the invoice says ${v}, which is a credit note's code: send a credit note as a credit note (a CreditNote document), or give an invoice an invoice's code such as 380`;
  if (!invoice && INVOICE_TYPES.has(v))
    return `the credit note says ${v}, which is an invoice's code: send an invoice as an invoice, or give a credit note a credit note's code such as 381`;
  return `the ${invoice ? 'invoice' : 'credit note'} says ${v}`;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** `string-length(text()) = 10 and (string(.) castable as xs:date)` */
function isDate10(n: XNode): boolean {
  return isDateText10(n.text);
}

/** A string of exactly 10 characters that is castable as xs:date (YYYY-MM-DD, a real day). */
export function isDateText10(t: string): boolean {
  if (t.length !== 10) return false;
  const m = DATE.exec(t);
  if (m === null) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  const days = [
    31,
    y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ];
  return d <= days[mo - 1]!;
}

function vatex(reason: string, cat: string, id: string): Rule {
  return {
    id,
    flag: 'fatal',
    bt: 'BT-118, BT-121',
    message: `VAT exemption reason code ${reason} requires VAT category ${cat}.`,
    context: 'cac:TaxCategory',
    when: (n) => val(n, 'cbc:TaxExemptionReasonCode').toUpperCase() === reason,
    test: (n) => val(n, 'cbc:ID') === cat,
  };
}

/** All code list rules. */
export const codeListRules: Rule[] = [
  {
    ...code(
      'BR-CL-01',
      'BT-3',
      'The type code (BT-3) must be a UNTDID 1001 code for this kind of document (an invoice: such as 380; a credit note: such as 381).',
      ['cbc:InvoiceTypeCode', 'cbc:CreditNoteTypeCode'],
      undefined,
      (n) =>
        n.q === 'cbc:InvoiceTypeCode' ? INVOICE_TYPES.has(norm(n)) : CREDIT_NOTE_TYPES.has(norm(n)),
    ),
    // Walk 21: 381 in an Invoice was told "must be a code from UNTDID 1001", which 381 is.
    figures: (n) => typeCodeFigures(n.q === 'cbc:InvoiceTypeCode', norm(n)),
  },
  code(
    'BR-CL-03',
    'BT-5',
    'Currency identifiers (currencyID) must be ISO 4217 codes.',
    AMOUNTS,
    undefined,
    (n) => CL03.has(normAttr(n, 'currencyID')),
  ),
  code(
    'BR-CL-04',
    'BT-5',
    'Invoice currency code (BT-5) must be an ISO 4217 code.',
    'cbc:DocumentCurrencyCode',
    undefined,
    (n) => CL04.has(norm(n)),
  ),
  code(
    'BR-CL-05',
    'BT-6',
    'VAT accounting currency code (BT-6) must be an ISO 4217 code.',
    'cbc:TaxCurrencyCode',
    undefined,
    (n) => CL05.has(norm(n)),
  ),
  code(
    'BR-CL-06',
    'BT-8',
    'Value added tax point date code (BT-8) must be 3, 35 or 432 (UNTDID 2005).',
    'cbc:DescriptionCode',
    (n) => parentIs(n, 'cac:InvoicePeriod'),
    (n) => CL06.has(norm(n)),
  ),
  code(
    'BR-CL-07',
    'BT-18-1',
    'Invoiced object identifier scheme (BT-18-1) must be a code from UNTDID 1153.',
    'cbc:ID',
    (n) =>
      attr(n, 'schemeID') !== undefined &&
      (parentIs(n, 'cac:AdditionalDocumentReference') || parentIs(n, 'cac:DocumentReference')) &&
      n.parent!.children.some((x) => x.q === 'cbc:DocumentTypeCode' && str(x) === '130'),
    (n) => CL07.has(normAttr(n, 'schemeID')),
  ),
  code(
    'BR-CL-10',
    'BT-29-1, BT-46-1, BT-60-1',
    'Party identifier scheme must be an ISO 6523 ICD code (or SEPA for the seller or payee).',
    'cbc:ID',
    (n) => attr(n, 'schemeID') !== undefined && parentIs(n, 'cac:PartyIdentification'),
    (n) => {
      const s = normAttr(n, 'schemeID');
      if (CL10.has(s)) return true;
      if (!CL10_SEPA.has(s)) return false;
      for (let p = n.parent; p !== null; p = p.parent) {
        if (p.q === 'cac:AccountingSupplierParty' || p.q === 'cac:PayeeParty') return true;
      }
      return false;
    },
  ),
  code(
    'BR-CL-11',
    'BT-30-1, BT-47-1, BT-61-1',
    'Legal registration identifier scheme must be an ISO 6523 ICD code.',
    'cbc:CompanyID',
    (n) => attr(n, 'schemeID') !== undefined && parentIs(n, 'cac:PartyLegalEntity'),
    (n) => CL11.has(normAttr(n, 'schemeID')),
  ),
  code(
    'BR-CL-13',
    'BT-158-1',
    'Item classification scheme (BT-158-1) must be a code from UNTDID 7143.',
    'cbc:ItemClassificationCode',
    (n) => attr(n, 'listID') !== undefined && parentIs(n, 'cac:CommodityClassification'),
    (n) => CL13.has(normAttr(n, 'listID')),
  ),
  code(
    'BR-CL-14',
    'BT-40, BT-55, BT-69, BT-80',
    'Country codes must be ISO 3166-1 alpha-2 codes.',
    'cbc:IdentificationCode',
    (n) => parentIs(n, 'cac:Country'),
    (n) => CL14.has(norm(n)),
  ),
  code(
    'BR-CL-15',
    'BT-159',
    'Item country of origin (BT-159) must be an ISO 3166-1 alpha-2 code.',
    'cbc:IdentificationCode',
    (n) => parentIs(n, 'cac:OriginCountry'),
    (n) => CL15.has(norm(n)),
  ),
  code(
    'BR-CL-16',
    'BT-81',
    'Payment means type code (BT-81) must be a code from UNCL 4461.',
    'cbc:PaymentMeansCode',
    (n) => parentIs(n, 'cac:PaymentMeans'),
    (n) => CL16.has(norm(n)),
  ),
  code(
    'BR-CL-17',
    'BT-95, BT-102, BT-118',
    'VAT category codes must be codes from UNCL 5305.',
    'cbc:ID',
    (n) => parentIs(n, 'cac:TaxCategory'),
    (n) => CL17.has(norm(n)),
  ),
  code(
    'BR-CL-18',
    'BT-151',
    'Invoiced item VAT category code (BT-151) must be a code from UNCL 5305.',
    'cbc:ID',
    (n) => parentIs(n, 'cac:ClassifiedTaxCategory'),
    (n) => CL18.has(norm(n)),
  ),
  code(
    'BR-CL-19',
    'BT-98, BT-140',
    'Allowance reason codes must be codes from UNCL 5189.',
    'cbc:AllowanceChargeReasonCode',
    (n) => {
      const v = acIndicator(n);
      return v === 'false' || v === '0';
    },
    (n) => CL19.has(norm(n)),
  ),
  code(
    'BR-CL-20',
    'BT-105, BT-145',
    'Charge reason codes must be codes from UNCL 7161.',
    'cbc:AllowanceChargeReasonCode',
    (n) => {
      const v = acIndicator(n);
      return v === 'true' || v === '1';
    },
    (n) => CL20.has(norm(n)),
  ),
  code(
    'BR-CL-21',
    'BT-157-1',
    'Item standard identifier scheme (BT-157-1) must be an ISO 6523 ICD code.',
    'cbc:ID',
    (n) => attr(n, 'schemeID') !== undefined && parentIs(n, 'cac:StandardItemIdentification'),
    (n) => CL21.has(normAttr(n, 'schemeID')),
  ),
  code(
    'BR-CL-22',
    'BT-121',
    'VAT exemption reason code (BT-121) must be a code from the VATEX list.',
    'cbc:TaxExemptionReasonCode',
    undefined,
    (n) => CL22.has(norm(n).toUpperCase()),
  ),
  code(
    'BR-CL-23',
    'BT-130, BT-150',
    'Unit of measure codes must be UN/ECE Recommendation 20/21 codes.',
    ['cbc:InvoicedQuantity', 'cbc:BaseQuantity', 'cbc:CreditedQuantity'],
    (n) => attr(n, 'unitCode') !== undefined,
    (n) => CL23.has(normAttr(n, 'unitCode')),
  ),
  code(
    'BR-CL-24',
    'BT-125-1',
    'Attachment MIME code (BT-125-1) must be one of PDF, PNG, JPEG, CSV, XLSX or ODS.',
    'cbc:EmbeddedDocumentBinaryObject',
    (n) => attr(n, 'mimeCode') !== undefined,
    (n) => CL24.has(attr(n, 'mimeCode')!),
  ),
  code(
    'BR-CL-25',
    'BT-34-1, BT-49-1',
    'Electronic address scheme must be a code from the EAS list.',
    'cbc:EndpointID',
    (n) => attr(n, 'schemeID') !== undefined,
    (n) => CL25.has(normAttr(n, 'schemeID')),
  ),
  code(
    'BR-CL-26',
    'BT-71-1',
    'Deliver-to location identifier scheme (BT-71-1) must be an ISO 6523 ICD code.',
    'cbc:ID',
    (n) => attr(n, 'schemeID') !== undefined && parentIs(n, 'cac:DeliveryLocation'),
    (n) => CL26.has(normAttr(n, 'schemeID')),
  ),
  // Peppol restricted code lists
  code(
    'PEPPOL-EN16931-CL001',
    'BT-125-1',
    'Attachment MIME code must be one of PDF, PNG, JPEG, CSV, XLSX or ODS.',
    'cbc:EmbeddedDocumentBinaryObject',
    (n) => attr(n, 'mimeCode') !== undefined,
    (n) => P_CL001.has(attr(n, 'mimeCode')!),
  ),
  code(
    'PEPPOL-EN16931-CL002',
    'BT-98, BT-140',
    'Allowance reason code must be from the UNCL 5189 subset.',
    'cbc:AllowanceChargeReasonCode',
    (n) =>
      acIndicator(n) !== null &&
      str(n.parent!.children.find((x) => x.q === 'cbc:ChargeIndicator')) === 'false',
    (n) => P_CL002.has(ntext(n)),
  ),
  code(
    'PEPPOL-EN16931-CL003',
    'BT-105, BT-145',
    'Charge reason code must be from UNCL 7161.',
    'cbc:AllowanceChargeReasonCode',
    (n) =>
      acIndicator(n) !== null &&
      str(n.parent!.children.find((x) => x.q === 'cbc:ChargeIndicator')) === 'true',
    (n) => P_CL003.has(ntext(n)),
  ),
  code(
    'PEPPOL-EN16931-CL006',
    'BT-8',
    'Invoice period description code must be 3, 35 or 432 (UNCL 2005).',
    'cbc:DescriptionCode',
    (n) => parentIs(n, 'cac:InvoicePeriod'),
    (n) => P_CL006.has(ntext(n)),
  ),
  code(
    'PEPPOL-EN16931-CL007',
    'BT-5',
    'Currency code must be an ISO 4217 code.',
    AMOUNTS,
    undefined,
    (n) => {
      const v = attr(n, 'currencyID');
      return v !== undefined && P_CL007.has(v);
    },
  ),
  // Walk 21b: neither said which code it was.
  {
    ...code(
      'PEPPOL-EN16931-P0100',
      'BT-3',
      'Invoice type code (BT-3) is not allowed in Peppol billing.',
      'cbc:InvoiceTypeCode',
      undefined,
      (n, c) => profile(c) !== '01' || P0100.has(ntext(n)),
    ),
    figures: (n) => typeCodeFigures(true, ntext(n)),
  },
  {
    ...code(
      'PEPPOL-EN16931-P0101',
      'BT-3',
      'Credit note type code (BT-3) is not allowed in Peppol billing.',
      'cbc:CreditNoteTypeCode',
      undefined,
      (n, c) => profile(c) !== '01' || P0101.has(ntext(n)),
    ),
    figures: (n) => typeCodeFigures(false, ntext(n)),
  },
  code(
    'PEPPOL-EN16931-F001',
    'BT-2, BT-9, BT-7, BT-72, BT-73, BT-74',
    'A date must be written as YYYY-MM-DD.',
    [
      'cbc:IssueDate',
      'cbc:DueDate',
      'cbc:TaxPointDate',
      'cbc:StartDate',
      'cbc:EndDate',
      'cbc:ActualDeliveryDate',
    ],
    undefined,
    isDate10,
  ),
  code(
    'PEPPOL-EN16931-CL008',
    'BT-34-1, BT-49-1',
    'Electronic address scheme must be a code from the Peppol EAS list.',
    'cbc:EndpointID',
    (n) => attr(n, 'schemeID') !== undefined,
    (n) => P_CL008.has(attr(n, 'schemeID')!),
  ),
  vatex('VATEX-EU-G', 'G', 'PEPPOL-EN16931-P0104'),
  vatex('VATEX-EU-O', 'O', 'PEPPOL-EN16931-P0105'),
  vatex('VATEX-EU-IC', 'K', 'PEPPOL-EN16931-P0106'),
  vatex('VATEX-EU-AE', 'AE', 'PEPPOL-EN16931-P0107'),
  vatex('VATEX-EU-D', 'E', 'PEPPOL-EN16931-P0108'),
  vatex('VATEX-EU-F', 'E', 'PEPPOL-EN16931-P0109'),
  vatex('VATEX-EU-I', 'E', 'PEPPOL-EN16931-P0110'),
  vatex('VATEX-EU-J', 'E', 'PEPPOL-EN16931-P0111'),
  code(
    'PEPPOL-EN16931-P0112',
    'BT-3',
    'Invoice type codes 326 and 384 are only allowed when both seller and buyer are in Germany.',
    'cbc:InvoiceTypeCode',
    undefined,
    (n, c) => {
      const v = norm(n);
      return !(v === '326' || v === '384') || bothGerman(c);
    },
  ),
];
