import { describe, expect, it } from 'vitest';
import type { DocumentRow } from '../../app/contract';
import {
  exportFileName,
  exportedWords,
  toCsv,
} from '../../renderer/src/features/documents/export-csv';

const row = (id: number, docType: DocumentRow['docType'], invoiceNumber: string): DocumentRow => ({
  id,
  fileName: `${invoiceNumber}.xml`,
  sha256: 'x',
  size: 1,
  state: 'delivered',
  docType,
  invoiceNumber,
  buyerName: 'Buyer',
  receiverId: '0208:1',
  amount: '2420.00',
  currency: 'EUR',
  issueDate: '2026-11-30',
  transactionId: null,
  attempts: 1,
  problem: null,
  createdAt: 0,
  updatedAt: 0,
  acceptedAt: null,
  deliveredAt: null,
  businessResponse: null,
  sellerName: 'Seller',
  accessPoint: 'sandbox',
  environment: 'sandbox',
  nextAttemptAt: null,
});

describe('the CSV export', () => {
  // A clerk's walk: a credit note of €2,420 read as €2,420 invoiced when the export was totalled.
  it('says which rows are credit notes, so totals can tell credits from invoices', () => {
    const [header, invoice, credit] = toCsv([
      row(1, 'Invoice', 'INV-1'),
      row(2, 'CreditNote', 'CN-1'),
    ]).split('\r\n');
    expect(header!.split(',').slice(0, 4)).toEqual([
      'Document id',
      'File',
      'Type',
      'Invoice number',
    ]);
    expect(invoice!.split(',').slice(0, 4)).toEqual(['1', 'INV-1.xml', 'Invoice', 'INV-1']);
    expect(credit!.split(',').slice(0, 4)).toEqual(['2', 'CN-1.xml', 'Credit note', 'CN-1']);
  });

  // Walk 22: 8 practice rows said "Delivered" beside the real ones; the column's sum counted them.
  it('says in the status column which rows were practice, and only those', () => {
    const [header, practice, real] = toCsv([
      row(1, 'Invoice', 'INV-1'),
      {
        ...row(2, 'Invoice', 'INV-2'),
        accessPoint: 'https://ap.example',
        environment: 'production',
      },
    ]).split('\r\n');
    const status = header!.split(',').indexOf('Status');
    expect(practice!.split(',')[status]).toBe(
      'Delivered (practice in the Sandbox: nothing was really sent)',
    );
    expect(real!.split(',')[status]).toBe('Delivered');
    // All practice (the Sandbox in use): the Environment column says it for every row.
    const [, only] = toCsv([row(1, 'Invoice', 'INV-1')]).split('\r\n');
    expect(only!.split(',')[status]).toBe('Delivered');
  });
});

describe("the export's message", () => {
  it("writes a file name's invisible and reordering characters out (walk 21b: read reversed)", () => {
    const [, line] = toCsv([
      { ...row(3, 'Invoice', 'INV-3'), fileName: 'inv-\u202Efdp.exe.xml' },
    ]).split('\r\n');
    expect(line!.split(',')[1]).toBe('inv-[U+202E]fdp.exe.xml');
  });

  it('counts rows as the header counts (walk 18: "Exported 1 rows")', () => {
    expect(exportedWords(1)).toBe('Exported 1 row');
    expect(exportedWords(2)).toBe('Exported 2 rows');
    expect(exportedWords(12345)).toBe(`Exported ${new Intl.NumberFormat().format(12345)} rows`);
  });
});

// Walk 26 F10: every filter's export was named peppol-desk-<date>.csv.
describe("the export's file name", () => {
  const day = new Date(2026, 11, 7, 23, 30);
  it('says the filter, the search and the clerk’s own date', () => {
    expect(exportFileName('attention', '', day)).toBe('peppol-desk-needs-attention-2026-12-07.csv');
    expect(exportFileName('all', 'W1-0199', day)).toBe('peppol-desk-all-w1-0199-2026-12-07.csv');
    expect(exportFileName('sent', 'Müller & Söhne / März', day)).toBe(
      'peppol-desk-sent-m-ller-s-hne-m-rz-2026-12-07.csv',
    );
    expect(exportFileName('progress', '***', day)).toBe('peppol-desk-in-progress-2026-12-07.csv');
  });
});
