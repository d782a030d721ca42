// Team crash harness (issue 14): three desks (`peppol-desk send <folder> --store <url>`, each its
// own process and data folder) share one throwaway PostgreSQL and one sandbox access point. The
// same N invoices are dropped into all three folders. While they work, the harness SIGKILLs a
// desk at random moments and starts the same command again (K kills in all), suspends one desk
// with SIGSTOP for longer than the lease and resumes it, and restarts PostgreSQL once. At the end
// the sandbox's own records must show every invoice accepted exactly once under the key its bytes
// give, every team document final, and no desk still running. The run ends by itself (deadline).
//
//   node test/team/harness.mjs [--documents 5000] [--kills 30] [--seed S] [--lease-ms 3000]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '../helpers/postgres.mjs';
import {
  acceptanceReport,
  isRunning,
  mulberry32,
  sleep,
  spawnDesk,
  startSandboxProcess,
  writeInvoices,
} from './processes.mjs';
import { openTeamDb } from './team-db.mjs';

/** The env var the desk reads its lease length from (short here: the SIGSTOP must outlast it). */
export const LEASE_ENV = 'PEPPOL_DESK_TEAM_LEASE_MS';

/** The desk's id, kept in its data folder (team-design.md, decision 7); null before first start. */
function deskIdOf(dataDir) {
  try {
    return readFileSync(join(dataDir, 'desk-id'), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/**
 * Run the harness; resolves with its figures (`ok` true when every promise held).
 * `aimedKillShare` of the kills first wait (bounded) until the chosen desk holds claims, so kills
 * with requests out are never left to chance on a slow machine; the others land at random.
 */
export async function runTeamCrashHarness({
  documents = 5000,
  kills = 30,
  seed = 1,
  desks = 3,
  latencyMs = 5,
  leaseMs = 3000,
  minKillGapMs = 100,
  maxKillGapMs = 900,
  aimedKillShare = 0.5,
  stopAtShare = 0.2,
  restartAtShare = 0.45,
  pgDownMs = 1500,
  maxStopMs = 60_000,
  deadlineMs = 120_000 + documents * 100,
  cliArgs = [],
  log = console.log,
} = {}) {
  const random = mulberry32(seed);
  const started = Date.now();
  const deadline = started + deadlineMs;
  const pastDeadline = () => Date.now() > deadline;
  const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);
  const work = mkdtempSync(join(tmpdir(), 'peppol-desk-team-crash-'));
  const folders = Array.from({ length: desks }, (_, i) => join(work, `in-${i + 1}`));
  const invoices = writeInvoices(folders, documents, 'TEAMCRASH');
  const pg = await startPostgres();
  let sandbox = null;
  let db = null;
  const figures = {
    documents,
    desks,
    seed,
    leaseMs,
    killsRequested: kills,
    kills: 0,
    killsWhileClaiming: 0,
    documentsOrphanedByKills: 0,
    orphanedNotClaimedInDoubt: null,
    orphansMovedByLastWrite: 0,
    runs: 0,
    failedExits: [],
    stop: null,
    postgresRestart: null,
    deadlineHit: false,
  };
  try {
    sandbox = await startSandboxProcess({ latencyMs });
    db = await openTeamDb(pg.url);
    let killingDone = false;
    const team = folders.map((folder, i) => ({
      name: `desk-${i + 1}`,
      folder,
      dataDir: join(work, `data-${i + 1}`),
      run: null,
      runs: 0,
      kills: 0,
      stopped: false,
      summary: null,
      finished: false,
    }));
    const env = { [LEASE_ENV]: String(leaseMs) };

    /** Keep one desk running its `send` until it finishes after the kills are done. */
    async function supervise(desk) {
      while (!pastDeadline()) {
        desk.runs++;
        figures.runs++;
        const run = spawnDesk({
          folder: desk.folder,
          storeUrl: pg.url,
          dataDir: desk.dataDir,
          endpoint: sandbox.url,
          extraArgs: cliArgs,
          env,
        });
        desk.run = run;
        const end = await run.exited;
        desk.run = null;
        if (end.signal === 'SIGKILL') continue;
        if (end.code === 0) {
          // Done before the kills were: run it again (it finds its files known and waits).
          if (!killingDone) continue;
          desk.summary = end.summary;
          desk.finished = true;
          log(`team crash: ${desk.name} finished at ${elapsed()} s`);
          return;
        }
        // It gave up by itself (e.g. the database was down when it started): say so, start again.
        figures.failedExits.push({
          desk: desk.name,
          code: end.code,
          signal: end.signal,
          stderr: end.stderr.trim().slice(-1500),
        });
        await sleep(300);
      }
    }

    let suspending = false;
    // Documents a killed desk left in `sending` (each must be claimed again, in doubt).
    // Documents a killed desk held in `sending` → how many timeline rows each had at the kill.
    const orphaned = new Map();

    /** Accepted so far, by the sandbox's count (cheap; the harness's clock for its events). */
    let acceptedSoFar = 0;
    async function progress() {
      try {
        acceptedSoFar = (await sandbox.stats()).acceptedDocuments;
      } catch {
        // The sandbox is busy: keep the last figure.
      }
      return acceptedSoFar / documents;
    }

    /** Wait (bounded) until `desk` holds claims; true when it does. */
    async function untilHolding(desk, maxMs) {
      const until = Date.now() + maxMs;
      while (Date.now() < until && desk.run && !pastDeadline()) {
        const id = deskIdOf(desk.dataDir);
        if (id && (await db.heldBy(id)) > 0) return true;
        await sleep(25);
      }
      return false;
    }

    async function killer() {
      while (figures.kills < kills && !pastDeadline()) {
        await sleep(minKillGapMs + Math.floor(random() * (maxKillGapMs - minKillGapMs)));
        // While one desk sleeps the others must be let work: they are the ones that take over.
        if (suspending) continue;
        const alive = team.filter((d) => d.run && !d.stopped);
        if (alive.length === 0) continue;
        const desk = alive[Math.floor(random() * alive.length)];
        if (random() < aimedKillShare) await untilHolding(desk, 3000);
        const run = desk.run;
        if (!run || desk.stopped) continue;
        run.proc.kill('SIGKILL');
        // It may have ended by itself just before: only a death by our signal is a kill.
        if ((await run.exited).signal !== 'SIGKILL') continue;
        figures.kills++;
        desk.kills++;
        // What it held when it died stays `sending` under its lease: another desk (or itself,
        // restarted) must claim it again in doubt and resend it under the same key.
        const id = deskIdOf(desk.dataDir);
        const held = id ? await db.heldClaims(id) : null;
        if (held?.length) {
          figures.killsWhileClaiming++;
          for (const { id: doc, seen } of held) orphaned.set(doc, seen);
        }
      }
    }

    /** Once: SIGSTOP a desk that holds claims for longer than the lease, then SIGCONT it. */
    async function suspendOnce() {
      while (!pastDeadline() && (await progress()) < stopAtShare) await sleep(100);
      // No kills from here to SIGCONT, so the desk picked is still the one suspended.
      suspending = true;
      for (let tries = 0; tries < 50 && !pastDeadline(); tries++) {
        const alive = team.filter((d) => d.run);
        const desk = alive[Math.floor(random() * alive.length)];
        if (!desk || !(await untilHolding(desk, 2000))) continue;
        const id = deskIdOf(desk.dataDir);
        const run = desk.run;
        if (!run || run.proc.exitCode !== null) continue;
        desk.stopped = true;
        run.proc.kill('SIGSTOP');
        const heldWhenStopped = await db.heldBy(id);
        const stoppedAt = Date.now();
        // Asleep for twice the lease at least, and until the others have taken over everything
        // it held (bounded): it then wakes up with claims whose fences have moved on.
        await sleep(leaseMs * 2);
        let heldAfterLease = await db.heldBy(id);
        while (heldAfterLease !== 0 && Date.now() - stoppedAt < maxStopMs && !pastDeadline()) {
          await sleep(200);
          heldAfterLease = await db.heldBy(id);
        }
        const stoppedMs = Date.now() - stoppedAt;
        run.proc.kill('SIGCONT');
        desk.stopped = false;
        suspending = false;
        figures.stop = { desk: desk.name, stoppedMs, heldWhenStopped, heldAfterLease };
        log(
          `team crash: ${desk.name} suspended at ${elapsed()} s for ${stoppedMs} ms holding ${heldWhenStopped} claims; ${heldAfterLease} still its own before SIGCONT`,
        );
        return;
      }
      suspending = false;
    }

    async function restartPostgresOnce() {
      while (!pastDeadline() && (await progress()) < restartAtShare) await sleep(100);
      if (pastDeadline()) return;
      const t0 = Date.now();
      await pg.restart({ downMs: pgDownMs });
      figures.postgresRestart = {
        atAccepted: acceptedSoFar,
        downMs: pgDownMs,
        tookMs: Date.now() - t0,
      };
      log(
        `team crash: PostgreSQL restarted at ${elapsed()} s, ${acceptedSoFar} accepted (${pgDownMs} ms down)`,
      );
    }

    const supervisors = team.map((d) => supervise(d));
    await Promise.all([killer(), suspendOnce(), restartPostgresOnce()]);
    killingDone = true;
    await progress();
    log(
      `team crash: ${figures.kills} kills done at ${elapsed()} s, ${acceptedSoFar} accepted by then`,
    );
    // Desks that ran to the end while the kills were still going were started again: now each
    // finishes its `send` (all its documents final) or the deadline ends the run.
    const watchdog = setInterval(() => {
      if (!pastDeadline()) return;
      figures.deadlineHit = true;
      for (const d of team) d.run?.proc.kill('SIGKILL');
    }, 250);
    await Promise.all(supervisors);
    clearInterval(watchdog);
    if (pastDeadline()) figures.deadlineHit = true;

    figures.documentsOrphanedByKills = orphaned.size;
    const inDoubtIds = (await db.inDoubtIds()) ?? new Set();
    // Each must be claimed again in doubt, unless the killed desk's own last write (an outcome or
    // a release, already on its way to PostgreSQL when the desk died, so committed after the
    // look above) moved it out of `sending` under its fence.
    figures.orphanedNotClaimedInDoubt = 0;
    figures.orphansMovedByLastWrite = 0;
    for (const [id, seen] of orphaned) {
      if (inDoubtIds.has(id)) continue;
      const next = await db.stepAfter(id, seen);
      if (next && next.from_state === 'sending' && next.to_state !== 'sending') {
        figures.orphansMovedByLastWrite++;
      } else figures.orphanedNotClaimedInDoubt++;
    }
    const stats = await sandbox.stats();
    const report = acceptanceReport(await sandbox.accepted(), invoices);
    const states = (await db.counts()) ?? {};
    const rows = Object.values(states).reduce((a, b) => a + b, 0);
    Object.assign(figures, {
      seconds: (Date.now() - started) / 1000,
      sandbox: {
        accepted: stats.acceptedDocuments,
        distinctBodies: stats.distinctBodies,
        duplicateContentAccepts: stats.duplicateContentAccepts,
        duplicateInvoiceNumbers: stats.duplicateInvoiceNumbers.count,
        idempotentReplays: stats.idempotentReplays,
        idempotencyConflicts: stats.idempotencyConflicts,
      },
      acceptance: report,
      inDoubtClaims: await db.inDoubtClaims(),
      teamRows: rows,
      states,
      notFinal: await db.notFinal(),
      desksStillRunning: team.filter((d) => d.run && isRunning(d.run.proc.pid)).length,
      perDesk: team.map((d) => ({
        desk: d.name,
        runs: d.runs,
        kills: d.kills,
        finished: d.finished,
        summary: d.summary,
      })),
    });
    const acceptedFinal = (states.accepted ?? 0) + (states.delivered ?? 0);
    figures.ok =
      !figures.deadlineHit &&
      figures.kills >= kills &&
      figures.failedExits.length === 0 &&
      figures.stop !== null &&
      figures.stop.heldWhenStopped > 0 &&
      figures.stop.heldAfterLease === 0 &&
      figures.postgresRestart !== null &&
      figures.orphanedNotClaimedInDoubt === 0 &&
      report.acceptedOnce === documents &&
      report.acceptedMoreThanOnce === 0 &&
      report.neverAccepted === 0 &&
      report.unknownNumbers === 0 &&
      report.wrongKey === 0 &&
      stats.duplicateContentAccepts === 0 &&
      rows === documents &&
      acceptedFinal === documents &&
      figures.notFinal === 0 &&
      figures.desksStillRunning === 0 &&
      team.every((d) => d.finished);
    log(
      `team crash harness: ${documents} invoices × ${desks} desks, ${figures.kills} of ${kills} SIGKILLs ` +
        `(${figures.killsWhileClaiming} while the desk held claims, leaving ${figures.documentsOrphanedByKills} documents in sending, ${figures.orphansMovedByLastWrite} of them moved on by the killed desk's last write), ` +
        `${figures.runs} runs, ${figures.failedExits.length} exits by error, ` +
        `SIGSTOP ${figures.stop ? `${figures.stop.stoppedMs} ms holding ${figures.stop.heldWhenStopped}` : 'not done'}, ` +
        `PostgreSQL restart ${figures.postgresRestart ? `at ${figures.postgresRestart.atAccepted} accepted` : 'not done'}, ` +
        `${figures.seconds.toFixed(1)} s; sandbox accepted ${stats.acceptedDocuments} (once ${report.acceptedOnce}, ` +
        `twice+ ${report.acceptedMoreThanOnce}, never ${report.neverAccepted}, wrong key ${report.wrongKey}), ` +
        `idempotent replays ${stats.idempotentReplays}, in-doubt claims ${figures.inDoubtClaims}; ` +
        `team ${rows} rows, ${figures.notFinal} not final, ${figures.desksStillRunning} desks running: ${figures.ok ? 'OK' : 'FAILED'}`,
    );
    return figures;
  } finally {
    await db?.close();
    await sandbox?.stop();
    await pg.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, def) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : def;
  };
  const figures = await runTeamCrashHarness({
    documents: arg('documents', 5000),
    kills: arg('kills', 30),
    seed: arg('seed', Date.now() % 100000),
    leaseMs: arg('lease-ms', 3000),
    latencyMs: arg('latency-ms', 5),
  });
  console.log(JSON.stringify(figures, null, 2));
  process.exit(figures.ok ? 0 : 1);
}
