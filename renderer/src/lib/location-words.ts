/**
 * A validation finding's location (an XPath such as
 * `/Invoice/cac:InvoiceLine[3]/cac:Price/cbc:PriceAmount`) in the words of the invoice standard:
 * "Invoice line 3, BT-146 Item net price". The XPath itself stays in the technical details.
 * Kept out of app/validation on purpose: wording is the screen's business, not the rules'.
 */

// Longest matching path suffix wins (element names without the index), most specific first.
const TERMS: [string, string][] = [
  // Lines
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
  ['cac:InvoiceLine/cbc:ID', 'BT-126 Invoice line identifier'],
  ['cac:CreditNoteLine/cbc:ID', 'BT-126 Invoice line identifier'],
  ['cac:InvoicePeriod', 'BG-26 Invoice line period'],
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

const ROOTS = new Set(['Invoice', 'CreditNote']);

/** A finding's location in business terms and line numbers; null when it says nothing useful. */
export function locationWords(xpath: string): string | null {
  const steps = xpath.split('/').filter((s) => s !== '');
  if (steps.length === 0) return null;
  const names = steps.map((s) => s.replace(/\[\d+\]$/, ''));
  const parts: string[] = [];
  // The line the finding is on ("Invoice line 3"); a single line has no index in the path.
  const lineAt = names.findIndex((n) => n === 'cac:InvoiceLine' || n === 'cac:CreditNoteLine');
  if (lineAt >= 0) {
    const index = /\[(\d+)\]$/.exec(steps[lineAt]!)?.[1] ?? '1';
    parts.push(
      `${names[lineAt] === 'cac:CreditNoteLine' ? 'Credit note' : 'Invoice'} line ${index}`,
    );
  }
  const path = names.join('/');
  // Document-level terms are matched only outside lines, line terms only inside them.
  const scope = lineAt >= 0 ? names.slice(lineAt).join('/') : path;
  const term = TERMS.find(([suffix]) =>
    lineAt >= 0
      ? scope.endsWith(suffix) || scope.includes(`${suffix}/`)
      : !suffix.startsWith('cac:Invoice') && (path.endsWith(suffix) || path.includes(`${suffix}/`)),
  );
  if (term) parts.push(term[1]);
  else if (names.length === 1 && ROOTS.has(names[0]!)) parts.push('The whole document');
  else if (parts.length === 0) return null;
  return parts.join(', ');
}
