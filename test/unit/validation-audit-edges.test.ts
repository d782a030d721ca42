import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDocument } from '../../app/validation';
import { SAMPLE_INVOICE } from '../helpers/invoices';

// Edge tests generated from the official XPath text in docs/validation-audit.md (issue 10), for the
// rules no official unit-test set covers: the UBL-CR "not used in this CIUS" warnings of the form
// not(a/b/c). Just inside: the sample invoice (the element is absent, the rule must not fire).
// Just outside: the same invoice with that one element added (the rule must fire, once).

const doc = readFileSync(path.join(process.cwd(), 'docs', 'validation-audit.md'), 'utf8');
const unescape = (s: string) => s.replace(/\\\|/g, '|');

interface Row {
  id: string;
  context: string;
  test: string;
}

function rows(): Row[] {
  const out: Row[] = [];
  for (const m of doc.matchAll(/^\| \*\*([A-Z0-9-]+)\*\* \| `([^`]*)` \| `([^`]*)` \|/gm)) {
    out.push({ id: m[1]!, context: unescape(m[2]!), test: unescape(m[3]!) });
  }
  return out;
}

const ROOT = '/ubl:Invoice | /cn:CreditNote';
const EXT_NS = 'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2';
const STEP = '[a-z]+:[A-Za-z]+';
const SIMPLE = new RegExp(
  `^not\\(((?:\\(cac:InvoiceLine\\|cac:CreditNoteLine\\)/)?${STEP}(?:/${STEP})*)\\)$`,
);

/** The sample invoice with the element at `steps` added (inside the first line for line paths). */
function withElement(steps: string[]): string {
  const line = steps[0] === '(cac:InvoiceLine|cac:CreditNoteLine)';
  const rest = line ? steps.slice(1) : steps;
  const leaf = rest[rest.length - 1]!;
  let xml = leaf.startsWith('cbc:') ? `<${leaf}>1</${leaf}>` : `<${leaf}/>`;
  for (const s of rest.slice(0, -1).reverse()) xml = `<${s}>${xml}</${s}>`;
  // The sample declares cac and cbc on its root; ext only where it is used.
  if (rest.some((s) => s.startsWith('ext:'))) {
    xml = xml.replace(/^<([\w:]+)/, `<$1 xmlns:ext="${EXT_NS}"`);
  }
  const at = line
    ? SAMPLE_INVOICE.indexOf('</cac:InvoiceLine>')
    : SAMPLE_INVOICE.lastIndexOf('</Invoice>');
  return SAMPLE_INVOICE.slice(0, at) + xml + SAMPLE_INVOICE.slice(at);
}

/**
 * Rules whose path in the .sch copy the audit was made from cannot occur in a schema-valid
 * document, while ours checks where the element really is (docs/validation-audit.md, Gaps 2):
 * here the difference is pinned — ours does not fire on the copy's path.
 */
const PATH_DIFFERS = new Set([
  'UBL-CR-022',
  ...Array.from({ length: 20 }, (_, i) => `UBL-CR-${625 + i}`),
]);

function fired(xml: string, id: string): number {
  const res = checkDocument(new TextEncoder().encode(xml));
  if (!res.ok) throw new Error(`${id}: ${res.error.message}`);
  return res.verdict.findings.filter((f) => f.rule === id).length;
}

describe('UBL-CR rules on the edges of their official condition (generated from the audit)', () => {
  const cases = rows().filter(
    (r) => r.id.startsWith('UBL-CR-') && r.context === ROOT && SIMPLE.test(r.test),
  );

  it('finds the generated cases (most of the UBL-CR rules have the simple form)', () => {
    expect(cases.length).toBeGreaterThan(550);
  });

  it('the sample invoice (every such element absent) fires none of them', () => {
    const res = checkDocument(new TextEncoder().encode(SAMPLE_INVOICE));
    expect(res.ok).toBe(true);
    const ids = new Set(res.ok ? res.verdict.findings.map((f) => f.rule) : []);
    expect(cases.filter((c) => ids.has(c.id)).map((c) => c.id)).toEqual([]);
  });

  it('adding the one element the rule names makes it fire exactly once (except the known path differences)', () => {
    const wrong: string[] = [];
    for (const c of cases) {
      const steps = SIMPLE.exec(c.test)![1]!
        .replace('(cac:InvoiceLine|cac:CreditNoteLine)', 'LINE')
        .split('/');
      const n = fired(
        withElement(steps.map((s) => (s === 'LINE' ? '(cac:InvoiceLine|cac:CreditNoteLine)' : s))),
        c.id,
      );
      const want = PATH_DIFFERS.has(c.id) ? 0 : 1;
      if (n !== want) wrong.push(`${c.id} fired ${n} times for ${c.test}`);
    }
    expect(wrong).toEqual([]);
  });
});
