/** `peppol-desk send <files or folders...>`: add invoices and exit when every one is final. */
import { basename } from 'node:path';
import type { Command } from 'commander';
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import type { Engine } from '../engine';
// Not through ../validation (its index loads the rules) nor its intake (the XML parser): both
// run in the validation workers.
import { tooLargeMessage } from '../validation/too-large';
import type { ConnectionStatus, IncomingFile } from '../contract';
import { environmentMismatch } from '../domain/environment';
import { exitWhenWritten, positiveInt, STORE_HELP } from './common';
import {
  dataDirOf,
  engineOptions,
  loadEngine,
  speedOptions,
  type EngineFlags,
} from './engine-options';
import { ChunkSizer } from './add-chunks';
import { ConnectionWords, refusedWordsForRun, teamWordsForRun } from './connection-words';
import { collectFiles, reportSkipped, UnreadFiles, type FoundFile } from './files';
import { progressOf, sayWhereItStopped } from './send-progress';
import {
  briefChunks,
  notSentCount,
  reportPinnedElsewhere,
  type NotAdded,
  sayWhyNotSent,
  sentBefore,
  summarize,
  unconfirmedWords,
  waitForResponses,
} from './summary';
import { visibleText } from '../domain/visible-text';

interface SendOptions extends EngineFlags {
  json?: boolean;
  waitDelivery?: boolean;
  /** With --wait-delivery: wait up to this many seconds after delivery for the buyer's response. */
  waitResponse?: number;
}
async function sendCommand(inputs: string[], opts: SendOptions): Promise<number> {
  const started = performance.now();
  // What an earlier run (or, on a team, another desk) sent: accepted before this moment.
  const startedAt = Date.now();
  const dataDir = dataDirOf(opts);
  mkdirSync(dataDir, { recursive: true });
  const { files, missing, skipped, unreadable } = collectFiles(inputs);
  for (const m of missing) process.stderr.write(`Not found: ${m}\n`);
  reportSkipped(skipped);
  for (const u of unreadable) process.stderr.write(`${u.name}: ${u.why}\n`);
  const { createEngine } = await loadEngine();
  const engine = await createEngine(
    engineOptions(opts, dataDir, {
      trackDelivery: Boolean(opts.waitDelivery),
      // Nobody watches a table here: with single sends, checking and reading the files keep a
      // bounded lead ahead of sending (issue 9 point 2).
      paceChecking: true,
    }),
  );
  let stopping = false;
  // The documents added so far (addAll fills it): what an interrupt says.
  const addedSoFar: number[] = [];
  // Says how far a long run got (see tellProgress); stopped once the run is settled or stops.
  let progress: { stop(): void } | null = null;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    progress?.stop();
    // A walk: Ctrl+C ended a month-end run with no word of what went out or what to do next.
    // Counted once the sends in flight were answered and recorded (walk 8: "850 of 2000 … sent",
    // then 212 more were accepted before the process ended).
    process.stderr.write('Stopping: the invoices being sent now are answered first…\n');
    await engine.stop({
      beforeClose: () =>
        sayWhereItStopped(engine, addedSoFar, files.length, dataDir, {
          json: Boolean(opts.json),
          waitDelivery: Boolean(opts.waitDelivery),
        }),
    });
    process.exit(code);
  };
  // Interrupted: `stop` says where it stopped and ends the process. The waits below may end
  // first (a team engine's do when it stops): no summary then (walk 10: a team run stopped with
  // --wait-delivery counted its accepted invoice as failed).
  const interrupted = () => stopping && !finishing;
  let finishing = false;
  process.once('SIGINT', () => void stop(130));
  process.once('SIGTERM', () => void stop(143));

  const status = await engine.handlers['connection:get'](undefined);
  const { team } = status;
  // Only names that lead nowhere (walk 9: "Sending 0 file(s)", then "1 failed"): said plainly.
  if (files.length === 0 && missing.length > 0)
    process.stderr.write(`Nothing to send: no file or folder named ${missing.join(', ')}.\n`);
  else if (!opts.json) {
    const where = engine.usesBuiltInSandbox ? 'the built-in SANDBOX access point' : engine.endpoint;
    const on = team ? ` on the team outbox ${team.label} as desk ${team.deskName}` : '';
    process.stderr.write(`Sending ${files.length} file(s) to ${where}${on} (data: ${dataDir})\n`);
  }
  // The team database did not answer: said plainly; the files are kept here meanwhile.
  if (team && !team.reachable && status.message)
    process.stderr.write(`${teamWordsForRun(status.message)}\n`);
  // The team sends through another access point: the files go on its queue, other desks send.
  else if (team?.sends === false && status.message)
    process.stderr.write(`${teamWordsForRun(status.message)}\n`);
  // A long run says how far it got now and then (walk 11: a run of 382 s said nothing between
  // its first line and its summary); not with --json.
  if (!opts.json)
    progress = tellProgress(engine, addedSoFar, files.length, Boolean(opts.waitDelivery));
  const { ids, notAdded, named } = await addAll(engine, files, addedSoFar);
  // A team desk that does not send, with no desk online that does (now or later in the run):
  // nothing would move while it waited. It says so and ends; the invoices wait on the queue.
  await untilSettledOrNobodySends(engine, ids, !opts.waitDelivery, interrupted);
  progress?.stop();
  if (opts.waitDelivery && opts.waitResponse && !interrupted())
    await waitForResponses(engine, ids, opts.waitResponse);
  if (interrupted()) return new Promise<number>(() => {});
  // On a team outbox, documents of this run another desk sent, by desk.
  const byOtherDesk = new Map<string, number>();
  // Sent before this run (the same files added again): not sent by this one.
  let sentEarlier = 0;
  // Files that never became documents: those refused (too large, empty, not an invoice file) are
  // invalid, files to fix (walk 23: an empty file was counted among the failed sends); those that
  // could not be read failed. Files named that do not exist are counted apart: nothing was tried,
  // nothing failed. A folder that could not be read counts as one failed: whatever it holds was
  // not sent.
  const tally = await summarize(
    engine,
    ids,
    { failed: notAdded.failed + unreadable.length, invalid: notAdded.invalid },
    (performance.now() - started) / 1000,
    Boolean(opts.waitDelivery),
    // Each document that did not end as sent says why (stderr, also with --json).
    (r, counted) => {
      // By its acceptance time, not by its state when added again: this run may have sent it
      // meanwhile (a walk: 55 "sent by an earlier run" of which this run had sent 2).
      if (sentBefore(r, counted, startedAt)) sentEarlier++;
      if (team && counted === 'sent' && r.sentBy && r.sentBy !== team.deskName) {
        byOtherDesk.set(r.sentBy, (byOtherDesk.get(r.sentBy) ?? 0) + 1);
      }
      // By the file of this run it came from, not the name the team first had it under (walk
      // 24: "W24M3-notes.xml: …" for this run's W24M14-notes.xml, a copy of it).
      sayWhyNotSent({ ...r, fileName: named.get(r.id) ?? r.fileName }, counted);
    },
  );
  const summary = { ...tally, notFound: missing.length, total: tally.total + missing.length };
  const elsewhere = await reportPinnedElsewhere(engine, ids);
  // The access point names another environment than the key seems to select: said (stderr).
  const after = await engine.handlers['connection:get'](undefined);
  const mismatch = environmentMismatch(after.environment, after.accessPointEnvironment, 'cli');
  if (mismatch) process.stderr.write(`${mismatch.long}\n`);
  if (!opts.json) {
    process.stdout.write(
      `${summary.sent} sent${sentEarlierWords(sentEarlier, byOtherDesk)}${buyerWaitsWords(summary.needsAttention)}${unconfirmedWords(summary.deliveryUnconfirmed)}, ${summary.failed} failed, ${summary.notOnPeppol ? `${summary.notOnPeppol} whose buyer is not on Peppol, ` : ''}${summary.cancelled ? `${summary.cancelled} cancelled (not sent), ` : ''}${summary.rejected} rejected by the buyer, ${summary.invalid} invalid, ${summary.duplicates} held as duplicates, ${summary.held ? `${summary.held} held for your decision, ` : ''}${summary.waiting ? `${summary.waiting} waiting ${team ? "on the team's queue" : 'in the queue'}, ` : ''}${summary.notFound ? `${summary.notFound} not found, ` : ''}of ${summary.total} in ${summary.seconds} s\n`,
    );
  } else {
    // PEPPOL_DESK_BENCH=1 adds what the benchmark reads: CPU time and send latency.
    const extra =
      process.env.PEPPOL_DESK_BENCH === '1'
        ? {
            cpuSeconds: (() => {
              const u = process.cpuUsage();
              return (u.user + u.system) / 1e6;
            })(),
            latency: (await engine.handlers['metrics:snapshot'](undefined)).latency,
          }
        : {};
    const sentBy = team ? { sentByOtherDesks: Object.fromEntries(byOtherDesk) } : {};
    process.stdout.write(JSON.stringify({ ...summary, sentEarlier, ...sentBy, ...extra }) + '\n');
  }
  // An empty folder, or one of PDFs: nothing was sent, which a script must not read as success.
  if (summary.total === 0)
    process.stderr.write(`No invoice files found in ${inputs.join(', ')}: nothing was sent.\n`);
  finishing = true;
  stopping = true;
  await engine.stop();
  return notSentCount(summary) + summary.notFound + elsewhere > 0 || summary.total === 0 ? 1 : 0;
}

/**

/**
 * Wait for the run's documents, unless (or until) this is a team desk that does not send and no
 * desk that does is online, or the access point refuses the API key (nothing moves until the key
 * is changed, which a run cannot do; the invoices wait in the queue for the next run or the app):
 * then say so (stderr) and stop waiting.
 */
async function untilSettledOrNobodySends(
  engine: Engine,
  ids: number[],
  includeAccepted: boolean,
  stopped: () => boolean,
) {
  // One read of the connection a second says all three: nobody sends, the key refused, the team
  // database lost or back.
  const nobodySends = (s: ConnectionStatus): string | null => {
    const t = s.team;
    const nobody = t?.reachable && t.sends === false && (t.sendersOnline ?? 0) === 0;
    return nobody && s.message ? teamWordsForRun(s.message) : null;
  };
  const first = await engine.handlers['connection:get'](undefined);
  if (nobodySends(first) !== null) return;
  // The team database lost, or the access point failing, during the run: said once when it goes
  // and once when it is back (the run waited without a word meanwhile).
  const connection = new ConnectionWords(first);
  let timer: NodeJS.Timeout | undefined;
  const nobody = new Promise<string>((resolve) => {
    timer = setInterval(() => {
      void Promise.resolve(engine.handlers['connection:get'](undefined)).then((s) => {
        connection.tell(s);
        const words =
          nobodySends(s) ??
          (s.state === 'refused' ? refusedWordsForRun(s.message, !!s.team) : null);
        if (words !== null) resolve(words);
      });
    }, 1000);
  });
  const settled = async (): Promise<null> => {
    if (!includeAccepted) {
      // --wait-delivery: delivery takes a while after acceptance, and the run said nothing for a
      // minute (walk 9 finding 12). Once every document is past the access point, it says why
      // it still waits.
      await engine.waitUntilSettled(ids, { includeAccepted: true });
      let accepted = 0;
      for await (const { rows } of briefChunks(engine, ids))
        for (const r of rows) if (r.state === 'accepted') accepted++;
      if (accepted > 0)
        process.stderr.write(
          `${accepted} accepted by the access point; waiting for ${accepted === 1 ? 'its' : 'their'} delivery to the ${accepted === 1 ? 'buyer' : 'buyers'} (Ctrl+C stops waiting; nothing is lost).\n`,
        );
    }
    await engine.waitUntilSettled(ids, { includeAccepted });
    return null;
  };
  const words = await Promise.race([settled(), nobody]).finally(() => clearInterval(timer));
  // Settled within a second of the team database's or the access point's recovery: said before
  // the summary (walk 18b).
  // Not when the waits ended because the run was stopped (walk 20: "The team database answers
  // again." said after Ctrl+C while it was still down).
  if (words === null && !stopped())
    await connection.settled(() => engine.handlers['connection:get'](undefined));
  if (words) process.stderr.write(`${words}\n`);
}

/** Of those sent, the ones whose buyer asked a question or set a condition (needsAttention). */
function buyerWaitsWords(n: number): string {
  if (n === 0) return '';
  return ` (${n} of them ${n === 1 ? 'needs' : 'need'} your attention: the buyer asked a question or set a condition)`;
}

/**
 * "(1000 of them before this run)": files added again whose documents were sent before; "(of
 * them 3 by desk B)": the documents of this run another desk of the team sent. One pair of
 * brackets for both (walk 20: "(703 of them before this run) (of them 515 by desk deskB)").
 */
function sentEarlierWords(n: number, byDesk: Map<string, number>): string {
  const parts = [...byDesk].map(([desk, m]) => `${m} by desk ${desk}`);
  const before = n > 0 ? `${n} of them before this run` : '';
  if (parts.length === 0) return before ? ` (${before})` : '';
  return before ? ` (${before}; ${parts.join(', ')})` : ` (of them ${parts.join(', ')})`;
}

/**
 * Read and add files in chunks, so memory stays flat for large folders. Files over the size
 * limit are refused from their size, never read. Returns every id, and how many files could not
 * be added at all (unreadable, too large, or refused such as empty files).
 */
async function addAll(
  engine: Engine,
  files: FoundFile[],
  /** Filled with the ids as they are added (an interrupt reads it). */
  ids: number[] = [],
): Promise<{ ids: number[]; notAdded: NotAdded; named: Map<number, string> }> {
  // Refused files (too large, empty, not an invoice file) are files to fix; those that could not
  // be read failed.
  const notAdded = { failed: 0, invalid: 0 };
  // The first file of this run each document was added or found as.
  const named = new Map<number, string>();
  const limit = (await engine.handlers['settings:get'](undefined)).maxDocumentBytes;
  // Chunks are bounded by bytes as well as by count (500 files of 15 MB would be 7.5 GB), and by
  // time (see ChunkSizer): the first verdicts, the lookup and the first sends are handled
  // between two chunks, so a chunk that holds the event loop holds them back.
  const chunks = new ChunkSizer();
  // Every chunk is read into this one buffer: `documents:add` copies the bytes into the database
  // before it returns, so a new buffer per file would only leave hundreds of MB of freed 15 MB
  // blocks behind (the allocator keeps them) while the pipeline is still working.
  const scratch = new FileScratch(Math.max(CHUNK_BYTES, Math.min(limit, MAX_SCRATCH_BYTES)));
  const unread = new UnreadFiles();
  for (let i = 0; i < files.length;) {
    // Paced checking (single sends): read and add no faster than the drop is checked and sent.
    if (i > 0) await engine.roomForMore?.();
    const chunk: IncomingFile[] = [];
    const most = chunks.next();
    // Reading the files holds the event loop too: timed with the add.
    const chunkStarted = performance.now();
    scratch.reset();
    for (; i < files.length && chunk.length < most; i++) {
      const f = files[i]!;
      try {
        const size = statSync(f.path).size;
        if (size > limit) {
          process.stderr.write(`${f.name}: ${tooLargeMessage(size, limit)}\n`);
          notAdded.invalid++;
          continue;
        }
        // Full: this file starts the next chunk (a chunk always takes at least one file).
        if (chunk.length > 0 && !scratch.fits(size)) break;
        chunk.push({ name: f.name, bytes: scratch.read(f.path, size) });
      } catch (err) {
        notAdded.failed++;
        unread.say(f, err);
      }
    }
    const res = await engine.handlers['documents:add']({ files: chunk });
    chunks.took(chunk.length, performance.now() - chunkStarted);
    for (const a of res.added) {
      ids.push(a.id);
      named.set(a.id, a.fileName);
    }
    for (const k of res.known) {
      // The same name and bytes twice in this run (two folders): one document, said so (walk
      // 21: "Sending 3 file(s)", then a summary "of 2" that named neither).
      const first = named.get(k.id);
      if (first !== undefined && first !== k.fileName)
        process.stderr.write(
          sameName(k.fileName, first)
            ? `${visibleText(k.fileName)}: the same file as ${visibleText(first)} (same name and content): counted once.\n`
            : `${visibleText(k.fileName)}: the same content as ${visibleText(first)}, under another name: counted once.\n`,
        );
      ids.push(k.id);
      if (first === undefined) named.set(k.id, k.fileName);
    }
    notAdded.invalid += res.rejected.length;
    for (const r of res.rejected)
      process.stderr.write(`${visibleText(r.fileName)}: ${r.message}\n`);
    // Let the pipeline run between chunks: validation, lookups and sending start with the first
    // chunk instead of after the last file is read (the add handler itself is synchronous).
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  unread.end();
  return { ids: [...new Set(ids)], notAdded, named };
}

/** How often a long run says how far it got (ms; PEPPOL_DESK_PROGRESS_MS for tests). */
const PROGRESS_MS = 15_000;

/**
 * Every PROGRESS_MS until stopped: "Still working: 120 of 5,000 sent, 4,870 on their way, …"
 * (stderr), from the documents added so far (`ids`, filled as they are added) of `files`; with
 * `waitDelivery`, also how many sent wait for their delivery receipt (walk 19: "10 of 10 sent, 0
 * on their way" for minutes said nothing of what the run waited for).
 */
function tellProgress(
  engine: Engine,
  ids: readonly number[],
  files: number,
  waitDelivery: boolean,
): { stop(): void } {
  const every = Number(process.env.PEPPOL_DESK_PROGRESS_MS) || PROGRESS_MS;
  const count = (n: number) => n.toLocaleString('en-US');
  let telling = false;
  // Walk 20: "60 on their way" while all 60 waited for the team database.
  const kept = (n: number) =>
    n > 0 ? ` (${count(n)} of them kept here until the team database answers)` : '';
  const timer = setInterval(() => {
    if (telling) return;
    telling = true;
    void progressOf(engine, [...new Set(ids)])
      .then((n) => {
        process.stderr.write(
          `Still working: ${count(n.sent)} of ${count(files)} sent, ${count(n.onTheirWay)} on their way${kept(n.keptHere)}${waitDelivery && n.undelivered ? `, ${count(n.undelivered)} of the sent waiting for ${n.undelivered === 1 ? 'its' : 'their'} delivery receipt` : ''}${n.needYou ? `, ${count(n.needYou)} need${n.needYou === 1 ? 's' : ''} you` : ''}.\n`,
        );
      })
      .catch(() => {})
      .finally(() => (telling = false));
  }, every);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Bytes of files read per chunk of `send` (see addAll). */
const CHUNK_BYTES = 32 * 1024 * 1024;
/** The scratch buffer grows to hold one file of the size limit, but no further than this. */
const MAX_SCRATCH_BYTES = 256 * 1024 * 1024;

/**
 * One buffer that the files of a chunk are read into, one after the other. A file that does not
 * fit (it grew since it was measured, or is larger than the buffer) gets a buffer of its own.
 */
class FileScratch {
  private readonly buf: Buffer;
  private used = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafeSlow(size);
  }
  reset(): void {
    this.used = 0;
  }
  fits(size: number): boolean {
    return this.used + size <= this.buf.length;
  }
  /** The file's bytes: a view into the scratch buffer, valid until the next reset. */
  read(path: string, size: number): Buffer {
    if (!this.fits(size)) return readFileSync(path);
    const fd = openSync(path, 'r');
    try {
      // Changed since it was measured: read it whole, as before.
      if (fstatSync(fd).size !== size) return readFileSync(fd);
      let n = 0;
      while (n < size) {
        const got = readSync(fd, this.buf, this.used + n, size - n, null);
        if (got === 0) break;
        n += got;
      }
      const view = this.buf.subarray(this.used, this.used + n);
      this.used += n;
      return view;
    } finally {
      closeSync(fd);
    }
  }
}

/** Registers `send`. */
export function registerSend(program: Command): void {
  const command = program
    .command('send')
    .description('Send invoice files (or folders of them) and exit when every one is final.')
    .argument('<paths...>', 'files or folders')
    .option('--endpoint <url>', 'provider base URL, e.g. https://app.goroute.ai/peppol-api')
    .option('--api-key <key>', 'provider API key (otherwise the stored one; none = sandbox)')
    .option(
      '--api-key-file <file>',
      'read the provider API key from this file (or set PEPPOL_DESK_API_KEY)',
    )
    .option('--data-dir <dir>', 'data folder (queue and caches)')
    .option('--store <url>', STORE_HELP)
    .option('--json', 'print one JSON summary line')
    .option('--wait-delivery', 'wait until delivered, not only accepted by the access point')
    .option(
      '--wait-response <s>',
      "with --wait-delivery: wait up to s seconds for the buyer's business response",
      positiveInt,
    )
    .option('--latency-ms <ms>', 'added latency of the built-in sandbox', positiveInt);
  speedOptions(command).action(async (paths: string[], opts: SendOptions) => {
    process.exitCode = await sendCommand(paths, opts);
    await exitWhenWritten();
  });
}

/** Whether two files of a run have the same name, wherever they are (walk 24: "same name" of two). */
function sameName(a: string, b: string): boolean {
  return basename(a) === basename(b);
}
