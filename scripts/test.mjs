// `npm test`: build, lint (tsc, ESLint, Prettier), unit + integration + conformance (Vitest),
// end-to-end in Chromium (Playwright). Installs Debian's Chromium and PostgreSQL (the team store
// tests start throwaway clusters from its binaries) when they are missing and we may.
// Ends with one line "N passed, N failed" for the whole run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
let passed = 0;
let failed = 0;
const failures = [];
/** "file > test: first line of the error", for each failed test. */
const failedNames = [];
const firstLine = (text) =>
  stripVTControlCharacters(String(text ?? ''))
    .split('\n')
    .find((l) => l.trim())
    ?.trim()
    .slice(0, 300) ?? '';

function step(name, cmd, args, opts = {}) {
  console.log(`\n=== ${name}`);
  const res = spawnSync(cmd, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...opts.env },
  });
  return res.status === 0;
}

function check(name, ok) {
  if (ok) passed++;
  else {
    failed++;
    failures.push(name);
  }
}

function findChromium() {
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH))
    return process.env.CHROMIUM_PATH;
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(p)) return p;
  return null;
}

function ensureChromium() {
  let path = findChromium();
  if (path) return path;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    console.log('Chromium not found: installing Debian package "chromium" with apt-get.');
    step('apt-get update', 'apt-get', ['update', '-qq']);
    step('apt-get install chromium', 'apt-get', ['install', '-y', '-qq', 'chromium'], {
      env: { DEBIAN_FRONTEND: 'noninteractive' },
    });
    path = findChromium();
  }
  if (!path) {
    console.log(
      'Chromium is missing. Install it (Debian: sudo apt-get install -y chromium) or set CHROMIUM_PATH.',
    );
  }
  return path;
}

/** The newest Debian PostgreSQL binaries folder (as test/helpers/postgres.mjs looks for it). */
function findPostgres() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  for (const v of readdirSync(base).sort((a, b) => Number(b) - Number(a))) {
    if (existsSync(join(base, v, 'bin', 'initdb'))) return join(base, v, 'bin');
  }
  return null;
}

function ensurePostgres() {
  let path = findPostgres();
  if (path) return path;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    // The package may start a cluster service of its own: the tests never use it.
    console.log('PostgreSQL not found: installing Debian package "postgresql" with apt-get.');
    step('apt-get update', 'apt-get', ['update', '-qq']);
    step('apt-get install postgresql', 'apt-get', ['install', '-y', '-qq', 'postgresql'], {
      env: { DEBIAN_FRONTEND: 'noninteractive' },
    });
    path = findPostgres();
  }
  if (!path) {
    console.log(
      'PostgreSQL is missing: the team store tests fail under CI and skip elsewhere. Install it (Debian: sudo apt-get install -y postgresql).',
    );
  }
  return path;
}

rmSync(join(root, 'test-results'), { recursive: true, force: true });
mkdirSync(join(root, 'test-results'), { recursive: true });

const built = step('build', process.execPath, [join(root, 'scripts/build.mjs')]);
check('build', built);

check(
  'typecheck (tsc --noEmit)',
  step('typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']),
);
check('lint (eslint, 0 warnings)', step('eslint', bin('eslint'), ['--max-warnings', '0', '.']));
check(
  'format (prettier --check)',
  step('prettier', bin('prettier'), ['--check', '.', '--log-level', 'warn']),
);

// Unit, integration and conformance tests (the team store's need PostgreSQL).
ensurePostgres();
const vitestJson = join(root, 'test-results', 'vitest.json');
const vitestOk = step('vitest', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestJson}`,
]);
if (existsSync(vitestJson)) {
  const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  if (r.numFailedTests) failures.push(`${r.numFailedTests} vitest test(s)`);
  // Named again at the end, so that the last lines of a long log say which tests failed and why.
  for (const f of r.testResults ?? [])
    for (const a of f.assertionResults ?? [])
      if (a.status === 'failed')
        failedNames.push(
          `${[relative(root, f.name), ...(a.ancestorTitles ?? []), a.title].join(' > ')}: ${firstLine(a.failureMessages?.[0])}`,
        );
  // A suite that fails to load, or whose setup fails (its tests then count as skipped), has no
  // failed test to count: count it as a failure. (A run once ended "1842 passed, 0 failed" with
  // a file whose PostgreSQL did not start and whose 10 tests never ran.)
  const broken = (r.testResults ?? []).filter(
    (f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'),
  );
  if (broken.length) {
    failed += broken.length;
    failures.push(...broken.map((f) => `suite failed to run: ${f.name}`));
  }
  // Vitest said it failed and nothing above counted why: a failure all the same.
  if (!vitestOk && r.numFailedTests === 0 && broken.length === 0) check('vitest run', false);
} else check('vitest ran', vitestOk);

// End-to-end in Chromium.
const chromium = ensureChromium();
if (!chromium) check('chromium available for end-to-end tests', false);
else if (!built) check('end-to-end tests (build failed)', false);
else {
  const e2eJson = join(root, 'test-results', 'e2e', 'results.json');
  const e2eOk = step('playwright', bin('playwright'), ['test'], {
    env: { CHROMIUM_PATH: chromium },
  });
  if (existsSync(e2eJson)) {
    const report = JSON.parse(readFileSync(e2eJson, 'utf8'));
    const s = report.stats ?? {};
    const walk = (suite) => {
      for (const spec of suite.specs ?? [])
        for (const t of spec.tests ?? [])
          if (t.status === 'unexpected')
            failedNames.push(
              `${spec.file}:${spec.line} > ${spec.title}: ${firstLine(t.results?.at(-1)?.error?.message)}`,
            );
      for (const child of suite.suites ?? []) walk(child);
    };
    for (const suite of report.suites ?? []) walk(suite);
    passed += (s.expected ?? 0) + (s.flaky ?? 0);
    failed += s.unexpected ?? 0;
    if (s.unexpected) failures.push(`${s.unexpected} end-to-end test(s)`);
    if (!e2eOk && !s.unexpected) check('playwright run', false);
  } else check('playwright ran', e2eOk);
}

if (failedNames.length)
  console.log(`\nFailed tests:\n${failedNames.map((n) => `  ${n}`).join('\n')}`);
if (failures.length) console.log(`\nFailed: ${failures.join('; ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
