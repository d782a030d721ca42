import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeXml } from '../../app/domain/xml-encoding';
import { checkDocument } from '../../app/validation/index';

const SAMPLE = readFileSync(join(__dirname, '..', 'fixtures', 'sample-invoice.xml'), 'utf8');
const declaring = (encoding: string) =>
  SAMPLE.replace('encoding="UTF-8"', `encoding="${encoding}"`);
const utf16le = (t: string) =>
  Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')]);
const utf16be = (t: string) => {
  const le = Buffer.from(t, 'utf16le');
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
};
const BOM8 = Buffer.from([0xef, 0xbb, 0xbf]);

// XML 1.0, 4.3.3 and appendix F: the encoding is found from the byte order mark (or the first
// bytes), then the declaration; "it is a fatal error for an entity including an encoding
// declaration to be presented to the XML processor in an encoding other than that named in the
// declaration".
describe('the characters of an XML file', () => {
  it('reads UTF-8 (with or without BOM, declared or not, or declared ASCII) and UTF-16 declared as such', () => {
    expect(SAMPLE.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    for (const bytes of [
      Buffer.from(SAMPLE),
      Buffer.concat([BOM8, Buffer.from(SAMPLE)]),
      Buffer.from(SAMPLE.replace(/^<\?xml[^>]*\?>/, '')),
      Buffer.from(declaring('us-ascii')),
      utf16le(declaring('UTF-16')),
      utf16be(declaring('UTF-16')),
      utf16le(declaring('utf-16le')),
      utf16le(SAMPLE.replace(/^<\?xml[^>]*\?>/, '')),
    ]) {
      const d = decodeXml(bytes);
      expect(d.ok).toBe(true);
      expect(d.ok && d.text.includes('<cbc:ID>')).toBe(true);
    }
  });

  it('refuses UTF-16 without a byte order mark unless its declaration names the byte order (4.3.3: UTF-16 MUST begin with one)', () => {
    // Walk 21: our checks read such a file, the access point answered "not well-formed XML".
    const bare = (b: Buffer) => b.subarray(2);
    for (const bytes of [
      bare(utf16le(declaring('UTF-16'))),
      bare(utf16be(declaring('UTF-16'))),
      bare(utf16le(SAMPLE.replace(/^<\?xml[^>]*\?>/, '').trimStart())),
    ]) {
      expect(bytes[0] === 0x3c || bytes[1] === 0x3c).toBe(true);
      expect(decodeXml(bytes)).toEqual({ ok: false, reason: 'utf16-no-bom' });
    }
    // UTF-16LE and UTF-16BE say their byte order (RFC 2781: no mark): read.
    for (const bytes of [
      bare(utf16le(declaring('UTF-16LE'))),
      bare(utf16be(declaring('utf-16be'))),
    ]) {
      const d = decodeXml(bytes);
      expect(d.ok && d.text.includes('<cbc:ID>')).toBe(true);
    }
  });

  it('reads a declared single-byte encoding', () => {
    const latin = Buffer.from(
      declaring('ISO-8859-1').replace('</Invoice>', '<!-- Zürich --></Invoice>'),
      'latin1',
    );
    const d = decodeXml(latin);
    expect(d.ok && d.text.includes('Zürich')).toBe(true);
  });

  it('names both encodings when the bytes are in one and the declaration says another', () => {
    // The classic: serialized as UTF-16 in memory (so declared so), saved as UTF-8.
    expect(decodeXml(Buffer.from(declaring('utf-16')))).toEqual({
      ok: false,
      reason: 'mismatch',
      savedAs: 'UTF-8',
      declared: 'utf-16',
    });
    expect(decodeXml(utf16le(SAMPLE))).toEqual({
      ok: false,
      reason: 'mismatch',
      savedAs: 'UTF-16',
      declared: 'UTF-8',
    });
    expect(decodeXml(Buffer.concat([BOM8, Buffer.from(declaring('ISO-8859-1'))]))).toEqual({
      ok: false,
      reason: 'mismatch',
      savedAs: 'UTF-8',
      declared: 'ISO-8859-1',
    });
  });

  it('calls bytes that are not text in the encoding they name undecodable', () => {
    const latinBytes = Buffer.from(
      SAMPLE.replace('</Invoice>', '<!-- Zürich --></Invoice>'),
      'latin1',
    );
    expect(decodeXml(latinBytes)).toEqual({ ok: false, reason: 'undecodable' });
    const latinSaying16 = Buffer.from(
      declaring('utf-16').replace('</Invoice>', '<!-- Zürich --></Invoice>'),
      'latin1',
    );
    expect(decodeXml(latinSaying16)).toEqual({ ok: false, reason: 'undecodable' });
  });
});

describe('our checks on a file whose declaration names another encoding', () => {
  it('refuse it with what to change, in words (not "not an XML invoice")', () => {
    const r = checkDocument(Buffer.from(declaring('utf-16')));
    expect(r).toMatchObject({ ok: false, error: { code: 'ENCODING' } });
    expect(r.ok ? '' : r.error.message).toBe(
      'This file is saved as UTF-8, but its first line says encoding="utf-16" (some export tools write that by mistake), so it is not valid XML and an access point may refuse it. Export it again, or change its first line to say encoding="UTF-8".',
    );
    const r16 = checkDocument(utf16le(SAMPLE));
    expect(r16).toMatchObject({ ok: false, error: { code: 'ENCODING' } });
    expect(r16.ok ? '' : r16.error.message).toContain(
      'This file is saved as UTF-16, but its first line says encoding="UTF-8"',
    );
  });

  it('refuse UTF-16 without a byte order mark, saying to export it as UTF-8', () => {
    const r = checkDocument(utf16le(declaring('UTF-16')).subarray(2));
    expect(r).toMatchObject({ ok: false, error: { code: 'ENCODING' } });
    expect(r.ok ? '' : r.error.message).toBe(
      'This file is saved as UTF-16 without the byte order mark that UTF-16 XML files must begin with, so it is not valid XML and an access point may refuse it. Export it again from your accounting system as UTF-8.',
    );
  });

  it('still check UTF-16 declared as UTF-16 like any other invoice', () => {
    const r = checkDocument(utf16le(declaring('UTF-16')));
    expect(r.ok).toBe(true);
    expect(r.ok && r.verdict.valid).toBe(true);
  });
});

describe('our checks on an invoice inside a transport envelope', () => {
  // Real files of other projects (letspeppol, OpusCapita test materials) come wrapped in the
  // envelope access points exchange; "not an invoice" was true of the root and of no help.
  it('say what it is and what to send instead', () => {
    const body = SAMPLE.replace(/^<\?xml[^>]*\?>/, '');
    const wrapped = `<?xml version="1.0" encoding="UTF-8"?>
<StandardBusinessDocument xmlns="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">
<StandardBusinessDocumentHeader><HeaderVersion>1.0</HeaderVersion></StandardBusinessDocumentHeader>
${body}</StandardBusinessDocument>`;
    const r = checkDocument(Buffer.from(wrapped));
    expect(r).toMatchObject({ ok: false, error: { code: 'UBL' } });
    expect(r.ok ? '' : r.error.message).toContain(
      'This file is an invoice inside a Peppol transport envelope (StandardBusinessDocument)',
    );
  });
});

describe('our checks on an invoice in another XML format', () => {
  it('a Cross Industry Invoice (CII) is named as such, with what to export instead', () => {
    const cii = `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"><rsm:ExchangedDocument/></rsm:CrossIndustryInvoice>`;
    const r = checkDocument(Buffer.from(cii));
    expect(r.ok ? '' : r.error.message).toBe(
      'This file is an invoice in the UN/CEFACT Cross Industry Invoice format (CII, as in ZUGFeRD, Factur-X or XRechnung CII), not in UBL, which Peppol BIS Billing 3.0 requires. Export the invoice again from your accounting system as Peppol BIS Billing 3.0 UBL.',
    );
  });

  it('an Invoice element in the credit note namespace (a library writes them so) says it mixes the two', () => {
    const mixed = SAMPLE.replace(
      'xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"',
      'xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"',
    );
    expect(mixed).not.toBe(SAMPLE);
    const r = checkDocument(Buffer.from(mixed));
    expect(r).toMatchObject({ ok: false, error: { code: 'UBL' } });
    expect(r.ok ? '' : r.error.message).toMatch(
      /^This file mixes an invoice and a credit note: its main element is "Invoice" but its namespace is urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2\./,
    );
  });
});

// Walk 21: what other software writes, read as it means it.
describe('files from other software', () => {
  const cp1252 = (s: string) =>
    Buffer.from([...s].map((c) => ({ '€': 0x80, '’': 0x92, œ: 0x9c })[c] ?? c.charCodeAt(0)));
  it("reads Windows-1252's € ’ œ (0x80–0x9F), and so every label the Encoding Standard maps to it", () => {
    for (const label of ['windows-1252', 'ISO-8859-1', 'latin1']) {
      const bytes = cp1252(declaring(label).replace('Example Customer NV', 'Café € Mons’s œuvre'));
      const decoded = decodeXml(bytes);
      expect(decoded.ok && decoded.text.includes('Café € Mons’s œuvre'), label).toBe(true);
    }
  });

  it('says a UTF-32 file and an encoding it cannot read for what they are', () => {
    const utf32le = Buffer.concat([
      Buffer.from([0xff, 0xfe, 0, 0]),
      ...[...'<Invoice/>'].map((c) => Buffer.from([c.charCodeAt(0), 0, 0, 0])),
    ]);
    expect(decodeXml(utf32le)).toEqual({ ok: false, reason: 'utf32' });
    expect(decodeXml(Buffer.from(declaring('IBM037')))).toEqual({
      ok: false,
      reason: 'unsupported',
      declared: 'IBM037',
    });
    const r = checkDocument(Buffer.from(declaring('IBM037')));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toMatch(/declares the encoding "IBM037".*cannot read/);
    expect(!r.ok && r.error.message).not.toMatch(/ISO-8859-1|Windows-1252/);
    const r32 = checkDocument(utf32le);
    expect(!r32.ok && r32.error.message).toMatch(/saved as UTF-32/);
  });

  it('says an invoice followed by zero bytes is that, not "a PDF, image or spreadsheet"', () => {
    const r = checkDocument(Buffer.concat([Buffer.from(SAMPLE), Buffer.alloc(512)]));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toMatch(/ends with 512 zero bytes after its last line/);
    expect(!r.ok && r.error.message).not.toMatch(/PDF|image|spreadsheet/);
  });
});
