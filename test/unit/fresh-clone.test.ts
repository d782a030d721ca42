import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// What a fresh clone has is what git tracks, and what `npm ci` installs is what package.json
// declares. So every file a source imports or a test reads from test/fixtures must be tracked,
// and every package imported must be declared: a file only on this disk, or a package only in
// this node_modules, passes here and fails on a clean machine. (../shared: see
// repository-owns-test-data.test.ts.)
const root = process.cwd();
const tracked = new Set(
  execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean),
);
const SOURCES = [...tracked].filter(
  (f) =>
    /^(app|main|renderer|scripts|bin|test)\//.test(f) &&
    /\.(?:[cm]?[jt]sx?)$/.test(f) &&
    !f.includes('__snapshots__'),
);
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const DECLARED = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]);
const BUILTIN = new Set(builtinModules);

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
// A fixture path in a string, e.g. ../fixtures/rich-invoice.xml or test/fixtures/<name> in quotes.
const FIXTURE = /['"`]((?:\.\.?\/)*(?:test\/)?fixtures\/[\w./-]+)['"`]/g;
const EXTENSIONS = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'];

/** The tracked file a relative import names (with the resolutions the build and Vitest use). */
function resolvesToTracked(from: string, spec: string): boolean {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  // Built output is made by `npm test` itself (scripts/build.mjs) before anything reads it.
  if (base === 'dist' || base.startsWith('dist/')) return true;
  const stem = base.replace(/\.(?:js|mjs|cjs)$/, '');
  const candidates = EXTENSIONS.flatMap((e) => [base + e, stem + e, `${base}/index${e}`]);
  return candidates.some((c) => tracked.has(c));
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

describe('a fresh clone has everything its sources use', () => {
  it('lists the tracked sources (cannot pass on an empty list)', () => {
    expect(SOURCES.length).toBeGreaterThan(150);
    expect(SOURCES).toContain('test/unit/repository-owns-test-data.test.ts');
  });

  it('every relative import and every fixture a test reads is tracked by git', () => {
    const missing: string[] = [];
    let imports = 0;
    let fixtures = 0;
    for (const file of SOURCES) {
      const text = readFileSync(path.join(root, file), 'utf8');
      for (const [, spec] of text.matchAll(IMPORT)) {
        if (spec!.startsWith('.')) imports++;
        if (spec!.startsWith('.') && !resolvesToTracked(file, spec!)) {
          missing.push(`${file} imports ${spec}`);
        }
      }
      for (const [, spec] of text.matchAll(FIXTURE)) {
        fixtures++;
        const candidates = [
          path.posix.normalize(path.posix.join(path.posix.dirname(file), spec!)),
          path.posix.normalize(spec!),
        ];
        if (
          !candidates.some((c) => tracked.has(c) || [...tracked].some((t) => t.startsWith(`${c}/`)))
        ) {
          missing.push(`${file} reads ${spec}`);
        }
      }
    }
    expect(missing).toEqual([]);
    // The patterns found what they look for (so the empty list above means something).
    expect(imports).toBeGreaterThan(500);
    expect(fixtures).toBeGreaterThan(2);
  });

  it('every package a source imports is declared in package.json', () => {
    const undeclared = new Set<string>();
    for (const file of SOURCES) {
      const text = readFileSync(path.join(root, file), 'utf8');
      for (const [, spec] of text.matchAll(IMPORT)) {
        if (spec!.startsWith('.') || spec!.startsWith('/')) continue;
        if (spec!.startsWith('node:') || BUILTIN.has(packageOf(spec!))) continue;
        if (!DECLARED.has(packageOf(spec!))) undeclared.add(`${packageOf(spec!)} (${file})`);
      }
    }
    expect([...undeclared]).toEqual([]);
  });

  it('the checks catch what a fresh clone would miss', () => {
    expect(resolvesToTracked('test/e2e/a.ts', './fixtures')).toBe(true);
    expect(resolvesToTracked('test/e2e/a.ts', './no-such-file')).toBe(false);
    expect(resolvesToTracked('test/unit/a.ts', '../../app/errors')).toBe(true);
    expect(resolvesToTracked('test/unit/a.ts', '../../app/errors.js')).toBe(true);
    expect(DECLARED.has(packageOf('left-pad/index'))).toBe(false);
    expect(packageOf('@axe-core/playwright')).toBe('@axe-core/playwright');
    expect([..."x = readFileSync('../fixtures/rich-invoice.xml')".matchAll(FIXTURE)]).toHaveLength(
      1,
    );
  });
});
