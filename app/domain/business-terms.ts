/**
 * The business terms of EN 16931 (BT/BG numbers and names) for the UBL elements a finding may
 * point at, one table for the screen's location line (renderer/src/lib/location-words.ts) and for
 * the names our own structure checks put in their messages (app/validation/structure.ts), so a
 * message and the line under it name an element alike.
 */

/** [path suffix (element names without index), term], for elements inside an invoice line. */
export const LINE_TERMS: readonly (readonly [string, string])[] = [
  ['cac:Price/cbc:PriceAmount', 'BT-146 Item net price'],
  ['cac:Price/cbc:BaseQuantity', 'BT-149 Item price base quantity'],
  ['cac:Price/cac:AllowanceCharge', 'Item price discount'],
  ['cac:Item/cbc:Name', 'BT-153 Item name'],
  ['cac:Item/cbc:Description', 'BT-154 Item description'],
  ['cac:Item/cac:SellersItemIdentification/cbc:ID', "BT-155 Item seller's identifier"],
  ['cac:Item/cac:StandardItemIdentification/cbc:ID', 'BT-157 Item standard identifier'],
  ['cac:Item/cac:ClassifiedTaxCategory/cbc:ID', 'BT-151 Invoiced item VAT category code'],
  ['cac:Item/cac:ClassifiedTaxCategory/cbc:Percent', 'BT-152 Invoiced item VAT rate'],
  ['cac:Item/cac:ClassifiedTaxCategory', 'BG-30 Line VAT information'],
  ['cac:Item', 'BG-31 Item information'],
  ['cac:InvoiceLine/cbc:InvoicedQuantity', 'BT-129 Invoiced quantity'],
  ['cac:CreditNoteLine/cbc:CreditedQuantity', 'BT-129 Invoiced quantity'],
  ['cac:InvoiceLine/cbc:LineExtensionAmount', 'BT-131 Invoice line net amount'],
  ['cac:CreditNoteLine/cbc:LineExtensionAmount', 'BT-131 Invoice line net amount'],
  ['cac:InvoiceLine/cbc:Note', 'BT-127 Invoice line note'],
  ['cac:CreditNoteLine/cbc:Note', 'BT-127 Invoice line note'],
  ['cac:InvoiceLine/cbc:ID', 'BT-126 Invoice line identifier'],
  ['cac:CreditNoteLine/cbc:ID', 'BT-126 Invoice line identifier'],
  ['cac:InvoicePeriod', 'BG-26 Invoice line period'],
];

/** [path suffix, term] for elements outside the lines, most specific first. */
export const DOCUMENT_TERMS: readonly (readonly [string, string])[] = [
  // Parties
  ['cac:AccountingSupplierParty/cac:Party/cbc:EndpointID', 'BT-34 Seller electronic address'],
  ['cac:AccountingCustomerParty/cac:Party/cbc:EndpointID', 'BT-49 Buyer electronic address'],
  [
    'cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName',
    'BT-27 Seller name',
  ],
  [
    'cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName',
    'BT-44 Buyer name',
  ],
  [
    'cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID',
    'BT-31 Seller VAT identifier',
  ],
  [
    'cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID',
    'BT-48 Buyer VAT identifier',
  ],
  ['cac:AccountingSupplierParty/cac:Party/cac:PostalAddress', 'BG-5 Seller postal address'],
  ['cac:AccountingCustomerParty/cac:Party/cac:PostalAddress', 'BG-8 Buyer postal address'],
  ['cac:AccountingSupplierParty', 'BG-4 Seller'],
  ['cac:AccountingCustomerParty', 'BG-7 Buyer'],
  ['cac:PayeeParty', 'BG-10 Payee'],
  ['cac:TaxRepresentativeParty', "BG-11 Seller's tax representative"],
  ['cac:Delivery', 'BG-13 Delivery information'],
  // Payment
  ['cac:PaymentMeans/cbc:PaymentMeansCode', 'BT-81 Payment means type code'],
  ['cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID', 'BT-84 Payment account identifier'],
  ['cac:PaymentMeans', 'BG-16 Payment instructions'],
  ['cac:PaymentTerms', 'BT-20 Payment terms'],
  // Totals and VAT
  ['cac:LegalMonetaryTotal/cbc:LineExtensionAmount', 'BT-106 Sum of invoice line net amounts'],
  ['cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount', 'BT-109 Invoice total amount without VAT'],
  ['cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount', 'BT-112 Invoice total amount with VAT'],
  ['cac:LegalMonetaryTotal/cbc:AllowanceTotalAmount', 'BT-107 Sum of allowances on document level'],
  ['cac:LegalMonetaryTotal/cbc:ChargeTotalAmount', 'BT-108 Sum of charges on document level'],
  ['cac:LegalMonetaryTotal/cbc:PrepaidAmount', 'BT-113 Paid amount'],
  ['cac:LegalMonetaryTotal/cbc:PayableRoundingAmount', 'BT-114 Rounding amount'],
  ['cac:LegalMonetaryTotal/cbc:PayableAmount', 'BT-115 Amount due for payment'],
  ['cac:LegalMonetaryTotal', 'BG-22 Document totals'],
  ['cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount', 'BT-116 VAT category taxable amount'],
  ['cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount', 'BT-117 VAT category tax amount'],
  ['cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID', 'BT-118 VAT category code'],
  ['cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent', 'BT-119 VAT category rate'],
  ['cac:TaxTotal/cac:TaxSubtotal', 'BG-23 VAT breakdown'],
  ['cac:TaxTotal/cbc:TaxAmount', 'BT-110 Invoice total VAT amount'],
  ['cac:TaxTotal', 'VAT total'],
  ['cac:AllowanceCharge', 'BG-20/BG-21 Document level allowance or charge'],
  ['cac:AdditionalDocumentReference', 'BG-24 Additional supporting documents'],
  ['cac:OrderReference/cbc:ID', 'BT-13 Purchase order reference'],
  ['cac:BillingReference', 'BG-3 Preceding invoice reference'],
  // Document level
  ['cbc:ID', 'BT-1 Invoice number'],
  ['cbc:CustomizationID', 'BT-24 Specification identifier'],
  ['cbc:ProfileID', 'BT-23 Business process type'],
  ['cbc:IssueDate', 'BT-2 Invoice issue date'],
  ['cbc:DueDate', 'BT-9 Payment due date'],
  ['cbc:InvoiceTypeCode', 'BT-3 Invoice type code'],
  ['cbc:CreditNoteTypeCode', 'BT-3 Invoice type code'],
  ['cbc:Note', 'BT-22 Invoice note'],
  ['cbc:TaxPointDate', 'BT-7 Value added tax point date'],
  ['cbc:DocumentCurrencyCode', 'BT-5 Invoice currency code'],
  ['cbc:TaxCurrencyCode', 'BT-6 VAT accounting currency code'],
  ['cbc:BuyerReference', 'BT-10 Buyer reference'],
];

const LINES = new Set(['cac:InvoiceLine', 'cac:CreditNoteLine']);

/**
 * The business term of exactly the element at `xpath`, as a message names it ("Invoice issue
 * date (BT-2)"), or null unless a term with a BT/BG number names that very element: the table's
 * path must be the element's whole path below the document (or below its line), so a date
 * elsewhere that merely ends in `cbc:IssueDate` keeps its UBL name.
 */
export function elementTerm(xpath: string): string | null {
  const names = xpath
    .split('/')
    .filter((s) => s !== '')
    .map((s) => s.replace(/\[\d+\]$/, ''));
  if (names.length < 2) return null;
  const inLine = LINES.has(names[1]!);
  const below = names.slice(1).join('/');
  const inside = names.slice(2).join('/');
  const entry = inLine
    ? LINE_TERMS.find(([path]) => path === below || path === inside)
    : DOCUMENT_TERMS.find(([path]) => path === below);
  const term = entry && /^(B[TG]-[\d/BGT-]+) (.+)$/.exec(entry[1]);
  return term ? `${term[2]} (${term[1]})` : null;
}
