/**
 * A fast reader for the XML that invoices are made of, used before saxes: plain ASCII names,
 * quoted attributes, text with the five predefined entities and character references, comments,
 * an optional `<?xml version="1.0" ...?>` declaration. It gives the same events saxes (without
 * namespaces) gives for such a document, and accepts nothing saxes refuses: anything else
 * (CDATA, a processing instruction, a DOCTYPE, non-ASCII names, any well-formedness error, any
 * doubt) throws {@link ScanFallback} and the document is read by saxes instead, which decides
 * and words the error. Reading a 10 MB invoice this way costs a fraction of saxes' time.
 */

/** What the reader reports, in document order (as saxes' events). */
export interface ScanHandlers {
  /** After each attribute of the tag being read (saxes' `attribute` event). */
  attribute(): void;
  /** A start tag (or an empty-element tag, followed by `close`), its attributes as read. */
  open(name: string, attrs: Record<string, string>): void;
  /** Character data inside the root element, entities and line ends already resolved. */
  text(t: string): void;
  close(): void;
}

/** The document is not of the simple kind this reader handles alone: saxes reads it. */
export class ScanFallback extends Error {}

const FALLBACK = new ScanFallback('read by saxes');
const NO_ATTRIBUTES: Record<string, string> = Object.freeze(
  Object.create(null) as object,
) as Record<string, string>;
const XML_DECL =
  /<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"1\.0"|'1\.0')(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"[A-Za-z][A-Za-z0-9._-]*"|'[A-Za-z][A-Za-z0-9._-]*'))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*\?>/y;
const PREDEFINED: Record<string, string> = Object.assign(Object.create(null) as object, {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
});
const DECIMAL_REF = /^#[0-9]+$/;
const HEX_REF = /^#x[0-9a-fA-F]+$/;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** ASCII name start (no colon first: saxes allows it, the names here never start so). */
function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isNameChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x3a) || // digits and ':'
    c === 0x5f ||
    c === 0x2d ||
    c === 0x2e
  );
}

/** The end of the ASCII name starting at `i`; a non-ASCII character (maybe a name char) falls back. */
function nameEnd(s: string, i: number): number {
  if (!isNameStart(s.charCodeAt(i))) throw FALLBACK;
  let k = i + 1;
  while (isNameChar(s.charCodeAt(k))) k++;
  if (s.charCodeAt(k) >= 0x80) throw FALLBACK;
  return k;
}

/** The character an entity reference `&name;` at `i` stands for, and where it ends. */
function entityAt(s: string, i: number): [string, number] {
  const semi = s.indexOf(';', i + 1);
  if (semi < 0 || semi - i > 12) throw FALLBACK;
  const name = s.slice(i + 1, semi);
  const known = PREDEFINED[name];
  if (known !== undefined) return [known, semi + 1];
  let code: number;
  if (HEX_REF.test(name) && name.charCodeAt(1) === 0x78 /* x, as saxes */)
    code = parseInt(name.slice(2), 16);
  else if (DECIMAL_REF.test(name)) code = parseInt(name.slice(1), 10);
  else throw FALLBACK;
  const ok =
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff);
  if (!ok) throw FALLBACK;
  return [String.fromCodePoint(code), semi + 1];
}

/**
 * Check the characters of `s` from `a` to `b`: XML 1.0 characters only (a lone surrogate,
 * U+FFFE, U+FFFF or a control character falls back).
 */
function checkChars(s: string, a: number, b: number): void {
  for (let k = a; k < b; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0x20) {
      if (c < 0xd800) continue;
      if (c <= 0xdbff) {
        const d = s.charCodeAt(k + 1);
        if (k + 1 < b && d >= 0xdc00 && d <= 0xdfff) {
          k++;
          continue;
        }
        throw FALLBACK;
      }
      if (c <= 0xdfff || c >= 0xfffe) throw FALLBACK;
    } else if (c !== 0x0d && c !== 0x0a && c !== 0x09) throw FALLBACK;
  }
}

/** Raw text between two markup pieces, line ends normalised as XML requires (CR LF, CR → LF). */
function lines(s: string, a: number, b: number, cr: boolean): string {
  const t = s.slice(a, b);
  return cr ? t.replace(/\r\n?/g, '\n') : t;
}

/** Character data inside the root from `a` to `b` (no `<` in it), entities resolved. */
function textOf(s: string, a: number, b: number): string {
  // One pass: the characters, the first `&`, a CR, `]]>` (forbidden in character data).
  let cr = false;
  let amp = -1;
  for (let k = a; k < b; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0x20) {
      if (c < 0xd800) {
        if (c === 0x26) {
          if (amp < 0) amp = k;
        } else if (
          c === 0x3e &&
          k - a >= 2 &&
          s.charCodeAt(k - 1) === 0x5d &&
          s.charCodeAt(k - 2) === 0x5d
        )
          throw FALLBACK;
        continue;
      }
      if (c <= 0xdbff) {
        const d = s.charCodeAt(k + 1);
        if (k + 1 < b && d >= 0xdc00 && d <= 0xdfff) {
          k++;
          continue;
        }
        throw FALLBACK;
      }
      if (c <= 0xdfff || c >= 0xfffe) throw FALLBACK;
    } else if (c === 0x0d) cr = true;
    else if (c !== 0x0a && c !== 0x09) throw FALLBACK;
  }
  if (amp < 0) return lines(s, a, b, cr);
  let out = '';
  let from = a;
  for (let k = amp; k < b; k++) {
    if (s.charCodeAt(k) !== 0x26) continue;
    out += lines(s, from, k, cr);
    const [ch, next] = entityAt(s, k);
    if (next > b) throw FALLBACK;
    out += ch;
    from = next;
    k = next - 1;
  }
  return out + lines(s, from, b, cr);
}

/** An attribute value between its quotes: entities resolved, TAB / LF / CR (LF) each one space. */
function attributeValue(s: string, a: number, b: number): string {
  checkChars(s, a, b);
  let out = '';
  let from = a;
  for (let k = a; k < b; k++) {
    const c = s.charCodeAt(k);
    if (c === 0x3c /* < */) throw FALLBACK;
    if (c === 0x26 /* & */) {
      const [ch, next] = entityAt(s, k);
      if (next > b) throw FALLBACK;
      out += s.slice(from, k) + ch;
      from = next;
      k = next - 1;
    } else if (c === 0x09 || c === 0x0a || c === 0x0d) {
      out += s.slice(from, k) + ' ';
      if (c === 0x0d && s.charCodeAt(k + 1) === 0x0a) k++;
      from = k + 1;
    }
  }
  return from === a ? s.slice(a, b) : out + s.slice(from, b);
}

/**
 * Read `s` (starting at its first `<`), reporting to `h`. Throws {@link ScanFallback} for
 * anything it does not handle; errors thrown by the handlers pass through.
 */
export function scanXml(s: string, h: ScanHandlers): void {
  const n = s.length;
  let i = 0;
  if (s.startsWith('<?xml', 0)) {
    XML_DECL.lastIndex = 0;
    if (!XML_DECL.test(s)) throw FALLBACK;
    i = XML_DECL.lastIndex;
  }
  const open: string[] = [];
  let sawRoot = false;
  while (i < n) {
    const lt = s.indexOf('<', i);
    const end = lt < 0 ? n : lt;
    if (end > i) {
      if (open.length > 0) {
        const t = textOf(s, i, end);
        if (t.length > 0) h.text(t);
      } else {
        // Outside the root only blank space may appear.
        for (let k = i; k < end; k++) if (!isSpace(s.charCodeAt(k))) throw FALLBACK;
      }
    }
    if (lt < 0) break;
    const c = s.charCodeAt(lt + 1);
    if (c === 0x2f /* / */) {
      const k = nameEnd(s, lt + 2);
      const name = s.slice(lt + 2, k);
      let j = k;
      while (isSpace(s.charCodeAt(j))) j++;
      if (s.charCodeAt(j) !== 0x3e || open.length === 0 || open[open.length - 1] !== name)
        throw FALLBACK;
      open.pop();
      h.close();
      i = j + 1;
    } else if (c === 0x21 /* ! */) {
      if (!s.startsWith('<!--', lt)) throw FALLBACK;
      const dashes = s.indexOf('--', lt + 4);
      if (dashes < 0 || s.charCodeAt(dashes + 2) !== 0x3e) throw FALLBACK;
      checkChars(s, lt + 4, dashes);
      i = dashes + 3;
    } else {
      // Only one root element.
      if (sawRoot && open.length === 0) throw FALLBACK;
      const k = nameEnd(s, lt + 1);
      const name = s.slice(lt + 1, k);
      let attrs = NO_ATTRIBUTES;
      let j = k;
      let selfClosing = false;
      for (;;) {
        const d = s.charCodeAt(j);
        if (d === 0x3e /* > */) break;
        if (d === 0x2f /* / */) {
          if (s.charCodeAt(j + 1) !== 0x3e) throw FALLBACK;
          selfClosing = true;
          j++;
          break;
        }
        // An attribute, after blank space.
        if (!isSpace(d)) throw FALLBACK;
        while (isSpace(s.charCodeAt(j))) j++;
        const e = s.charCodeAt(j);
        if (e === 0x3e || e === 0x2f) continue;
        const nameTo = nameEnd(s, j);
        const key = s.slice(j, nameTo);
        j = nameTo;
        while (isSpace(s.charCodeAt(j))) j++;
        if (s.charCodeAt(j) !== 0x3d /* = */) throw FALLBACK;
        j++;
        while (isSpace(s.charCodeAt(j))) j++;
        const q = s.charCodeAt(j);
        if (q !== 0x22 && q !== 0x27) throw FALLBACK;
        const close = s.indexOf(q === 0x22 ? '"' : "'", j + 1);
        if (close < 0) throw FALLBACK;
        const value = attributeValue(s, j + 1, close);
        // A plain object (a prototype-less one is a slow dictionary to fill and enumerate): a
        // name it inherits or `__proto__` is left to saxes.
        if (key === '__proto__') throw FALLBACK;
        if (attrs === NO_ATTRIBUTES) attrs = {};
        else if (attrs[key] !== undefined) throw FALLBACK;
        attrs[key] = value;
        h.attribute();
        j = close + 1;
      }
      sawRoot = true;
      h.open(name, attrs);
      if (selfClosing) h.close();
      else open.push(name);
      i = j + 1;
    }
  }
  if (!sawRoot || open.length > 0) throw FALLBACK;
}
