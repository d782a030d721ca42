/**
 * Deterministic mutations of an invoice for the fuzz suite (test/bench/fuzz.mjs and
 * test/integration/fuzz.test.ts): structure, encoding, nesting, sizes, attributes and names.
 * `mutants(base, n, seed)` yields `{ name, kind, bytes }`; the same seed gives the same files.
 */

/** A small seeded PRNG (mulberry32). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const enc = (s) => new TextEncoder().encode(s);

/** Every mutation: (text, rnd) → string | Uint8Array. */
/** Size factor of the big mutations (1 in the benchmark, smaller in the unit suite). */
let scale = 1;

const MUTATIONS = {
  // structure
  truncate: (t, r) => t.slice(0, Math.floor(r() * t.length)),
  dropElement: (t, r) => {
    const tags = [...t.matchAll(/<(cac|cbc):(\w+)[^>]*>/g)];
    const m = tags[Math.floor(r() * tags.length)];
    if (!m) return t;
    const close = t.indexOf(`</${m[1]}:${m[2]}>`, m.index);
    return close < 0 ? t : t.slice(0, m.index) + t.slice(close + m[2].length + m[1].length + 4);
  },
  duplicateElement: (t, r) => {
    const tags = [...t.matchAll(/<(cac|cbc):(\w+)[^>]*>/g)];
    const m = tags[Math.floor(r() * tags.length)];
    if (!m) return t;
    const endTag = `</${m[1]}:${m[2]}>`;
    const close = t.indexOf(endTag, m.index);
    if (close < 0) return t;
    const el = t.slice(m.index, close + endTag.length);
    const times = 1 + Math.floor(r() * 2000 * scale);
    return t.slice(0, m.index) + el.repeat(times) + t.slice(m.index);
  },
  swapCloseTags: (t) => t.replace('</cbc:IssueDate>', '</cbc:DueDate>'),
  junkText: (t, r) => {
    const at = Math.floor(r() * t.length);
    return (
      t.slice(0, at) +
      ['<', '&', ']]>', '<?x?>', '<!--', '&#0;', '&#xD800;'][Math.floor(r() * 7)] +
      t.slice(at)
    );
  },
  doctype: (t) =>
    t.replace(
      /^(<\?xml[^>]*>)?/,
      (d) => `${d}<!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>`,
    ),
  billionLaughs: (t) =>
    t.replace(
      /^(<\?xml[^>]*>)?/,
      (d) => `${d}<!DOCTYPE a [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>`,
    ),
  // encoding
  latin1: (t) =>
    Buffer.from(t.replace('</Invoice>', '<!-- Ærøskøbing façade --></Invoice>'), 'latin1'),
  utf16: (t) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')]),
  badUtf8: (t, r) => {
    const b = Buffer.from(t);
    b[Math.floor(r() * b.length)] = 0xff;
    return b;
  },
  nulBytes: (t, r) => {
    const b = Buffer.from(t);
    b[Math.floor(r() * b.length)] = 0;
    return b;
  },
  wrongDeclaredEncoding: (t) => t.replace(/encoding="[^"]*"/, 'encoding="x-unknown-99"'),
  bom: (t) => '\uFEFF' + t,
  // nesting
  deepNesting: (t, r) => {
    const depth = 10 + Math.floor(r() * 20_000 * scale);
    return t.replace(
      '</Invoice>',
      '<cac:InvoiceLine>'.repeat(depth) + '</cac:InvoiceLine>'.repeat(depth) + '</Invoice>',
    );
  },
  unclosedNesting: (t, r) =>
    t.replace('</Invoice>', '<a>'.repeat(1 + Math.floor(r() * 50_000 * scale))),
  // sizes
  empty: () => '',
  oneByte: () => '<',
  blank: () => '   \n\t ',
  bigText: (t, r) =>
    t.replace(
      '</Invoice>',
      `<cbc:Note>${'x'.repeat(Math.floor(r() * 3_000_000 * scale))}</cbc:Note></Invoice>`,
    ),
  manyElements: (t, r) =>
    t.replace(
      '</Invoice>',
      '<cbc:Note>n</cbc:Note>'.repeat(Math.floor(r() * 100_000 * scale)) + '</Invoice>',
    ),
  // attributes
  manyAttributes: (t, r) => {
    const n = Math.floor(r() * 5000 * scale);
    const attrs = Array.from({ length: n }, (_, i) => ` a${i}="${i}"`).join('');
    return t.replace('<cbc:ID>', `<cbc:ID${attrs}>`);
  },
  duplicateAttribute: (t) => t.replace(/currencyID="(\w+)"/, 'currencyID="$1" currencyID="$1"'),
  hugeAttribute: (t, r) =>
    t.replace(
      /currencyID="\w+"/,
      `currencyID="${'E'.repeat(Math.floor(r() * 1_000_000 * scale))}"`,
    ),
  badNamespace: (t) => t.replace(/xmlns="[^"]*"/, 'xmlns="urn:not:an:invoice"'),
  unboundPrefix: (t) => t.replace('<cbc:ID>', '<zz:ID>').replace('</cbc:ID>', '</zz:ID>'),
  // names
  unicodeNames: (t) =>
    t.replace(/<cbc:Note>/g, '<cbc:Nöté名>').replace(/<\/cbc:Note>/g, '</cbc:Nöté名>'),
  longName: (t, r) => {
    const n = 'N'.repeat(1 + Math.floor(r() * 100_000 * scale));
    return t.replace('</Invoice>', `<cbc:${n}>1</cbc:${n}></Invoice>`);
  },
  badNameChars: (t) => t.replace('<cbc:ID>', '<cbc:I D>'),
  numbersForDates: (t) => t.replace(/<cbc:IssueDate>[^<]*</, '<cbc:IssueDate>99999-99-99<'),
  amountsGarbage: (t) => t.replace(/(<cbc:PayableAmount[^>]*>)[^<]*</, '$1NaN<'),
};

/** The mutation kinds, in a fixed order. */
export const KINDS = Object.keys(MUTATIONS);

/** `n` mutated copies of `base` (an invoice, as text or bytes), each with one or two mutations. */
export function* mutants(base, n, seed = 1, sizeFactor = 1) {
  scale = sizeFactor;
  const r = prng(seed);
  const text = typeof base === 'string' ? base : new TextDecoder().decode(base);
  for (let i = 0; i < n; i++) {
    const kind = KINDS[i % KINDS.length];
    let out = MUTATIONS[kind](
      text.replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>FUZZ-${seed}-${i}</cbc:ID>`),
      r,
    );
    // One in four gets a second, random mutation on top (when the first left text).
    if (typeof out === 'string' && r() < 0.25) {
      const second = KINDS[Math.floor(r() * KINDS.length)];
      out = MUTATIONS[second](out, r);
    }
    yield {
      name: `fuzz-${String(i).padStart(5, '0')}-${kind}.xml`,
      kind,
      bytes: typeof out === 'string' ? enc(out) : new Uint8Array(out),
    };
  }
}
