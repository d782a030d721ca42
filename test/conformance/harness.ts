import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkDocument } from '../../app/validation/index';
import type { CheckResult } from '../../app/validation/index';

/** One line of expected.jsonl. */
export interface Expected {
  file: string;
  fatal: string[];
  warning: string[];
  xsd: string[];
  scope?: string[];
  expect?: { success: string[]; error: Record<string, number>; warning: Record<string, number> };
  fatalCounts?: Record<string, number>;
  warningCounts?: Record<string, number>;
}

/** A disagreement with the official verdict. */
export interface Disagreement {
  file: string;
  reason: string;
}

/** Agreement figures of one conformance run. */
export interface ConformanceReport {
  examples: { agree: number; total: number };
  peppolExamples: { agree: number; total: number };
  ruleTests: { agree: number; total: number };
  /** Whole documents where our schema verdict (any XSD-* finding) matches the oracle's XSD result. */
  schema: { agree: number; total: number };
  /** Diagnostic: unit-test fragments where every fired id and count matches the oracle. */
  fullFragmentAgreement: { agree: number; total: number };
  disagreements: Disagreement[];
  fragmentDiffs: Disagreement[];
}

interface TestCase {
  doc: string;
  expectations: { kind: 'success' | 'error' | 'warning'; id: string; number: number | null }[];
}

const TEST_RE = /<test(?:\s[^>]*)?>([\s\S]*?)<\/test>/g;
const ASSERT_RE = /<assert(?:\s[^>]*)?>([\s\S]*?)<\/assert>/;
const EXPECT_RE = /<(success|error|warning)(\s+number="(\d+)")?\s*>([^<]*)<\/\1>/g;

/** Split a vefa testSet file into its test cases (document fragment + expectations). */
export function splitTestSet(xml: string): TestCase[] {
  const out: TestCase[] = [];
  for (const m of xml.matchAll(TEST_RE)) {
    const body = m[1]!;
    const a = ASSERT_RE.exec(body);
    const expectations: TestCase['expectations'] = [];
    let doc = body;
    if (a !== null) {
      for (const e of a[1]!.matchAll(EXPECT_RE)) {
        expectations.push({
          kind: e[1] as 'success' | 'error' | 'warning',
          id: e[4]!.trim(),
          number: e[3] !== undefined ? Number(e[3]) : null,
        });
      }
      doc = body.slice(a.index + a[0].length);
    }
    out.push({ doc: doc.trim(), expectations });
  }
  return out;
}

/** Our UBL schema checks use XSD-* ids; the oracle reports those separately as `xsd`. */
function isSchemaFinding(rule: string): boolean {
  return rule.startsWith('XSD-');
}

function counts(r: CheckResult, flag: 'fatal' | 'warning'): Map<string, number> {
  const m = new Map<string, number>();
  if (!r.ok) return m;
  for (const f of r.verdict.findings)
    if (f.flag === flag && !isSchemaFinding(f.rule)) m.set(f.rule, (m.get(f.rule) ?? 0) + 1);
  return m;
}

function diffCounts(
  mine: Map<string, number>,
  theirs: Record<string, number>,
  label: string,
): string[] {
  const out: string[] = [];
  const ids = new Set([...mine.keys(), ...Object.keys(theirs)]);
  for (const id of [...ids].sort()) {
    const a = mine.get(id) ?? 0;
    const b = theirs[id] ?? 0;
    if (a !== b) out.push(`${label} ${id}: ours ${a}, official ${b}`);
  }
  return out;
}

/** Run the validator over the fixtures and compare with expected.jsonl. */
export function runConformance(fixturesDir: string): ConformanceReport {
  const lines = readFileSync(path.join(fixturesDir, 'expected.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Expected);
  const report: ConformanceReport = {
    examples: { agree: 0, total: 0 },
    peppolExamples: { agree: 0, total: 0 },
    ruleTests: { agree: 0, total: 0 },
    schema: { agree: 0, total: 0 },
    fullFragmentAgreement: { agree: 0, total: 0 },
    disagreements: [],
    fragmentDiffs: [],
  };
  const testSets = new Map<string, TestCase[]>();
  for (const e of lines) {
    const hash = e.file.indexOf('#');
    if (hash < 0) {
      const r = checkDocument(readFileSync(path.join(fixturesDir, e.file)));
      const mine = r.ok
        ? [
            ...new Set(
              r.verdict.findings
                .filter((f) => f.flag === 'fatal' && !isSchemaFinding(f.rule))
                .map((f) => f.rule),
            ),
          ].sort()
        : [`INTAKE:${r.error.code}`];
      const ourSchemaErrors = r.ok ? r.verdict.findings.filter((f) => isSchemaFinding(f.rule)) : [];
      report.schema.total++;
      if (ourSchemaErrors.length > 0 === e.xsd.length > 0) report.schema.agree++;
      else {
        report.disagreements.push({
          file: e.file,
          reason:
            e.xsd.length > 0
              ? `schema: official XSD reports ${e.xsd.length} error(s) (${e.xsd[0]}) that our structural checks do not detect`
              : `schema: we report ${ourSchemaErrors.map((f) => f.rule + ' at ' + f.location).join(', ')} but the document is schema-valid`,
        });
      }
      const want = [...e.fatal].sort();
      const missing = want.filter((x) => !mine.includes(x));
      const extra = mine.filter((x) => !want.includes(x));
      report.examples.total++;
      const isPeppol = e.file.startsWith('examples/');
      if (isPeppol) report.peppolExamples.total++;
      if (missing.length === 0 && extra.length === 0) {
        report.examples.agree++;
        if (isPeppol) report.peppolExamples.agree++;
      } else {
        const parts: string[] = [];
        if (missing.length) parts.push(`missing fatal ${missing.join(', ')}`);
        if (extra.length) parts.push(`extra fatal ${extra.join(', ')}`);
        report.disagreements.push({ file: e.file, reason: parts.join('; ') });
      }
      continue;
    }
    const file = e.file.slice(0, hash);
    const n = Number(e.file.slice(hash + 1));
    let cases = testSets.get(file);
    if (cases === undefined) {
      cases = splitTestSet(readFileSync(path.join(fixturesDir, file), 'utf8'));
      testSets.set(file, cases);
    }
    const tc = cases[n - 1];
    report.ruleTests.total++;
    if (tc === undefined) {
      report.disagreements.push({ file: e.file, reason: 'test case not found in file' });
      continue;
    }
    const r = checkDocument(new TextEncoder().encode(tc.doc));
    const fatal = counts(r, 'fatal');
    const warning = counts(r, 'warning');
    const problems: string[] = [];
    if (!r.ok) problems.push(`intake rejected the fragment: ${r.error.code} ${r.error.message}`);
    for (const x of tc.expectations) {
      if (!(e.scope ?? []).includes(x.id) && e.scope !== undefined && e.scope.length > 0) {
        // Only rules in scope are judged.
        continue;
      }
      const f = fatal.get(x.id) ?? 0;
      const w = warning.get(x.id) ?? 0;
      if (x.kind === 'success') {
        if (f + w > 0) problems.push(`${x.id} must not fire but fired ${f + w}x`);
      } else {
        const got = x.kind === 'error' ? f : w;
        const other = x.kind === 'error' ? w : f;
        const ok = x.number === null ? got > 0 : got === x.number;
        if (!ok) {
          problems.push(
            `${x.id} expected ${x.kind}${x.number !== null ? ' ×' + x.number : ''}, got ${got}${other ? ` (and ${other} with the other flag)` : ''}`,
          );
        }
      }
    }
    if (problems.length === 0) report.ruleTests.agree++;
    else report.disagreements.push({ file: e.file, reason: problems.join('; ') });
    const full = [
      ...diffCounts(fatal, e.fatalCounts ?? {}, 'fatal'),
      ...diffCounts(warning, e.warningCounts ?? {}, 'warning'),
    ];
    report.fullFragmentAgreement.total++;
    if (full.length === 0) report.fullFragmentAgreement.agree++;
    else report.fragmentDiffs.push({ file: e.file, reason: full.join('; ') });
  }
  return report;
}
