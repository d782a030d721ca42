// Team throughput benchmark (issue 14): do three desks on one team outbox send faster than one?
// The sandbox access point in a process of its own answers every request after L = 50 ms; desks
// are `peppol-desk send <folder> --store <url>` processes (single sends, their default
// concurrency), each with its own data folder and a copy of the same N invoices, on a fresh
// throwaway PostgreSQL per run. Desk 1 starts; once the team has all N documents the others
// start (they find every file known and only send). The rate is read from the team's own
// timeline (database clock): accepts from the moment all N are queued and every desk of the run
// has sent, to the last accept. Writes the "## Team outbox (issue 14)" section of
// docs/performance.md. Needs the build (`npm run bench:team` builds first).
//
//   node test/bench/team.mjs [--documents 3000] [--latency-ms 50] [--desks 3] [--concurrency N] [--no-write]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
// Sends in flight per desk: the desks' default (adaptive, up to 10) unless given.
const CONCURRENCY = flag('--concurrency', null);
const WRITE = !argv.includes('--no-write');
const TARGET_RATIO = 2.5;
const RUN_TIMEOUT_MS = 15 * 60_000;
const log = (line) => process.stderr.write(`[team bench] ${line}\n`);

const work = mkdtempSync(join(tmpdir(), 'pd-team-bench-'));
const folders = Array.from({ length: TEAM_DESKS }, (_, i) => join(work, `in-${i + 1}`));
writeInvoices(folders, DOCUMENTS, 'TEAMBENCH');

async function one(client, sql, params = []) {
  return (await client.query(sql, params)).rows[0];
}

/** One run: `desks` desks on a fresh PostgreSQL and sandbox; the rate from the team timeline. */
async function run(desks) {
  const cluster = await startPostgres();
  const sandbox = await startSandboxProcess({ latencyMs: LATENCY_MS });
  const client = new pg.Client({ connectionString: cluster.url });
  const runs = [];
  const wall0 = performance.now();
  try {
    const start = (i) => {
      const r = spawnDesk({
        folder: folders[i],
        storeUrl: cluster.url,
        dataDir: join(work, `data-${desks}-${i + 1}`),
        endpoint: sandbox.url,
        extraArgs: CONCURRENCY ? ['--concurrency', CONCURRENCY] : [],
      });
      runs.push(r);
      return r;
    };
    start(0);
    // The others join once the team has every document: they only send.
    await sleep(500);
    await client.connect();
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    const documentsIn = async () => {
      try {
        return Number((await one(client, 'SELECT COUNT(*) n FROM team_documents')).n);
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
    const ends = await Promise.all(runs.map((r) => r.exited));
    clearTimeout(timer);
    const wallSeconds = (performance.now() - wall0) / 1000;
    for (const [i, e] of ends.entries()) {
      if (e.code !== 0) throw new Error(`desk ${i + 1} ended ${e.code ?? e.signal}: ${e.stderr}`);
    }
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
    };
    log(
      `${desks} desk(s): ${result.rate.toFixed(0)} accepted/s over the queued window ` +
        `(${inWindow} documents in ${result.windowSeconds.toFixed(2)} s); ` +
        `first send → last accept ${result.wholeRate.toFixed(0)}/s; wall ${wallSeconds.toFixed(1)} s`,
    );
    if (accepted !== DOCUMENTS || stats.acceptedDocuments !== DOCUMENTS) {
      throw new Error(`Not every invoice was accepted once: ${JSON.stringify(result)}`);
    }
    return result;
  } finally {
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
const row = (r) =>
  `| ${r.desks} | ${r.rate.toFixed(0)} | ${r.windowDocuments} in ${r.windowSeconds.toFixed(2)} s | ${r.wholeRate.toFixed(0)} | ${r.sendRequests} / ${r.batchRequests} | ${r.wallSeconds.toFixed(1)} |`;
const section = `## Team outbox (issue 14)

\`npm run bench:team\` (\`node test/bench/team.mjs --documents ${DOCUMENTS} --latency-ms ${LATENCY_MS} --desks ${TEAM_DESKS}${CONCURRENCY ? ` --concurrency ${CONCURRENCY}` : ''}\`):
${DOCUMENTS.toLocaleString('en-US')} invoices, the sandbox in its own process answering after L = ${LATENCY_MS} ms,
desks as \`peppol-desk send <folder> --store <url>\` processes (single sends, ${CONCURRENCY ? `${CONCURRENCY} in flight each` : 'default concurrency'}) on a
fresh throwaway PostgreSQL per run. Desk 1 starts; once the team holds all the documents the other
desks start and only send. Rate = accepts on the team timeline (database clock) from the moment all
documents are queued and every desk has sent, to the last accept.

| desks | accepted/s (queued window) | window | accepted/s (first send → last accept) | send / batch requests | wall s |
|---|---|---|---|---|---|
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
  const re = /## Team outbox \(issue 14\)[\s\S]*?(?=\n## |$)/;
  text = re.test(text)
    ? text.replace(re, section.trimEnd() + '\n')
    : text.trimEnd() + '\n\n' + section;
  writeFileSync(doc, text);
}
console.log(section);
console.log(JSON.stringify({ single, team, ratio, met }));
