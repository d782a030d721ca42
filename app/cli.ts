/**
 * `peppol-desk`: the command line, through the same engine as the app.
 *   send <files or folders...>   add invoices and exit when every one is final
 *   validate <files or folders...> --json
 *   serve                         the browser host (the app without Electron)
 *   watch <folder>                send what is saved into a folder, until Ctrl+C
 *   sandbox                       the sandbox access point on its own
 */
import { Command, InvalidArgumentError } from 'commander';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Engine, SecretStore } from './engine';
import { defaultDataDir } from './data-dir';
import { invokeHandler } from './errors';
import { hotFolderRefusal } from './hot-folder';
import { keyFileSecretStore } from './secrets/key-file';
import {
  createValidationPool,
  DEFAULT_MAX_BYTES,
  RULESET_VERSION,
  tooLargeMessage,
  type CheckResult,
  type ValidationPool,
} from './validation';
import {
  accessPointLabel,
  RESPONSE_STATES,
  type DocumentFilter,
  type DocumentState,
  type IncomingFile,
} from './contract';
import { STATUS_WORDS } from './domain/status-words';
import { BRIEF_CHUNK, type DocumentBrief, type DocumentRecord } from './store/documents-repo';

// Problem code of documents held for another access point (app/queue/pipeline.ts); a copy, so
// `validate` does not load the pipeline.
const ACCESS_POINT_CHANGED = 'ACCESS_POINT_CHANGED';

declare const __PEPPOL_DESK_VERSION__: string | undefined;
const VERSION = typeof __PEPPOL_DESK_VERSION__ === 'string' ? __PEPPOL_DESK_VERSION__ : '0.0.0';

/** Where the built bundles live (the folder of this file once bundled). */
const DIST_DIR = typeof __dirname === 'string' ? __dirname : process.cwd();

/** A file found on disk: its display name (as given, or relative to the folder) and path. */
interface FoundFile {
  name: string;
  path: string;
}

/** A file in a folder that was not taken, and why (in words). */
export interface SkippedFile {
  name: string;
  why: string;
}

/**
 * Expand files and folders into files. Folders are walked recursively for `.xml` files (any
 * case); links are not followed; files named explicitly are taken whatever their name. What a
 * folder holds that is not taken is listed in `skipped`. Sorted for a stable order.
 */
export function collectFiles(inputs: string[]): {
  files: FoundFile[];
  missing: string[];
  skipped: SkippedFile[];
  /** Files and missing inputs together, in the order the arguments were given. */
  ordered: (FoundFile | { name: string; path: null })[];
} {
  const files: FoundFile[] = [];
  const missing: string[] = [];
  const skipped: SkippedFile[] = [];
  const ordered: (FoundFile | { name: string; path: null })[] = [];
  for (const input of inputs) {
    if (!existsSync(input)) {
      missing.push(input);
      ordered.push({ name: input, path: null });
      continue;
    }
    if (statSync(input).isDirectory()) {
      const walk = (dir: string) => {
        for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
          a.name.localeCompare(b.name),
        )) {
          const p = join(dir, entry.name);
          const name = relative(input, p);
          if (entry.isDirectory()) walk(p);
          else if (entry.isSymbolicLink())
            skipped.push({ name, why: 'a link (links are not followed)' });
          else if (!entry.isFile()) skipped.push({ name, why: 'not a regular file' });
          else if (entry.name.startsWith('.')) skipped.push({ name, why: 'a hidden file' });
          else if (!/\.xml$/i.test(entry.name))
            skipped.push({ name, why: 'not an XML file (only .xml files are invoices)' });
          else {
            const found = { name, path: p };
            files.push(found);
            ordered.push(found);
          }
        }
      };
      walk(input);
    } else {
      const found = { name: input, path: input };
      files.push(found);
      ordered.push(found);
    }
  }
  return { files, missing, skipped, ordered };
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('Expected a whole number.');
  return n;
}

interface SendOptions {
  endpoint?: string;
  apiKey?: string;
  apiKeyFile?: string;
  dataDir?: string;
  json?: boolean;
  concurrency?: number;
  waitDelivery?: boolean;
  /** With --wait-delivery: wait up to this many seconds after delivery for the buyer's response. */
  waitResponse?: number;
  latencyMs?: number;
  batch?: number | false;
  gzip?: boolean;
  rate?: number;
  metricsPort?: number;
}

/**
 * The key held in memory for this run only (what the engine's memorySecretStore does; not
 * imported from there so that commands that only read do not load the engine). Keys used at
 * earlier access points are kept for this run too.
 */
function keyInMemory(key: string): SecretStore {
  let current: string | null = key;
  const earlier = new Map<string, string>();
  return {
    getApiKey: () => current,
    setApiKey: (k) => {
      current = k;
    },
    getEarlierKey: (ap) => earlier.get(ap) ?? null,
    setEarlierKey: (ap, k) => {
      if (k) earlier.set(ap, k);
      else earlier.delete(ap);
    },
  };
}

/**
 * Where the API key comes from: `--api-key-file`, else PEPPOL_DESK_API_KEY, else `--api-key`
 * (visible to every user in the process list, hence the warning), else the key stored in the
 * data folder.
 */
export function secretsFor(
  opts: { apiKey?: string; apiKeyFile?: string },
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
) {
  if (opts.apiKeyFile !== undefined) {
    let key: string;
    try {
      key = readFileSync(opts.apiKeyFile, 'utf8').trim();
    } catch (err) {
      throw new Error(
        `The API key file ${opts.apiKeyFile} could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
      );
    }
    if (key === '') throw new Error(`The API key file ${opts.apiKeyFile} is empty.`);
    return keyInMemory(key);
  }
  const fromEnv = env.PEPPOL_DESK_API_KEY?.trim();
  if (fromEnv) return keyInMemory(fromEnv);
  if (opts.apiKey) {
    process.stderr.write(
      'Note: --api-key is visible to other users of this computer (process list); prefer PEPPOL_DESK_API_KEY or --api-key-file.\n',
    );
    return keyInMemory(opts.apiKey);
  }
  return keyFileSecretStore(dataDir);
}

/** `--batch N|off`: a batch size from 1 to 100, or off (single sends only). */
function batchOption(value: string): number | false {
  if (value === 'off' || value === 'false' || value === '0') return false;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new InvalidArgumentError('Expected a batch size from 1 to 100, or "off".');
  }
  return n;
}

/** `--rate R`: requests per second, a positive number. */
function rateOption(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('Expected requests per second above 0.');
  return n;
}

/**
 * The engine (and with it the HTTP client, SQLite, metrics and the file watcher) loads only for
 * the commands that use it: `validate` starts in a fraction of the time (issue 10, item 6).
 */
function loadEngine() {
  return import('./engine');
}

async function sendCommand(inputs: string[], opts: SendOptions): Promise<number> {
  const started = performance.now();
  const dataDir = resolve(opts.dataDir ?? defaultDataDir());
  mkdirSync(dataDir, { recursive: true });
  const { files, missing, skipped } = collectFiles(inputs);
  for (const m of missing) process.stderr.write(`Not found: ${m}\n`);
  if (skipped.length > 0) {
    process.stderr.write(`Skipped ${skipped.length} file(s) that are not invoices:\n`);
    for (const k of skipped) process.stderr.write(`  ${k.name}: ${k.why}\n`);
  }
  const { createEngine } = await loadEngine();
  const secrets = secretsFor(opts, dataDir);
  const engine = await createEngine({
    dataDir,
    secrets,
    host: 'cli',
    version: VERSION,
    endpoint: opts.endpoint ?? null,
    validationWorker: join(DIST_DIR, 'validation-worker.cjs'),
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
    ...(opts.latencyMs !== undefined ? { sandboxLatencyMs: opts.latencyMs } : {}),
    ...(opts.batch !== undefined ? { batching: opts.batch } : {}),
    ...(opts.gzip ? { gzip: true } : {}),
    ...(opts.rate !== undefined ? { requestsPerSecond: opts.rate } : {}),
    ...(opts.metricsPort !== undefined ? { metricsPort: opts.metricsPort } : {}),
    trackDelivery: Boolean(opts.waitDelivery),
  });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await engine.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(130));
  process.once('SIGTERM', () => void stop(143));

  if (!opts.json) {
    const where = engine.sandbox ? 'the built-in SANDBOX access point' : engine.endpoint;
    process.stderr.write(`Sending ${files.length} file(s) to ${where} (data: ${dataDir})\n`);
  }
  const { ids, notAdded } = await addAll(engine, files);
  await engine.waitUntilSettled(ids, { includeAccepted: !opts.waitDelivery });
  if (opts.waitDelivery && opts.waitResponse)
    await waitForResponses(engine, ids, opts.waitResponse);
  // Files that never became documents (missing, unreadable, too large, empty) failed too.
  const summary = summarize(
    engine,
    ids,
    missing.length + notAdded,
    (performance.now() - started) / 1000,
    Boolean(opts.waitDelivery),
    // Each document that did not end as sent says why (stderr, also with --json).
    (r, counted) => {
      if (r.problem_code === ACCESS_POINT_CHANGED) return;
      if (r.problem_message && counted !== 'sent') {
        process.stderr.write(`${r.file_name}: ${r.problem_message}\n`);
      }
    },
  );
  const elsewhere = reportPinnedElsewhere(engine, ids);
  if (!opts.json) {
    process.stdout.write(
      `${summary.sent} sent, ${summary.failed} failed, ${summary.rejected} rejected by the buyer, ${summary.invalid} invalid, ${summary.duplicates} held as duplicates, of ${summary.total} in ${summary.seconds} s\n`,
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
    process.stdout.write(JSON.stringify({ ...summary, ...extra }) + '\n');
  }
  stopping = true;
  await engine.stop();
  return summary.failed + summary.rejected + summary.invalid + summary.duplicates + elsewhere > 0
    ? 1
    : 0;
}

/**
 * Documents among `ids` queued for another access point than this run's: they were left alone.
 * Names them (stderr) with how to send them through this one; returns how many.
 */
function reportPinnedElsewhere(engine: Engine, ids: number[]): number {
  // Brief rows first (small columns, in chunks); whole rows only for the few held here.
  const heldIds: number[] = [];
  for (let i = 0; i < ids.length; i += BRIEF_CHUNK)
    for (const b of engine.repo.briefs(ids.slice(i, i + BRIEF_CHUNK)))
      if (b.state === 'held' && b.problem_code === ACCESS_POINT_CHANGED) heldIds.push(b.id);
  const held = heldIds
    .map((id) => engine.repo.get(id))
    .filter((r): r is DocumentRecord => r !== undefined);
  if (held.length === 0) return 0;
  const here = accessPointLabel(engine.sandbox ? 'sandbox' : engine.endpoint, engine.environment);
  const groups = new Map<string, DocumentRecord[]>();
  for (const r of held) {
    const where = accessPointLabel(r.access_point, r.environment);
    groups.set(where, [...(groups.get(where) ?? []), r]);
  }
  for (const [where, list] of groups) {
    process.stderr.write(
      `${list.length} document(s) were queued for ${where}, not ${here}, and were left alone: ${list
        .map((r) => `#${r.id} ${r.file_name}`)
        .join(', ')}\n`,
    );
  }
  process.stderr.write(
    `To send them through ${here}: peppol-desk reroute ${held.map((r) => r.id).join(' ')} (with the same --endpoint / --api-key)\n`,
  );
  return held.length;
}

async function rerouteCommand(
  ids: string[],
  opts: SendOptions & { all?: boolean },
): Promise<number> {
  if (!opts.all && ids.length === 0) {
    process.stderr.write('Name the documents to send through this access point, or use --all.\n');
    return 2;
  }
  const engine = await openQuiet(opts.dataDir, true, opts);
  try {
    const targets = opts.all ? engine.repo.heldFor(null) : parseIds(ids);
    // Unknown ids are refused before anything moves, as retry, cancel and send-anyway do.
    if (!opts.all) requireKnownIds(engine, targets);
    const { rerouted } = await engine.handlers['documents:reroute']({ ids: targets });
    const here = accessPointLabel(engine.sandbox ? 'sandbox' : engine.endpoint, engine.environment);
    process.stderr.write(`Sending ${rerouted} document(s) through ${here}\n`);
    await engine.waitUntilSettled(targets, { includeAccepted: true });
    const summary = summarize(engine, targets, 0, 0);
    process.stdout.write(
      opts.json
        ? JSON.stringify(summary) + '\n'
        : `${summary.sent} sent, ${summary.failed} failed\n`,
    );
    return rerouted < targets.length || summary.failed + summary.invalid > 0 ? 1 : 0;
  } finally {
    await engine.stop();
  }
}

/**
 * Wait (bounded) until every delivered document has the buyer's business response: a rejection
 * that arrives a moment after delivery is then counted as one, not as sent.
 */
async function waitForResponses(engine: Engine, ids: number[], seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const waiting = ids.some((id) => engine.repo.get(id)?.state === 'delivered');
    if (!waiting) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Read and add files in chunks, so memory stays flat for large folders. Files over the size
 * limit are refused from their size, never read. Returns every id, and how many files could not
 * be added at all (unreadable, too large, or refused such as empty files).
 */
async function addAll(
  engine: Engine,
  files: FoundFile[],
): Promise<{ ids: number[]; notAdded: number }> {
  const ids: number[] = [];
  let notAdded = 0;
  const limit = (await engine.handlers['settings:get'](undefined)).maxDocumentBytes;
  // Chunks are bounded by bytes as well as by count (500 files of 15 MB would be 7.5 GB); a small
  // first chunk lets the first sends leave while the rest is read.
  const FIRST_CHUNK = 64;
  const CHUNK = 500;
  const CHUNK_BYTES = 32 * 1024 * 1024;
  for (let i = 0; i < files.length;) {
    const chunk: IncomingFile[] = [];
    const most = i === 0 ? FIRST_CHUNK : CHUNK;
    let chunkBytes = 0;
    for (; i < files.length && chunk.length < most && chunkBytes < CHUNK_BYTES; i++) {
      const f = files[i]!;
      try {
        const size = statSync(f.path).size;
        if (size > limit) {
          process.stderr.write(`${f.name}: ${tooLargeMessage(size, limit)}\n`);
          notAdded++;
          continue;
        }
        const bytes = readFileSync(f.path);
        chunkBytes += bytes.byteLength;
        chunk.push({ name: f.name, bytes });
      } catch (err) {
        notAdded++;
        process.stderr.write(`${f.name}: could not be read (${(err as Error).message})\n`);
      }
    }
    const res = await engine.handlers['documents:add']({ files: chunk });
    for (const a of res.added) ids.push(a.id);
    for (const k of res.known) ids.push(k.id);
    notAdded += res.rejected.length;
    for (const r of res.rejected) process.stderr.write(`${r.fileName}: ${r.message}\n`);
    // Let the pipeline run between chunks: validation, lookups and sending start with the first
    // chunk instead of after the last file is read (the add handler itself is synchronous).
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { ids: [...new Set(ids)], notAdded };
}

/**
/** What a document counts as in a run's summary. */
type Counted = 'sent' | 'failed' | 'rejected' | 'invalid' | 'duplicate' | 'replaced';

/**
 * What a document counts as in a summary, from its last known state. With `delivered` (the run
 * waited for delivery) only documents delivered to the buyer and not rejected count as sent.
 */
function countAs(r: Pick<DocumentBrief, 'state' | 'problem_code'>, delivered: boolean): Counted {
  if (r.state === 'rejected') return 'rejected';
  if (r.state === 'superseded') return 'replaced';
  if (r.state === 'invalid') return 'invalid';
  if (r.state === 'held' && r.problem_code === 'DUPLICATE') return 'duplicate';
  if (r.state === 'accepted') return delivered ? 'failed' : 'sent';
  if (r.state === 'delivered' || (RESPONSE_STATES as string[]).includes(r.state)) return 'sent';
  return 'failed';
}

/**
 * The run's figures from each document's last known state; `notAdded` files (missing, unreadable,
 * empty) count as failed. Reads each document once, in chunks and without its big columns; `each`
 * sees every row with what it counted as (problem lines).
 */
function summarize(
  engine: Engine,
  ids: number[],
  notAdded: number,
  seconds: number,
  delivered = false,
  each?: (r: DocumentBrief, counted: Counted) => void,
) {
  const n = { sent: 0, failed: notAdded, rejected: 0, invalid: 0, duplicate: 0, replaced: 0 };
  for (let i = 0; i < ids.length; i += BRIEF_CHUNK) {
    const chunk = ids.slice(i, i + BRIEF_CHUNK);
    const byId = new Map(engine.repo.briefs(chunk).map((r) => [r.id, r]));
    for (const id of chunk) {
      const r = byId.get(id);
      if (!r) continue;
      const counted = countAs(r, delivered);
      n[counted]++;
      each?.(r, counted);
    }
  }
  return {
    total: ids.length + notAdded,
    sent: n.sent,
    failed: n.failed,
    rejected: n.rejected,
    invalid: n.invalid,
    duplicates: n.duplicate,
    /** Replaced by a corrected file added later (a fix supersedes its failure). */
    replaced: n.replaced,
    seconds: Math.round(seconds * 1000) / 1000,
  };
}

/** Resolves on the next turn of the event loop (lets a closed stdout be noticed). */
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/** One `validate --json` line: a file-level failure (`FILE`, `XML`, `UBL`) or the verdict. */
type ValidateLine = {
  file: string;
  valid: boolean;
  fatal: string[];
  warning: string[];
  ruleset: string;
  message?: string;
};

function intakeLine(file: string, code: string, message: string): ValidateLine {
  return { file, valid: false, fatal: [code], warning: [], ruleset: RULESET_VERSION, message };
}

/** Read one file for checking; a line instead when it cannot be (missing, too large, unreadable). */
function readForCheck(f: { name: string; path: string | null }): Buffer | ValidateLine {
  let size = -1;
  try {
    if (f.path !== null) size = statSync(f.path).size;
  } catch {
    size = -1;
  }
  if (f.path === null || size < 0) {
    return intakeLine(
      f.name,
      'FILE',
      'File not found: check the path, or that the file was not moved or deleted.',
    );
  }
  // Oversized files are refused from their size, unread.
  if (size > DEFAULT_MAX_BYTES) {
    return intakeLine(f.name, 'FILE', tooLargeMessage(size, DEFAULT_MAX_BYTES));
  }
  try {
    return readFileSync(f.path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return intakeLine(f.name, 'FILE', `The file could not be read (${e.code ?? e.message}).`);
  }
}

function resultLine(name: string, res: CheckResult): ValidateLine {
  if (!res.ok) {
    return intakeLine(name, res.error.code === 'UBL' ? 'UBL' : 'XML', res.error.message);
  }
  const ids = (flag: 'fatal' | 'warning') =>
    [...new Set(res.verdict.findings.filter((x) => x.flag === flag).map((x) => x.rule))].sort();
  return {
    file: name,
    valid: res.verdict.valid,
    fatal: ids('fatal'),
    warning: ids('warning'),
    ruleset: res.verdict.ruleset,
  };
}

/**
 * Validate one file in the validation worker (a hostile file costs the worker, never this
 * process); never throws.
 */
async function validateFile(
  pool: ValidationPool,
  f: { name: string; path: string | null },
): Promise<ValidateLine> {
  const bytes = readForCheck(f);
  return Buffer.isBuffer(bytes) ? resultLine(f.name, await pool.check(bytes)) : bytes;
}

async function validateCommand(inputs: string[], opts: { json?: boolean }): Promise<number> {
  const { ordered } = collectFiles(inputs);
  let anyInvalid = false;
  // `validate … | head`: once the reader is gone, stop quietly (no EPIPE stack trace).
  let stdoutClosed = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    stdoutClosed = true;
    process.exit(anyInvalid ? 3 : 0);
  });
  // One worker: a hostile file costs the worker, never this process (one thread, as measured
  // best on 2 cores in docs/performance.md, "Month-end folder"). The next file is read and
  // checked while this one is printed; output stays in order.
  const pool = createValidationPool({
    size: 1,
    workerScript: join(DIST_DIR, 'validation-worker.cjs'),
  });
  const ahead = 2;
  const pending: Promise<ValidateLine>[] = [];
  let next = 0;
  const refill = () => {
    while (pending.length < ahead && next < ordered.length)
      pending.push(validateFile(pool, ordered[next++]!));
  };
  refill();
  for (let i = 0; i < ordered.length; i++) {
    if (stdoutClosed) break;
    const line = await pending.shift()!;
    refill();
    if (!line.valid) anyInvalid = true;
    if (opts.json) process.stdout.write(JSON.stringify(line) + '\n');
    else {
      process.stdout.write(
        `${line.valid ? 'valid  ' : 'INVALID'} ${line.file}${line.fatal.length ? `  ${line.fatal.join(' ')}` : ''}${line.message ? `  ${line.message}` : ''}\n`,
      );
    }
    // Give a closed stdout its chance to be noticed before the next (possibly long) check.
    await nextTurn();
  }
  await pool.close();
  return anyInvalid ? 3 : 0;
}

async function watchCommand(
  folder: string,
  opts: SendOptions & { stableMs?: number; move?: boolean; subfolders?: boolean },
): Promise<number> {
  const watched = resolve(folder);
  if (!existsSync(watched) || !statSync(watched).isDirectory()) {
    process.stderr.write(`Not a folder: ${folder}\n`);
    return 2;
  }
  const dataDir = resolve(opts.dataDir ?? defaultDataDir());
  const refusal = hotFolderRefusal(watched, dataDir);
  if (refusal !== null) {
    process.stderr.write(`${refusal}\n`);
    return 2;
  }
  mkdirSync(dataDir, { recursive: true });
  const { createEngine } = await loadEngine();
  const engine = await createEngine({
    dataDir,
    secrets: secretsFor(opts, dataDir),
    host: 'cli',
    version: VERSION,
    endpoint: opts.endpoint ?? null,
    validationWorker: join(DIST_DIR, 'validation-worker.cjs'),
    ...(opts.latencyMs !== undefined ? { sandboxLatencyMs: opts.latencyMs } : {}),
    hotFolder: watched,
    // --no-move: files stay where they are; otherwise the app's setting (default: move them).
    ...(opts.move === false ? { hotFolderMove: false } : {}),
    ...(opts.subfolders === true ? { hotFolderSubfolders: true } : {}),
    ...(opts.stableMs !== undefined ? { hotFolderStabilityMs: opts.stableMs } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const where = engine.sandbox ? 'the built-in SANDBOX access point' : engine.endpoint;
  process.stdout.write(
    `Watching ${watched} (sending to ${where}; data: ${dataDir}). Press Ctrl+C to stop.\n`,
  );
  // Runs until interrupted; the queue is persisted, so stopping mid-send loses nothing.
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await engine.stop();
  return 0;
}

async function serveCommand(opts: {
  port?: number;
  dataDir?: string;
  endpoint?: string;
  latencyMs?: number;
  open?: boolean;
}): Promise<void> {
  const dataDir = resolve(opts.dataDir ?? defaultDataDir());
  const [{ createEngine }, { startBrowserHost }] = await Promise.all([
    loadEngine(),
    import('./host/browser-host'),
  ]);
  const engine = await createEngine({
    dataDir,
    secrets: keyFileSecretStore(dataDir),
    host: 'browser',
    version: VERSION,
    endpoint: opts.endpoint ?? null,
    validationWorker: join(DIST_DIR, 'validation-worker.cjs'),
    ...(opts.latencyMs !== undefined ? { sandboxLatencyMs: opts.latencyMs } : {}),
  });
  const host = await startBrowserHost({
    engine,
    rendererDir: join(DIST_DIR, 'renderer'),
    port: opts.port ?? 0,
  });
  const label = engine.sandbox ? ' (SANDBOX access point: nothing leaves this machine)' : '';
  process.stdout.write(`Peppol Desk is running at ${host.url}${label}\n`);
  process.stdout.write(`Data folder: ${dataDir}\n`);
  if (opts.open) openBrowser(host.url);
  const shutdown = async () => {
    await host.close();
    await engine.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

function openBrowser(url: string): void {
  const cmd =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  void import('node:child_process').then(({ spawn }) => {
    try {
      const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
      child.on('error', () => undefined);
      child.unref();
    } catch {
      // No browser opener: the URL is printed above.
    }
  });
}

/** Open the engine on a data folder without starting the queue (for list / cancel). */
async function openQuiet(dataDir: string | undefined, autoStart: boolean, opts: SendOptions = {}) {
  const dir = resolve(dataDir ?? defaultDataDir());
  const { createEngine } = await loadEngine();
  return createEngine({
    dataDir: dir,
    secrets: secretsFor(opts, dir),
    host: 'cli',
    version: VERSION,
    endpoint: opts.endpoint ?? null,
    validationWorker: join(DIST_DIR, 'validation-worker.cjs'),
    autoStart,
    trackDelivery: false,
  });
}

function parseIds(ids: string[]): number[] {
  const out = ids.map(Number);
  if (out.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new InvalidArgumentError(
      'Document ids are whole numbers, as shown by `peppol-desk list`.',
    );
  }
  return out;
}

/**
 * `list | head`: once the reader is gone, stop quietly with `code()` (no EPIPE stack trace).
 * Returns a check of whether stdout was closed.
 */
function exitQuietlyOnClosedPipe(code: () => number): () => boolean {
  let closed = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed = true;
    process.exit(code());
  });
  return () => closed;
}

/** An error in what the user typed: said plainly, exit code 2. */
class UsageError extends Error {}

const FILTERS: readonly DocumentFilter[] = ['all', 'attention', 'progress', 'sent'];

/** The ids that name no document, as a usage error (exit 2), or nothing. */
function requireKnownIds(engine: Engine, ids: number[]): void {
  const unknown = ids.filter((id) => !engine.repo.get(id));
  if (unknown.length > 0) {
    throw new UsageError(
      `No document ${unknown.map((id) => `#${id}`).join(', ')}: check the number with \`peppol-desk list\`.`,
    );
  }
}

/** Runs a command; a UsageError is printed and gives exit code 2. */
async function usage(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
}

async function listCommand(opts: {
  dataDir?: string;
  filter?: string;
  json?: boolean;
}): Promise<number> {
  const filter = (opts.filter ?? 'all') as DocumentFilter;
  if (!FILTERS.includes(filter)) {
    throw new UsageError(`Unknown filter "${opts.filter}": use one of ${FILTERS.join(', ')}.`);
  }
  exitQuietlyOnClosedPipe(() => 0);
  const engine = await openQuiet(opts.dataDir, false);
  try {
    const { rows, total, counts } = engine.handlers['documents:list']({ filter, limit: 5000 }) as {
      rows: import('./contract').DocumentRow[];
      total: number;
      counts: import('./contract').StateCounts;
    };
    if (opts.json) {
      for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
    } else {
      for (const r of rows) {
        process.stdout.write(
          `#${r.id}\t${STATUS_WORDS[r.state]}\t${r.invoiceNumber ?? '-'}\t${r.fileName}${r.problem ? `\t${r.problem.message}` : ''}\n`,
        );
      }
      const nonZero = (Object.entries(counts) as [DocumentState, number][]).filter(
        ([, n]) => n > 0,
      );
      process.stdout.write(
        `${total} document(s): ${nonZero.map(([s, n]) => `${n} ${STATUS_WORDS[s].toLowerCase()}`).join(', ')}\n`,
      );
    }
    return 0;
  } finally {
    await engine.stop();
  }
}

async function retryCommand(
  ids: string[],
  opts: SendOptions & { allFailed?: boolean },
): Promise<number> {
  if (!opts.allFailed && ids.length === 0) {
    process.stderr.write('Name the documents to retry, or use --all-failed.\n');
    return 2;
  }
  const engine = await openQuiet(opts.dataDir, true, opts);
  try {
    const targets = opts.allFailed ? undefined : parseIds(ids);
    if (targets) requireKnownIds(engine, targets);
    const before = opts.allFailed ? engine.repo.idsInStates(['failed', 'unreachable']) : targets!;
    const { retried } = await engine.handlers['documents:retry'](
      opts.allFailed ? { allFailed: true } : { ids: targets! },
    );
    process.stderr.write(`Retrying ${retried} document(s)\n`);
    await engine.waitUntilSettled(before, { includeAccepted: true });
    reportPinnedElsewhere(engine, before);
    const summary = summarize(engine, before, 0, 0);
    process.stdout.write(
      opts.json
        ? JSON.stringify(summary) + '\n'
        : `${summary.sent} sent, ${summary.failed} failed\n`,
    );
    return summary.failed + summary.rejected + summary.invalid > 0 ? 1 : 0;
  } finally {
    await engine.stop();
  }
}

async function sendAnywayCommand(ids: string[], opts: SendOptions): Promise<number> {
  const engine = await openQuiet(opts.dataDir, true, opts);
  try {
    const list = parseIds(ids);
    requireKnownIds(engine, list);
    const res = await invokeHandler(engine.handlers, 'documents:sendAnyway', { ids: list });
    if (!res.ok) {
      process.stderr.write(`${res.error.message}\n`);
      return 1;
    }
    const { released } = res.value as { released: number };
    if (released < list.length) {
      process.stderr.write(
        `${list.length - released} of ${list.length} were not held as possible duplicates, so there was nothing to decide.\n`,
      );
    }
    await engine.waitUntilSettled(list, { includeAccepted: true });
    const summary = summarize(engine, list, 0, 0);
    process.stdout.write(`${summary.sent} sent, ${summary.failed} failed\n`);
    return summary.sent === list.length ? 0 : 1;
  } finally {
    await engine.stop();
  }
}

async function cancelCommand(ids: string[], opts: { dataDir?: string }): Promise<number> {
  const engine = await openQuiet(opts.dataDir, false);
  try {
    const list = parseIds(ids);
    requireKnownIds(engine, list);
    const res = await invokeHandler(engine.handlers, 'documents:cancel', { ids: list });
    if (!res.ok) {
      process.stderr.write(`${res.error.message}\n`);
      return 1;
    }
    const { cancelled, refused = [] } = res.value as {
      cancelled: number;
      refused?: { id: number; message: string }[];
    };
    for (const r of refused) process.stderr.write(`#${r.id}: ${r.message}\n`);
    process.stdout.write(
      `${cancelled} of ${list.length} cancelled${cancelled < list.length ? ' (documents already sent, or that may have reached the access point, cannot be cancelled)' : ''}\n`,
    );
    return cancelled === list.length ? 0 : 1;
  } finally {
    await engine.stop();
  }
}

/** Build the command-line program. */
export function buildProgram(): Command {
  const program = new Command('peppol-desk')
    .description('Send Peppol BIS Billing 3.0 invoices through your access point provider.')
    .version(VERSION);

  program
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
    .option('--json', 'print one JSON summary line')
    .option('--concurrency <n>', 'sends in flight', positiveInt)
    .option('--wait-delivery', 'wait until delivered, not only accepted by the access point')
    .option(
      '--wait-response <s>',
      "with --wait-delivery: wait up to s seconds for the buyer's business response",
      positiveInt,
    )
    .option('--latency-ms <ms>', 'added latency of the built-in sandbox', positiveInt)
    .option(
      '--batch <n|off>',
      'documents per batch request (1-100), or off for single sends',
      batchOption,
    )
    .option('--gzip', 'gzip request bodies (falls back to plain on 415)')
    .option('--rate <r>', 'at most this many requests per second', rateOption)
    .option('--metrics-port <port>', 'serve Prometheus metrics on 127.0.0.1:<port>', positiveInt)
    .action(async (paths: string[], opts: SendOptions) => {
      process.exitCode = await sendCommand(paths, opts);
    });

  program
    .command('list')
    .description('List the documents in the data folder.')
    .option('--data-dir <dir>', 'data folder')
    .option('--filter <f>', 'attention | progress | sent | responded | all', 'all')
    .option('--json', 'one JSON line per document')
    .action(async (opts: { dataDir?: string; filter?: string; json?: boolean }) => {
      process.exitCode = await usage(() => listCommand(opts));
    });

  program
    .command('retry')
    .description('Retry failed documents (by id, or all of them) and wait until they are sent.')
    .argument('[ids...]', 'document ids (see `list`)')
    .option('--all-failed', 'every failed or unreachable document')
    .option('--data-dir <dir>', 'data folder')
    .option('--endpoint <url>', 'provider base URL')
    .option('--api-key <key>', 'provider API key')
    .option(
      '--api-key-file <file>',
      'read the provider API key from this file (or set PEPPOL_DESK_API_KEY)',
    )
    .option('--json', 'print one JSON summary line')
    .action(async (ids: string[], opts: SendOptions & { allFailed?: boolean }) => {
      process.exitCode = await usage(() => retryCommand(ids, opts));
    });

  program
    .command('reroute')
    .description(
      'Send documents queued for another access point through the one given here (the explicit step; nothing else moves them).',
    )
    .argument('[ids...]', 'document ids (see `list`)')
    .option('--all', 'every document waiting for another access point')
    .option('--data-dir <dir>', 'data folder')
    .option('--endpoint <url>', 'provider base URL')
    .option('--api-key <key>', 'provider API key')
    .option(
      '--api-key-file <file>',
      'read the provider API key from this file (or set PEPPOL_DESK_API_KEY)',
    )
    .option('--json', 'print one JSON summary line')
    .action(async (ids: string[], opts: SendOptions & { all?: boolean }) => {
      process.exitCode = await usage(() => rerouteCommand(ids, opts));
    });

  program
    .command('cancel')
    .description('Cancel documents that were not sent yet.')
    .argument('<ids...>', 'document ids (see `list`)')
    .option('--data-dir <dir>', 'data folder')
    .action(async (ids: string[], opts: { dataDir?: string }) => {
      process.exitCode = await usage(() => cancelCommand(ids, opts));
    });

  program
    .command('send-anyway')
    .description('Send documents held as possible duplicates anyway, and wait until they are sent.')
    .argument('<ids...>', 'document ids (see `list`)')
    .option('--data-dir <dir>', 'data folder')
    .option('--endpoint <url>', 'provider base URL')
    .option('--api-key <key>', 'provider API key')
    .option(
      '--api-key-file <file>',
      'read the provider API key from this file (or set PEPPOL_DESK_API_KEY)',
    )
    .action(async (ids: string[], opts: SendOptions) => {
      process.exitCode = await usage(() => sendAnywayCommand(ids, opts));
    });

  program
    .command('validate')
    .description('Check files against Peppol BIS Billing 3.0 locally (no network).')
    .argument('<paths...>', 'files or folders')
    .option('--json', 'one JSON line per file')
    .action(async (paths: string[], opts: { json?: boolean }) => {
      process.exitCode = await validateCommand(paths, opts);
    });

  program
    .command('watch')
    .description(
      'Watch a folder: send each invoice saved into it, then move it to sent/ or failed/. Runs until Ctrl+C.',
    )
    .argument('<folder>', 'the folder to watch')
    .option('--data-dir <dir>', 'data folder')
    .option('--endpoint <url>', 'provider base URL')
    .option('--api-key <key>', 'provider API key')
    .option(
      '--api-key-file <file>',
      'read the provider API key from this file (or set PEPPOL_DESK_API_KEY)',
    )
    .option('--latency-ms <ms>', 'added latency of the built-in sandbox', positiveInt)
    .option(
      '--stable-ms <ms>',
      'how long a new file must keep its size before it is taken',
      positiveInt,
    )
    .option('--no-move', 'leave files in the folder instead of moving them to sent/ or failed/')
    .option('--subfolders', "also take files in the folder's subfolders")
    .action(
      async (
        folder: string,
        opts: SendOptions & { stableMs?: number; move?: boolean; subfolders?: boolean },
      ) => {
        process.exitCode = await watchCommand(folder, opts);
      },
    );

  program
    .command('serve')
    .description('Run the app in your browser (used when Electron is not installed).')
    .option('--port <port>', 'port on 127.0.0.1 (0 = any free port)', positiveInt)
    .option('--data-dir <dir>', 'data folder')
    .option('--endpoint <url>', 'provider base URL')
    .option('--latency-ms <ms>', 'added latency of the built-in sandbox', positiveInt)
    .option('--open', 'open the page in the default browser')
    .action(serveCommand);

  program
    .command('sandbox')
    .description('Run the sandbox access point on its own.')
    .option('--port <port>', 'port', positiveInt, 8080)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--latency-ms <ms>', 'added latency per request', positiveInt, 0)
    .option('--rate <r>', 'requests per second before answering 429', positiveInt)
    .option('--step-ms <ms>', 'time between transaction states', positiveInt)
    .action(
      async (opts: {
        port: number;
        host: string;
        latencyMs: number;
        rate?: number;
        stepMs?: number;
      }) => {
        const { runSandboxCommand } = await import('./sandbox/standalone');
        await runSandboxCommand(opts);
      },
    );
  return program;
}
