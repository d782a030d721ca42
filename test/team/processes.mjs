// What the team crash harness, the partition test and the team bench share: invoices written to
// folders, the sandbox access point in a process of its own, desks as `peppol-desk send` children,
// and the sandbox's own record of what it accepted, counted per invoice number and key.
// Plain JS so `npm run test:team-crash` and `npm run bench:team` run it unbuilt (needs dist/).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A file of dist/ (built by `node scripts/build.mjs`), or a clear error naming the build. */
export function dist(name) {
  const p = join(process.env.PEPPOL_DESK_DIST ?? join(root, 'dist'), name);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`node scripts/build.mjs\` first.`);
  return p;
}

/** Seeded PRNG so a failing run can be repeated with the same --seed. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The key a team desk sends under (app/team/store.ts teamKeyOf): from the bytes only. */
export function teamKey(bytes) {
  return 'pdt1-' + createHash('sha256').update(bytes).digest('hex');
}

/**
 * Write `count` distinct invoices (the sample fixture with its own number each) into every folder
 * of `folders`, the same bytes in each. Returns the invoices: number and team key.
 */
export function writeInvoices(folders, count, prefix = 'TEAM') {
  const sample = readFileSync(join(root, 'test', 'fixtures', 'sample-invoice.xml'), 'utf8');
  for (const f of folders) mkdirSync(f, { recursive: true });
  const invoices = [];
  for (let i = 1; i <= count; i++) {
    const number = `${prefix}-${String(i).padStart(6, '0')}`;
    const bytes = Buffer.from(
      sample.replace('<cbc:ID>BENCH-INV-0000001</cbc:ID>', `<cbc:ID>${number}</cbc:ID>`),
    );
    for (const f of folders) writeFileSync(join(f, `${number}.xml`), bytes);
    invoices.push({ number, key: teamKey(bytes) });
  }
  return invoices;
}

/**
 * The sandbox access point in its own process (dist/sandbox.cjs), so a desk's CPU never slows
 * its answers. `--watch-stdin`: it stops when we do, whatever happens to us.
 */
export function startSandboxProcess({ latencyMs = 5, extraArgs = [] } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        dist('sandbox.cjs'),
        '--port',
        '0',
        '--latency-ms',
        String(latencyMs),
        '--watch-stdin',
        ...extraArgs,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('The sandbox did not start within 15 s.'));
    }, 15_000);
    child.once('exit', (code) => reject(new Error(`The sandbox exited early (${code}).`)));
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const m = /SANDBOX_READY (\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const url = m[1];
      const get = async (path) => (await fetch(`${url}/_sandbox/${path}`)).json();
      resolve({
        url,
        child,
        stats: () => get('stats'),
        /** Every acceptance the sandbox recorded: { key, sha256, number, transactionId }. */
        accepted: async () =>
          (await get('accepted')).rows.map(([key, sha256, number, transactionId]) => ({
            key,
            sha256,
            number,
            transactionId,
          })),
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.stdin.end();
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
      });
    });
  });
}

/**
 * Compare the sandbox's acceptances with the invoices written: how many invoice numbers were
 * accepted exactly once, more than once, never; and acceptances under another key than the one
 * the bytes give (a desk that derived its key differently would defeat idempotent replays).
 */
export function acceptanceReport(acceptedRows, invoices) {
  const perNumber = new Map();
  let wrongKey = 0;
  const keyOf = new Map(invoices.map((i) => [i.number, i.key]));
  for (const row of acceptedRows) {
    perNumber.set(row.number, (perNumber.get(row.number) ?? 0) + 1);
    if (keyOf.get(row.number) !== row.key) wrongKey++;
  }
  let once = 0;
  const twice = [];
  const missing = [];
  for (const inv of invoices) {
    const n = perNumber.get(inv.number) ?? 0;
    if (n === 1) once++;
    else if (n === 0) missing.push(inv.number);
    else twice.push(inv.number);
  }
  const unknown = [...perNumber.keys()].filter((n) => !keyOf.has(n)).length;
  return {
    acceptances: acceptedRows.length,
    acceptedOnce: once,
    acceptedMoreThanOnce: twice.length,
    neverAccepted: missing.length,
    unknownNumbers: unknown,
    wrongKey,
    examples: { twice: twice.slice(0, 5), missing: missing.slice(0, 5) },
  };
}

/**
 * One desk: `peppol-desk send <folder> --store <url> --data-dir <dir> --endpoint <sandbox> --json`
 * as a child process (`command: 'watch'`: `peppol-desk watch <folder> …`, which runs until
 * SIGTERM; `nodeArgs` go to node itself, e.g. `--cpu-prof`). `exited` resolves with its exit code
 * or signal and its output's tails.
 */
export function spawnDesk({
  folder,
  storeUrl,
  dataDir,
  endpoint,
  extraArgs = [],
  env = {},
  nodeArgs = [],
  command = 'send',
}) {
  const args = [
    ...nodeArgs,
    dist('cli.cjs'),
    command,
    folder,
    '--store',
    storeUrl,
    '--data-dir',
    dataDir,
    '--endpoint',
    endpoint,
    ...(command === 'send' ? ['--json'] : []),
    ...extraArgs,
  ];
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (d) => (out = (out + d).slice(-20_000)));
  proc.stderr.setEncoding('utf8').on('data', (d) => (err = (err + d).slice(-4000)));
  const exited = new Promise((resolve) =>
    proc.once('exit', (code, signal) => {
      const last = out.trim().split('\n').pop() ?? '';
      let summary = null;
      try {
        summary = last ? JSON.parse(last) : null;
      } catch {
        summary = null;
      }
      resolve({ code, signal, summary, stdout: out.slice(-2000), stderr: err });
    }),
  );
  return { proc, exited, startedAt: Date.now() };
}

/** True while a process with this pid exists (a zombie counts as gone once reaped). */
export function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
