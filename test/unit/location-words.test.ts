import { describe, expect, it } from 'vitest';
import { locationWords } from '../../renderer/src/lib/location-words';

describe('validation finding locations in business terms', () => {
  it('names the line and the business term instead of the XPath', () => {
    expect(locationWords('/Invoice/cac:InvoiceLine[3]/cac:Price/cbc:PriceAmount')).toBe(
      'Invoice line 3, BT-146 Item net price',
    );
    // One line only: the path has no index, it is still line 1.
    expect(locationWords('/Invoice/cac:InvoiceLine/cbc:InvoicedQuantity')).toBe(
      'Invoice line 1, BT-129 Invoiced quantity',
    );
    expect(locationWords('/CreditNote/cac:CreditNoteLine[2]/cbc:LineExtensionAmount')).toBe(
      'Credit note line 2, BT-131 Invoice line net amount',
    );
  });

  it('names document-level terms and groups', () => {
    expect(locationWords('/Invoice/cbc:IssueDate')).toBe('BT-2 Invoice issue date');
    expect(locationWords('/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount')).toBe(
      'BT-115 Amount due for payment',
    );
    expect(locationWords('/Invoice/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID')).toBe(
      'BT-49 Buyer electronic address',
    );
    // Inside a known group without its own term: the group.
    expect(
      locationWords('/Invoice/cac:AccountingSupplierParty/cac:Party/cac:Contact/cbc:Name'),
    ).toBe('BG-4 Seller');
    expect(locationWords('/Invoice/cac:TaxTotal[2]/cac:TaxSubtotal/cbc:TaxAmount')).toBe(
      'BT-117 VAT category tax amount',
    );
    expect(locationWords('/Invoice')).toBe('The whole document');
  });

  it('says nothing rather than something wrong for an unknown place', () => {
    expect(locationWords('/Invoice/cbc:UnknownThing')).toBeNull();
    expect(locationWords('')).toBeNull();
  });
});
