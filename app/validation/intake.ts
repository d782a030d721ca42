import type { DocumentType, IntakeError, IntakeErrorCode } from './types';
import {
  MAX_ATTRIBUTES_PER_ELEMENT,
  MAX_DEPTH,
  MAX_ELEMENTS,
  NS,
  parseXml,
  XmlParseError,
} from './xml-tree';
import type { XDoc } from './xml-tree';
import { DEFAULT_MAX_BYTES, tooLargeMessage } from './too-large';
import { visibleText } from '../domain/visible-text';
import { decodeXml, firstNonBlankByte, type EncodingMismatch } from '../domain/xml-encoding';

export { DEFAULT_MAX_BYTES, tooLargeMessage } from './too-large';

/** The namespace of the Peppol transport envelope (Standard Business Document Header). */
const SBDH_NS = 'http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader';
/** The UN/CEFACT Cross Industry Invoice (ZUGFeRD, Factur-X, XRechnung CII). */
const CII_NS = 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100';

const EXPORT_AGAIN =
  'Export the invoice again from your accounting system as Peppol BIS Billing 3.0 UBL.';
const AS_UTF8 = 'Export it again from your accounting system as UTF-8.';

/** A document that passed intake: parsed tree plus its kind. */
export interface IntakeOk {
  ok: true;
  doc: XDoc;
  docType: DocumentType;
}

/** Result of `intake`. */
export type IntakeResult = IntakeOk | { ok: false; error: IntakeError };

/** The HTML5 or XHTML document type at a file's start (after an XML declaration, if any). */
const HTML_DOCTYPE = /^\s*(<\?xml[^>]*\?>\s*)?<!DOCTYPE\s+html[\s>]/i;

function fail(code: IntakeErrorCode, message: string): { ok: false; error: IntakeError } {
  return { ok: false, error: { code, message } };
}

/** What to say about a file saved in one encoding whose first line declares another. */
function mismatchMessage(m: EncodingMismatch): string {
  if (m.savedAs === 'UTF-16') {
    return `This file is saved as UTF-16, but its first line says encoding="${m.declared}", so it is not valid XML and an access point may refuse it. Export it again as UTF-8, or make its first line say encoding="UTF-16".`;
  }
  return `This file is saved as UTF-8, but its first line says encoding="${m.declared}" (some export tools write that by mistake), so it is not valid XML and an access point may refuse it. Export it again, or change its first line to say encoding="UTF-8".`;
}

/**
 * Bytes that failed to decode but read as XML text in a single-byte encoding: they start with `<`
 * (after an optional BOM and blank space) and hold no NUL or other control bytes, as a PDF,
 * image or spreadsheet would.
 */
function looksLikeMislabelledText(bytes: Uint8Array): boolean {
  const i = firstNonBlankByte(bytes);
  if (bytes[i] !== 0x3c) return false;
  const end = Math.min(bytes.length, 64 * 1024);
  for (let k = i; k < end; k++) {
    const b = bytes[k]!;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
  }
  return true;
}

/**
 * Safe intake: size limit (checked before anything else), decoding, well-formedness with a
 * DOCTYPE ban, and the UBL root check. Never throws for bad input.
 */
export function intake(bytes: Uint8Array, maxBytes: number = DEFAULT_MAX_BYTES): IntakeResult {
  if (bytes.byteLength > maxBytes)
    return fail('TOO_LARGE', tooLargeMessage(bytes.byteLength, maxBytes));
  if (bytes.byteLength === 0) {
    return fail('EMPTY', `This file is empty. ${EXPORT_AGAIN}`);
  }
  const decoded = decodeXml(bytes);
  if (!decoded.ok && decoded.reason === 'mismatch') {
    return fail('ENCODING', mismatchMessage(decoded));
  }
  // Walk 21: both were called "a different kind of file, e.g. a PDF, image or spreadsheet", and an
  // EBCDIC declaration "probably saved as ISO-8859-1 or Windows-1252".
  if (!decoded.ok && decoded.reason === 'utf32') {
    return fail(
      'ENCODING',
      `This XML file is saved as UTF-32, which invoices are not sent in. ${AS_UTF8}`,
    );
  }
  if (!decoded.ok && decoded.reason === 'utf16-no-bom') {
    return fail(
      'ENCODING',
      `This file is saved as UTF-16 without the byte order mark that UTF-16 XML files must begin with, so it is not valid XML and an access point may refuse it. ${AS_UTF8}`,
    );
  }
  if (!decoded.ok && decoded.reason === 'unsupported') {
    return fail(
      'ENCODING',
      `This file declares the encoding "${decoded.declared}" on its first line, which Peppol Desk cannot read (invoices are sent in UTF-8). ${AS_UTF8}`,
    );
  }
  const text = decoded.ok ? decoded.text : null;
  let start = 0;
  if (text !== null) {
    while (start < text.length) {
      const c = text.charCodeAt(start);
      if (c === 0xfeff || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) start++;
      else break;
    }
  }
  if (
    text === null ||
    start >= text.length ||
    text.charCodeAt(start) !== 0x3c /* < */ ||
    text.includes('\u0000')
  ) {
    if (text !== null && start >= text.length) {
      return fail('EMPTY', `This file contains only blank space. ${EXPORT_AGAIN}`);
    }
    if (text === null && looksLikeMislabelledText(bytes)) {
      return fail(
        'ENCODING',
        `This file is XML text, but its characters are not in the encoding it declares (UTF-8 unless it says otherwise): it was probably saved as ISO-8859-1 or Windows-1252. Export it again as UTF-8, or make its first line declare the encoding it really uses.`,
      );
    }
    // An invoice followed by zero bytes (walk 21: software that pre-allocates its files leaves
    // them): said so, not "a different kind of file".
    let end = text?.length ?? 0;
    while (end > 0 && text!.charCodeAt(end - 1) === 0) end--;
    const body = text?.slice(0, end) ?? null;
    if (
      body !== null &&
      body !== text &&
      !body.includes('\u0000') &&
      body.charCodeAt(start) === 0x3c
    ) {
      return fail(
        'NOT_XML',
        `This XML file ends with ${text!.length - body.length} zero bytes after its last line, which an XML file may not contain (the program that saved it left them, or did not finish writing it). ${EXPORT_AGAIN}`,
      );
    }
    // XML text with a stray zero byte or two (walk 25: one NUL in a text node was called "a
    // different kind of file, e.g. a PDF"): where it is.
    const nul = text !== null && text.charCodeAt(start) === 0x3c ? strayNul(text) : null;
    if (nul) {
      return fail(
        'XML',
        `This XML file contains a zero byte (a NUL character) at line ${nul.line}, column ${nul.column}, which XML does not allow, so an access point would refuse it. ${EXPORT_AGAIN}`,
      );
    }
    // Said what it is when that is plain (a walk: a one-sentence letter was called "a PDF, image
    // or spreadsheet").
    const kind =
      text === null || text.includes('\u0000')
        ? null
        : text.startsWith('%PDF', start)
          ? 'a PDF'
          : 'plain text';
    return fail(
      'NOT_XML',
      kind
        ? `This file is ${kind}, not an XML invoice. ${EXPORT_AGAIN}`
        : `This file is not an XML invoice (it looks like a different kind of file, e.g. a PDF, image or spreadsheet). ${EXPORT_AGAIN}`,
    );
  }
  // The XML declaration must be the very first thing (after a byte order mark): blank space
  // before it is not well-formed (walk 25: "valid" here, then refused by the access point, "an
  // XML declaration must be at the start of the document").
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (start > bom && /^<\?xml[ \t\r\n]/.test(text.slice(start, start + 6))) {
    return fail(
      'XML',
      `This file has blank space (empty lines or spaces) before its first line <?xml …?>, which must come first in an XML file, so an access point would refuse it as damaged XML. Remove what comes before <?xml, or export the invoice again from your accounting system as Peppol BIS Billing 3.0 UBL.`,
    );
  }
  let doc: XDoc;
  try {
    doc = parseXml(start > 0 ? text.slice(start) : text);
  } catch (err) {
    if (err instanceof XmlParseError && err.code === 'DTD_FORBIDDEN') {
      // A web page saved as .xml: said plainly, not as an attack (walk 11).
      if (HTML_DOCTYPE.test(text.slice(start, start + 512)))
        return fail(
          'NOT_XML',
          `This file is a web page (HTML), not an XML invoice. ${EXPORT_AGAIN}`,
        );
      return fail(
        'DTD_FORBIDDEN',
        'This file contains a document type declaration (DOCTYPE), which Peppol invoices never contain and which can be used to attack the computer reading it. It was not read any further. ' +
          EXPORT_AGAIN,
      );
    }
    if (err instanceof XmlParseError && err.code === 'TOO_DEEP') {
      return fail(
        'TOO_DEEP',
        `This file has elements nested more than ${MAX_DEPTH} levels deep; a real invoice needs far fewer, so it was not read any further. ${EXPORT_AGAIN}`,
      );
    }
    if (err instanceof XmlParseError && err.code === 'TOO_MANY_ATTRIBUTES') {
      return fail(
        'TOO_MANY_ATTRIBUTES',
        `This file has an element with more than ${MAX_ATTRIBUTES_PER_ELEMENT} attributes, or more than ${MAX_ELEMENTS.toLocaleString('en-US')} attributes in all; a real invoice has a handful per element, so it was not read any further. ${EXPORT_AGAIN}`,
      );
    }
    if (err instanceof XmlParseError && err.code === 'TOO_MANY_ELEMENTS') {
      return fail(
        'TOO_MANY_ELEMENTS',
        `This file has more than ${MAX_ELEMENTS.toLocaleString('en-US')} elements; even a very long invoice has far fewer, so it was not read any further. ${EXPORT_AGAIN}`,
      );
    }
    if (err instanceof XmlParseError) {
      return fail(
        'XML',
        `This file is damaged or incomplete XML (line ${err.line}, column ${err.column}: ${err.message}). ${EXPORT_AGAIN}`,
      );
    }
    return fail('XML', `This file could not be read as XML. ${EXPORT_AGAIN}`);
  }
  const root = doc.root;
  if (root.local === 'Invoice' && root.ns === NS.invoice)
    return { ok: true, doc, docType: 'Invoice' };
  if (root.local === 'CreditNote' && root.ns === NS.creditNote) {
    return { ok: true, doc, docType: 'CreditNote' };
  }
  // An invoice inside the envelope access points exchange among themselves (SBDH): what to send
  // is the invoice itself (the access point makes its own envelope).
  if (root.local === 'StandardBusinessDocument' && root.ns === SBDH_NS) {
    return fail(
      'UBL',
      'This file is an invoice inside a Peppol transport envelope (StandardBusinessDocument), the form access points exchange among themselves. Peppol Desk sends the invoice itself, and your access point adds the envelope: export the invoice again without the envelope, as Peppol BIS Billing 3.0 UBL.',
    );
  }
  if (root.local === 'CrossIndustryInvoice' && root.ns === CII_NS) {
    return fail(
      'UBL',
      `This file is an invoice in the UN/CEFACT Cross Industry Invoice format (CII, as in ZUGFeRD, Factur-X or XRechnung CII), not in UBL, which Peppol BIS Billing 3.0 requires. ${EXPORT_AGAIN}`,
    );
  }
  // One kind's element in the other's namespace: the program that wrote it mixed the two.
  const mixed =
    (root.local === 'Invoice' && root.ns === NS.creditNote) ||
    (root.local === 'CreditNote' && root.ns === NS.invoice);
  if (mixed) {
    return fail(
      'UBL',
      `This file mixes an invoice and a credit note: its main element is "${root.local}" but its namespace is ${root.ns}. An invoice is an Invoice element in ${NS.invoice}, a credit note a CreditNote element in ${NS.creditNote}. ${EXPORT_AGAIN}`,
    );
  }
  const found = root.ns ? `"${root.local}" in namespace ${root.ns}` : `"${root.local}"`;
  return fail(
    'UBL',
    `This file is not an invoice: it is XML, but its main element is ${found} instead of a UBL Invoice or CreditNote. ${EXPORT_AGAIN}`,
  );
}

/** The first element named ID, whatever its prefix, and its text (a UBL invoice's own number). */
const FIRST_ID = /<(?:[A-Za-z_][\w.-]*:)?ID(?:\s[^>]*)?>\s*([^<>]{1,200}?)\s*<\//;

/**
 * The invoice number a file that could not be read as an invoice seems to carry: the text of its
 * first element named ID in its first 64 KB (in a UBL invoice its own number comes before any
 * other ID), written as a summary writes it (visible-text), or null. Only to know a correction of
 * it (walk 21b: matched by file name alone, another invoice exported to the same name replaced a
 * failure it had nothing to do with).
 */
export function numberOfUnreadable(bytes: Uint8Array): string | null {
  const head = new TextDecoder('utf-8').decode(bytes.subarray(0, 64 * 1024));
  const m = FIRST_ID.exec(head);
  const n = m?.[1]?.replace(/\s+/g, ' ');
  return n ? visibleText(n) : null;
}

/**
 * The first zero byte of XML text that holds no other control character and only a few zero
 * bytes (a stray one: a binary file has many, and other control bytes), by line and column.
 */
function strayNul(text: string): { line: number; column: number } | null {
  const first = text.indexOf('\u0000');
  if (first < 0) return null;
  let nuls = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 0 && ++nuls > 8) return null;
    if (c !== 0 && c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return null;
  }
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k >= 0 && k < first; k = text.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: first - lineStart + 1 };
}
