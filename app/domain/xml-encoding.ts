/**
 * The characters of an XML file, by the rules of XML 1.0 (section 4.3.3 and appendix F): the
 * encoding is found from a byte order mark or the first bytes, then from the XML declaration.
 * Used by our checks (app/validation/intake.ts) and by the built-in sandbox access point, so the
 * two agree on what is well-formed.
 *
 * A file whose bytes are in one encoding while its first line declares another is not
 * well-formed XML ("a fatal error", 4.3.3), and a common slip of export tools: text serialized
 * as UTF-16 in memory and saved as UTF-8 keeps `encoding="utf-16"` on its first line. Such a
 * file is answered with both encodings named ({@link EncodingMismatch}), so the words can say
 * what to change.
 */

/** The file is saved in `savedAs` while its XML declaration says `declared`. */
export interface EncodingMismatch {
  ok: false;
  reason: 'mismatch';
  savedAs: 'UTF-8' | 'UTF-16';
  declared: string;
}

export type DecodedXml =
  | { ok: true; text: string }
  /** The bytes are not text in the encoding they name (or UTF-8 when they name none). */
  | { ok: false; reason: 'undecodable' }
  /** The encoding the file declares is not one this program can read (EBCDIC, say). */
  | { ok: false; reason: 'unsupported'; declared: string }
  /** The file starts with a UTF-32 byte order mark (XML processors need not read UTF-32). */
  | { ok: false; reason: 'utf32' }
  /**
   * UTF-16 bytes without the byte order mark that 4.3.3 says UTF-16 MUST begin with (walk 21:
   * our checks read it, an access point answered "not well-formed XML"). A declaration naming
   * the byte order (UTF-16LE, UTF-16BE: RFC 2781's labels, which carry no mark) is read.
   */
  | { ok: false; reason: 'utf16-no-bom' }
  | EncodingMismatch;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const utf16le = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: false });
const utf16be = new TextDecoder('utf-16be', { fatal: true, ignoreBOM: false });
const LEADING_BOM = /^\uFEFF/;
const ENCODING_DECL = /^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/;

const UTF16_LABELS = new Set(['utf-16', 'utf-16le', 'utf-16be', 'utf16', 'unicode']);
/** UTF-16 labels that name the byte order themselves (no byte order mark needed). */
const BYTE_ORDER_LABELS = new Set(['utf-16le', 'utf-16be']);
/** ASCII is a subset of UTF-8: a file declared ASCII is read as UTF-8 (as before). */
const UTF8_LABELS = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);

/** The encoding named by the XML declaration at the start of `head` (BOM removed), if any. */
function declaredEncoding(head: string): string | null {
  const m = ENCODING_DECL.exec(head.replace(LEADING_BOM, ''));
  return m ? m[1]! : null;
}

/** The text of an XML file's bytes, or why it has none (see the module comment). */
export function decodeXml(bytes: Uint8Array): DecodedXml {
  const b0 = bytes[0];
  const b1 = bytes[1];
  // UTF-32's byte order marks (FF FE 00 00 would otherwise read as UTF-16's).
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0 && b1 === 0)) {
    const le = b0 === 0xff && bytes[2] === 0 && bytes[3] === 0;
    const be = b0 === 0 && bytes[2] === 0xfe && bytes[3] === 0xff;
    if (le || be) return { ok: false, reason: 'utf32' };
  }
  let utf16: TextDecoder | null = null;
  if (b0 === 0xff && b1 === 0xfe) utf16 = utf16le;
  else if (b0 === 0xfe && b1 === 0xff) utf16 = utf16be;
  // UTF-16 without BOM, recognised by "<?" / "<" followed by NUL bytes.
  else if (b0 === 0x3c && b1 === 0x00) utf16 = utf16le;
  else if (b0 === 0x00 && b1 === 0x3c) utf16 = utf16be;
  try {
    if (utf16 !== null) {
      const text = utf16.decode(bytes);
      const declared = declaredEncoding(text.slice(0, 200));
      if (declared !== null && !UTF16_LABELS.has(declared.toLowerCase())) {
        return { ok: false, reason: 'mismatch', savedAs: 'UTF-16', declared };
      }
      const marked = b0 === 0xff || b0 === 0xfe;
      if (!marked && !BYTE_ORDER_LABELS.has(declared?.toLowerCase() ?? '')) {
        return { ok: false, reason: 'utf16-no-bom' };
      }
      return { ok: true, text };
    }
    const utf8Bom = b0 === 0xef && b1 === 0xbb && bytes[2] === 0xbf;
    const head = String.fromCharCode(
      ...bytes.subarray(utf8Bom ? 3 : 0, Math.min(bytes.length, 200)),
    );
    const declared = declaredEncoding(head);
    const label = declared === null ? 'utf-8' : declared.toLowerCase();
    if (UTF8_LABELS.has(label)) return { ok: true, text: utf8.decode(bytes) };
    // UTF-8 bytes declared as UTF-16 (UTF-16 text would have NUL bytes), or a UTF-8 byte order
    // mark before another declared encoding. Bytes that are not UTF-8 either are undecodable.
    if (UTF16_LABELS.has(label) || utf8Bom) {
      utf8.decode(bytes);
      return { ok: false, reason: 'mismatch', savedAs: 'UTF-8', declared: declared! };
    }
    // Other declared encodings (e.g. ISO-8859-1, windows-1252) through the platform decoder.
    if (!knownLabel(label)) return { ok: false, reason: 'unsupported', declared: declared! };
    return { ok: true, text: decodeDeclared(label, bytes, true) };
  } catch {
    return { ok: false, reason: 'undecodable' };
  }
}

/** The platform's decoder knows this encoding label. */
function knownLabel(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

/**
 * Windows-1252's characters for the bytes 0x80–0x9F (the WHATWG Encoding Standard's index; the
 * five bytes it leaves undefined stay the C1 controls they are in ISO-8859-1).
 */
const CP1252_HIGH =
  '\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f' +
  '\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178';

/**
 * `bytes` in the declared encoding `label`. The Encoding Standard reads every label of
 * ISO-8859-1, ASCII and windows-1252 as windows-1252 (what Windows software writes: €, ’, œ in
 * 0x80–0x9F), but Node 20's decoder reads those bytes as ISO-8859-1's invisible controls (walk 21:
 * "Café € Mons’s œuvre" shown as "Café □ Mons□s □uvre"): that range is mapped here.
 */
export function decodeDeclared(label: string, bytes: Uint8Array, fatal = false): string {
  const decoder = new TextDecoder(label, { fatal });
  const text = decoder.decode(bytes);
  // A decoder that maps them already leaves only the five undefined bytes here (mapped to
  // themselves).
  if (decoder.encoding !== 'windows-1252') return text;
  return text.replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

/**
 * Where a file's text would begin: the index of its first byte after an optional UTF-8 byte order
 * mark and blank space (spaces, tabs, line ends), looking no further than `within` bytes. XML
 * text has its `<` there.
 */
export function firstNonBlankByte(bytes: Uint8Array, within = bytes.length): number {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (
    i < bytes.length &&
    i < within &&
    (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)
  )
    i++;
  return i;
}
