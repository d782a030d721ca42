import { describe, expect, it } from 'vitest';
import { visibleText } from '../../app/domain/visible-text';
import { checkDocument } from '../../app/validation/index';
import { makeInvoice } from '../helpers/invoices';

// Walk 21 (B5): "INV-\u202Efdp.exe-2026" was listed as "INV-6202-exe.pdf", and "INV\u200B-0010"
// exactly as a real "INV-0010".
describe('invoice text as a clerk sees it', () => {
  it('writes out invisible and reordering characters, and leaves the rest', () => {
    expect(visibleText('INV-\u202Efdp.exe-2026')).toBe('INV-[U+202E]fdp.exe-2026');
    expect(visibleText('INV\u200B-0010')).toBe('INV[U+200B]-0010');
    expect(visibleText('Café € Mons’s œuvre 日本語 😀')).toBe('Café € Mons’s œuvre 日本語 😀');
  });

  it("is the summary's: the number and names a document is listed, searched and compared by", () => {
    const xml = new TextDecoder()
      .decode(makeInvoice('INV-0010'))
      .replace('<cbc:ID>INV-0010</cbc:ID>', '<cbc:ID>INV\u200B-0010</cbc:ID>')
      .replace('Example Customer NV', 'Example\u202E Customer');
    const r = checkDocument(new TextEncoder().encode(xml));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.summary.invoiceNumber).toBe('INV[U+200B]-0010');
    expect(r.summary.buyerName).toBe('Example[U+202E] Customer');
  });
});

// Walk 21b (N3): the number pasted as the ERP shows it, with its invisible character, found
// nothing: the search is written out the same way.
describe('a search', () => {
  it('writes its invisible characters out as the summaries do (single desk and team)', async () => {
    const { searchText, likePattern } = await import('../../app/store/document-list');
    expect(searchText({ search: ' INV\u200B-0010 ' })).toBe('INV[U+200B]-0010');
    expect(likePattern('INV\u200B-0010')).toBe('%INV[U+200B]-0010%');
    // Written out once: a search typed in the written-out form finds the same.
    expect(searchText({ search: 'INV[U+200B]-0010' })).toBe('INV[U+200B]-0010');
  });
});
