import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDocument, createValidationPool, tooLargeMessage } from '../../app/validation/index';
import { MAX_FINDINGS, MAX_LOCATION_CHARS, shareOut } from '../../app/validation/engine';
import type { RuleFindings } from '../../app/validation/engine';
import { MAX_ATTRIBUTES_PER_ELEMENT, MAX_DEPTH } from '../../app/validation/xml-tree';
import { SAMPLE_INVOICE } from '../helpers/invoices';

const enc = (s: string) => new TextEncoder().encode(s);
const INVOICE_OPEN =
  '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">';

/** An invoice whose lines nest `depth` levels deep. */
function deepInvoice(depth: number): Uint8Array {
  return enc(
    INVOICE_OPEN +
      '<cac:InvoiceLine>'.repeat(depth) +
      '</cac:InvoiceLine>'.repeat(depth) +
      '</Invoice>',
  );
}

describe('bounded parsing', () => {
  it('refuses a document nested deeper than any invoice, with a plain message', () => {
    const res = checkDocument(deepInvoice(100_000));
    expect(res.ok).toBe(false);
    if (res.ok) throw new Error('unreachable');
    expect(res.error.code).toBe('TOO_DEEP');
    expect(res.error.message).toContain(`more than ${MAX_DEPTH} levels`);
  });

  it('still reads nesting at the limit', () => {
    const res = checkDocument(deepInvoice(MAX_DEPTH - 1));
    expect(res.ok).toBe(true);
  });

  it('refuses millions of tiny elements before building them all', () => {
    const res = checkDocument(enc(INVOICE_OPEN + '<a/>'.repeat(600_000) + '</Invoice>'));
    expect(res.ok ? null : res.error.code).toBe('TOO_MANY_ELEMENTS');
  });

  it('refuses an element with more attributes than any invoice, with a plain message', () => {
    const sample = Buffer.from(SAMPLE_INVOICE).toString('utf8');
    const many = (n: number) => Array.from({ length: n }, (_, i) => ` a${i}="1"`).join('');
    const over = checkDocument(enc(sample.replace('<cbc:Note>', `<cbc:Note${many(200_000)}>`)));
    expect(over.ok ? null : over.error.code).toBe('TOO_MANY_ATTRIBUTES');
    expect(over.ok ? '' : over.error.message).toContain(
      `more than ${MAX_ATTRIBUTES_PER_ELEMENT} attributes`,
    );
    // At the limit the file is read and judged as before (unknown attributes are not fatal).
    const at = checkDocument(
      enc(sample.replace('<cbc:Note>', `<cbc:Note${many(MAX_ATTRIBUTES_PER_ELEMENT)}>`)),
    );
    expect(at.ok).toBe(true);
    // Many attributes spread over many elements are bounded too.
    const spread = `<cbc:Foo${many(60)}/>`.repeat(10_000);
    const overall = checkDocument(enc(sample.replace('</Invoice>', `${spread}</Invoice>`)));
    expect(overall.ok ? null : overall.error.code).toBe('TOO_MANY_ATTRIBUTES');
  });

  it('judges 300,000 stray elements under the root by their first findings', () => {
    const sample = Buffer.from(SAMPLE_INVOICE).toString('utf8');
    const text = sample.replace(
      '</Invoice>',
      '<cbc:Foo>1</cbc:Foo>'.repeat(300_000) + '</Invoice>',
    );
    const res = checkDocument(enc(text));
    if (!res.ok) throw new Error(res.error.message);
    expect(res.verdict.valid).toBe(false);
    expect(res.verdict.findings).toHaveLength(MAX_FINDINGS + 1);
    expect(res.verdict.findings[0]).toMatchObject({
      rule: 'XSD-UNKNOWN-ELEMENT',
      location: '/Invoice/cbc:Foo[1]',
    });
    expect(res.verdict.findings[1]!.location).toBe('/Invoice/cbc:Foo[2]');
    expect(res.verdict.findings.at(-1)!.rule).toBe('MORE-FINDINGS');
  });

  it('keeps at most MAX_FINDINGS findings, locations clipped, and says how many were left out', () => {
    const sample = Buffer.from(SAMPLE_INVOICE).toString('utf8');
    // Thousands of bad amounts inside one deep-ish but legal element chain, with a long name.
    const long = 'X'.repeat(1000);
    const junk = `<cac:${long}><cbc:LineExtensionAmount>abc</cbc:LineExtensionAmount></cac:${long}>`;
    const text = sample.replace('</Invoice>', junk.repeat(3000) + '</Invoice>');
    const res = checkDocument(enc(text));
    expect(res.ok).toBe(true);
    if (!res.ok) throw new Error('unreachable');
    expect(res.verdict.valid).toBe(false);
    expect(res.verdict.findings.length).toBeLessThanOrEqual(MAX_FINDINGS + 1);
    expect(res.verdict.findings.at(-1)!.rule).toBe('MORE-FINDINGS');
    for (const f of res.verdict.findings) {
      expect(f.location.length).toBeLessThanOrEqual(MAX_LOCATION_CHARS);
      expect(f.message.length).toBeLessThanOrEqual(500);
    }
  });
});

describe('findings shared out between the rules that fired', () => {
  const group = (rule: string, n: number, flag: 'fatal' | 'warning' = 'fatal'): RuleFindings => ({
    rule,
    flag,
    kept: Array.from({ length: n }, (_, i) => ({ rule, flag, message: 'm', location: `/x[${i}]` })),
    total: n,
  });

  it('gives each rule an equal share, a rule with fewer leaving its places to the others', () => {
    expect(shareOut([group('A', 1), group('B', 500), group('C', 3), group('D', 500)], 10)).toEqual([
      1, 3, 3, 3,
    ]);
    // Everything fits: everything is kept.
    expect(shareOut([group('A', 2), group('B', 5)], 10)).toEqual([2, 5]);
  });

  it('lists fatal rules first when more rules fired than there are places', () => {
    const groups = [
      group('W1', 3, 'warning'),
      group('F1', 2),
      group('W2', 1, 'warning'),
      group('F2', 1),
      group('F3', 9),
    ];
    expect(shareOut(groups, 4)).toEqual([1, 1, 0, 1, 1]);
  });

  it('lists every rule of a document where one rule fires thousands of times', () => {
    const sample = Buffer.from(SAMPLE_INVOICE).toString('utf8');
    // 5,000 empty notes (PEPPOL-EN16931-R008 each) and no buyer reference (PEPPOL-EN16931-R003 once).
    const text = sample
      .replace('<cbc:BuyerReference>PO-77812</cbc:BuyerReference>', '')
      .replace(
        '<cbc:DocumentCurrencyCode>',
        '<cbc:Note></cbc:Note>'.repeat(5000) + '<cbc:DocumentCurrencyCode>',
      );
    const res = checkDocument(enc(text));
    if (!res.ok) throw new Error(res.error.message);
    const rules = res.verdict.findings.map((f) => f.rule);
    expect(res.verdict.valid).toBe(false);
    expect(rules).toContain('PEPPOL-EN16931-R003');
    expect(rules.filter((r) => r === 'PEPPOL-EN16931-R008').length).toBeGreaterThan(
      MAX_FINDINGS / 2,
    );
    expect(res.verdict.findings).toHaveLength(MAX_FINDINGS + 1);
    expect(res.verdict.findings.at(-1)).toMatchObject({ rule: 'MORE-FINDINGS', flag: 'warning' });
    expect(res.verdict.findings.at(-1)!.message).toContain(
      'every kind of problem found at least once',
    );
  });
});

describe('validation workers that hang, exit or run out of memory', () => {
  const script = path.join(__dirname, '..', 'fixtures', 'misbehaving-worker.cjs');

  it('replaces a worker that hangs, exits or runs out of memory; only its document is told', async () => {
    const pool = createValidationPool({ size: 1, workerScript: script, timeLimitMs: 400 });
    const hungry = createValidationPool({ size: 1, workerScript: script, maxHeapMb: 32 });
    try {
      const [hang, exit, fine] = await Promise.all([
        pool.check(enc('hang')),
        pool.check(enc('x')),
        pool.check(enc('fine')),
      ]);
      const oom = await hungry.check(enc('memory'));
      for (const r of [hang, exit, oom]) {
        expect(r.ok ? null : r.error.code).toBe('UNCHECKABLE');
        expect(r.ok ? '' : r.error.message).toMatch(/^This file could not be checked: /);
      }
      expect(hang.ok ? '' : hang.error.message).toContain('took longer than 0.4 s');
      expect(oom.ok ? '' : oom.error.message).toContain('more memory than allowed');
      expect(fine).toEqual({ ok: false, error: { code: 'EMPTY', message: 'answered' } });
      expect(await hungry.check(enc('fine'))).toEqual(fine);
      expect([pool.mode, hungry.mode]).toEqual(['workers', 'workers']);
    } finally {
      await Promise.all([pool.close(), hungry.close()]);
    }
  });
});

describe('messages that say what the file is', () => {
  it('a file one byte over the limit shows the bytes, not "15.0 MB; the limit is 15.0 MB"', () => {
    const limit = 15 * 1024 * 1024;
    const msg = tooLargeMessage(limit + 1, limit);
    expect(msg).toContain('15,728,641 bytes; the limit is 15,728,640 bytes');
    expect(tooLargeMessage(100 * 1024 * 1024, limit)).toContain('100.0 MB; the limit is 15.0 MB');
  });

  it('calls Latin-1 bytes in a UTF-8 file an encoding problem, a PDF still not XML', () => {
    const latin1 = Buffer.from(
      Buffer.from(SAMPLE_INVOICE)
        .toString('utf8')
        .replace('</Invoice>', '<!-- Müller --></Invoice>'),
      'latin1',
    );
    const res = checkDocument(latin1);
    expect(res.ok ? null : res.error.code).toBe('ENCODING');
    expect(res.ok ? '' : res.error.message).toMatch(/ISO-8859-1 or Windows-1252/);
    expect(res.ok ? '' : res.error.message).not.toMatch(/PDF/);
    const pdf = checkDocument(
      new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x0a, 0xff, 0x00]),
    );
    expect(pdf.ok ? null : pdf.error.code).toBe('NOT_XML');
  });
});
