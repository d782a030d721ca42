import { memo } from '../rule';
import type { Ctx } from '../rule';
import type { XNode } from '../xml-tree';
import { all, child, children, first, has, norm, nspace, some, val } from '../xpath';

const TAX_SCHEME_ID = ['cac:TaxScheme', 'cbc:ID'] as const;

/** Shared per-document facts used by several rule families. */

/** PartyTaxScheme children of `party` whose TaxScheme/ID equals `scheme` (exact, as in Peppol). */
export function taxSchemes(party: XNode | undefined, scheme: string, normalize = false): XNode[] {
  const out: XNode[] = [];
  for (const pts of children(party, 'cac:PartyTaxScheme')) {
    for (const id of all(pts, 'cac:TaxScheme', 'cbc:ID')) {
      const v = normalize ? norm(id) : id.text;
      if (v === scheme) {
        out.push(pts);
        break;
      }
    }
  }
  return out;
}

/** The accounting supplier's cac:Party. */
export function supplierParty(c: Ctx): XNode | undefined {
  return memo(c, 'supplierParty', () => first(c.root, 'cac:AccountingSupplierParty', 'cac:Party'));
}

/** The accounting customer's cac:Party. */
export function customerParty(c: Ctx): XNode | undefined {
  return memo(c, 'customerParty', () => first(c.root, 'cac:AccountingCustomerParty', 'cac:Party'));
}

function vatPrefix(party: XNode | undefined): string | null {
  for (const pts of taxSchemes(party, 'VAT')) {
    const id = child(pts, 'cbc:CompanyID');
    const two = id === undefined ? '' : id.text.substring(0, 2);
    if (two !== '') return nspace(two).toUpperCase();
  }
  return null;
}

/** Peppol `$supplierCountry`: VAT prefix of seller, else tax representative, else address country. */
export function supplierCountry(c: Ctx): string {
  return memo(c, 'supplierCountry', () => {
    const p = vatPrefix(supplierParty(c));
    if (p !== null) return p;
    const t = vatPrefix(child(c.root, 'cac:TaxRepresentativeParty'));
    if (t !== null) return t;
    const cc = first(
      supplierParty(c),
      'cac:PostalAddress',
      'cac:Country',
      'cbc:IdentificationCode',
    );
    return cc !== undefined ? norm(cc).toUpperCase() : 'XX';
  });
}

/** Peppol `$customerCountry`. */
export function customerCountry(c: Ctx): string {
  return memo(c, 'customerCountry', () => {
    const p = vatPrefix(customerParty(c));
    if (p !== null) return p;
    const cc = first(
      customerParty(c),
      'cac:PostalAddress',
      'cac:Country',
      'cbc:IdentificationCode',
    );
    return cc !== undefined ? norm(cc).toUpperCase() : 'XX';
  });
}

/** Seller postal address country code (normalize-space, as written). */
export function supplierAddressCountry(c: Ctx): string {
  return memo(c, 'supplierAddrCountry', () =>
    val(supplierParty(c), 'cac:PostalAddress', 'cac:Country', 'cbc:IdentificationCode'),
  );
}

/** Buyer postal address country code (normalize-space, as written). */
export function customerAddressCountry(c: Ctx): string {
  return memo(c, 'customerAddrCountry', () =>
    val(customerParty(c), 'cac:PostalAddress', 'cac:Country', 'cbc:IdentificationCode'),
  );
}

/** Peppol `$profile`: the NN of urn:fdc:peppol.eu:2017:poacc:billing:NN:1.0, else 'Unknown'. */
export function profile(c: Ctx): string {
  return memo(c, 'profile', () => {
    const p = child(c.root, 'cbc:ProfileID');
    if (p === undefined) return 'Unknown';
    const m = PROFILE.exec(norm(p));
    if (m === null) return 'Unknown';
    return norm(p).split(':')[6] ?? 'Unknown';
  });
}
const PROFILE = /urn:fdc:peppol\.eu:2017:poacc:billing:([0-9]{2}):1\.0/;

/** Document-level children that are lines (InvoiceLine / CreditNoteLine). */
export function lines(c: Ctx): XNode[] {
  return memo(c, 'lines', () => children(c.root, c.lineQ));
}

/** ChargeIndicator as written ('true'/'false'/other), normalize-space'd. */
export function chargeIndicator(ac: XNode): string {
  return val(ac, 'cbc:ChargeIndicator');
}

/** XPath boolean comparison `cbc:ChargeIndicator = false()` / `true()` (string value cast). */
export function isAllowance(ac: XNode): boolean {
  const v = val(ac, 'cbc:ChargeIndicator');
  return v === 'false' || v === '0';
}

/** True for a charge (`cbc:ChargeIndicator = true()`). */
export function isCharge(ac: XNode): boolean {
  const v = val(ac, 'cbc:ChargeIndicator');
  return v === 'true' || v === '1';
}

/** `cac:TaxScheme/normalize-space(upper-case(cbc:ID)) = 'VAT'` on a (Classified)TaxCategory or PartyTaxScheme. */
export function isVat(n: XNode | undefined): boolean {
  return some(n, TAX_SCHEME_ID, (id) => norm(id).toUpperCase() === 'VAT');
}

/** normalize-space(cbc:ID) of a tax category. */
export function catId(n: XNode | undefined): string {
  return val(n, 'cbc:ID');
}

/** XPath `(path) != ''`: some node at the path has a non-empty string value. */
export function nonEmpty(n: XNode | undefined, ...path: string[]): boolean {
  return some(n, path, (x) => x.children.length > 0 || x.text !== '');
}

/** Seller (any scheme) PartyTaxScheme/CompanyID exists. */
export function sellerAnyTaxId(c: Ctx): boolean {
  return memo(c, 'sellerAnyTaxId', () =>
    c
      .nodes('cac:AccountingSupplierParty')
      .some((p) => all(p, 'cac:Party', 'cac:PartyTaxScheme', 'cbc:CompanyID').length > 0),
  );
}

/** Seller PartyTaxScheme[VAT]/CompanyID exists (anywhere, as `//` in the Schematron). */
export function sellerVatId(c: Ctx): boolean {
  return memo(c, 'sellerVatId', () =>
    c
      .nodes('cac:AccountingSupplierParty')
      .some((p) =>
        all(p, 'cac:Party', 'cac:PartyTaxScheme').some((s) => isVat(s) && has(s, 'cbc:CompanyID')),
      ),
  );
}

/** Tax representative PartyTaxScheme[VAT]/CompanyID exists. */
export function taxRepVatId(c: Ctx): boolean {
  return memo(c, 'taxRepVatId', () =>
    c
      .nodes('cac:TaxRepresentativeParty')
      .some((p) =>
        children(p, 'cac:PartyTaxScheme').some((s) => isVat(s) && has(s, 'cbc:CompanyID')),
      ),
  );
}

/** Buyer PartyTaxScheme[VAT]/CompanyID exists. */
export function buyerVatId(c: Ctx): boolean {
  return memo(c, 'buyerVatId', () =>
    c
      .nodes('cac:AccountingCustomerParty')
      .some((p) =>
        all(p, 'cac:Party', 'cac:PartyTaxScheme').some((s) => isVat(s) && has(s, 'cbc:CompanyID')),
      ),
  );
}

/** Buyer PartyLegalEntity/CompanyID exists. */
export function buyerLegalId(c: Ctx): boolean {
  return memo(c, 'buyerLegalId', () =>
    c
      .nodes('cac:AccountingCustomerParty')
      .some((p) => all(p, 'cac:Party', 'cac:PartyLegalEntity', 'cbc:CompanyID').length > 0),
  );
}

/** Document-level AllowanceCharge children of the root. */
export function docAllowanceCharges(c: Ctx): XNode[] {
  return memo(c, 'docAC', () => children(c.root, 'cac:AllowanceCharge'));
}

/** VAT breakdown tax categories: /*\/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory. */
export function breakdownCategories(c: Ctx): XNode[] {
  return memo(c, 'bdCats', () => all(c.root, 'cac:TaxTotal', 'cac:TaxSubtotal', 'cac:TaxCategory'));
}

/** Peppol `$supplierCountryIsDE and $customerCountryIsDE` (postal address country codes). */
export function bothGerman(c: Ctx): boolean {
  return memo(
    c,
    'bothDE',
    () =>
      supplierAddressCountry(c).toUpperCase() === 'DE' &&
      customerAddressCountry(c).toUpperCase() === 'DE',
  );
}
