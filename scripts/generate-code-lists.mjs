#!/usr/bin/env node
// Writes app/validation/rules/code-lists.generated.ts from the official Schematron files.
//
//   node scripts/generate-code-lists.mjs <CEN-EN16931-UBL.sch> <PEPPOL-EN16931-UBL.sch>
//
// Every assertion whose test compares a value with a literal list of codes is extracted, with
// the exact set of values that make the comparison true (see `valuesOf`) and the test with the
// lists replaced by {0}, {1}... (its "shape"), so a test can notice when a new release changes
// how a list is used, not only its codes. Not run by `npm test`: run it when the rule release
// (app/validation/version.ts RULESET_VERSION) changes, with that release's files.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'app', 'validation', 'rules', 'code-lists.generated.ts');
const VERSION_FILE = join(ROOT, 'app', 'validation', 'version.ts');

const [cenPath, peppolPath] = process.argv.slice(2);
if (!cenPath || !peppolPath) {
  console.error(
    'usage: node scripts/generate-code-lists.mjs <CEN-EN16931-UBL.sch> <PEPPOL-EN16931-UBL.sch>',
  );
  process.exit(2);
}

const ruleset = /RULESET_VERSION = '([^']+)'/.exec(readFileSync(VERSION_FILE, 'utf8'))?.[1];
if (!ruleset) throw new Error('RULESET_VERSION not found in app/validation/version.ts');

function decode(s) {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function attrOf(tag, name) {
  const m = new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`).exec(tag);
  return m === null ? undefined : decode(m[1]);
}

/** XPath `\s` (one of space, tab, newline, carriage return). */
const XS = /[ \t\n\r]/;

/**
 * The exact set of values for which the comparison with the list is true.
 * - contains: `contains(LIST, concat(' ', V, ' '))` where V has no space (the rules test
 *   `not(contains(V, ' '))` or V is a code without spaces): V matches when it is a run of
 *   characters between two single spaces of LIST.
 * - tokenize: `some $code in tokenize(LIST, '\s') satisfies V = $code`: the tokens, including
 *   the empty ones two adjacent separators make (XPath tokenize of '' is the empty sequence).
 * - equals: `V = 'a' or V = 'b' ...`.
 */
function valuesOf(kind, raw) {
  let vals;
  if (kind === 'contains') {
    const pieces = raw.split(' ');
    vals = pieces.slice(1, -1).filter((p) => !XS.test(p));
  } else if (kind === 'tokenize') {
    vals = raw === '' ? [] : raw.split(XS);
  } else {
    vals = [raw];
  }
  return [...new Set(vals)];
}

/** Values as one space-separated string (no code contains a space) plus whether '' is one. */
function pack(values) {
  const codes = values.filter((v) => v !== '');
  for (const c of codes) if (c.includes(' ')) throw new Error(`code with a space: "${c}"`);
  const out = { codes: codes.join(' ') };
  if (codes.length !== values.length) out.empty = true;
  return out;
}

function extract(path) {
  const text = readFileSync(path, 'utf8');
  const file = basename(path);
  const lets = new Map();
  for (const m of text.matchAll(
    /<let\s+name="([^"]+)"\s+value="tokenize\('([^']*)',\s*'\\s'\)"\s*\/>/g,
  )) {
    lets.set(m[1], m[2]);
  }
  const out = [];
  // Walk rules and their asserts in document order, skipping comments.
  const body = text.replace(/<!--[\s\S]*?-->/g, (c) => ' '.repeat(c.length));
  const tagRe = /<(rule|assert)\b((?:[^>"]|"[^"]*")*)>/g;
  let context = '';
  for (const m of body.matchAll(tagRe)) {
    if (m[1] === 'rule') {
      context = attrOf(m[2], 'context') ?? '';
      continue;
    }
    const id = attrOf(m[2], 'id');
    const test = attrOf(m[2], 'test');
    if (!id || test === undefined) continue;
    const lists = [];
    const take = (kind, raw, name) => {
      const n = lists.length;
      const entry = { kind, ...pack(valuesOf(kind, raw)) };
      if (name !== undefined) entry.let = name;
      lists.push(entry);
      return `{${n}}`;
    };
    const shapeOf = (expr) => {
      let shape = expr.replace(/\s+/g, ' ').trim();
      shape = shape.replace(
        /contains\(\s*'([^']*)'\s*,\s*concat\(/g,
        (_, raw) => `contains(${take('contains', raw)}, concat(`,
      );
      shape = shape.replace(/tokenize\('([^']*)',\s*'\\s'\)/g, (_, raw) => take('tokenize', raw));
      shape = shape.replace(/\$([A-Za-z0-9_-]+)/g, (all, name) =>
        lets.has(name) ? take('tokenize', lets.get(name), name) : all,
      );
      // `X = 'a' or X = 'b' or ...`: three or more different codes on one left side are a list too.
      const eqRe = /([@\w:().-]+) = '([^']*)'/g;
      const eq = [...shape.matchAll(eqRe)];
      const lhs = new Set(eq.map((e) => e[1].replace(/^\(+/, '')));
      const codes = [...new Set(eq.map((e) => e[2]))];
      if (eq.length >= 3 && lhs.size === 1 && codes.length >= 3) {
        const n = lists.length;
        lists.push({ kind: 'equals', ...pack(codes) });
        shape = shape.replace(eqRe, (_, l) => `${l} = {${n}}`);
      }
      return shape;
    };
    const contextShape = shapeOf(context);
    const shape = shapeOf(test);
    if (lists.length === 0) continue;
    out.push({ rule: id, file, context: contextShape, shape, lists });
  }
  return { file, sha256: createHash('sha256').update(text).digest('hex'), rules: out };
}

const sources = [extract(cenPath), extract(peppolPath)];
/** @type {Record<string, unknown>} */
const lists = {};
for (const s of sources) {
  for (const r of s.rules) {
    if (lists[r.rule] !== undefined) throw new Error(`rule ${r.rule} found twice`);
    lists[r.rule] = { file: r.file, context: r.context, shape: r.shape, lists: r.lists };
  }
}
const checksum = createHash('sha256').update(JSON.stringify({ ruleset, lists })).digest('hex');

const header = `/**
 * GENERATED by scripts/generate-code-lists.mjs - do not edit by hand.
 *
 * The code lists of the official rules for ${ruleset}, one entry per rule id
 * (${Object.keys(lists).join(', ')}).
 * Sources (OpenPEPPOL/peppol-bis-invoice-3, rules/sch/):
${sources.map((s) => ` *   ${s.file} sha256 ${s.sha256}`).join('\n')}
 * Regenerate: node scripts/generate-code-lists.mjs <CEN-EN16931-UBL.sch> <PEPPOL-EN16931-UBL.sch>
 * test/unit/validation-code-lists-generated.test.ts fails when the release in
 * app/validation/version.ts or the lists below change without regenerating.
 */
`;

const module = `${header}
/**
 * One list used by a rule. The values for which the official comparison is true are exactly the
 * space-separated \`codes\`, plus the empty string when \`empty\` is set.
 */
export interface GeneratedList {
  kind: 'contains' | 'tokenize' | 'equals';
  /** Name of the Schematron variable holding the list, when it is one. */
  let?: string;
  codes: string;
  empty?: true;
}

/** A rule's lists, its official context and its test with the lists replaced by {0}, {1}... */
export interface GeneratedRuleLists {
  file: string;
  context: string;
  shape: string;
  lists: readonly GeneratedList[];
}

/** True once the lists come straight from the release's official Schematron files. */
export const CODE_LISTS_FROM_OFFICIAL_FILES = true;

/** The rule release these lists were generated for (must equal RULESET_VERSION). */
export const CODE_LISTS_RULESET = ${JSON.stringify(ruleset)};

/** sha256 of JSON.stringify({ ruleset: CODE_LISTS_RULESET, lists: CODE_LISTS }). */
export const CODE_LISTS_CHECKSUM = ${JSON.stringify(checksum)};

/** Every code list of the two rule sets, by rule id. */
export const CODE_LISTS: Readonly<Record<string, GeneratedRuleLists>> = ${JSON.stringify(lists, null, 2)};
`;
writeFileSync(OUT, module);
console.log(`wrote ${OUT}: ${Object.keys(lists).length} rules, checksum ${checksum}`);
