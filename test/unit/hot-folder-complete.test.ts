import { describe, expect, it } from 'vitest';
import { looksComplete } from '../../app/hot-folder-complete';
import { makeInvoice } from '../helpers/invoices';

const enc = (s: string) => new TextEncoder().encode(s);

/** The same text in UTF-16 little-endian, with its byte order mark. */
function utf16le(s: string): Uint8Array {
  const body = Buffer.from(s, 'utf16le');
  return new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), body]));
}

// A walk: an export that paused for 3 s half-way was taken half-written (the watcher's wait is
// 2 s). The hot folder now asks this before it takes a file.
describe('looksComplete (is a file in the hot folder written to its end?)', () => {
  it('a whole invoice is complete, and no shorter piece of it is', () => {
    const bytes = makeInvoice('HALF-1');
    expect(looksComplete(bytes)).toBe(true);
    const text = new TextDecoder().decode(bytes);
    const end = enc(text.slice(0, text.lastIndexOf('</Invoice>') + '</Invoice>'.length)).length;
    const complete: number[] = [];
    for (let n = 0; n < end; n++) if (looksComplete(bytes.subarray(0, n))) complete.push(n);
    expect(complete).toEqual([]);
  });

  it('an empty file is not complete (a placeholder its writer has not filled yet)', () => {
    expect(looksComplete(new Uint8Array(0))).toBe(false);
  });

  it('nor is space set aside in zero bytes, whole or partly written (walk 13)', () => {
    const bytes = makeInvoice('ZERO-1');
    expect(looksComplete(new Uint8Array(bytes.length))).toBe(false);
    expect(looksComplete(new Uint8Array(64 * 1024))).toBe(false);
    // Written from the start into the space: its zero bytes after the root are no end tag.
    const part = new Uint8Array(bytes.length + 100);
    part.set(bytes.subarray(0, 200));
    expect(looksComplete(part)).toBe(false);
    const whole = new Uint8Array(bytes.length + 100);
    whole.set(bytes);
    expect(looksComplete(whole)).toBe(false);
    // Not XML, and not zero bytes: complete as far as this goes (the checks say what it is).
    expect(looksComplete(enc('%PDF-1.7\n'))).toBe(true);
  });

  it('reads prefixed roots, a byte order mark, comments and declarations around the root', () => {
    const credit =
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- exported -->\n<ubl:CreditNote xmlns:ubl="urn:x"><a/></ubl:CreditNote>\n<!-- end -->\n';
    expect(looksComplete(enc(credit))).toBe(true);
    expect(looksComplete(enc('\uFEFF' + credit))).toBe(true);
    expect(looksComplete(enc(credit.replace('</ubl:CreditNote>', '</ubl:Credit')))).toBe(false);
    expect(looksComplete(enc('<?xml version="1.0"?>\n'))).toBe(false);
    expect(looksComplete(enc('<?xml version="1.0"?>\n<Invoice xmlns="urn:x"'))).toBe(false);
    expect(looksComplete(enc('<Invoice xmlns="urn:x"/>'))).toBe(true);
  });

  it('reads UTF-16, with and without a byte order mark', () => {
    const whole = '<?xml version="1.0" encoding="UTF-16"?><Invoice><ID>1</ID></Invoice>';
    expect(looksComplete(utf16le(whole))).toBe(true);
    expect(looksComplete(utf16le(whole.slice(0, -3)))).toBe(false);
    expect(looksComplete(utf16le(whole).subarray(2))).toBe(true);
  });

  it('a file that is not XML counts as complete (the intake check then says what it is)', () => {
    expect(looksComplete(enc('%PDF-1.7\n%âãÏÓ\n1 0 obj'))).toBe(true);
    expect(looksComplete(enc('just some notes'))).toBe(true);
  });

  it('looks at the head and the tail only, so a large invoice costs no more than a small one', () => {
    const bytes = makeInvoice('HALF-2');
    const text = new TextDecoder().decode(bytes);
    const big = enc(text.replace('</cbc:ID>', `</cbc:ID><!--${'x'.repeat(5_000_000)}-->`));
    expect(big.length).toBeGreaterThan(5_000_000);
    expect(looksComplete(big)).toBe(true);
    expect(looksComplete(big.subarray(0, big.length - 20))).toBe(false);
  });
});
