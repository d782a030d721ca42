// Crash harness: the CLI sends N distinct invoices to a sandbox in a separate process while the
// harness kills the engine process with SIGKILL at random moments, restarting the same command
// each time. At the end the sandbox must have accepted every invoice exactly once and every
// document must be final in the database.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (f) => join(root, 'dist', f);
const SAMPLE = readFileSync(join(root, 'test', 'fixtures', 'sample-invoice.xml'), 'utf8');

/** Seeded PRNG so a failing run can be repeated. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function startSandbox(latencyMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [dist('sandbox.cjs'), '--port', '0', '--latency-ms', String(latencyMs), '--watch-stdin'],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    let out = '';
    const timer = setTimeout(() => reject(new Error('sandbox did not start')), 15_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /SANDBOX_READY (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child });
      }
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited ${code}`)));
  });
}

/**
 * Documents in `sending` (0 when the database does not exist yet or cannot be read at this
 * moment). `readonly` while a run is alive: WAL lets us read beside the writer.
 */
function countSending(file, readonly = false) {
  if (!existsSync(file)) return 0;
  let db = null;
  try {
    db = new Database(file, { timeout: 5000, readonly });
    const hasTable = db
      .prepare("SELECT COUNT(*) n FROM sqlite_master WHERE type = 'table' AND name = 'documents'")
      .get().n;
    return hasTable
      ? db.prepare("SELECT COUNT(*) n FROM documents WHERE state = 'sending'").get().n
      : 0;
  } catch {
    return 0;
  } finally {
    db?.close();
  }
}

/**
 * Run the harness. Returns the figures; `ok` is true when the engine was killed the requested
 * number of times, every invoice was accepted exactly once and every document is final.
 * `cliArgs` are added to every `send` run (e.g. a fixed concurrency to make runs last longer);
 * `aimedKillShare` of the kills wait until documents are in `sending` (default none: all random).
 */
export async function runCrashHarness({
  documents = 5000,
  kills = 20,
  seed = 1,
  latencyMs = 5,
  maxKillDelayMs = 700,
  minKillDelayMs = 50,
  aimedKillShare = 0,
  cliArgs = [],
  log = console.log,
} = {}) {
  const random = mulberry32(seed);
  const work = mkdtempSync(join(tmpdir(), 'peppol-desk-crash-'));
  const inbox = join(work, 'in');
  const dataDir = join(work, 'data');
  mkdirSync(inbox);
  for (let i = 1; i <= documents; i++) {
    const n = `CRASH-${String(i).padStart(6, '0')}`;
    writeFileSync(join(inbox, `${n}.xml`), SAMPLE.replace('BENCH-INV-0000001', n));
  }
  const { url, child: sandbox } = await startSandbox(latencyMs);
  const args = [
    dist('cli.cjs'),
    'send',
    inbox,
    '--endpoint',
    url,
    '--data-dir',
    dataDir,
    '--json',
    ...cliArgs,
  ];
  const dbFile = join(dataDir, 'peppol-desk.sqlite');
  const started = Date.now();
  let killed = 0;
  // Kills that left documents in `sending`: the engine died with requests out, the case that
  // matters for exactly-once (the others hit start-up, intake or the wind-down).
  let killsWhileSending = 0;
  let runs = 0;
  let finalLine = null;
  try {
    // Runs that get killed. A run that finishes before its kill does not end the loop: the same
    // command runs again (it resumes, finding every file known) until the kills are done.
    const maxRuns = kills * 4 + 10;
    while (killed < kills && runs < maxRuns) {
      runs++;
      const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      proc.stdout.on('data', (d) => (out += d));
      // Early kills hit start-up and intake; later ones land mid-send. An aimed kill first waits
      // (bounded) until the run has documents in `sending`, so the mid-send case is always
      // covered however slow start-up is on this machine.
      const aimed = random() < aimedKillShare;
      const delay = minKillDelayMs + Math.floor(random() * maxKillDelayMs);
      let done = false;
      const exited = new Promise((r) =>
        proc.on('exit', (code, signal) => {
          done = true;
          r({ code, signal });
        }),
      );
      let timer = null;
      if (aimed) {
        for (let i = 0; i < 1000 && !done && countSending(dbFile, true) === 0; i++) {
          await new Promise((r) => setTimeout(r, 10));
        }
        if (!done) timer = setTimeout(() => proc.kill('SIGKILL'), delay - minKillDelayMs);
      } else timer = setTimeout(() => proc.kill('SIGKILL'), delay);
      const { signal } = await exited;
      clearTimeout(timer);
      if (signal === 'SIGKILL') {
        killed++;
        finalLine = null;
        if (countSending(dbFile) > 0) killsWhileSending++;
      } else {
        finalLine = out.trim().split('\n').pop() ?? null;
      }
    }
    // Then run to completion (bounded number of tries).
    for (let i = 0; i < 3 && !finalLine; i++) {
      runs++;
      const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      proc.stdout.on('data', (d) => (out += d));
      await new Promise((r) => proc.on('exit', r));
      finalLine = out.trim().split('\n').pop() ?? null;
    }
    const stats = await (await fetch(`${url}/_sandbox/stats`)).json();
    const db = new Database(join(dataDir, 'peppol-desk.sqlite'), { readonly: true });
    const states = Object.fromEntries(
      db
        .prepare('SELECT state, COUNT(*) n FROM documents GROUP BY state')
        .all()
        .map((r) => [r.state, r.n]),
    );
    const notFinal = db
      .prepare(
        "SELECT COUNT(*) n FROM documents WHERE state NOT IN ('accepted','delivered','failed','invalid','unreachable','held','cancelled')",
      )
      .get().n;
    const rows = db.prepare('SELECT COUNT(*) n FROM documents').get().n;
    db.close();
    const figures = {
      documents,
      killsRequested: kills,
      kills: killed,
      killsWhileSending,
      runs,
      seconds: (Date.now() - started) / 1000,
      summary: finalLine ? JSON.parse(finalLine) : null,
      sandboxAccepted: stats.acceptedDocuments,
      distinctBodies: stats.distinctBodies,
      duplicateContentAccepts: stats.duplicateContentAccepts,
      duplicateInvoiceNumbers: stats.duplicateInvoiceNumbers.count,
      idempotentReplays: stats.idempotentReplays,
      databaseRows: rows,
      states,
      notFinal,
    };
    figures.ok =
      killed >= kills &&
      figures.sandboxAccepted === documents &&
      figures.distinctBodies === documents &&
      figures.duplicateContentAccepts === 0 &&
      figures.duplicateInvoiceNumbers === 0 &&
      rows === documents &&
      notFinal === 0 &&
      (states.accepted ?? 0) + (states.delivered ?? 0) === documents;
    log(
      `crash harness: ${documents} invoices, ${killed} of ${kills} SIGKILLs (${killsWhileSending} with documents in sending) over ${runs} runs in ${figures.seconds.toFixed(1)} s; ` +
        `sandbox accepted ${figures.sandboxAccepted} (distinct ${figures.distinctBodies}, duplicates ${figures.duplicateContentAccepts}, ` +
        `idempotent replays ${figures.idempotentReplays}); database ${rows} rows, ${notFinal} not final: ${figures.ok ? 'OK' : 'FAILED'}`,
    );
    return figures;
  } finally {
    sandbox.stdin.end();
    sandbox.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, def) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : def;
  };
  const figures = await runCrashHarness({
    documents: arg('documents', 5000),
    kills: arg('kills', 20),
    seed: arg('seed', Date.now() % 100000),
    // A quarter of the kills wait for documents in `sending`, so mid-send kills are never left to
    // chance on a machine where start-up is slow; the rest land at random moments.
    aimedKillShare: arg('aimed-share', 0.25),
  });
  console.log(JSON.stringify(figures, null, 2));
  process.exit(figures.ok ? 0 : 1);
}
