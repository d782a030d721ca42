// Team throughput benchmark (issue 14): do three desks on one team outbox send faster than one?
// The sandbox access point in a process of its own answers every request after L = 50 ms; desks
// are CLI processes (single sends, 10 in flight each unless --concurrency says otherwise), each with its own data folder, on
// a fresh throwaway PostgreSQL per run. Desk 1 is `peppol-desk send <folder of N invoices>
// --store <url>`; once the team has all N documents the others join as `peppol-desk watch <empty
// folder> --store <url>`: they only claim and send (joining with `send` of the same folder put
// their start-up, reading, hashing and `known` of N files inside the 3-desk window, which the
// 1-desk window never holds), and are stopped once desk 1's `send` has seen every document
// final. The rate is read from the team's own timeline (database clock): accepts from the moment
// all N are queued and every desk of the run has sent, to the last accept. Writes the "## Team outbox (issue 14)" section of
// docs/performance.md. Needs the build (`npm run bench:team` builds first).
//
// Also measured: CPU seconds per 1,000 accepted invoices of the desks (their own count), of
// PostgreSQL (the postmaster and every backend) and of the sandbox, over the whole run.
// `--cpu-prof <dir>` writes a V8 CPU profile of every desk there (`node --cpu-prof`).
// `--count-statements` loads pg_stat_statements into the cluster and counts the statements the
// desks ran (BEGIN and COMMIT included; the bench's own are left out) per invoice, with the
// busiest ones on stderr: what the database spends its CPU on.
//
//   node test/bench/team.mjs [--documents 3000] [--latency-ms 50] [--desks 3] [--concurrency N|auto]
//     [--cpu-prof <dir>] [--count-statements] [--no-write]
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres } from '../helpers/postgres.mjs';
import { root, sleep, spawnDesk, startSandboxProcess, writeInvoices } from '../team/processes.mjs';

const argv = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const DOCUMENTS = Number(flag('--documents', '3000'));
const LATENCY_MS = Number(flag('--latency-ms', '50'));
const TEAM_DESKS = Number(flag('--desks', '3'));
// Sends in flight per desk: 10 unless given, so one desk is bound by the latency (C / L = 200/s
// at L = 50 ms) and the ratio shows how desks add up, as issue 14 asks. `--concurrency auto`: the
// desks' default, the adaptive limiter (one desk then sends several times faster, and on a
// 2-core machine three desks share the same cores with PostgreSQL and the sandbox).
const concurrencyFlag = flag('--concurrency', '10');
const CONCURRENCY = concurrencyFlag === 'auto' ? null : concurrencyFlag;
const CPU_PROF = flag('--cpu-prof', null);
const COUNT_STATEMENTS = argv.includes('--count-statements');
const WRITE = !argv.includes('--no-write') && !CPU_PROF;
const TARGET_RATIO = 2.5;
const RUN_TIMEOUT_MS = 15 * 60_000;
const log = (line) => process.stderr.write(`[team bench] ${line}\n`);

const work = mkdtempSync(join(tmpdir(), 'pd-team-bench-'));
const folders = [join(work, 'in-1')];
writeInvoices(folders, DOCUMENTS, 'TEAMBENCH');
/** An empty folder for joining desk `i` to watch, new for each run. */
function emptyFolder(i) {
  const dir = mkdtempSync(join(work, `watch-${i + 1}-`));
  return dir;
}

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds of process `pid` (user + system), with its reaped children when `children`. */
function cpuOf(pid, children = false) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = Number(f[11]) + Number(f[12]);
    return (children ? own + Number(f[13]) + Number(f[14]) : own) / TICKS;
  } catch {
    return 0; // Gone.
  }
}

/** CPU seconds of a PostgreSQL cluster: the postmaster, backends it reaped and those alive. */
function postgresCpu(cluster) {
  const pid = Number(
    readFileSync(join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
  );
  let live = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const kids = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    for (const kid of kids ? kids.split(' ') : []) live += cpuOf(Number(kid), true);
  }
  return cpuOf(pid, true) + live;
}

/**
 * CPU seconds so far of the desks, PostgreSQL and the sandbox, read every `everyMs`: `at(t)` gives
 * them at wall-clock time t (ms since the epoch, as the database's clock), interpolated.
 */
function cpuSampler(runs, cluster, sandbox, everyMs = 200) {
  const samples = [];
  const lastOfDesk = new Map(); // An ended desk keeps its last reading.
  const sample = () => {
    for (const r of runs) if (r.proc.exitCode === null) lastOfDesk.set(r, cpuOf(r.proc.pid));
    let desks = 0;
    for (const v of lastOfDesk.values()) desks += v;
    samples.push({
      t: Date.now(),
      desks,
      postgres: postgresCpu(cluster),
      sandbox: cpuOf(sandbox.child.pid),
    });
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop: () => clearInterval(timer),
    at(t) {
      const i = samples.findIndex((s) => s.t >= t);
      if (i <= 0) return samples[i === 0 ? 0 : samples.length - 1];
      const [a, b] = [samples[i - 1], samples[i]];
      const f = (t - a.t) / (b.t - a.t);
      const mix = (k) => a[k] + (b[k] - a[k]) * f;
      return { t, desks: mix('desks'), postgres: mix('postgres'), sandbox: mix('sandbox') };
    },
  };
}

async function one(client, sql, params = []) {
  return (await client.query(sql, params)).rows[0];
}

/** The bench's own statement that waits for the intake (left out of the count). */
const DOCUMENTS_IN = 'SELECT COUNT(*) n FROM team_documents';

/** Statements the desks ran so far (pg_stat_statements), and the busiest `top` of them. */
async function desksStatements(client, top = 8) {
  const rows = (
    await client.query(
      `SELECT calls::bigint AS calls, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS q
       FROM pg_stat_statements
       WHERE query NOT ILIKE '%pg_stat_statements%' AND query <> $1
       ORDER BY calls DESC`,
      [DOCUMENTS_IN],
    )
  ).rows;
  return {
    total: rows.reduce((n, r) => n + Number(r.calls), 0),
    top: rows.slice(0, top).map((r) => `${r.calls} × ${r.q}`),
  };
}

/** One run: `desks` desks on a fresh PostgreSQL and sandbox; the rate from the team timeline. */
async function run(desks) {
  const cluster = await startPostgres(
    COUNT_STATEMENTS ? { settings: { shared_preload_libraries: 'pg_stat_statements' } } : {},
  );
  if (COUNT_STATEMENTS) {
    const c = new pg.Client({ connectionString: cluster.url });
    await c.connect();
    await c.query('CREATE EXTENSION pg_stat_statements');
    await c.query('SELECT pg_stat_statements_reset()');
    await c.end();
  }
  const sandbox = await startSandboxProcess({ latencyMs: LATENCY_MS });
  const client = new pg.Client({ connectionString: cluster.url });
  const runs = [];
  let sampler = null;
  const wall0 = performance.now();
  try {
    const start = (i) => {
      const r = spawnDesk({
        // The desks that join only claim and send: no intake of their own in the window.
        ...(i === 0 ? { folder: folders[0] } : { command: 'watch', folder: emptyFolder(i) }),
        storeUrl: cluster.url,
        dataDir: join(work, `data-${desks}-${i + 1}`),
        endpoint: sandbox.url,
        extraArgs: CONCURRENCY ? ['--concurrency', CONCURRENCY] : [],
        env: { PEPPOL_DESK_BENCH: '1' },
        nodeArgs: CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [],
      });
      runs.push(r);
      return r;
    };
    start(0);
    sampler = cpuSampler(runs, cluster, sandbox);
    // The others join once the team has every document: they only send.
    await sleep(500);
    await client.connect();
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    const documentsIn = async () => {
      try {
        return Number((await one(client, DOCUMENTS_IN)).n);
      } catch {
        return 0; // Not migrated yet.
      }
    };
    while ((await documentsIn()) < DOCUMENTS) {
      if (Date.now() > deadline) throw new Error('The team never had every document.');
      if (runs[0].proc.exitCode !== null) throw new Error('Desk 1 ended before its intake did.');
      await sleep(100);
    }
    for (let i = 1; i < desks; i++) start(i);
    const timer = setTimeout(() => runs.forEach((r) => r.proc.kill('SIGKILL')), RUN_TIMEOUT_MS);
    // Desk 1's `send` ends once every document is final; then the watching desks are stopped.
    const first = await runs[0].exited;
    const joinersCpu = runs.slice(1).reduce((n, r) => n + cpuOf(r.proc.pid), 0);
    for (const r of runs.slice(1)) r.proc.kill('SIGTERM');
    const ends = [first, ...(await Promise.all(runs.slice(1).map((r) => r.exited)))];
    clearTimeout(timer);
    sampler.stop();
    const wallSeconds = (performance.now() - wall0) / 1000;
    for (const [i, e] of ends.entries()) {
      if (e.code !== 0) throw new Error(`desk ${i + 1} ended ${e.code ?? e.signal}: ${e.stderr}`);
    }
    // Read before the bench's own queries below.
    const statements = COUNT_STATEMENTS ? await desksStatements(client) : null;
    const queuedAt = Number((await one(client, 'SELECT MAX(created_at) t FROM team_documents')).t);
    const firstSends = (
      await client.query(
        "SELECT desk, MIN(at) t FROM team_events WHERE to_state = 'sending' GROUP BY desk",
      )
    ).rows.map((r) => Number(r.t));
    const firstSend = Math.min(...firstSends);
    const t0 = Math.max(queuedAt, ...firstSends);
    const lastAccept = Number(
      (await one(client, "SELECT MAX(at) t FROM team_events WHERE to_state = 'accepted'")).t,
    );
    const inWindow = Number(
      (
        await one(
          client,
          "SELECT COUNT(*) n FROM team_events WHERE to_state = 'accepted' AND at >= $1",
          [t0],
        )
      ).n,
    );
    const accepted = Number(
      // Accepted once on the timeline (a document may have moved on to delivered since).
      (
        await one(
          client,
          "SELECT COUNT(DISTINCT document_id) n FROM team_events WHERE to_state = 'accepted'",
        )
      ).n,
    );
    const stats = await sandbox.stats();
    // Every desk has ended and the bench's own client is idle: the cluster's work is done.
    const cpu = {
      desks: (first.summary?.cpuSeconds ?? NaN) + joinersCpu,
      postgres: postgresCpu(cluster),
      sandbox: cpuOf(sandbox.child.pid),
    };
    const byEndpoint = stats.requests.byEndpoint;
    const sendRequests = byEndpoint['POST /api/v1/send']?.total ?? 0;
    const batchRequests =
      (byEndpoint['POST /api/v1/send/batch']?.total ?? 0) +
      (byEndpoint['POST /api/v1/batch']?.total ?? 0);
    const result = {
      desks,
      desksThatSent: firstSends.length,
      accepted,
      sandboxAccepted: stats.acceptedDocuments,
      duplicateContentAccepts: stats.duplicateContentAccepts,
      sendRequests,
      batchRequests,
      windowDocuments: inWindow,
      windowSeconds: (lastAccept - t0) / 1000,
      rate: inWindow / ((lastAccept - t0) / 1000),
      wholeRate: accepted / ((lastAccept - firstSend) / 1000),
      wallSeconds,
      // CPU ms per invoice accepted in the window, while every desk sends.
      windowCpuMsPerInvoice: (() => {
        const [a, b] = [sampler.at(t0), sampler.at(lastAccept)];
        const per = (k) => Number((((b[k] - a[k]) * 1000) / inWindow).toFixed(2));
        return { desks: per('desks'), postgres: per('postgres'), sandbox: per('sandbox') };
      })(),
      cpuSecondsPer1000: Object.fromEntries(
        Object.entries(cpu).map(([k, v]) => [k, Number(((v * 1000) / DOCUMENTS).toFixed(2))]),
      ),
      ...(statements
        ? {
            statements: statements.total,
            statementsPerInvoice: Number((statements.total / DOCUMENTS).toFixed(3)),
          }
        : {}),
    };
    log(
      `${desks} desk(s): ${result.rate.toFixed(0)} accepted/s over the queued window ` +
        `(${inWindow} documents in ${result.windowSeconds.toFixed(2)} s); ` +
        `first send → last accept ${result.wholeRate.toFixed(0)}/s; wall ${wallSeconds.toFixed(1)} s; ` +
        `CPU s per 1,000: ${JSON.stringify(result.cpuSecondsPer1000)}; ` +
        `CPU ms per invoice in the window: ${JSON.stringify(result.windowCpuMsPerInvoice)}` +
        (statements ? `; statements per invoice ${result.statementsPerInvoice}` : ''),
    );
    if (statements) log(`busiest statements:\n  ${statements.top.join('\n  ')}`);
    if (accepted !== DOCUMENTS || stats.acceptedDocuments !== DOCUMENTS) {
      throw new Error(`Not every invoice was accepted once: ${JSON.stringify(result)}`);
    }
    return result;
  } finally {
    sampler?.stop();
    for (const r of runs) r.proc.kill('SIGKILL');
    await client.end().catch(() => undefined);
    await sandbox.stop();
    await cluster.stop();
  }
}

const loadBefore = loadavg();
let single;
let team;
try {
  single = await run(1);
  team = await run(TEAM_DESKS);
} finally {
  rmSync(work, { recursive: true, force: true });
}
const ratio = team.rate / single.rate;
const met = ratio >= TARGET_RATIO;
const loadAfter = loadavg();
const cpu = `${availableParallelism()} × ${cpus()[0]?.model ?? 'unknown CPU'}`;
const row = ({ cpuSecondsPer1000: c, windowCpuMsPerInvoice: w, ...r }) =>
  `| ${r.desks} | ${r.rate.toFixed(0)} | ${r.windowDocuments} in ${r.windowSeconds.toFixed(2)} s | ${r.wholeRate.toFixed(0)} | ${r.sendRequests} / ${r.batchRequests} | ${r.wallSeconds.toFixed(1)} | ${w.desks} / ${w.postgres} / ${w.sandbox} | ${c.desks} / ${c.postgres} / ${c.sandbox} |`;
const section = `## Team outbox (issue 14)

\`npm run bench:team\` (\`node test/bench/team.mjs --documents ${DOCUMENTS} --latency-ms ${LATENCY_MS} --desks ${TEAM_DESKS}${CONCURRENCY ? ` --concurrency ${CONCURRENCY}` : ' --concurrency auto'}\`):
${DOCUMENTS.toLocaleString('en-US')} invoices, the sandbox in its own process answering after L = ${LATENCY_MS} ms,
desks as CLI processes (single sends, ${CONCURRENCY ? `${CONCURRENCY} in flight each` : 'the adaptive limiter, their default'}) on a
fresh throwaway PostgreSQL per run. Desk 1 is \`peppol-desk send <folder> --store <url>\`; once the
team holds all the documents the other desks join as \`peppol-desk watch <empty folder> --store
<url>\` and only claim and send (stopped when desk 1's \`send\` ends). Rate = accepts on the team timeline (database clock) from the moment all
documents are queued and every desk has sent, to the last accept.

| desks | accepted/s (queued window) | window | accepted/s (first send → last accept) | send / batch requests | wall s | CPU ms per invoice in the window: desks / PostgreSQL / sandbox | CPU s per 1,000 invoices, whole run: desks / PostgreSQL / sandbox |
|---|---|---|---|---|---|---|---|
${row(single)}
${row(team)}

${TEAM_DESKS} desks / 1 desk = **${ratio.toFixed(2)}×** (target ≥ ${TARGET_RATIO}×: ${met ? 'met' : 'missed'}).
Every run: each invoice accepted once by the sandbox (${single.duplicateContentAccepts + team.duplicateContentAccepts} duplicate accepts).
Machine: ${cpu}, load average ${loadBefore[0].toFixed(2)} before, ${loadAfter[0].toFixed(2)} after
(shared with other work); ${new Date().toISOString().slice(0, 10)}.
`;
if (WRITE) {
  const doc = join(root, 'docs', 'performance.md');
  let text = readFileSync(doc, 'utf8');
  // Up to the next heading: the hand-written subsections (### …) after the table stay.
  const re = /## Team outbox \(issue 14\)[\s\S]*?(?=\n##+ |$)/;
  text = re.test(text)
    ? text.replace(re, section.trimEnd() + '\n')
    : text.trimEnd() + '\n\n' + section;
  writeFileSync(doc, text);
}
console.log(section);
console.log(JSON.stringify({ single, team, ratio, met }));
