import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_RULES } from '../../app/validation/rules';

// docs/validation-audit.md (issue 10) lists every assertion of the two official Schematron files.
// These tests keep it and the code from drifting apart: every official rule id it lists has a
// rule object in app/validation (or is listed as a gap), and every rule object of ours is in it.

const doc = readFileSync(path.join(process.cwd(), 'docs', 'validation-audit.md'), 'utf8');

/** Rule ids of the rows of the per-rule-set tables ("## <set>: fatal|warning (n)"). */
function officialIds(): string[] {
  const ids: string[] = [];
  let inTable = false;
  for (const line of doc.split('\n')) {
    if (line.startsWith('## ')) inTable = /: (fatal|warning) \(\d+\)$/.test(line);
    const m = inTable ? /^\| \*\*([A-Za-z0-9-]+)\*\* \|/.exec(line) : null;
    if (m) ids.push(m[1]!);
  }
  return ids;
}

/** Ids the Gaps section lists as "without a rule object". */
function listedGaps(): string[] {
  const start = doc.indexOf('Official rule ids without a rule object');
  if (start < 0) return [];
  const block = doc.slice(start, doc.indexOf('\n\n', doc.indexOf('\n- ', start)));
  return [...block.matchAll(/^- \*\*([A-Za-z0-9-]+)\*\*/gm)].map((m) => m[1]!);
}

describe('docs/validation-audit.md and app/validation agree on the rule ids', () => {
  const ids = officialIds();
  const implemented = new Set(ALL_RULES.map((r) => r.id));

  it('lists the official assertions (at least the 416 fatal ones and the warnings)', () => {
    expect(ids.length).toBeGreaterThanOrEqual(416);
    const fatalRows = doc.match(/^## .*: fatal \((\d+)\)$/gm) ?? [];
    const fatal = fatalRows.reduce((n, h) => n + Number(/\((\d+)\)$/.exec(h)![1]), 0);
    expect(fatal).toBeGreaterThanOrEqual(416);
  });

  it('every official rule id has a rule object, except the gaps the audit names', () => {
    const missing = [...new Set(ids.filter((id) => !implemented.has(id)))].sort();
    expect(missing).toEqual([...new Set(listedGaps())].sort());
  });

  it('every rule object of ours appears in the audit', () => {
    const named = new Set(doc.match(/[A-Z][A-Za-z]*(?:-[A-Za-z0-9]+)+/g) ?? []);
    const absent = [...implemented].filter((id) => !named.has(id)).sort();
    expect(absent).toEqual([]);
  });
});
