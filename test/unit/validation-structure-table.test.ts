import { describe, expect, it } from 'vitest';
import { elementTerm } from '../../app/domain/business-terms';
import { checkStructure, described } from '../../app/validation/structure';
import {
  UBL_AGGREGATE_TYPES,
  UBL_CONTENT_MODELS,
} from '../../app/validation/ubl-structure.generated';
import { parseXml } from '../../app/validation/xml-tree';

// Table-driven: for every aggregate type of UBL 2.1 reachable from an invoice or a credit note,
// build a document that reaches it, then break it in each way the schema forbids and check that
// the structural checks report exactly that, at the right place.

interface Particle {
  name: string;
  min: number;
  max: number;
}

function particles(type: string): Particle[] {
  return UBL_CONTENT_MODELS[type]!.split(' ').map((t) => {
    const mark = t[t.length - 1];
    const marked = mark === '!' || mark === '+' || mark === '*';
    return {
      name: marked ? t.slice(0, -1) : t,
      min: mark === '!' || mark === '+' ? 1 : 0,
      max: mark === '+' || mark === '*' ? Infinity : 1,
    };
  });
}

/** A valid basic element for its data type (UBL representation terms). */
function basic(q: string): string {
  const local = q.slice(4);
  const [attrs, value] = local.endsWith('Amount')
    ? [' currencyID="EUR"', '1.00']
    : local.endsWith('Measure')
      ? [' unitCode="KGM"', '1']
      : local.endsWith('BinaryObject')
        ? [' mimeCode="application/pdf"', 'QUJD']
        : local.endsWith('Date')
          ? ['', '2025-01-31']
          : local.endsWith('Time')
            ? ['', '12:00:00']
            : /(Quantity|Numeric|Percent|Rate)$/.test(local)
              ? ['', '1']
              : local.endsWith('Indicator')
                ? ['', 'true']
                : ['', 'X'];
  return `<${q}${attrs}>${value}</${q}>`;
}

function typeOf(q: string): string | undefined {
  return q.startsWith('cac:') ? UBL_AGGREGATE_TYPES[q.slice(4)] : undefined;
}

/** Smallest valid instance of element `q`: its required children only, recursively. */
function minimal(q: string, depth = 0): string {
  const type = typeOf(q);
  if (type === undefined) return q.startsWith('ext:') ? '' : basic(q);
  if (depth > 12) throw new Error(`required children recurse below ${q}`);
  const inner = particles(type)
    .filter((p) => p.min > 0)
    .map((p) => minimal(p.name, depth + 1))
    .join('');
  return `<${q}>${inner}</${q}>`;
}

/** Children of `type` in schema order: the required ones plus `extra` (rendered by `render`). */
function children(type: string, extra: Set<string>, render: (q: string) => string): string[] {
  return particles(type)
    .filter((p) => p.min > 0 || extra.has(p.name))
    .map((p) => (extra.has(p.name) ? render(p.name) : minimal(p.name)));
}

const NS =
  'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"';
const ROOT_NS: Record<string, string> = {
  'ubl:Invoice': 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  'ubl:CreditNote': 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
};

/** Shortest path (element names) from a document root to an element of each aggregate type. */
function paths(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const queue: string[][] = [['ubl:Invoice'], ['ubl:CreditNote']];
  const seen = new Set<string>(['ubl:Invoice', 'ubl:CreditNote']);
  while (queue.length > 0) {
    const path = queue.shift()!;
    const last = path[path.length - 1]!;
    const type = last.startsWith('ubl:') ? last : typeOf(last)!;
    if (!found.has(type)) found.set(type, path);
    for (const p of particles(type)) {
      if (!p.name.startsWith('cac:') || seen.has(p.name)) continue;
      seen.add(p.name);
      queue.push([...path, p.name]);
    }
  }
  return found;
}

/** A document whose element at the end of `path` has the content `target`. */
function documentFor(path: string[], target: string[]): string {
  let inner = target.join('');
  for (let i = path.length - 1; i > 0; i--) {
    const parentType = i - 1 === 0 ? path[0]! : typeOf(path[i - 1]!)!;
    const q = path[i]!;
    const here = inner;
    inner = children(parentType, new Set([q]), () => `<${q}>${here}</${q}>`).join('');
  }
  const root = path[0]!;
  const local = root.slice(4);
  return `<${local} xmlns="${ROOT_NS[root]!}" ${NS}>${inner}</${local}>`;
}

function check(xml: string): { rule: string; location: string; message: string }[] {
  return checkStructure(parseXml(xml)).map((f) => ({
    rule: f.rule,
    location: f.location ?? '',
    message: f.message,
  }));
}

const PATHS = paths();
const TYPES = Object.keys(UBL_CONTENT_MODELS).sort();

describe('UBL 2.1 structure table', () => {
  it('covers the two documents and every aggregate type reachable from them', () => {
    expect(TYPES.length).toBeGreaterThan(100);
    for (const t of TYPES) expect(PATHS.has(t), t).toBe(true);
    for (const t of new Set(Object.values(UBL_AGGREGATE_TYPES))) {
      expect(UBL_CONTENT_MODELS[t], t).toBeDefined();
    }
  });

  describe.each(TYPES)('%s', (type) => {
    const path = PATHS.get(type)!;
    const all = particles(type);
    const full = (): string[] => children(type, new Set(all.map((p) => p.name)), (q) => minimal(q));
    const where = '/' + path.map((q) => (q.startsWith('ubl:') ? q.slice(4) : q)).join('/');
    const parentName = described(path[path.length - 1]!);

    it('accepts every child in schema order', () => {
      expect(check(documentFor(path, full()))).toEqual([]);
    });

    it('reports children out of order', () => {
      if (all.length < 2) return expect(all.length).toBe(1);
      const kids = full();
      const swapped = [kids[kids.length - 1]!, ...kids.slice(0, -1)];
      const found = check(documentFor(path, swapped)).filter((f) => f.rule === 'XSD-ELEMENT-ORDER');
      expect(found.length).toBeGreaterThan(0);
      expect(found[0]!.location.startsWith(where + '/')).toBe(true);
    });

    it('reports an unknown child', () => {
      const found = check(documentFor(path, ['<cbc:Bogus>1</cbc:Bogus>', ...full()]));
      expect(found).toContainEqual({
        rule: 'XSD-UNKNOWN-ELEMENT',
        location: `${where}/cbc:Bogus`,
        message: `cbc:Bogus is not allowed inside ${parentName}.`,
      });
    });

    it('reports a missing required child and a repeated single one', () => {
      const required = all.filter((p) => p.min > 0);
      for (const r of required) {
        const without = children(type, new Set(), (q) => minimal(q)).filter(
          (x) => !x.startsWith(`<${r.name}>`) && !x.startsWith(`<${r.name} `),
        );
        expect(check(documentFor(path, without))).toContainEqual({
          rule: 'XSD-MISSING-ELEMENT',
          location: where,
          // By its business term where the location line's table names exactly it.
          message: `${parentName} must contain ${elementTerm(`${where}/${r.name}`) ?? r.name}.`,
        });
      }
      const single = all.find((p) => p.max === 1 && !p.name.startsWith('ext:'));
      if (single === undefined) return expect(all.every((p) => p.max === Infinity)).toBe(true);
      const twice = children(type, new Set([single.name]), (q) => minimal(q) + minimal(q));
      expect(check(documentFor(path, twice)).map((f) => f.rule)).toContain('XSD-TOO-MANY');
    });
  });
});
