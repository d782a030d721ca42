import type { Ctx, Rule } from '../rule';
import type { XNode } from '../xml-tree';
import { attr, norm, str, val } from '../xpath';
import { bothGerman, profile } from './common';
import {
  CREDIT_NOTE_TYPES,
  EAS,
  ICD,
  INVOICE_TYPES,
  ISO3166,
  ISO4217,
  MIME,
  PEPPOL_EAS,
  UNCL2005,
  UNCL4461,
  UNCL5189,
  UNCL5305,
  UNCL7161,
  UNTDID1153,
  UNTDID7143,
  VATEX,
} from './code-list-data';
import { UNIT_CODES } from './unit-codes';

/** Code list rules: EN 16931 BR-CL-* and the Peppol restrictions (PEPPOL-EN16931-CL*, P01xx, F001). */

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

const WS = /\s+/g;
function normAttr(n: XNode, name: string): string {
  return (attr(n, name) ?? '').replace(WS, ' ').trim();
}
function parentIs(n: XNode, q: string): boolean {
  return n.parent !== null && n.parent.q === q;
}
function acIndicator(n: XNode): string | null {
  const ac = n.parent;
  if (ac === null || ac.q !== 'cac:AllowanceCharge') return null;
  return val(ac, 'cbc:ChargeIndicator');
}
function inList(list: ReadonlySet<string>, v: string): boolean {
  return list.has(v);
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

const P0100 = new Set(
  '71 80 82 84 102 218 219 326 331 380 382 383 384 386 388 393 395 553 575 623 780 817 870 875 876 877'.split(
    ' ',
  ),
);
const P0101 = new Set('381 396 81 83 532'.split(' '));

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
  code(
    'BR-CL-01',
    'BT-3',
    'Invoice type code (BT-3) must be a code from UNTDID 1001.',
    ['cbc:InvoiceTypeCode', 'cbc:CreditNoteTypeCode'],
    undefined,
    (n) =>
      n.q === 'cbc:InvoiceTypeCode' ? INVOICE_TYPES.has(norm(n)) : CREDIT_NOTE_TYPES.has(norm(n)),
  ),
  code(
    'BR-CL-03',
    'BT-5',
    'Currency identifiers (currencyID) must be ISO 4217 codes.',
    AMOUNTS,
    undefined,
    (n) => inList(ISO4217, normAttr(n, 'currencyID')),
  ),
  code(
    'BR-CL-04',
    'BT-5',
    'Invoice currency code (BT-5) must be an ISO 4217 code.',
    'cbc:DocumentCurrencyCode',
    undefined,
    (n) => ISO4217.has(norm(n)),
  ),
  code(
    'BR-CL-05',
    'BT-6',
    'VAT accounting currency code (BT-6) must be an ISO 4217 code.',
    'cbc:TaxCurrencyCode',
    undefined,
    (n) => ISO4217.has(norm(n)),
  ),
  code(
    'BR-CL-06',
    'BT-8',
    'Value added tax point date code (BT-8) must be 3, 35 or 432 (UNTDID 2005).',
    'cbc:DescriptionCode',
    (n) => parentIs(n, 'cac:InvoicePeriod'),
    (n) => UNCL2005.has(norm(n)),
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
    (n) => UNTDID1153.has(normAttr(n, 'schemeID')),
  ),
  code(
    'BR-CL-10',
    'BT-29-1, BT-46-1, BT-60-1',
    'Party identifier scheme must be an ISO 6523 ICD code (or SEPA for the seller or payee).',
    'cbc:ID',
    (n) => attr(n, 'schemeID') !== undefined && parentIs(n, 'cac:PartyIdentification'),
    (n) => {
      const s = normAttr(n, 'schemeID');
      if (ICD.has(s)) return true;
      if (s !== 'SEPA') return false;
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
    (n) => ICD.has(normAttr(n, 'schemeID')),
  ),
  code(
    'BR-CL-13',
    'BT-158-1',
    'Item classification scheme (BT-158-1) must be a code from UNTDID 7143.',
    'cbc:ItemClassificationCode',
    (n) => attr(n, 'listID') !== undefined && parentIs(n, 'cac:CommodityClassification'),
    (n) => UNTDID7143.has(normAttr(n, 'listID')),
  ),
  code(
    'BR-CL-14',
    'BT-40, BT-55, BT-69, BT-80',
    'Country codes must be ISO 3166-1 alpha-2 codes.',
    'cbc:IdentificationCode',
    (n) => parentIs(n, 'cac:Country'),
    (n) => ISO3166.has(norm(n)),
  ),
  code(
    'BR-CL-15',
    'BT-159',
    'Item country of origin (BT-159) must be an ISO 3166-1 alpha-2 code.',
    'cbc:IdentificationCode',
    (n) => parentIs(n, 'cac:OriginCountry'),
    (n) => ISO3166.has(norm(n)) && norm(n) !== '1A',
  ),
  code(
    'BR-CL-16',
    'BT-81',
    'Payment means type code (BT-81) must be a code from UNCL 4461.',
    'cbc:PaymentMeansCode',
    (n) => parentIs(n, 'cac:PaymentMeans'),
    (n) => UNCL4461.has(norm(n)),
  ),
  code(
    'BR-CL-17',
    'BT-95, BT-102, BT-118',
    'VAT category codes must be codes from UNCL 5305.',
    'cbc:ID',
    (n) => parentIs(n, 'cac:TaxCategory'),
    (n) => UNCL5305.has(norm(n)),
  ),
  code(
    'BR-CL-18',
    'BT-151',
    'Invoiced item VAT category code (BT-151) must be a code from UNCL 5305.',
    'cbc:ID',
    (n) => parentIs(n, 'cac:ClassifiedTaxCategory'),
    (n) => UNCL5305.has(norm(n)),
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
    (n) => UNCL5189.has(norm(n)),
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
    (n) => UNCL7161.has(norm(n)),
  ),
  code(
    'BR-CL-21',
    'BT-157-1',
    'Item standard identifier scheme (BT-157-1) must be an ISO 6523 ICD code.',
    'cbc:ID',
    (n) => attr(n, 'schemeID') !== undefined && parentIs(n, 'cac:StandardItemIdentification'),
    (n) => ICD.has(normAttr(n, 'schemeID')),
  ),
  code(
    'BR-CL-22',
    'BT-121',
    'VAT exemption reason code (BT-121) must be a code from the VATEX list.',
    'cbc:TaxExemptionReasonCode',
    undefined,
    (n) => VATEX.has(norm(n).toUpperCase()),
  ),
  code(
    'BR-CL-23',
    'BT-130, BT-150',
    'Unit of measure codes must be UN/ECE Recommendation 20/21 codes.',
    ['cbc:InvoicedQuantity', 'cbc:BaseQuantity', 'cbc:CreditedQuantity'],
    (n) => attr(n, 'unitCode') !== undefined,
    (n) => UNIT_CODES.has(normAttr(n, 'unitCode')),
  ),
  code(
    'BR-CL-24',
    'BT-125-1',
    'Attachment MIME code (BT-125-1) must be one of PDF, PNG, JPEG, CSV, XLSX or ODS.',
    'cbc:EmbeddedDocumentBinaryObject',
    (n) => attr(n, 'mimeCode') !== undefined,
    (n) => MIME.has(attr(n, 'mimeCode')!),
  ),
  code(
    'BR-CL-25',
    'BT-34-1, BT-49-1',
    'Electronic address scheme must be a code from the EAS list.',
    'cbc:EndpointID',
    (n) => attr(n, 'schemeID') !== undefined,
    (n) => EAS.has(normAttr(n, 'schemeID')),
  ),
  code(
    'BR-CL-26',
    'BT-71-1',
    'Deliver-to location identifier scheme (BT-71-1) must be an ISO 6523 ICD code.',
    'cbc:ID',
    (n) => attr(n, 'schemeID') !== undefined && parentIs(n, 'cac:DeliveryLocation'),
    (n) => ICD.has(normAttr(n, 'schemeID')),
  ),
  // Peppol restricted code lists
  code(
    'PEPPOL-EN16931-CL001',
    'BT-125-1',
    'Attachment MIME code must be one of PDF, PNG, JPEG, CSV, XLSX or ODS.',
    'cbc:EmbeddedDocumentBinaryObject',
    (n) => attr(n, 'mimeCode') !== undefined,
    (n) => MIME.has(attr(n, 'mimeCode')!),
  ),
  code(
    'PEPPOL-EN16931-CL002',
    'BT-98, BT-140',
    'Allowance reason code must be from the UNCL 5189 subset.',
    'cbc:AllowanceChargeReasonCode',
    (n) =>
      acIndicator(n) !== null &&
      str(n.parent!.children.find((x) => x.q === 'cbc:ChargeIndicator')) === 'false',
    (n) => UNCL5189.has(norm(n)),
  ),
  code(
    'PEPPOL-EN16931-CL003',
    'BT-105, BT-145',
    'Charge reason code must be from UNCL 7161.',
    'cbc:AllowanceChargeReasonCode',
    (n) =>
      acIndicator(n) !== null &&
      str(n.parent!.children.find((x) => x.q === 'cbc:ChargeIndicator')) === 'true',
    (n) => UNCL7161.has(norm(n)),
  ),
  code(
    'PEPPOL-EN16931-CL006',
    'BT-8',
    'Invoice period description code must be 3, 35 or 432 (UNCL 2005).',
    'cbc:DescriptionCode',
    (n) => parentIs(n, 'cac:InvoicePeriod'),
    (n) => UNCL2005.has(norm(n)),
  ),
  code(
    'PEPPOL-EN16931-CL007',
    'BT-5',
    'Currency code must be an ISO 4217 code.',
    AMOUNTS,
    undefined,
    (n) => ISO4217.has(attr(n, 'currencyID') ?? ''),
  ),
  code(
    'PEPPOL-EN16931-P0100',
    'BT-3',
    'Invoice type code (BT-3) is not allowed in Peppol billing.',
    'cbc:InvoiceTypeCode',
    undefined,
    (n, c) => profile(c) !== '01' || P0100.has(norm(n)),
  ),
  code(
    'PEPPOL-EN16931-P0101',
    'BT-3',
    'Credit note type code (BT-3) is not allowed in Peppol billing.',
    'cbc:CreditNoteTypeCode',
    undefined,
    (n, c) => profile(c) !== '01' || P0101.has(norm(n)),
  ),
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
    (n) => PEPPOL_EAS.has(attr(n, 'schemeID')!),
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
