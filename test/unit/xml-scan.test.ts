import fc from 'fast-check';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { parseXml } from '../../app/validation/xml-tree';
import { ScanFallback, scanXml } from '../../app/validation/xml-scan';
import { mutants, prng } from '../helpers/fuzz-mutations.mjs';
import { SAMPLE_INVOICE } from '../helpers/invoices';

type Event =
  ['attribute'] | ['open', string, Record<string, string>] | ['text', string] | ['close'];

/** Text events merged (the tree concatenates them): the order of everything else kept. */
function push(events: Event[], e: Event): void {
  const last = events[events.length - 1];
  if (e[0] === 'text' && last?.[0] === 'text') last[1] += e[1];
  else events.push(e);
}

/** What saxes (no namespaces, as the fast path uses it) reports, or 'error'. */
function saxesEvents(text: string): Event[] | 'error' {
  const events: Event[] = [];
  const p = new SaxesParser({ xmlns: false });
  let depth = 0;
  p.on('attribute', () => push(events, ['attribute']));
  p.on('opentag', (t) => {
    depth++;
    push(events, ['open', t.name, { ...(t.attributes as Record<string, string>) }]);
  });
  // Outside the root the tree ignores text; saxes reports blank space there.
  p.on('text', (t) => {
    if (depth > 0) push(events, ['text', t]);
  });
  p.on('cdata', (t) => push(events, ['text', t]));
  p.on('closetag', () => {
    depth--;
    push(events, ['close']);
  });
  try {
    p.write(text).close();
  } catch {
    return 'error';
  }
  return events;
}

/** What the fast reader reports, or 'fallback'. */
function scanEvents(text: string): Event[] | 'fallback' {
  const events: Event[] = [];
  try {
    scanXml(text, {
      attribute: () => push(events, ['attribute']),
      open: (name, attrs) => push(events, ['open', name, { ...attrs }]),
      text: (t) => push(events, ['text', t]),
      close: () => push(events, ['close']),
    });
  } catch (err) {
    if (err instanceof ScanFallback) return 'fallback';
    throw err;
  }
  return events;
}

/** The promise of the reader: saxes' events exactly, or a fallback; never a document saxes refuses. */
function expectAgrees(text: string): 'same' | 'fallback' {
  const scanned = scanEvents(text);
  const sax = saxesEvents(text);
  if (scanned === 'fallback') return 'fallback';
  expect(sax).not.toBe('error');
  expect(scanned).toEqual(sax);
  return 'same';
}

const wrap = (body: string, decl = '<?xml version="1.0" encoding="UTF-8"?>\n') =>
  `${decl}<r xmlns="urn:x" xmlns:p="urn:p">${body}</r>\n`;

describe('the fast XML reader (app/validation/xml-scan.ts)', () => {
  it('reads the sample invoice, CRLF line ends included, exactly as saxes does', () => {
    expect(expectAgrees(SAMPLE_INVOICE)).toBe('same');
    expect(expectAgrees(SAMPLE_INVOICE.replace(/\n/g, '\r\n'))).toBe('same');
    expect(expectAgrees(SAMPLE_INVOICE.replace(/\n/g, '\r'))).toBe('same');
  });

  it('resolves entities, character references, attribute blank space and comments as saxes does', () => {
    const cases = [
      wrap(
        '<p:a x="1 &amp; 2" y=\'&lt;&gt;&quot;&apos;\'>A &amp; B &#65;&#x42;&#x1F600; &#10;</p:a>',
      ),
      wrap('<a x="tab\there\nnl\r\ncrlf\rcr &#9;&#10;&#13;">t</a>'),
      wrap('<!-- before --><a>x<!-- inside -->y</a><!---->'),
      wrap('<a/><b   /><c x = "1"\n  y="2"/><d></d ><e>]]</e><f>] ]></f><g>]]&gt;</g>'),
      wrap('<a>\u00e9\u4e2d\ud83d\ude00\u0085\u2028</a>'),
      wrap('<a>x</a>', ''),
      wrap('<a>x</a>', '<?xml version="1.0"?>'),
      wrap('<a>x</a>', "<?xml version='1.0' standalone='yes' ?>\n\n"),
      `<r>  </r>  \n<!-- after -->\n`,
      wrap('<a constructor="1" y="2"/>'),
    ];
    for (const c of cases) expect(expectAgrees(c)).toBe('same');
  });

  it('leaves to saxes whatever it does not handle, well-formed or not', () => {
    const cases = [
      wrap('<a><![CDATA[x]]></a>'),
      wrap('<?pi x?><a/>'),
      '<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>',
      wrap('<a>&nbsp;</a>'),
      wrap('<a>&#0;</a>'),
      wrap('<a>&#xFFFE;</a>'),
      wrap('<a>&#X41;</a>'),
      wrap('<a>x]]>y</a>'),
      wrap('<a x="1" x="2"/>'),
      wrap('<a x="1" toString="2"/>'),
      wrap('<a __proto__="1"/>'),
      wrap('<a x=1/>'),
      wrap('<a x="1"y="2"/>'),
      wrap('<a x="<"/>'),
      wrap('<a>\ud800</a>'),
      wrap('<a>\udc00x</a>'),
      wrap('<a>\u0001</a>'),
      wrap('<a>\uffff</a>'),
      wrap('<a></b>'),
      wrap('<a>'),
      wrap('<a>x</a>') + '<b/>',
      'text<r/>',
      wrap('<!-- a -- b -->'),
      wrap('<!-- a --->'),
      wrap('<é/>'),
      wrap('<a é="1"/>'),
      wrap('<:a/>'),
      wrap('<1a/>'),
      wrap('<a>x</a>', '<?xml version="1.1"?>'),
      wrap('<a>x</a>', '<?xml version="1.0" standalone="maybe"?>'),
      wrap('<a>x</a>', ' <?xml version="1.0"?>'),
      '',
    ];
    for (const c of cases) expect(expectAgrees(c)).toBe('fallback');
  });

  it('never accepts a mutated invoice that saxes refuses, and agrees on every one it reads', () => {
    let same = 0;
    let fallback = 0;
    for (const m of mutants(SAMPLE_INVOICE, 400, 15, 0.02)) {
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(m.bytes);
      } catch {
        continue;
      }
      const start = text.indexOf('<');
      if (expectAgrees(start > 0 ? text.slice(start) : text) === 'same') same++;
      else fallback++;
    }
    // Both sides of the promise were exercised.
    expect(same).toBeGreaterThan(50);
    expect(fallback).toBeGreaterThan(50);
  });

  it('agrees with saxes on random edits of XML-significant characters', () => {
    const alphabet = [
      '<',
      '>',
      '&',
      ';',
      '"',
      "'",
      '=',
      '/',
      '!',
      '-',
      ']',
      '\r',
      '\n',
      ' ',
      '#',
      'x',
      '\u0000',
      '\ud800',
      ':',
      'é',
    ];
    const small = wrap('<p:a x="1" y=\'2\'>A &amp; B</p:a><!-- c --><b/>\n<c>t</c>');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...alphabet), fc.boolean()), { maxLength: 4 }),
        (edits) => {
          let t = small;
          for (const [at, ch, replace] of edits) {
            const i = at % (t.length + 1);
            t = t.slice(0, i) + ch + t.slice(replace ? i + 1 : i);
          }
          expectAgrees(t);
        },
      ),
      { numRuns: 3000, seed: 15 },
    );
  });

  it('resolves namespaces declared again and again by siblings, and nested, as saxes does', () => {
    const doc =
      '<r xmlns="urn:r"><x:a xmlns:x="urn:1"><x:b/></x:a><x:a xmlns:x="urn:2"><x:b/></x:a>' +
      '<x:a xmlns:x="urn:1"><x:b xmlns:x="urn:3"><x:c/></x:b><x:d/></x:a><e/></r>';
    const names = (d: ReturnType<typeof parseXml>) => d.elements.map((n) => `${n.ns} ${n.local}`);
    expect(names(parseXml(doc))).toEqual([
      'urn:r r',
      'urn:1 a',
      'urn:1 b',
      'urn:2 a',
      'urn:2 b',
      'urn:1 a',
      'urn:3 b',
      'urn:3 c',
      'urn:1 d',
      'urn:r e',
    ]);
    // Through saxes' own namespace processing (a processing instruction sends it there).
    expect(names(parseXml(`${doc}<?pi x?>`))).toEqual(names(parseXml(doc)));
  });

  it('parseXml gives the same tree through the fast reader as through saxes', () => {
    const r = prng(7);
    const docs = [SAMPLE_INVOICE, SAMPLE_INVOICE.replace(/\n/g, '\r\n')];
    for (const doc of docs) {
      const fast = parseXml(doc);
      // A processing instruction after the root sends the same document through saxes.
      const slow = parseXml(`${doc}<?pi ${r().toString(36)}?>`);
      const shape = (d: ReturnType<typeof parseXml>) =>
        d.elements.map((n) => [n.q, n.local, n.ns, n.attrs, n.text, n.children.length, n.order]);
      expect(shape(fast)).toEqual(shape(slow));
      expect(fast.elements.length).toBeGreaterThan(100);
      // Every element once, in document order (the tree walked depth first), no gaps.
      const walked: unknown[] = [];
      const walk = (n: (typeof fast.elements)[number]) => {
        walked.push(n);
        n.children.forEach(walk);
      };
      walk(fast.root);
      expect(fast.elements).toEqual(walked);
      expect(fast.elements.every((n, i) => n !== undefined && i in fast.elements)).toBe(true);
    }
  });
});
