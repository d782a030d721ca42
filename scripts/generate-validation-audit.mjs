#!/usr/bin/env node
// Writes docs/validation-audit.md (issue 10): every assertion of the official Schematron files
// (rule id, flag, context, test as XPath text), where our validator implements it (file and rule
// object), and which tests show the two agree (official unit-test files by their scope, our own
// test files by grep). Hand-written notes (scripts/validation-audit-notes.mjs) explain rules whose
// context or test we express differently and list the gaps.
//
// Usage: node scripts/generate-validation-audit.mjs <folder with the two .sch files>
//          [--fixtures <folder of the official unit-test sets>] [--out docs/validation-audit.md]
// Not run by npm test: it needs the official .sch files, which are not part of the repository.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SOURCE_NOTE,
  NOTES,
  GAPS,
  LANES,
  HOW_WE_EXPRESS,
  LANE_OF,
  SUSPECTS,
  classify,
} from './validation-audit-notes.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const SCH_FILES = [
  { file: 'CEN-EN16931-UBL.sch', set: 'CEN EN 16931 UBL (the stored copy, older than 1.3.14.1)' },
  { file: 'PEPPOL-EN16931-UBL.sch', set: 'Peppol BIS Billing 3.0.19' },
];

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const schDir = process.argv[2];
if (!schDir || schDir.startsWith('--') || !existsSync(schDir)) {
  console.error(
    'Usage: node scripts/generate-validation-audit.mjs <sch folder> [--fixtures <dir>] [--out <file>]',
  );
  process.exit(2);
}
const fixturesDir = arg('--fixtures', null);
// Ids whose text in the .sch copy is known not to be the release's (see the doc's "Source").
const untrustedFile = arg('--untrusted', null);
const untrusted = new Set(untrustedFile ? JSON.parse(readFileSync(untrustedFile, 'utf8')) : []);
const outFile = resolve(arg('--out', join(ROOT, 'docs', 'validation-audit.md')));

// ---- the official assertions ------------------------------------------------------------------

const ENTITIES = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
function unescapeXml(s) {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e) =>
    e[0] === '#'
      ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1)))
      : ENTITIES[e],
  );
}
function attrOf(tag, name) {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(tag);
  return m ? unescapeXml(m[2] ?? m[3]) : null;
}
const oneLine = (s) => s.replace(/\s+/g, ' ').trim();

/** Every `<assert>` with the context of its enclosing `<rule>`, in file order. */
function parseSch(text, set, file) {
  const out = [];
  const withoutComments = text.replace(/<!--[\s\S]*?-->/g, '');
  // Start tags are matched attribute by attribute: test texts contain '>' and '<'.
  const attrs = String.raw`(?:\s+[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*`;
  const token = new RegExp(
    String.raw`<rule\b${attrs}>|<\/rule>|(<assert\b${attrs}>)([\s\S]*?)<\/assert>`,
    'g',
  );
  let context = null;
  for (const m of withoutComments.matchAll(token)) {
    const tag = m[0];
    if (tag.startsWith('<rule')) context = attrOf(tag, 'context');
    else if (tag === '</rule>') context = null;
    else {
      const open = m[1];
      out.push({
        id: attrOf(open, 'id'),
        flag: attrOf(open, 'flag') ?? 'fatal',
        context: oneLine(context ?? '(none)'),
        test: oneLine(attrOf(open, 'test') ?? ''),
        message: oneLine(unescapeXml((m[2] ?? '').replace(/<[^>]+>/g, ''))),
        set,
        file,
      });
    }
  }
  return out;
}

const official = [];
const sources = [];
for (const { file, set } of SCH_FILES) {
  const path = join(schDir, file);
  if (!existsSync(path)) {
    console.error(`Missing ${path}`);
    process.exit(2);
  }
  const text = readFileSync(path, 'utf8');
  const header = /Last update:[^\n]*|release [0-9.]+/.exec(text.slice(0, 2000))?.[0] ?? '';
  sources.push({
    file,
    chars: text.length,
    sha256: createHash('sha256').update(text).digest('hex'),
    header: header.trim(),
  });
  official.push(...parseSch(text, set, file));
}

// ---- our rule objects -------------------------------------------------------------------------

const FAMILIES = [
  ['app/validation/rules/en16931-core.ts', 'en16931CoreRules'],
  ['app/validation/rules/en16931-vat.ts', 'en16931VatRules'],
  ['app/validation/rules/peppol.ts', 'peppolRules'],
  ['app/validation/rules/code-lists.ts', 'codeListRules'],
  ['app/validation/rules/ubl-syntax.ts', 'ublSyntaxRules'],
  ['app/validation/rules/national.ts', 'nationalRules'],
];

async function loadOurRules() {
  const dir = mkdtempSync(join(tmpdir(), 'validation-audit-'));
  try {
    const entry = FAMILIES.map(
      ([file, name], i) => `export { ${name} as f${i} } from ${JSON.stringify(join(ROOT, file))};`,
    ).join('\n');
    const outfile = join(dir, 'rules.cjs');
    await build({
      stdin: { contents: entry, resolveDir: ROOT, loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile,
      logLevel: 'error',
    });
    const mod = createRequire(import.meta.url)(outfile);
    const byId = new Map();
    FAMILIES.forEach(([file, name], i) => {
      const source = readFileSync(join(ROOT, file), 'utf8');
      mod[`f${i}`].forEach((rule, index) => {
        const literal = source.indexOf(`'${rule.id}'`);
        const line = literal < 0 ? null : source.slice(0, literal).split('\n').length;
        const list = byId.get(rule.id) ?? [];
        list.push({
          file,
          family: name,
          index,
          line,
          flag: rule.flag,
          context: Array.isArray(rule.context) ? rule.context.join(' | ') : rule.context,
          hasWhen: typeof rule.when === 'function',
          source: `${rule.when ? String(rule.when) : ''}\n${String(rule.test)}`,
        });
        byId.set(rule.id, list);
      });
    });
    return byId;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const ours = await loadOurRules();

// ---- tests ------------------------------------------------------------------------------------

function walk(dir, keep) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(full, keep));
    else if (keep(e.name)) out.push(full);
  }
  return out;
}

/** rule id → official unit-test files naming it in their scope, with pass/fire test counts. */
const unitTests = new Map();
if (fixturesDir) {
  for (const path of walk(fixturesDir, (n) => /\.xml$/i.test(n))) {
    const rel = relative(fixturesDir, path);
    if (!/(^|\/)unit-tests\//.test(rel)) continue;
    const xml = readFileSync(path, 'utf8');
    const firstTest = xml.search(/<test[\s>]/);
    const head = /<assert>([\s\S]*?)<\/assert>/.exec(
      xml.slice(0, firstTest < 0 ? xml.length : firstTest),
    );
    const scope = new Set(
      [...(head?.[1] ?? '').matchAll(/<scope>([^<]*)<\/scope>/g)].flatMap((m) =>
        m[1].split(/[\s,]+/).filter(Boolean),
      ),
    );
    const counts = new Map();
    for (const m of xml.matchAll(/<(success|error|warning)(?:\s[^>]*)?>([^<]*)<\/\1>/g)) {
      for (const id of m[2].split(/[\s,]+/).filter(Boolean)) {
        const c = counts.get(id) ?? { pass: 0, fire: 0 };
        if (m[1] === 'success') c.pass++;
        else c.fire++;
        counts.set(id, c);
        scope.add(id);
      }
    }
    for (const id of scope) {
      const list = unitTests.get(id) ?? [];
      list.push({ file: rel, ...(counts.get(id) ?? { pass: 0, fire: 0 }) });
      unitTests.set(id, list);
    }
  }
}

/**
 * Rule ids of the release known from its own unit-test sets (cen/unit-tests) and official verdicts
 * (expected.jsonl), with the flag they have there: they name rules the .sch copy may lack.
 */
const releaseIds = new Map();
if (fixturesDir) {
  const expected = join(fixturesDir, 'expected.jsonl');
  if (existsSync(expected)) {
    for (const line of readFileSync(expected, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const e = JSON.parse(line);
      for (const id of e.fatal ?? []) releaseIds.set(id, 'fatal');
      for (const id of e.warning ?? []) if (!releaseIds.has(id)) releaseIds.set(id, 'warning');
    }
  }
  for (const [id, tests] of unitTests) {
    if (releaseIds.has(id)) continue;
    for (const t of tests) {
      const xml = readFileSync(join(fixturesDir, t.file), 'utf8');
      if (new RegExp(`<error[^>]*>\\s*${id}\\s*<`).test(xml)) releaseIds.set(id, 'fatal');
      else if (new RegExp(`<warning[^>]*>\\s*${id}\\s*<`).test(xml)) releaseIds.set(id, 'warning');
    }
  }
}

/** rule id → our test files that name it. */
// The sandbox access point's own light checks reuse a few rule ids: its tests are not ours.
const ourTestFiles = walk(
  join(ROOT, 'test'),
  (n) => /\.test\.ts$/.test(n) && !/sandbox/.test(n),
).map((p) => ({
  rel: relative(ROOT, p),
  text: readFileSync(p, 'utf8'),
}));
// UBL-CR rules of the form not(a/b/c) on the document element get generated edge tests.
const GENERATED_EDGES =
  /^not\(((\(cac:InvoiceLine\|cac:CreditNoteLine\)\/)?[a-z]+:[A-Za-z]+(\/[a-z]+:[A-Za-z]+)*)\)$/;
function generatedEdges(a) {
  return /^UBL-CR-/.test(a.id) &&
    a.context === '/ubl:Invoice | /cn:CreditNote' &&
    GENERATED_EDGES.test(a.test)
    ? ['test/unit/validation-audit-edges.test.ts (generated from this row)']
    : [];
}
function ourTests(id) {
  const re = new RegExp(`['"\`]${id.replace(/[-]/g, '\\-')}['"\`]`);
  return ourTestFiles.filter((f) => re.test(f.text)).map((f) => f.rel);
}

// ---- the document -----------------------------------------------------------------------------

const md = (s) => String(s).replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const code = (s) => (s ? `\`${String(s).replace(/`/g, "'").replace(/\|/g, '\\|')}\`` : '');

const ids = official.map((a) => a.id);
const fatal = official.filter((a) => a.flag === 'fatal');
const warnings = official.filter((a) => a.flag === 'warning');
const missing = official.filter((a) => !ours.has(a.id));
const flagDiffers = official.filter(
  (a) => ours.has(a.id) && !ours.get(a.id).some((o) => o.flag === a.flag),
);
const noTest = official.filter(
  (a) => !unitTests.has(a.id) && ourTests(a.id).length === 0 && generatedEdges(a).length === 0,
);
// Rules of the release (known from its fixtures) that the .sch copy lacks, and that ours implements.
const absentFromCopy = [...releaseIds]
  .filter(([id]) => !ids.includes(id) && ours.has(id))
  .map(([id, flag]) => ({ id, flag }))
  .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
const notCovered = [...releaseIds.keys()]
  .filter((id) => !ids.includes(id) && !absentFromCopy.some((a) => a.id === id))
  .sort();
const extra = [...ours.keys()]
  .filter((id) => !ids.includes(id) && !absentFromCopy.some((a) => a.id === id))
  .sort();

function whereOf(id) {
  const o = ours.get(id) ?? [];
  return o.length
    ? o
        .map(
          (r) =>
            `${r.file.replace('app/validation/', '')}${r.line ? `:${r.line}` : ''} ${r.family}[${r.index}]${r.hasWhen ? ' + when' : ''} on ${code(r.context)}`,
        )
        .join('<br>')
    : '**missing**';
}
function testsOf(a) {
  const official = (unitTests.get(a.id) ?? []).map(
    (t) => `${t.file} (${t.pass} pass / ${t.fire} fire)`,
  );
  const mine = [...ourTests(a.id), ...generatedEdges(a)];
  return [...official, ...mine].map(md).join('<br>') || '**none**';
}

const lines = [];
const push = (...l) => lines.push(...l);
push(
  '# Validation audit: the official rules, rule by rule',
  '',
  '<!-- Generated by scripts/generate-validation-audit.mjs from the official .sch files; the',
  '     notes come from scripts/validation-audit-notes.mjs. Edit those, then run the script again. -->',
  '',
  'Official rule sets: **CEN-EN16931-UBL.sch** (EN 16931 1.3.14.1) and **PEPPOL-EN16931-UBL.sch** (Peppol BIS',
  'Billing 3.0.19), as bundled in OpenPEPPOL/peppol-bis-invoice-3 tag v3.0.19 (`rules/sch/`). The CEN text',
  'available for this audit is an older copy: read "Source of the official text" first.',
  '',
  `| | CEN | Peppol | total |`,
  `|---|---:|---:|---:|`,
  ...['fatal', 'warning'].map((flag) => {
    const n = (file) => official.filter((a) => a.flag === flag && a.file === file).length;
    return `| ${flag} assertions | ${n(SCH_FILES[0].file)} | ${n(SCH_FILES[1].file)} | ${n(SCH_FILES[0].file) + n(SCH_FILES[1].file)} |`;
  }),
  `| implemented in app/validation | ${official.filter((a) => a.file === SCH_FILES[0].file && ours.has(a.id)).length} | ${official.filter((a) => a.file === SCH_FILES[1].file && ours.has(a.id)).length} | ${official.length - missing.length} |`,
  `| with an official unit-test set or a test of ours naming it | ${official.filter((a) => a.file === SCH_FILES[0].file && !noTest.includes(a)).length} | ${official.filter((a) => a.file === SCH_FILES[1].file && !noTest.includes(a)).length} | ${official.length - noTest.length} |`,
  '',
  `(${fatal.length} fatal and ${warnings.length} warning assertions in the two files; an id can appear in more than one assertion. The ${absentFromCopy.length} rules of 1.3.14.1 the CEN copy lacks have a table of their own. ${notCovered.length === 0 ? "Every rule id that the release's unit-test sets and official verdicts name is in this document." : `Rule ids the release's fixtures name but the tables lack: ${notCovered.map((id) => (NOTES[id] ? `${id} (${NOTES[id]})` : id)).join(', ')}.`} The issue counts 416 fatal rules in 1.3.14.1 + 3.0.19; the exact count cannot be taken from the older CEN copy.)`,
  '',
  'How to read the table: **context** and **test** are the official XPath text (whitespace collapsed).',
  '**Ours** is the rule object in our code (file, the family array it sits in and the line of its id;',
  "`when` means a predicate narrows the context like the official context's path and predicates).",
  '**Edge tests** are the official unit-test sets whose scope names the rule (run by `test/conformance`:',
  '"n pass / m fire" counts the test cases that must not fire / must fire it — the inputs just inside and',
  'just outside the condition), and our own test files that name the rule id.',
  '',
  '## Source of the official text',
  '',
  ...SOURCE_NOTE,
  '',
  '| file | characters | sha256 | header |',
  '|---|---:|---|---|',
  ...sources.map(
    (x) => `| ${x.file} | ${x.chars.toLocaleString('en-US')} | \`${x.sha256}\` | ${md(x.header)} |`,
  ),
  '',
  untrusted.size > 0
    ? `Rows marked **text differs in 1.3.14.1** (${[...untrusted].filter((id) => ids.includes(id)).length} ids) are CEN rules whose text in this copy is known not to be the release's (renamed families, rules changed in 1.3.13, older code lists); for them the official unit-test sets and verdicts of the release (the edge tests column) are the reference, not the XPath shown.`
    : '',
  '',
  '## Gaps',
  '',
);
if (missing.length === 0) push('Every official rule id has a rule object in app/validation.', '');
else {
  push('Official rule ids without a rule object in app/validation:', '');
  for (const a of missing) push(`- **${a.id}** (${a.flag}, ${a.file}): ${md(a.message)}`);
  push('');
}
if (flagDiffers.length > 0) {
  push('Flag differs from the official one:', '');
  for (const a of flagDiffers)
    push(
      `- **${a.id}**: official ${a.flag}, ours ${ours
        .get(a.id)
        .map((o) => o.flag)
        .join('/')}`,
    );
  push('');
}
if (noTest.length > 0) {
  push(
    `No official unit-test set and no test of ours names these ${noTest.length} rules (they are covered only by the official example documents, if at all):`,
    '',
    noTest.map((a) => a.id).join(', '),
    '',
  );
}
push(...GAPS, '');
push('### Lanes', '', ...LANES, '');
if (extra.length > 0) {
  push(
    '### Rule ids of ours that are not in the two official files',
    '',
    `${extra.join(', ')}`,
    '',
    'These are ids the official files name differently in this release, or checks of ours outside the two files (see the notes).',
    '',
  );
}
push('## How our rules express the official ones', '', ...HOW_WE_EXPRESS, '');

for (const flag of ['fatal', 'warning']) {
  const rows = absentFromCopy.filter((a) => a.flag === flag);
  if (rows.length === 0) continue;
  push(
    `## CEN EN 16931 1.3.14.1 rules absent from the .sch copy: ${flag} (${rows.length})`,
    '',
    "Known from the release's own unit-test sets and official verdicts (../shared/peppol-fixtures: cen/unit-tests, expected.jsonl); the copy of the .sch used here predates them, so their XPath text is not shown. Ours implements each one; the unit-test sets are the proof on the edges.",
    '',
    '| rule | context | test | ours | edge tests | why the result is the same |',
    '|---|---|---|---|---|---|',
  );
  for (const a of rows) {
    push(
      `| **${a.id}** | (not in the copy) | (not in the copy) | ${whereOf(a.id)} | ${testsOf(a)} | ${md(NOTES[a.id] ?? 'Checked against the release by its official unit-test set(s) in test/conformance.')} |`,
    );
  }
  push('');
}

for (const { file, set } of SCH_FILES) {
  for (const flag of ['fatal', 'warning']) {
    const rows = official.filter((a) => a.file === file && a.flag === flag);
    push(
      `## ${set}: ${flag} (${rows.length})`,
      '',
      '| rule | context | test | ours | edge tests | why the result is the same |',
      '|---|---|---|---|---|---|',
    );
    for (const a of rows) {
      const o = ours.get(a.id) ?? [];
      const where = whereOf(a.id);
      const tests = testsOf(a);
      const lane = LANE_OF(a.id);
      const note = [
        untrusted.has(a.id) ? '**Text differs in 1.3.14.1** (see Source).' : '',
        NOTES[a.id] ?? classify(a, o),
        lane ? `Lane "${lane}".` : '',
      ]
        .filter(Boolean)
        .join(' ');
      push(
        `| **${a.id}** | ${code(a.context)} | ${code(a.test)} | ${where} | ${tests} | ${md(note)} |`,
      );
    }
    push('');
  }
}

writeFileSync(outFile, lines.join('\n') + '\n');
if (SUSPECTS.length > 0) console.log(`To review by hand:\n${SUSPECTS.join('\n')}`);
console.log(
  `Wrote ${relative(ROOT, outFile)}: ${official.length} assertions (${fatal.length} fatal, ${warnings.length} warning), ${missing.length} without implementation, ${noTest.length} without a named test.`,
);
