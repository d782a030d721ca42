/**
 * Small, valid Peppol BIS Billing 3.0 documents for unit tests, plus a helper to change one
 * thing at a time. Shared by test/unit/validation*.test.ts and test/unit/intake*.test.ts.
 */

/** Namespaces of a UBL invoice. */
export const INVOICE_NS =
  'xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"';

/** Namespaces of a UBL credit note. */
export const CREDIT_NOTE_NS =
  'xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"';

function parties(): string {
  return `<cac:AccountingSupplierParty><cac:Party>
    <cbc:EndpointID schemeID="0088">7300010000001</cbc:EndpointID>
    <cac:PartyName><cbc:Name>Seller Ltd</cbc:Name></cac:PartyName>
    <cac:PostalAddress><cbc:StreetName>Main street 1</cbc:StreetName><cbc:CityName>London</cbc:CityName><cbc:PostalZone>W1 1AA</cbc:PostalZone><cac:Country><cbc:IdentificationCode>GB</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyTaxScheme><cbc:CompanyID>GB123456789</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyLegalEntity><cbc:RegistrationName>Seller Ltd</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cbc:EndpointID schemeID="0184">DK12345678</cbc:EndpointID>
    <cac:PartyName><cbc:Name>Buyer AB</cbc:Name></cac:PartyName>
    <cac:PostalAddress><cbc:StreetName>Storgatan 2</cbc:StreetName><cbc:CityName>Stockholm</cbc:CityName><cbc:PostalZone>11122</cbc:PostalZone><cac:Country><cbc:IdentificationCode>FI</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyLegalEntity><cbc:RegistrationName>Buyer AB</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingCustomerParty>`;
}

function totals(): string {
  return `<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">25.00</cbc:TaxAmount>
    <cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">100.00</cbc:TaxableAmount><cbc:TaxAmount currencyID="EUR">25.00</cbc:TaxAmount>
      <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>
    </cac:TaxSubtotal></cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">125.00</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">125.00</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>`;
}

function line(
  tag: 'InvoiceLine' | 'CreditNoteLine',
  qty: 'InvoicedQuantity' | 'CreditedQuantity',
): string {
  return `<cac:${tag}><cbc:ID>1</cbc:ID><cbc:${qty} unitCode="C62">2</cbc:${qty}>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Widget</cbc:Name>
      <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="EUR">50.00</cbc:PriceAmount></cac:Price>
  </cac:${tag}>`;
}

/** A valid Peppol BIS Billing 3.0 invoice (no fatal findings, no warnings). */
export function validInvoice(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Invoice ${INVOICE_NS}>
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>INV-1</cbc:ID>
  <cbc:IssueDate>2025-05-01</cbc:IssueDate>
  <cbc:DueDate>2025-05-31</cbc:DueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cbc:BuyerReference>REF-1</cbc:BuyerReference>
  ${parties()}
  <cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cac:PayeeFinancialAccount><cbc:ID>GB29NWBK60161331926819</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>
  ${totals()}
  ${line('InvoiceLine', 'InvoicedQuantity')}
</Invoice>`;
}

/** A valid Peppol BIS Billing 3.0 credit note. */
export function validCreditNote(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<CreditNote ${CREDIT_NOTE_NS}>
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>CN-1</cbc:ID>
  <cbc:IssueDate>2025-05-02</cbc:IssueDate>
  <cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cbc:BuyerReference>REF-1</cbc:BuyerReference>
  <cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>INV-1</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>
  ${parties()}
  ${totals()}
  ${line('CreditNoteLine', 'CreditedQuantity')}
</CreditNote>`;
}

/** Replace exactly one occurrence of `from` (throws when it is missing, so tests stay honest). */
export function change(xml: string, from: string, to: string): string {
  const i = xml.indexOf(from);
  if (i < 0) throw new Error(`test document does not contain: ${from}`);
  return xml.slice(0, i) + to + xml.slice(i + from.length);
}

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
