import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// A user's fresh clone has nothing beside it: only the conformance suite may read the official
// fixtures in ../shared. Every other test, benchmark, script and the app itself own their data.
const root = process.cwd();
const SCANNED = ['app', 'main', 'renderer', 'scripts', 'bin', 'test', '.ci'];
const ALLOWED_DIR = path.join('test', 'conformance');
const SOURCE = /\.(?:[cm]?[jt]sx?|sh|json)$|^run$/;
// A path (in a string, not a comment) that climbs out of the repository into a sibling "shared" folder.
const READS_SHARED =
  /['"`](?:\.\.[/\\])+shared(?=[/\\'"`])|['"`]shared[/\\]|join\([^)]*['"]\.\.['"],\s*['"]shared['"]/;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '__snapshots__') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (SOURCE.test(entry.name)) out.push(full);
  }
  return out;
}

describe('the repository owns its test data', () => {
  const files = SCANNED.flatMap((d) => sourceFiles(path.join(root, d)));

  it('scans the sources (this test cannot pass on an empty list)', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it('no test, benchmark, script or app file outside test/conformance reads ../shared', () => {
    const offenders = files
      .filter((f) => !path.relative(root, f).startsWith(ALLOWED_DIR))
      .filter((f) => f !== path.join(root, 'test', 'unit', 'repository-owns-test-data.test.ts'))
      .filter((f) => READS_SHARED.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(root, f));
    expect(offenders).toEqual([]);
  });

  it('the pattern catches the ways a path to ../shared is written', () => {
    for (const s of [
      "new URL('../../../shared/bench/sample-invoice.xml', import.meta.url)",
      "resolve(__dirname, '../../../../shared/bench/x.xml')",
      "join(root, '..', 'shared', 'peppol-fixtures')",
    ])
      expect(READS_SHARED.test(s), s).toBe(true);
    expect(READS_SHARED.test("'../fixtures/sample-invoice.xml'")).toBe(false);
    // A module of the app's own whose name starts with "shared" is not the sibling folder.
    // (Put together here, so the fresh-clone check does not read it as an import of this file.)
    expect(READS_SHARED.test(["'", '..', '/shared-store', "'"].join(''))).toBe(false);
  });
});
