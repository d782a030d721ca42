import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAttachment, readInvoice } from '../../app/invoice-view/read-invoice';

const RICH = readFileSync(resolve(__dirname, '../fixtures/rich-invoice.xml'));

describe('readInvoice', () => {
  const view = readInvoice(RICH);

  it('reads parties with address, VAT number, Peppol id and contact', () => {
    expect(view.seller).toMatchObject({
      name: 'Rich Supplier BV',
      vatId: 'BE0123456749',
      endpoint: { scheme: '0208', value: '0123456749' },
      address: { street: 'Teststraat 1', additionalStreet: 'Unit 4', city: 'Gent', country: 'BE' },
      contact: { email: 'billing@rich-supplier.example' },
    });
    expect(view.buyer?.vatId).toBe('BE0987654394');
  });

  it('reads references, payment details, notes and the VAT breakdown', () => {
    expect(view.references.map((r) => [r.term, r.value])).toEqual(
      expect.arrayContaining([
        ['BT-10', 'BR-7781'],
        ['BT-13', 'PO-55120'],
        ['BT-12', 'CT-2024-17'],
        ['BT-11', 'PRJ-ALPHA'],
      ]),
    );
    expect(view.paymentMeans[0]).toMatchObject({
      code: '30',
      iban: 'BE71096123456769',
      paymentId: '+++012/3456/78901+++',
      bic: 'GKCCBEBB',
    });
    expect(view.notes).toEqual([
      'Thank you for your order. Goods remain our property until paid in full.',
    ]);
    expect(view.vatBreakdown).toEqual([
      expect.objectContaining({
        category: 'S',
        rate: '21',
        taxableAmount: '1095.00',
        taxAmount: '229.95',
      }),
      expect.objectContaining({
        category: 'S',
        rate: '6',
        taxableAmount: '60.00',
        taxAmount: '3.60',
      }),
    ]);
    expect(view.totals).toMatchObject({ prepaid: '100.00', payable: '1288.55' });
    expect(view.allowancesCharges.map((a) => [a.charge, a.reason])).toEqual([
      [false, 'Loyalty discount'],
      [true, 'Freight'],
    ]);
  });

  it('reads every line with unit, unit price and its allowances', () => {
    expect(view.lines).toHaveLength(3);
    expect(view.lines[1]).toMatchObject({
      quantity: '4',
      unitCode: 'C62',
      unitPrice: '50.00',
      netAmount: '180.00',
      allowancesCharges: [expect.objectContaining({ charge: false, amount: '20.00' })],
    });
  });

  it('lists the attachment with its size and returns its exact bytes', () => {
    const [a] = view.attachments;
    expect(a).toMatchObject({ fileName: 'timesheet-march.pdf', mimeType: 'application/pdf' });
    const file = readAttachment(RICH, 0);
    expect(a!.size).toBe(file.bytes.length);
    expect(Buffer.from(file.bytes).toString('latin1')).toMatch(/^%PDF-1\.4/);
  });

  it('reads all lines of a very long invoice (no cap)', () => {
    const xml = RICH.toString('utf8');
    const lineXml = /<cac:InvoiceLine>[\s\S]*?<\/cac:InvoiceLine>/.exec(xml)![0];
    const many = xml.replace(lineXml, lineXml.repeat(6000));
    expect(readInvoice(Buffer.from(many)).lines).toHaveLength(6002);
  });

  it('refuses a file that is not an invoice with a sentence, not a stack', () => {
    expect(() => readInvoice(Buffer.from('<Order/>'))).toThrow(/not a UBL invoice or credit note/);
    expect(() => readInvoice(Buffer.from('<Invoice'))).toThrow(/cannot be shown as an invoice/);
  });

  // A walk: an invoice in USD whose VAT is accounted in EUR (BT-6) showed only the VAT in USD.
  it('reads the VAT total in the accounting currency (BT-111) when the invoice gives one', () => {
    expect(view.taxCurrency).toBeNull();
    expect(view.totalVatInTaxCurrency).toBeNull();
    const xml = RICH.toString('utf8');
    const currency = /<cbc:DocumentCurrencyCode>([A-Z]{3})</.exec(xml)![1]!;
    const other = currency === 'EUR' ? 'SEK' : 'EUR';
    const withTaxCurrency = xml
      .replace(
        /(<cbc:DocumentCurrencyCode>[A-Z]{3}<\/cbc:DocumentCurrencyCode>)/,
        `$1<cbc:TaxCurrencyCode>${other}</cbc:TaxCurrencyCode>`,
      )
      .replace(
        '<cac:TaxTotal>',
        `<cac:TaxTotal><cbc:TaxAmount currencyID="${other}">174.85</cbc:TaxAmount></cac:TaxTotal><cac:TaxTotal>`,
      );
    const v = readInvoice(Buffer.from(withTaxCurrency));
    expect(v.taxCurrency).toBe(other);
    expect(v.totalVatInTaxCurrency).toBe('174.85');
    // The VAT in the invoice's own currency is still the one with the breakdown.
    expect(v.totalVat).toBe(view.totalVat);
    expect(v.vatBreakdown).toEqual(view.vatBreakdown);
  });

  // Walk 3: a price per 10 hours read "$950.00 per 10".
  it("reads the unit of a price's base quantity", () => {
    const xml = RICH.toString('utf8').replace(
      /(<cac:Price>\s*<cbc:PriceAmount[^>]*>[^<]*<\/cbc:PriceAmount>)/,
      '$1<cbc:BaseQuantity unitCode="HUR">10</cbc:BaseQuantity>',
    );
    const line = readInvoice(Buffer.from(xml)).lines[0]!;
    expect(line.baseQuantity).toBe('10');
    expect(line.baseQuantityUnit).toBe('HUR');
    expect(view.lines[0]!.baseQuantityUnit).toBeNull();
  });
});

// Walk 21: a Windows-1252 invoice showed "Café □ Mons□s □uvre" (Node 20 reads 0x80–0x9F as
// ISO-8859-1's invisible controls).
describe('the invoice view of a Windows-1252 file', () => {
  it('shows € ’ œ as the file means them', () => {
    const sample = readFileSync(resolve(__dirname, '../fixtures/sample-invoice.xml'), 'utf8')
      .replace('encoding="UTF-8"', 'encoding="windows-1252"')
      .replace('Example Customer NV', 'Café € Mons’s œuvre');
    const bytes = Buffer.from(
      [...sample].map((c) => ({ '€': 0x80, '’': 0x92, œ: 0x9c })[c] ?? c.charCodeAt(0)),
    );
    expect(JSON.stringify(readInvoice(bytes))).toContain('Café € Mons’s œuvre');
  });
});

// Walk 21 (B9): an attachment declared text/csv and named x.html was saved as x.html (a web page
// from a stranger's invoice, opened by a double click).
describe('an attachment saved from the invoice view', () => {
  const withAttachment = (mimeCode: string, filename: string) =>
    Buffer.from(
      RICH.toString('utf8').replace(
        /<cbc:EmbeddedDocumentBinaryObject[^>]*>/,
        `<cbc:EmbeddedDocumentBinaryObject mimeCode="${mimeCode}" filename="${filename}">`,
      ),
    );
  it("takes its declared type's extension, and a type Peppol does not allow is plain data", () => {
    expect(readAttachment(withAttachment('text/csv', 'x.html'), 0)).toMatchObject({
      fileName: 'x.html.csv',
      mimeType: 'text/csv',
    });
    expect(readAttachment(withAttachment('application/pdf', 'Terms.PDF'), 0).fileName).toBe(
      'Terms.PDF',
    );
    expect(readAttachment(withAttachment('image/jpeg', 'photo.jpeg'), 0).fileName).toBe(
      'photo.jpeg',
    );
    expect(readAttachment(withAttachment('text/html', 'page.html'), 0)).toMatchObject({
      fileName: 'page.html.bin',
      mimeType: 'application/octet-stream',
    });
  });
});
