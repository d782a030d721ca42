import type { Ctx, Rule } from '../rule';
import type { XNode } from '../xml-tree';
import { all, attr, child, children, first, has, norm, nspace, ntext, str, val } from '../xpath';
import { dec, numberOf } from '../num';
import { memo } from '../rule';
import {
  bothGerman,
  customerCountry,
  customerParty,
  supplierCountry,
  supplierParty,
  taxSchemes,
} from './common';
import { greekTin, iban, mod11, seOrgnr } from './checksums';
import { isDateText10 } from './code-lists';
import * as D from '../num';

/** National rules of the Peppol BIS Billing 3.0 set: NO, DK, IT, SE, GR, IS, NL, DE. */

function isSupplierParty(n: XNode): boolean {
  return n.q === 'cac:Party' && n.parent?.q === 'cac:AccountingSupplierParty';
}
function isCustomerParty(n: XNode): boolean {
  return n.q === 'cac:Party' && n.parent?.q === 'cac:AccountingCustomerParty';
}
const GIRO_ACCOUNT = /^[0-9]{7,8}$/;
function rawCountry(party: XNode | undefined): string {
  return all(party, 'cac:PostalAddress', 'cac:Country', 'cbc:IdentificationCode').map(str).join('');
}
/** normalize-space(cac:PartyTaxScheme[normalize-space(cac:TaxScheme/cbc:ID) = X]/cbc:CompanyID) on the first. */
function schemeCompanyIds(
  party: XNode | undefined,
  scheme: string,
  normalizeScheme = true,
): XNode[] {
  return taxSchemes(party, scheme, normalizeScheme).flatMap((p) => children(p, 'cbc:CompanyID'));
}
function rule(
  id: string,
  flag: 'fatal' | 'warning',
  message: string,
  context: string | string[],
  when: (n: XNode, c: Ctx) => boolean,
  test: (n: XNode, c: Ctx) => boolean,
): Rule {
  return { id, flag, message, context, when, test };
}

// ---------------------------------------------------------------------------------------- NO
const NO_VAT = /^[0-9]{9}MVA$/;
const noRules: Rule[] = [
  rule(
    'NO-R-002',
    'warning',
    'Most Norwegian sellers must state "Foretaksregisteret" (seller tax registration, BT-32).',
    'cac:Party',
    (n, c) => isSupplierParty(n) && supplierCountry(c) === 'NO',
    (n) =>
      schemeCompanyIds(n, 'TAX').some((x) => norm(x) === 'Foretaksregisteret') &&
      norm(schemeCompanyIds(n, 'TAX')[0]) === 'Foretaksregisteret',
  ),
  rule(
    'NO-R-001',
    'fatal',
    'A Norwegian seller VAT identifier (BT-31) must be NO + a valid 9-digit organisation number + MVA.',
    'cac:Party',
    (n, c) => isSupplierParty(n) && supplierCountry(c) === 'NO',
    (n) => {
      const ids = schemeCompanyIds(n, 'VAT');
      const first = ids[0];
      if (first === undefined || str(first).substring(0, 2) !== 'NO') return true;
      const v = str(first);
      return NO_VAT.test(v.substring(2)) && mod11(v.substring(2, 11));
    },
  ),
];

// ---------------------------------------------------------------------------------------- DK
function dkSupplier(c: Ctx): boolean {
  return memo(c, 'dkS', () => rawCountry(supplierParty(c)) === 'DK');
}
function dkBoth(c: Ctx): boolean {
  return memo(c, 'dkB', () => dkSupplier(c) && rawCountry(customerParty(c)) === 'DK');
}
const DK_UNSPSC = new Set(['19.05.01', '19.0501', '26.08.01', '26.0801']);
const DK_MEANS = ' 1 10 31 42 48 49 50 58 59 93 97 ';
const dkRules: Rule[] = [
  rule(
    'DK-R-002',
    'fatal',
    'Danish sellers must provide their legal registration identifier (CVR number, BT-30).',
    '/',
    (_n, c) => dkSupplier(c),
    (n) =>
      all(
        n,
        'cac:AccountingSupplierParty',
        'cac:Party',
        'cac:PartyLegalEntity',
        'cbc:CompanyID',
      ).some((x) => ntext(x) !== ''),
  ),
  rule(
    'DK-R-014',
    'fatal',
    'Danish sellers must use scheme 0184 (CVR) for their legal registration identifier (BT-30).',
    '/',
    (_n, c) => dkSupplier(c),
    (n) => {
      const ids = all(
        n,
        'cac:AccountingSupplierParty',
        'cac:Party',
        'cac:PartyLegalEntity',
        'cbc:CompanyID',
      );
      if (ids.length === 0) return true;
      return nspace(attr(ids[0], 'schemeID') ?? '') === '0184';
    },
  ),
  rule(
    'DK-R-016',
    'fatal',
    'A Danish credit note to a Danish buyer cannot have a negative amount due (BT-115).',
    '/',
    (_n, c) => dkSupplier(c),
    (n, c) =>
      !(
        !c.isInvoice &&
        rawCountry(customerParty(c)) === 'DK' &&
        numberOf(val(n, 'cac:LegalMonetaryTotal', 'cbc:PayableAmount')) < 0
      ),
  ),
  rule(
    'DK-R-013',
    'fatal',
    'Danish parties must give a scheme identifier for party identifiers (BT-29, BT-46).',
    'cac:PartyIdentification',
    (n, c) =>
      dkBoth(c) && n.parent !== null && (isSupplierParty(n.parent) || isCustomerParty(n.parent)),
    (n) => !(has(n, 'cbc:ID') && nspace(attr(child(n, 'cbc:ID'), 'schemeID') ?? '') === ''),
  ),
  rule(
    'DK-R-005',
    'fatal',
    'For Danish sellers only payment means codes (BT-81) 1, 10, 31, 42, 48, 49, 50, 58, 59, 93 and 97 are allowed.',
    'cac:PaymentMeans',
    (n, c) => c.isInvoice && n.parent === c.root && dkBoth(c),
    (n) => DK_MEANS.includes(` ${str(child(n, 'cbc:PaymentMeansCode'))} `),
  ),
  rule(
    'DK-R-006',
    'fatal',
    'For payment means 31 or 42 Danish sellers must give bank account (BT-84) and registration number (BT-86).',
    'cac:PaymentMeans',
    (n, c) => c.isInvoice && n.parent === c.root && dkBoth(c),
    (n) => {
      const codes = children(n, 'cbc:PaymentMeansCode').map(str);
      if (!codes.includes('31') && !codes.includes('42')) return true;
      return (
        ntext(first(n, 'cac:PayeeFinancialAccount', 'cbc:ID')) !== '' &&
        ntext(first(n, 'cac:PayeeFinancialAccount', 'cac:FinancialInstitutionBranch', 'cbc:ID')) !==
          ''
      );
    },
  ),
  rule(
    'DK-R-007',
    'fatal',
    'For payment means 49 Danish sellers must give the mandate reference (BT-89) and the debited account (BT-91).',
    'cac:PaymentMeans',
    (n, c) => c.isInvoice && n.parent === c.root && dkBoth(c),
    (n) => {
      if (!children(n, 'cbc:PaymentMeansCode').some((x) => str(x) === '49')) return true;
      return (
        ntext(first(n, 'cac:PaymentMandate', 'cbc:ID')) !== '' &&
        ntext(first(n, 'cac:PaymentMandate', 'cac:PayerFinancialAccount', 'cbc:ID')) !== ''
      );
    },
  ),
  rule(
    'DK-R-008',
    'fatal',
    'For payment means 50 (Giro, BT-81) the payment ID (remittance information, BT-83) must start with 01#, 04# or 15# and the account number (BT-84) must be 7 or 8 digits.',
    'cac:PaymentMeans',
    (n, c) => c.isInvoice && n.parent === c.root && dkBoth(c),
    (n) => {
      if (!children(n, 'cbc:PaymentMeansCode').some((x) => str(x) === '50')) return true;
      const p = str(child(n, 'cbc:PaymentID')).substring(0, 3);
      return (
        (p === '01#' || p === '04#' || p === '15#') &&
        // Official: matches(cac:PayeeFinancialAccount/cbc:ID, '^[0-9]{7,8}$') — digits only.
        GIRO_ACCOUNT.test(str(first(n, 'cac:PayeeFinancialAccount', 'cbc:ID')))
      );
    },
  ),
  rule(
    'DK-R-009',
    'fatal',
    'For payment means 50 (BT-81) with payment ID prefix 04# or 15#, the payment ID (remittance information, BT-83) must be 19 characters long.',
    'cac:PaymentMeans',
    (n, c) => c.isInvoice && n.parent === c.root && dkBoth(c),
    (n) => {
      if (!children(n, 'cbc:PaymentMeansCode').some((x) => str(x) === '50')) return true;
      const id = str(child(n, 'cbc:PaymentID'));
      const p = id.substring(0, 3);
      return !((p === '04#' || p === '15#') && id.length !== 19);
    },
  ),
  rule(
    'DK-R-010',
    'fatal',
    'For payment means 93 (FIK, BT-81) the payment ID (remittance information, BT-83) must start with 71#, 73# or 75# and the creditor number (BT-84) must have 8 characters.',
    'cac:PaymentMeans',
    (n, c) => c.isInvoice && n.parent === c.root && dkBoth(c),
    (n) => {
      if (!children(n, 'cbc:PaymentMeansCode').some((x) => str(x) === '93')) return true;
      const p = str(child(n, 'cbc:PaymentID')).substring(0, 3);
      return (
        (p === '71#' || p === '73#' || p === '75#') &&
        str(first(n, 'cac:PayeeFinancialAccount', 'cbc:ID')).length === 8
      );
    },
  ),
  rule(
    'DK-R-011',
    'fatal',
    'For payment means 93 (BT-81) with payment ID prefix 71# or 75#, the payment ID (remittance information, BT-83) must be 18 or 19 characters long.',
    'cac:PaymentMeans',
    (n, c) => c.isInvoice && n.parent === c.root && dkBoth(c),
    (n) => {
      if (!children(n, 'cbc:PaymentMeansCode').some((x) => str(x) === '93')) return true;
      const id = str(child(n, 'cbc:PaymentID'));
      const p = id.substring(0, 3);
      return !((p === '71#' || p === '75#') && !(id.length === 18 || id.length === 19));
    },
  ),
  rule(
    'DK-R-003',
    'warning',
    'Danish sellers should use UNSPSC version 19.0501 (BT-158-2) for the item classification (BT-158).',
    ['cac:InvoiceLine', 'cac:CreditNoteLine'],
    (n, c) => n.parent === c.root && n.q === c.lineQ && dkBoth(c),
    (n) => {
      const codes = all(n, 'cac:Item', 'cac:CommodityClassification', 'cbc:ItemClassificationCode');
      const tst = codes.some((x) => attr(x, 'listID') === 'TST');
      const ver = codes.some((x) => DK_UNSPSC.has(attr(x, 'listVersionID') ?? ''));
      return !(tst && !ver);
    },
  ),
  rule(
    'DK-R-004',
    'fatal',
    'For non-VAT taxes Danish sellers must use charge reason code (BT-105, BT-145) ZZZ with the 4-digit tax category, or a text containing # (not first or last), in the charge reason (BT-104, BT-144).',
    'cac:AllowanceCharge',
    (_n, c) => dkBoth(c),
    (n) => {
      if (!children(n, 'cbc:AllowanceChargeReasonCode').some((x) => str(x) === 'ZZZ')) return true;
      // Official: a 4-character reason that is a number in 0..9999, or a reason containing '#'
      // that neither starts nor ends with '#'.
      const r = child(n, 'cbc:AllowanceChargeReason');
      const v = numberOf(str(r));
      if (ntext(r).length === 4 && v >= 0 && v <= 9999) return true;
      const raw = str(r);
      return r !== undefined && raw.includes('#') && !raw.startsWith('#') && !raw.endsWith('#');
    },
  ),
];

// ---------------------------------------------------------------------------------------- IT
const IT_TAX = /^[A-Z0-9]{11,16}$/;
const itRules: Rule[] = [
  rule(
    'IT-R-001',
    'fatal',
    'Italian sellers: the tax registration identifier (BT-32) must be 11 to 16 letters or digits.',
    'cac:PartyTaxScheme',
    (n, c) =>
      n.parent !== null &&
      isSupplierParty(n.parent) &&
      supplierCountry(c) === 'IT' &&
      val(n, 'cac:TaxScheme', 'cbc:ID') !== 'VAT',
    (n) => IT_TAX.test(val(n, 'cbc:CompanyID')),
  ),
  rule(
    'IT-R-002',
    'fatal',
    'Italian sellers must give the postal address line 1 (BT-35).',
    'cac:Party',
    (n, c) => isSupplierParty(n) && supplierCountry(c) === 'IT',
    (n) => has(n, 'cac:PostalAddress', 'cbc:StreetName'),
  ),
  rule(
    'IT-R-003',
    'fatal',
    'Italian sellers must give the city (BT-37).',
    'cac:Party',
    (n, c) => isSupplierParty(n) && supplierCountry(c) === 'IT',
    (n) => has(n, 'cac:PostalAddress', 'cbc:CityName'),
  ),
  rule(
    'IT-R-004',
    'fatal',
    'Italian sellers must give the post code (BT-38).',
    'cac:Party',
    (n, c) => isSupplierParty(n) && supplierCountry(c) === 'IT',
    (n) => has(n, 'cac:PostalAddress', 'cbc:PostalZone'),
  ),
];

// ---------------------------------------------------------------------------------------- SE
function seVatParty(n: XNode): boolean {
  return (
    all(n, 'cac:PostalAddress', 'cac:Country', 'cbc:IdentificationCode').some(
      (x) => str(x) === 'SE',
    ) && schemeCompanyIds(n, 'VAT', false).some((x) => str(x).substring(0, 2) === 'SE')
  );
}
function seSupplier(c: Ctx): boolean {
  return memo(c, 'seS', () =>
    c
      .nodes('cac:Party')
      .some(
        (p) =>
          isSupplierParty(p) &&
          all(p, 'cac:PostalAddress', 'cac:Country', 'cbc:IdentificationCode').some(
            (x) => str(x) === 'SE',
          ),
      ),
  );
}
function seVatSupplier(c: Ctx): boolean {
  return memo(c, 'seV', () =>
    c.nodes('cac:Party').some((p) => isSupplierParty(p) && seVatParty(p)),
  );
}
function seCustomer(c: Ctx): boolean {
  return memo(c, 'seC', () =>
    c
      .nodes('cac:Party')
      .some(
        (p) =>
          isCustomerParty(p) &&
          all(p, 'cac:PostalAddress', 'cac:Country', 'cbc:IdentificationCode').some(
            (x) => str(x) === 'SE',
          ),
      ),
  );
}
function sePayeeAccount(n: XNode, branch: string): boolean {
  const pfa = n.parent;
  const pm = pfa?.parent;
  if (n.parent?.q !== 'cac:PayeeFinancialAccount' || pm?.q !== 'cac:PaymentMeans') return false;
  return (
    val(pm, 'cbc:PaymentMeansCode') === '30' &&
    val(pfa ?? undefined, 'cac:FinancialInstitutionBranch', 'cbc:ID') === branch
  );
}
const seRules: Rule[] = [
  rule(
    'SE-R-001',
    'fatal',
    'Swedish VAT numbers (BT-31) must have 14 characters.',
    'cac:Party',
    (n) => isSupplierParty(n) && seVatParty(n),
    (n) => norm(schemeCompanyIds(n, 'VAT', false)[0]).length === 14,
  ),
  rule(
    'SE-R-002',
    'fatal',
    'Swedish VAT numbers (BT-31) must end with 12 digits.',
    'cac:Party',
    (n) => isSupplierParty(n) && seVatParty(n),
    (n) => !Number.isNaN(numberOf(str(schemeCompanyIds(n, 'VAT', false)[0]).substring(2, 14))),
  ),
  rule(
    'SE-R-003',
    'fatal',
    'Swedish organisation numbers (BT-30) should be numeric.',
    'cac:PartyLegalEntity',
    (n) =>
      n.parent !== null &&
      isSupplierParty(n.parent) &&
      all(n.parent, 'cac:PostalAddress', 'cac:Country', 'cbc:IdentificationCode').some(
        (x) => str(x) === 'SE',
      ) &&
      has(n, 'cbc:CompanyID'),
    (n) => !Number.isNaN(numberOf(str(child(n, 'cbc:CompanyID')))),
  ),
  rule(
    'SE-R-004',
    'fatal',
    'Swedish organisation numbers (BT-30) have 10 characters.',
    'cac:PartyLegalEntity',
    (n) =>
      n.parent !== null &&
      isSupplierParty(n.parent) &&
      all(n.parent, 'cac:PostalAddress', 'cac:Country', 'cbc:IdentificationCode').some(
        (x) => str(x) === 'SE',
      ) &&
      has(n, 'cbc:CompanyID'),
    (n) => val(n, 'cbc:CompanyID').length === 10,
  ),
  rule(
    'SE-R-013',
    'fatal',
    'The last digit of a Swedish organisation number (BT-30) must be a valid check digit.',
    'cac:PartyLegalEntity',
    (n) =>
      n.parent !== null &&
      isSupplierParty(n.parent) &&
      all(n.parent, 'cac:PostalAddress', 'cac:Country', 'cbc:IdentificationCode').some(
        (x) => str(x) === 'SE',
      ) &&
      has(n, 'cbc:CompanyID'),
    (n) => seOrgnr(val(n, 'cbc:CompanyID')),
  ),
  rule(
    'SE-R-005',
    'fatal',
    "Swedish sellers using a tax registration identifier (BT-32) must state 'Godkänd för F-skatt'.",
    'cbc:CompanyID',
    (n) => {
      const pts = n.parent;
      const party = pts?.parent;
      if (pts?.q !== 'cac:PartyTaxScheme' || party == null || !isSupplierParty(party)) return false;
      if (
        !all(party, 'cac:PostalAddress', 'cac:Country', 'cbc:IdentificationCode').some(
          (x) => str(x) === 'SE',
        )
      )
        return false;
      if (!has(party, 'cac:PartyLegalEntity', 'cbc:CompanyID')) return false;
      return val(pts, 'cac:TaxScheme', 'cbc:ID').toUpperCase() !== 'VAT';
    },
    (n) => norm(n).toUpperCase() === 'GODKÄND FÖR F-SKATT',
  ),
  rule(
    'SE-R-006',
    'fatal',
    'Swedish sellers may only use VAT rates (BT-96, BT-103, BT-119, BT-152) of 25, 12 or 6 for standard rated VAT.',
    ['cac:TaxCategory', 'cac:ClassifiedTaxCategory'],
    (n, c) => seVatSupplier(c) && children(n, 'cbc:ID').some((x) => str(x) === 'S'),
    (n) => {
      const p = numberOf(str(child(n, 'cbc:Percent')));
      return p === 25 || p === 12 || p === 6;
    },
  ),
  rule(
    'SE-R-007',
    'warning',
    'Plusgiro account numbers (BT-84) should be numeric.',
    'cbc:ID',
    (n, c) => seSupplier(c) && sePayeeAccount(n, 'SE:PLUSGIRO'),
    (n) => !Number.isNaN(numberOf(norm(n))),
  ),
  rule(
    'SE-R-010',
    'warning',
    'Plusgiro account numbers (BT-84) should have 2 to 8 characters.',
    'cbc:ID',
    (n, c) => seSupplier(c) && sePayeeAccount(n, 'SE:PLUSGIRO'),
    (n) => norm(n).length >= 2 && norm(n).length <= 8,
  ),
  rule(
    'SE-R-008',
    'warning',
    'Bankgiro account numbers (BT-84) should be numeric.',
    'cbc:ID',
    (n, c) => seSupplier(c) && sePayeeAccount(n, 'SE:BANKGIRO'),
    (n) => !Number.isNaN(numberOf(norm(n))),
  ),
  rule(
    'SE-R-009',
    'warning',
    'Bankgiro account numbers (BT-84) should have 7 or 8 characters.',
    'cbc:ID',
    (n, c) => seSupplier(c) && sePayeeAccount(n, 'SE:BANKGIRO'),
    (n) => norm(n).length === 7 || norm(n).length === 8,
  ),
  rule(
    'SE-R-011',
    'warning',
    'Swedish Bankgiro/Plusgiro should be given as payment means 30 (BT-81) with payment service provider (BT-86) SE:BANKGIRO or SE:PLUSGIRO.',
    'cac:PaymentMeans',
    (n, c) =>
      seSupplier(c) &&
      children(n, 'cbc:PaymentMeansCode').some((x) => str(x) === '50' || str(x) === '56'),
    () => false,
  ),
  rule(
    'SE-R-012',
    'warning',
    'Domestic Swedish credit transfers should use payment means code (BT-81) 30.',
    'cac:PaymentMeans',
    (n, c) =>
      seSupplier(c) &&
      seCustomer(c) &&
      children(n, 'cbc:PaymentMeansCode').some((x) => str(x) === '31'),
    () => false,
  ),
];

// ---------------------------------------------------------------------------------------- GR
function grSender(c: Ctx): boolean {
  return supplierCountry(c) === 'GR' || supplierCountry(c) === 'EL';
}
function grReceiver(c: Ctx): boolean {
  return customerCountry(c) === 'GR' || customerCountry(c) === 'EL';
}
function grSupplierAddressGR(c: Ctx): boolean {
  return all(supplierParty(c), 'cac:PostalAddress', 'cac:Country', 'cbc:IdentificationCode').some(
    (x) => str(x) === 'GR',
  );
}
function accountingSupplierCountry(c: Ctx): string {
  return memo(c, 'accSupCountry', () => {
    for (const pts of taxSchemes(supplierParty(c), 'VAT')) {
      const id = child(pts, 'cbc:CompanyID');
      const two = id === undefined ? '' : id.text.substring(0, 2);
      if (two !== '') return nspace(two).toUpperCase();
    }
    const cc = first(
      supplierParty(c),
      'cac:PostalAddress',
      'cac:Country',
      'cbc:IdentificationCode',
    );
    return cc !== undefined ? norm(cc).toUpperCase() : 'XX';
  });
}
const GR_DATE = /^(0?[1-9]|[12][0-9]|3[01])[-\\/ ]?(0?[1-9]|1[0-2])[-\\/ ]?(19|20)[0-9]{2}/;
const GR_DOC_TYPES = new Set(['1.1', '1.6', '2.1', '2.4', '5.1', '5.2', '']);
function segs(n: XNode): string[] {
  return str(n).split('|');
}
function grVatIds(party: XNode | undefined): XNode[] {
  return schemeCompanyIds(party, 'VAT');
}
function grId(id: string, message: string, test: (s: string[], n: XNode, c: Ctx) => boolean): Rule {
  return rule(
    id,
    'fatal',
    message,
    'cbc:ID',
    (n, c) => n.parent === c.root && grSender(c),
    (n, c) => test(segs(n), n, c),
  );
}
const grRules: Rule[] = [
  grId(
    'GR-R-001-1',
    'Greek sellers: the invoice number (BT-1) must have 6 segments separated by "|".',
    (s) => s.length === 6,
  ),
  grId(
    'GR-R-001-2',
    "Greek sellers: the first segment of the invoice number (BT-1) must be a valid TIN matching the seller's (BT-31) or tax representative's (BT-63).",
    (s, _n, c) => {
      const s1 = s[0] ?? '';
      if (norm({ ...EMPTY, text: s1 }).length !== 9 || !greekTin(s1)) return false;
      const ids = [
        ...grVatIds(supplierParty(c)),
        ...grVatIds(child(c.root, 'cac:TaxRepresentativeParty')),
      ].map((x) => str(x).substring(2, 11));
      return ids.includes(s1);
    },
  ),
  grId(
    'GR-R-001-3',
    'Greek sellers: the second segment of the invoice number (BT-1) must be the issue date (BT-2) written DD/MM/YYYY.',
    (s, _n, c) => {
      const s2 = s[1] ?? '';
      if (nspace(s2) === '' || !GR_DATE.test(s2)) return false;
      const d = s2.split('/');
      const iss = str(child(c.root, 'cbc:IssueDate')).split('-');
      return d[0] === iss[2] && d[1] === iss[1] && d[2] === iss[0];
    },
  ),
  grId(
    'GR-R-001-4',
    'Greek sellers: the third segment of the invoice number (BT-1) must be a positive whole number.',
    (s) => {
      const s3 = s[2] ?? '';
      return (
        nspace(s3) !== '' &&
        !Number.isNaN(numberOf(s3)) &&
        /^\s*[+-]?\d+\s*$/.test(s3) &&
        Number(s3) >= 0
      );
    },
  ),
  grId(
    'GR-R-001-5',
    'Greek sellers: the fourth segment of the invoice number (BT-1) must be a valid Greek document type.',
    (s) => {
      const s4 = s[3] ?? '';
      return nspace(s4) !== '' && GR_DOC_TYPES.has(s4);
    },
  ),
  grId(
    'GR-R-001-6',
    'Greek sellers: the fifth segment of the invoice number (BT-1) must not be empty.',
    (s) => (s[4] ?? '').length > 0,
  ),
  grId(
    'GR-R-001-7',
    'Greek sellers: the sixth segment of the invoice number (BT-1) must not be empty.',
    (s) => (s[5] ?? '').length > 0,
  ),
  rule(
    'GR-R-002',
    'fatal',
    'Greek sellers must give their full registered name (BT-28).',
    'cac:Party',
    (n, c) => isSupplierParty(n) && grSender(c),
    (n) => str(first(n, 'cac:PartyName', 'cbc:Name')).length > 0,
  ),
  rule(
    'GR-S-011',
    'warning',
    'Greek sellers should give their VAT number (BT-31) prefixed with EL.',
    'cac:Party',
    (n, c) => isSupplierParty(n) && grSender(c),
    (n) => {
      const ids = grVatIds(n);
      return (
        ids.length === 1 &&
        str(ids[0]).substring(0, 2) === 'EL' &&
        greekTin(str(ids[0]).substring(2))
      );
    },
  ),
  rule(
    'GR-R-003',
    'fatal',
    "Greek sellers' VAT number (BT-31) must start with EL followed by a valid TIN.",
    'cbc:CompanyID',
    (n, c) =>
      grSender(c) &&
      n.parent?.q === 'cac:PartyTaxScheme' &&
      n.parent.parent != null &&
      isSupplierParty(n.parent.parent) &&
      val(n.parent, 'cac:TaxScheme', 'cbc:ID') === 'VAT',
    (n) => str(n).substring(0, 2) === 'EL' && greekTin(str(n).substring(2)),
  ),
  rule(
    'GR-R-004-1',
    'fatal',
    'Greek sellers must give exactly one MARK number (supporting document reference BT-122 with description ##M.AR.K##).',
    '/',
    (_n, c) => grSender(c) && grSupplierAddressGR(c),
    (n) =>
      children(n, 'cac:AdditionalDocumentReference').filter((r) =>
        children(r, 'cbc:DocumentDescription').some((d) => str(d) === '##M.AR.K##'),
      ).length === 1,
  ),
  rule(
    'GR-S-008-1',
    'warning',
    'Greek sellers should give one invoice URL (supporting document reference BT-122 with description ##INVOICE|URL##).',
    '/',
    (_n, c) => grSender(c) && grSupplierAddressGR(c),
    (n) =>
      children(n, 'cac:AdditionalDocumentReference').filter((r) =>
        children(r, 'cbc:DocumentDescription').some((d) => str(d) === '##INVOICE|URL##'),
      ).length === 1,
  ),
  rule(
    'GR-R-008-2',
    'fatal',
    'Greek sellers may give at most one invoice URL (supporting document reference BT-122).',
    '/',
    (_n, c) => grSender(c) && grSupplierAddressGR(c),
    (n) =>
      children(n, 'cac:AdditionalDocumentReference').filter((r) =>
        children(r, 'cbc:DocumentDescription').some((d) => str(d) === '##INVOICE|URL##'),
      ).length <= 1,
  ),
  rule(
    'GR-R-004-2',
    'fatal',
    'The MARK number (supporting document reference, BT-122) must be a positive whole number.',
    'cbc:ID',
    (n, c) =>
      n.parent?.q === 'cac:AdditionalDocumentReference' &&
      grSender(c) &&
      grSupplierAddressGR(c) &&
      children(n.parent, 'cbc:DocumentDescription').some((d) => str(d) === '##M.AR.K##'),
    (n) => /^[1-9]([0-9]*)/.test(str(n)),
  ),
  rule(
    'GR-R-008-3',
    'fatal',
    'The invoice URL document reference must contain the URL (external document location, BT-124).',
    'cac:AdditionalDocumentReference',
    (n, c) =>
      grSender(c) &&
      children(n, 'cbc:DocumentDescription').some((d) => str(d) === '##INVOICE|URL##'),
    (n) => val(n, 'cac:Attachment', 'cac:ExternalReference', 'cbc:URI').length > 0,
  ),
  rule(
    'GR-R-005',
    'fatal',
    'Greek sellers must give the full name of the buyer (BT-45).',
    'cac:Party',
    (n, c) => isCustomerParty(n) && grSender(c),
    (n) => str(first(n, 'cac:PartyName', 'cbc:Name')).length > 0,
  ),
  rule(
    'GR-R-009',
    'fatal',
    'Greek sellers must use their TIN with scheme 9933 as electronic address (BT-34).',
    'cbc:EndpointID',
    (n, c) =>
      n.parent != null &&
      isSupplierParty(n.parent) &&
      (accountingSupplierCountry(c) === 'GR' || accountingSupplierCountry(c) === 'EL'),
    (n) => attr(n, 'schemeID') === '9933' && greekTin(str(n)),
  ),
  rule(
    'GR-R-006',
    'fatal',
    'Greek sellers must give the VAT number of a Greek buyer (BT-48), prefixed with EL.',
    'cac:Party',
    (n, c) => isCustomerParty(n) && grSender(c) && grReceiver(c),
    (n) => {
      const ids = grVatIds(n);
      return (
        ids.length === 1 &&
        str(ids[0]).substring(0, 2) === 'EL' &&
        greekTin(str(ids[0]).substring(2))
      );
    },
  ),
  rule(
    'GR-R-010',
    'fatal',
    "A Greek buyer's electronic address (BT-49) must be its TIN with scheme 9933.",
    'cbc:EndpointID',
    (n, c) => n.parent != null && isCustomerParty(n.parent) && grSender(c) && grReceiver(c),
    (n) => attr(n, 'schemeID') === '9933' && greekTin(str(n)),
  ),
];
const EMPTY: XNode = {
  q: '',
  local: '',
  ns: '',
  attrs: null,
  text: '',
  children: [],
  parent: null,
  order: -1,
};

// ---------------------------------------------------------------------------------------- IS
function isSupplierIS(c: Ctx): boolean {
  return rawCountry(supplierParty(c)) === 'IS';
}
/** cac:AdditionalDocumentReference[cbc:DocumentDescription = 'EINDAGI'] (exact string value). */
function eindagiReferences(n: XNode): XNode[] {
  return children(n, 'cac:AdditionalDocumentReference').filter((r) =>
    children(r, 'cbc:DocumentDescription').some((d) => str(d) === 'EINDAGI'),
  );
}
/**
 * IS-R-006/007: `exists(cac:PaymentMeans[cbc:PaymentMeansCode = X]/cac:PayeeFinancialAccount/cbc:ID)
 * and string-length(normalize-space(…/cbc:ID)) = 12 or not(exists(cac:PaymentMeans[… = X]))`.
 * With several such accounts the official XPath has no single value (a run-time error in
 * Saxon); here every one of them must have 12 characters.
 */
function isTwelveCharacterAccount(n: XNode, code: string): boolean {
  const means = children(n, 'cac:PaymentMeans').filter((m) =>
    children(m, 'cbc:PaymentMeansCode').some((x) => str(x) === code),
  );
  if (means.length === 0) return true;
  const accounts = means.flatMap((m) => all(m, 'cac:PayeeFinancialAccount', 'cbc:ID'));
  return accounts.length > 0 && accounts.every((a) => [...norm(a)].length === 12);
}
const isRules: Rule[] = [
  rule(
    'IS-R-001',
    'warning',
    'Icelandic sellers should use invoice type code (BT-3) 380 or credit note type 381.',
    '/',
    (_n, c) => isSupplierIS(c),
    (n) => {
      const v = val(n, 'cbc:InvoiceTypeCode') || val(n, 'cbc:CreditNoteTypeCode');
      return v === '380' || v === '381';
    },
  ),
  rule(
    'IS-R-002',
    'fatal',
    'Icelandic sellers must give their kennitala as legal registration identifier (BT-30, scheme 0196).',
    '/',
    (_n, c) => isSupplierIS(c),
    (n) =>
      all(
        n,
        'cac:AccountingSupplierParty',
        'cac:Party',
        'cac:PartyLegalEntity',
        'cbc:CompanyID',
      ).some((x) => attr(x, 'schemeID') === '0196'),
  ),
  rule(
    'IS-R-003',
    'fatal',
    'Icelandic sellers must give street name (BT-35) and post code (BT-38).',
    '/',
    (_n, c) => isSupplierIS(c),
    (n) =>
      has(n, 'cac:AccountingSupplierParty', 'cac:Party', 'cac:PostalAddress', 'cbc:StreetName') &&
      has(n, 'cac:AccountingSupplierParty', 'cac:Party', 'cac:PostalAddress', 'cbc:PostalZone'),
  ),
  rule(
    'IS-R-006',
    'fatal',
    'Icelandic sellers paid by claim (payment means code 9, BT-81) must give a 12-digit account (payment account identifier, BT-84: bank number, ledger 66 and account number).',
    '/',
    (_n, c) => isSupplierIS(c),
    (n) => isTwelveCharacterAccount(n, '9'),
  ),
  rule(
    'IS-R-007',
    'fatal',
    'Icelandic sellers paid by credit transfer (payment means code 42, BT-81) must give a 12-digit account number (payment account identifier, BT-84).',
    '/',
    (_n, c) => isSupplierIS(c),
    (n) => isTwelveCharacterAccount(n, '42'),
  ),
  rule(
    'IS-R-008',
    'fatal',
    'For Icelandic sellers the final due date (EINDAGI, supporting document reference BT-122) must be a date written YYYY-MM-DD.',
    '/',
    (_n, c) => isSupplierIS(c),
    (n) => {
      const eindagi = eindagiReferences(n);
      return (
        eindagi.length === 0 ||
        eindagi.every((r) => {
          const id = str(child(r, 'cbc:ID'));
          return has(r, 'cbc:ID') && isDateText10(id);
        })
      );
    },
  ),
  rule(
    'IS-R-009',
    'fatal',
    'For Icelandic sellers an invoice with a final due date (EINDAGI, supporting document reference BT-122) must also have a payment due date (BT-9).',
    '/',
    (_n, c) => isSupplierIS(c),
    (n) => eindagiReferences(n).length === 0 || has(n, 'cbc:DueDate'),
  ),
  rule(
    'IS-R-010',
    'fatal',
    'For Icelandic sellers the final due date (EINDAGI, supporting document reference BT-122) must be the same as or later than the payment due date (BT-9).',
    '/',
    (_n, c) => isSupplierIS(c),
    (n) => {
      const eindagi = eindagiReferences(n);
      if (eindagi.length === 0) return true;
      // XPath general comparison of two untyped values: string comparison, true when any pair holds.
      const due = children(n, 'cbc:DueDate').map(str);
      const ids = eindagi.flatMap((r) => children(r, 'cbc:ID')).map(str);
      return due.some((d) => ids.some((id) => d <= id));
    },
  ),
  rule(
    'IS-R-004',
    'fatal',
    'Icelandic buyers must be identified by their kennitala (BT-47, scheme 0196).',
    'cac:AccountingCustomerParty',
    (_n, c) => isSupplierIS(c) && rawCountry(customerParty(c)) === 'IS',
    (n) =>
      all(n, 'cac:Party', 'cac:PartyLegalEntity', 'cbc:CompanyID').some(
        (x) => attr(x, 'schemeID') === '0196',
      ),
  ),
  rule(
    'IS-R-005',
    'fatal',
    'Icelandic buyers must have street name (BT-50) and post code (BT-53).',
    'cac:AccountingCustomerParty',
    (_n, c) => isSupplierIS(c) && rawCountry(customerParty(c)) === 'IS',
    (n) =>
      has(n, 'cac:Party', 'cac:PostalAddress', 'cbc:StreetName') &&
      has(n, 'cac:Party', 'cac:PostalAddress', 'cbc:PostalZone'),
  ),
];

// ---------------------------------------------------------------------------------------- NL
function nl(c: Ctx, party: 'supplier' | 'customer' | 'taxrep'): boolean {
  return memo(c, 'nl-' + party, () => {
    const p =
      party === 'supplier'
        ? supplierParty(c)
        : party === 'customer'
          ? customerParty(c)
          : child(c.root, 'cac:TaxRepresentativeParty');
    return (
      val(p, 'cac:PostalAddress', 'cac:Country', 'cbc:IdentificationCode').toUpperCase() === 'NL'
    );
  });
}
function kvkOrOin(n: XNode): boolean {
  const s = attr(n, 'schemeID');
  return (s === '0106' || s === '0190') && norm(n) !== '';
}
const NL_MEANS = new Set(['30', '48', '49', '57', '58', '59']);
const nlRules: Rule[] = [
  rule(
    'NL-R-001',
    'fatal',
    'Dutch sellers: a credit note must reference the invoice it corrects (BT-25).',
    'cbc:CreditNoteTypeCode',
    (_n, c) => nl(c, 'supplier'),
    (_n, c) => has(c.root, 'cac:BillingReference', 'cac:InvoiceDocumentReference', 'cbc:ID'),
  ),
  rule(
    'NL-R-002',
    'fatal',
    'Dutch sellers must give street (BT-35), city (BT-37) and post code (BT-38).',
    'cac:PostalAddress',
    (n, c) => n.parent != null && isSupplierParty(n.parent) && nl(c, 'supplier'),
    (n) => has(n, 'cbc:StreetName') && has(n, 'cbc:CityName') && has(n, 'cbc:PostalZone'),
  ),
  rule(
    'NL-R-003',
    'fatal',
    'Dutch sellers: the legal registration identifier (BT-30) must be a KVK or OIN number (scheme 0106 or 0190).',
    'cbc:CompanyID',
    (n, c) =>
      n.parent?.q === 'cac:PartyLegalEntity' &&
      n.parent.parent != null &&
      isSupplierParty(n.parent.parent) &&
      nl(c, 'supplier'),
    kvkOrOin,
  ),
  rule(
    'NL-R-004',
    'fatal',
    'Dutch buyers: street (BT-50), city (BT-52) and post code (BT-53) must be given.',
    'cac:PostalAddress',
    (n, c) =>
      n.parent != null && isCustomerParty(n.parent) && nl(c, 'supplier') && nl(c, 'customer'),
    (n) => has(n, 'cbc:StreetName') && has(n, 'cbc:CityName') && has(n, 'cbc:PostalZone'),
  ),
  rule(
    'NL-R-005',
    'fatal',
    'Dutch buyers: the legal registration identifier (BT-47) must be a KVK or OIN number (scheme 0106 or 0190).',
    'cbc:CompanyID',
    (n, c) =>
      n.parent?.q === 'cac:PartyLegalEntity' &&
      n.parent.parent != null &&
      isCustomerParty(n.parent.parent) &&
      nl(c, 'supplier') &&
      nl(c, 'customer'),
    kvkOrOin,
  ),
  rule(
    'NL-R-006',
    'fatal',
    "A Dutch seller's tax representative in the Netherlands must have street (BT-64), city (BT-66) and post code (BT-67).",
    'cac:PostalAddress',
    (n, c) => n.parent?.q === 'cac:TaxRepresentativeParty' && nl(c, 'supplier') && nl(c, 'taxrep'),
    (n) => has(n, 'cbc:StreetName') && has(n, 'cbc:CityName') && has(n, 'cbc:PostalZone'),
  ),
  rule(
    'NL-R-007',
    'fatal',
    'Dutch sellers must give payment instructions (BG-16) when the buyer has to pay.',
    'cac:LegalMonetaryTotal',
    (_n, c) => nl(c, 'supplier'),
    (n, c) => {
      const pay = dec(child(n, 'cbc:PayableAmount'));
      return (
        (c.isInvoice && D.le(pay, D.ZERO)) ||
        (!c.isInvoice && D.ge(pay, D.ZERO)) ||
        c.nodes('cac:PaymentMeans').length > 0
      );
    },
  ),
  rule(
    'NL-R-008',
    'fatal',
    'Dutch sellers may only use payment means codes (BT-81) 30, 48, 49, 57, 58 or 59.',
    'cac:PaymentMeans',
    (_n, c) => nl(c, 'supplier') && nl(c, 'customer'),
    (n) => NL_MEANS.has(val(n, 'cbc:PaymentMeansCode')),
  ),
  rule(
    'NL-R-009',
    'fatal',
    'Dutch sellers: an order line reference (BT-132) requires a purchase order reference (BT-13).',
    'cbc:LineID',
    (n, c) => n.parent?.q === 'cac:OrderLineReference' && nl(c, 'supplier'),
    (_n, c) => has(c.root, 'cac:OrderReference', 'cbc:ID'),
  ),
];

// ---------------------------------------------------------------------------------------- DE
// XR-SKONTO-REGEX of the official rules: matched anywhere in the line up to its end (no '^').
const SKONTO =
  /#(SKONTO)#TAGE=([0-9]+#PROZENT=[0-9]+\.[0-9]{2})(#BASISBETRAG=-?[0-9]+\.[0-9]{2})?#$/;
// tokenize(., '#.+#'): '.' does not cross CR or LF; greedy within a line.
const HASH_RUN = /#[^\r\n]+#/g;
const AFTER_LAST_RUN = /^[ \t\r\n]*\n/;
// XR-EMAIL-REGEX of the official rules: the local part allows '"' (not "'").
const EMAIL =
  /^[a-zA-Z0-9!#$%&"*+/=?^_`{|}~-]+(\.[a-zA-Z0-9!#$%&"*+/=?^_`{|}~-]+)*@([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const THREE_DIGITS = /([0-9].*){3,}/;
const DE_VAT = new Set(['S', 'Z', 'E', 'AE', 'K', 'G', 'L', 'M']);
const DE_TYPES = new Set(['326', '380', '384', '389', '381', '875', '876', '877']);
function deRoot(
  id: string,
  flag: 'fatal' | 'warning',
  message: string,
  test: (n: XNode, c: Ctx) => boolean,
): Rule {
  return rule(id, flag, message, '/', (_n, c) => bothGerman(c), test);
}
/** XPath `q[boolean(normalize-space(.))]`: some child `q` with non-blank text. */
function provided(n: XNode, q: string): boolean {
  return children(n, q).some((x) => norm(x) !== '');
}
/** `/*\/cac:<party>/cac:Party/<leaf>`: the element sits exactly there under the root. */
function underRootParty(n: XNode, c: Ctx, party: string): boolean {
  const p = n.parent;
  return p?.q === 'cac:Party' && p.parent?.q === party && p.parent.parent === c.root;
}
function deContact(id: string, message: string, q: string): Rule {
  return rule(
    id,
    'fatal',
    message,
    'cac:Contact',
    (n, c) => bothGerman(c) && underRootParty(n, c, 'cac:AccountingSupplierParty'),
    (n) => provided(n, q),
  );
}
function deAddress(id: string, message: string, party: string, q: string): Rule {
  return rule(
    id,
    'fatal',
    message,
    'cac:PostalAddress',
    (n, c) => bothGerman(c) && underRootParty(n, c, party),
    (n) => provided(n, q),
  );
}
/** `/*\/cac:PaymentMeans[cbc:PaymentMeansCode = (30, 58)]`: a numeric comparison (xs:double). */
function deMeans(codes: number[]): (n: XNode, c: Ctx) => boolean {
  return (n, c) =>
    n.parent === c.root &&
    bothGerman(c) &&
    children(n, 'cbc:PaymentMeansCode').some((x) => codes.includes(numberOf(str(x))));
}
function deDeliveryAddress(n: XNode, c: Ctx): boolean {
  const loc = n.parent;
  return (
    bothGerman(c) &&
    loc?.q === 'cac:DeliveryLocation' &&
    loc.parent?.q === 'cac:Delivery' &&
    loc.parent.parent === c.root
  );
}
function stripWs(s: string): string {
  return s.replace(/\s+/g, '');
}
const deRules: Rule[] = [
  deRoot('DE-R-001', 'fatal', 'German invoices must contain payment instructions (BG-16).', (n) =>
    has(n, 'cac:PaymentMeans'),
  ),
  rule(
    'DE-R-002',
    'fatal',
    'German invoices must contain the seller contact (BG-6).',
    'cac:AccountingSupplierParty',
    (n, c) => bothGerman(c) && n.parent === c.root,
    (n) => has(n, 'cac:Party', 'cac:Contact'),
  ),
  deAddress(
    'DE-R-003',
    'German invoices must contain the seller city (BT-37).',
    'cac:AccountingSupplierParty',
    'cbc:CityName',
  ),
  deAddress(
    'DE-R-004',
    'German invoices must contain the seller post code (BT-38).',
    'cac:AccountingSupplierParty',
    'cbc:PostalZone',
  ),
  deContact(
    'DE-R-005',
    'German invoices must contain the seller contact point (BT-41).',
    'cbc:Name',
  ),
  deContact(
    'DE-R-006',
    'German invoices must contain the seller contact telephone number (BT-42).',
    'cbc:Telephone',
  ),
  deContact(
    'DE-R-007',
    'German invoices must contain the seller contact email address (BT-43).',
    'cbc:ElectronicMail',
  ),
  deAddress(
    'DE-R-008',
    'German invoices must contain the buyer city (BT-52).',
    'cac:AccountingCustomerParty',
    'cbc:CityName',
  ),
  deAddress(
    'DE-R-009',
    'German invoices must contain the buyer post code (BT-53).',
    'cac:AccountingCustomerParty',
    'cbc:PostalZone',
  ),
  rule(
    'DE-R-010',
    'fatal',
    'A deliver-to address (BG-15) in a German invoice must contain the city (BT-77).',
    'cac:Address',
    deDeliveryAddress,
    (n) => provided(n, 'cbc:CityName'),
  ),
  rule(
    'DE-R-011',
    'fatal',
    'A deliver-to address (BG-15) in a German invoice must contain the post code (BT-78).',
    'cac:Address',
    deDeliveryAddress,
    (n) => provided(n, 'cbc:PostalZone'),
  ),
  rule(
    'DE-R-014',
    'fatal',
    'German invoices must give the VAT category rate (BT-119) in each VAT breakdown.',
    'cac:TaxSubtotal',
    (n, c) => bothGerman(c) && n.parent?.q === 'cac:TaxTotal' && n.parent.parent === c.root,
    (n) => all(n, 'cac:TaxCategory', 'cbc:Percent').some((p) => norm(p) !== ''),
  ),
  deRoot(
    'DE-R-015',
    'fatal',
    'German invoices must contain the buyer reference (BT-10, Leitweg-ID).',
    (n) => provided(n, 'cbc:BuyerReference'),
  ),
  deRoot(
    'DE-R-016',
    'fatal',
    'German invoices with VAT must contain the seller VAT identifier (BT-31), tax registration (BT-32) or tax representative (BG-11).',
    (n) => {
      // Official: the root's allowances (ChargeIndicator = 'false') and charges ('true'),
      // compared as written, and the root's lines' item categories; codes compared as written.
      const acUsed = children(n, 'cac:AllowanceCharge').some((ac) => {
        const ind = children(ac, 'cbc:ChargeIndicator').map(str);
        if (!ind.includes('false') && !ind.includes('true')) return false;
        return all(ac, 'cac:TaxCategory', 'cbc:ID').some((x) => DE_VAT.has(str(x)));
      });
      const lineUsed = ['cac:InvoiceLine', 'cac:CreditNoteLine'].some((q) =>
        all(n, q, 'cac:Item', 'cac:ClassifiedTaxCategory', 'cbc:ID').some((x) =>
          DE_VAT.has(str(x)),
        ),
      );
      if (!acUsed && !lineUsed) return true;
      return (
        has(n, 'cac:TaxRepresentativeParty') ||
        all(
          n,
          'cac:AccountingSupplierParty',
          'cac:Party',
          'cac:PartyTaxScheme',
          'cbc:CompanyID',
        ).some((x) => norm(x) !== '')
      );
    },
  ),
  deRoot(
    'DE-R-017',
    'warning',
    'German invoices should use invoice type code (BT-3) 326, 380, 384, 389, 381, 875, 876 or 877.',
    (n) =>
      // Official: `cbc:InvoiceTypeCode = $supportedInvAndCNTypeCodes`, an exact string comparison.
      [...children(n, 'cbc:InvoiceTypeCode'), ...children(n, 'cbc:CreditNoteTypeCode')].some((x) =>
        DE_TYPES.has(str(x)),
      ),
  ),
  rule(
    'DE-R-018',
    'fatal',
    'Cash discount terms in the payment terms (BT-20) of German invoices must follow #SKONTO#TAGE=n#PROZENT=n.nn# and end with a line break.',
    'cbc:Note',
    // Official: only the first note of each payment terms (cac:PaymentTerms/cbc:Note[1]).
    (n, c) =>
      bothGerman(c) &&
      n.parent?.q === 'cac:PaymentTerms' &&
      n.parent.parent === c.root &&
      child(n.parent, 'cbc:Note') === n,
    (n) => {
      // Every line whose normalize-space starts with '#' must match the SKONTO pattern (the
      // official regex is anchored at the end only), and then the text after the last '#...#'
      // run must start with optional whitespace and a line break.
      const text = str(n);
      const hashLines = text
        .split(/\r?\n/)
        .map(nspace)
        .filter((l) => l.startsWith('#'));
      if (hashLines.length === 0) return true;
      if (!hashLines.every((l) => SKONTO.test(l))) return false;
      let rest = text;
      for (const m of text.matchAll(HASH_RUN)) rest = text.slice(m.index + m[0].length);
      return AFTER_LAST_RUN.test(rest);
    },
  ),
  rule(
    'DE-R-019',
    'warning',
    'For SEPA credit transfer (58) the payment account (BT-84) should be a valid IBAN.',
    'cac:PaymentMeans',
    deMeans([30, 58]),
    (n) => {
      if (!children(n, 'cbc:PaymentMeansCode').some((x) => str(x) === '58')) return true;
      return iban(stripWs(str(first(n, 'cac:PayeeFinancialAccount', 'cbc:ID'))));
    },
  ),
  rule(
    'DE-R-023-1',
    'fatal',
    'For credit transfer (30, 58) the credit transfer details (BG-17) must be given.',
    'cac:PaymentMeans',
    deMeans([30, 58]),
    (n) => has(n, 'cac:PayeeFinancialAccount'),
  ),
  rule(
    'DE-R-023-2',
    'fatal',
    'For credit transfer (30, 58) card (BG-18) and direct debit (BG-19) details must not be given.',
    'cac:PaymentMeans',
    deMeans([30, 58]),
    (n) => !has(n, 'cac:CardAccount') && !has(n, 'cac:PaymentMandate'),
  ),
  rule(
    'DE-R-024-1',
    'fatal',
    'For card payment (48, 54, 55) the card details (BG-18) must be given.',
    'cac:PaymentMeans',
    deMeans([48, 54, 55]),
    (n) => has(n, 'cac:CardAccount'),
  ),
  rule(
    'DE-R-024-2',
    'fatal',
    'For card payment (48, 54, 55) credit transfer (BG-17) and direct debit (BG-19) details must not be given.',
    'cac:PaymentMeans',
    deMeans([48, 54, 55]),
    (n) => !has(n, 'cac:PayeeFinancialAccount') && !has(n, 'cac:PaymentMandate'),
  ),
  rule(
    'DE-R-020',
    'warning',
    'For SEPA direct debit (59) the debited account (BT-91) should be a valid IBAN.',
    'cac:PaymentMeans',
    deMeans([59]),
    (n) =>
      iban(stripWs(str(first(n, 'cac:PaymentMandate', 'cac:PayerFinancialAccount', 'cbc:ID')))),
  ),
  rule(
    'DE-R-025-1',
    'fatal',
    'For direct debit (59) the direct debit details (BG-19) must be given.',
    'cac:PaymentMeans',
    deMeans([59]),
    (n) => has(n, 'cac:PaymentMandate'),
  ),
  rule(
    'DE-R-025-2',
    'fatal',
    'For direct debit (59) credit transfer (BG-17) and card (BG-18) details must not be given.',
    'cac:PaymentMeans',
    deMeans([59]),
    (n) => !has(n, 'cac:PayeeFinancialAccount') && !has(n, 'cac:CardAccount'),
  ),
  deRoot(
    'DE-R-022',
    'fatal',
    'Attached documents (BT-125) in a German invoice must have unique file names (BT-125-2).',
    (n) => {
      const names = all(
        n,
        'cac:AdditionalDocumentReference',
        'cac:Attachment',
        'cbc:EmbeddedDocumentBinaryObject',
      )
        .map((b) => attr(b, 'filename'))
        .filter((x) => x !== undefined);
      return new Set(names).size === names.length;
    },
  ),
  deRoot(
    'DE-R-026',
    'warning',
    'A corrected invoice (384) should reference the preceding invoice (BG-3).',
    // Official: `cbc:InvoiceTypeCode = 384 or cbc:CreditNoteTypeCode = 384`, a numeric comparison.
    (n) =>
      ![...children(n, 'cbc:InvoiceTypeCode'), ...children(n, 'cbc:CreditNoteTypeCode')].some(
        (x) => numberOf(str(x)) === 384,
      ) || has(n, 'cac:BillingReference', 'cac:InvoiceDocumentReference'),
  ),
  rule(
    'DE-R-027',
    'warning',
    'The seller contact telephone number (BT-42) should contain at least three digits.',
    'cac:Contact',
    (n, c) => bothGerman(c) && underRootParty(n, c, 'cac:AccountingSupplierParty'),
    (n) => THREE_DIGITS.test(val(n, 'cbc:Telephone')),
  ),
  rule(
    'DE-R-028',
    'warning',
    'The seller contact email address (BT-43) should be a valid email address.',
    'cac:Contact',
    (n, c) => bothGerman(c) && underRootParty(n, c, 'cac:AccountingSupplierParty'),
    (n) => EMAIL.test(val(n, 'cbc:ElectronicMail')),
  ),
  deRoot(
    'DE-R-030',
    'fatal',
    'With direct debit (BG-19) the bank assigned creditor identifier (BT-90) must be given.',
    (n) =>
      !has(n, 'cac:PaymentMeans', 'cac:PaymentMandate') ||
      // Only the seller's or the payee's identifiers count (not e.g. the buyer's).
      [
        ...all(n, 'cac:AccountingSupplierParty', 'cac:Party', 'cac:PartyIdentification', 'cbc:ID'),
        ...all(n, 'cac:PayeeParty', 'cac:PartyIdentification', 'cbc:ID'),
      ].some((i) => attr(i, 'schemeID') === 'SEPA'),
  ),
  deRoot(
    'DE-R-031',
    'fatal',
    'With direct debit (BG-19) the debited account identifier (BT-91) must be given.',
    (n) =>
      !has(n, 'cac:PaymentMeans', 'cac:PaymentMandate') ||
      has(n, 'cac:PaymentMeans', 'cac:PaymentMandate', 'cac:PayerFinancialAccount', 'cbc:ID'),
  ),
];

/** All national rules. */
export const nationalRules: Rule[] = [
  ...noRules,
  ...dkRules,
  ...itRules,
  ...seRules,
  ...grRules,
  ...isRules,
  ...nlRules,
  ...deRules,
];
