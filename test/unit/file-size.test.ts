import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Issue 13, "done when": no file under app/ outside the rule tables is over 500 lines. A file that
// long holds several jobs a newcomer has to tell apart; this keeps the limit from creeping back.
// The renderer's sources (renderer/src) are held to the same limit: a screen's long file repeats
// itself the same way (sections, rows) and is split into components just as well.

const root = resolve(__dirname, '..', '..');

/** Most lines a source file under app/ or renderer/src/ may have. */
const MAX_LINES = 500;

/**
 * The exemption rule: the validation rule tables (app/validation/rules/**: one entry per business
 * rule, long by nature, read rule by rule) and generated files (`*.generated.ts`, written by a
 * script from the code lists and the UBL schema, never edited by hand).
 */
function isExempt(file: string): boolean {
  return file.startsWith('app/validation/rules/') || file.endsWith('.generated.ts');
}

/**
 * Files still over the limit that another branch of issue 13 is splitting today. The lead removes
 * each entry when that branch lands; the test fails as soon as an entry is gone or already short
 * enough, so the list cannot outlive the work.
 */
const SHRINKING_TODAY: readonly string[] = [];

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (/\.tsx?$/.test(name)) out.push(relative(root, path).split('\\').join('/'));
  }
  return out;
}

/** Lines of a file as an editor numbers them (a final newline does not start another line). */
function lineCount(file: string): number {
  const text = readFileSync(join(root, file), 'utf8');
  if (text === '') return 0;
  return text.replace(/\r?\n$/, '').split(/\r?\n/).length;
}

/** The folders whose .ts and .tsx files are checked. */
const CHECKED = ['app', 'renderer/src'];

const files = CHECKED.flatMap((dir) => sources(join(root, dir)));
const lines = new Map(files.map((f) => [f, lineCount(f)]));

/** Files over the limit that are neither exempt nor allowlisted, with their line counts. */
function overLimit(counted: ReadonlyMap<string, number>): string[] {
  return [...counted]
    .filter(([f, n]) => n > MAX_LINES && !isExempt(f) && !SHRINKING_TODAY.includes(f))
    .map(([f, n]) => `${f}: ${n} lines`);
}

describe('file size under app/ and renderer/src/', () => {
  it('reads the sources it checks (not vacuous)', () => {
    expect(files.length).toBeGreaterThan(80);
    expect(files).toContain('app/errors.ts');
    // The renderer is read too, .tsx as well as .ts.
    expect(files.filter((f) => f.startsWith('renderer/src/')).length).toBeGreaterThan(40);
    expect(files).toContain('renderer/src/app.tsx');
    expect(files).toContain('renderer/src/lib/format.ts');
    // The exemption covers real files, and a long one among them: the rule is exercised.
    expect(files.filter(isExempt).length).toBeGreaterThan(5);
    expect(Math.max(...files.filter(isExempt).map((f) => lines.get(f)!))).toBeGreaterThan(
      MAX_LINES,
    );
  });

  it(`keeps every file outside the rule tables and generated files at ${MAX_LINES} lines or fewer`, () => {
    expect(overLimit(lines), 'split these along their seams (see docs/architecture.md)').toEqual(
      [],
    );
  });

  it('finds a file over the limit when there is one, and exempts only rule tables and generated files', () => {
    const fake = new Map([
      ['app/queue/__long.ts', MAX_LINES + 1],
      ['app/queue/__just-fits.ts', MAX_LINES],
      ['app/validation/rules/__table.ts', 5000],
      ['app/validation/__codes.generated.ts', 5000],
      ['app/validation/__rules-helper.ts', MAX_LINES + 1],
      ['renderer/src/features/__long-view.tsx', MAX_LINES + 1],
      ['renderer/src/lib/__just-fits.ts', MAX_LINES],
    ]);
    expect(overLimit(fake)).toEqual([
      `app/queue/__long.ts: ${MAX_LINES + 1} lines`,
      `app/validation/__rules-helper.ts: ${MAX_LINES + 1} lines`,
      `renderer/src/features/__long-view.tsx: ${MAX_LINES + 1} lines`,
    ]);
  });

  it('lists in SHRINKING_TODAY only files that exist and are still over the limit', () => {
    const stale = SHRINKING_TODAY.filter(
      (f) => !lines.has(f) || lines.get(f)! <= MAX_LINES || isExempt(f),
    ).map((f) =>
      lines.has(f)
        ? `${f}: ${lines.get(f)} lines, remove it from SHRINKING_TODAY`
        : `${f}: no such file, remove it from SHRINKING_TODAY`,
    );
    expect(stale).toEqual([]);
  });

  it('counts lines as an editor does', () => {
    expect(lineCount('package.json')).toBe(
      readFileSync(join(root, 'package.json'), 'utf8').split('\n').length - 1,
    );
  });
});
