/**
 * The one way the CLI turns flags and the environment into engine options: the data folder,
 * the access point (`--endpoint`), the API key (`--api-key-file`, PEPPOL_DESK_API_KEY,
 * `--api-key` with its warning, or the stored key) and the speed knobs.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
// options.ts holds no engine code: commands that only read (validate) still do not load it.
import { memorySecretStore, type Engine, type EngineOptions } from '../engine/options';
import { defaultDataDir } from '../data-dir';
import { keyFileSecretStore } from '../secrets/key-file';
import { positiveInt } from './common';

declare const __PEPPOL_DESK_VERSION__: string | undefined;
/** The version of this build (0.0.0 when run from source). */
export const VERSION =
  typeof __PEPPOL_DESK_VERSION__ === 'string' ? __PEPPOL_DESK_VERSION__ : '0.0.0';

/** Where the built bundles live (the folder of this file once bundled). */
export const DIST_DIR = typeof __dirname === 'string' ? __dirname : process.cwd();

/** The flags that shape the engine; a command registers only the ones it offers. */
export interface EngineFlags {
  dataDir?: string;
  endpoint?: string;
  apiKey?: string;
  apiKeyFile?: string;
  concurrency?: number;
  latencyMs?: number;
  batch?: number | false;
  gzip?: boolean;
  rate?: number;
  metricsPort?: number;
  /** A team outbox (`--store`; else PEPPOL_DESK_STORE). */
  store?: string;
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
    return memorySecretStore(key);
  }
  const fromEnv = env.PEPPOL_DESK_API_KEY?.trim();
  if (fromEnv) return memorySecretStore(fromEnv);
  if (opts.apiKey) {
    process.stderr.write(
      'Note: --api-key is visible to other users of this computer (process list); prefer PEPPOL_DESK_API_KEY or --api-key-file.\n',
    );
    return memorySecretStore(opts.apiKey);
  }
  return keyFileSecretStore(dataDir);
}

/**
 * The team outbox to work on: `--store`, else PEPPOL_DESK_STORE, else none (this data folder's
 * own outbox). A password given with `--store` is visible in the process list: said once, like
 * `--api-key`. The URL itself is never printed.
 */
export function storeFor(
  flags: { store?: string },
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (flags.store) {
    if (hasPassword(flags.store)) {
      process.stderr.write(
        'Note: the password in --store is visible to other users of this computer (process list); prefer PEPPOL_DESK_STORE.\n',
      );
    }
    return flags.store;
  }
  return env.PEPPOL_DESK_STORE?.trim() || undefined;
}

/**
 * A shorter claim lease for the team crash harness and the partition test
 * (PEPPOL_DESK_TEAM_LEASE_MS, 500 ms to 30 min); the desk's default otherwise.
 */
export function teamLeaseFor(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const ms = Number(env.PEPPOL_DESK_TEAM_LEASE_MS);
  return Number.isInteger(ms) && ms >= 500 && ms <= 1_800_000 ? ms : undefined;
}

/** `team` engine options from PEPPOL_DESK_NAME and PEPPOL_DESK_TEAM_LEASE_MS, when set. */
function teamOptionsFor(env: NodeJS.ProcessEnv = process.env): Partial<EngineOptions> {
  const deskName = env.PEPPOL_DESK_NAME?.trim();
  const leaseMs = teamLeaseFor(env);
  if (!deskName && leaseMs === undefined) return {};
  return {
    team: {
      ...(deskName ? { deskName } : {}),
      ...(leaseMs !== undefined ? { leaseMs } : {}),
    },
  };
}

function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}

/** `--batch N|off`: a batch size from 1 to 100, or off (single sends only). */
export function batchOption(value: string): number | false {
  if (value === 'off' || value === 'false' || value === '0') return false;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new InvalidArgumentError('Expected a batch size from 1 to 100, or "off".');
  }
  return n;
}

/** `--rate R`: requests per second, a positive number. */
export function rateOption(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('Expected requests per second above 0.');
  return n;
}

/**
 * The speed knobs of a command that sends (`send`, `watch`): adaptive unless given. `watch` had
 * none, so `watch --concurrency 10` stopped with "unknown option".
 */
export function speedOptions(command: Command): Command {
  return command
    .option('--concurrency <n>', 'sends in flight (fixed; adaptive without it)', positiveInt)
    .option(
      '--batch <n|off>',
      'documents per batch request (1-100), or off for single sends',
      batchOption,
    )
    .option('--gzip', 'gzip request bodies (falls back to plain on 415)')
    .option('--rate <r>', 'at most this many requests per second', rateOption)
    .option('--metrics-port <port>', 'serve Prometheus metrics on 127.0.0.1:<port>', positiveInt);
}

/** The data folder: `--data-dir`, else the user's default, as an absolute path. */
export function dataDirOf(flags: { dataDir?: string }): string {
  return resolve(flags.dataDir ?? defaultDataDir());
}

/**
 * The engine options for a command: the flags it was given, plus what only that command decides
 * (`more`). The key is looked up (`secretsFor`) only when `more` brings no secret store.
 */
export function engineOptions(
  flags: EngineFlags,
  dataDir: string,
  more: Partial<EngineOptions> = {},
): EngineOptions {
  const store = storeFor(flags);
  return {
    dataDir,
    secrets: more.secrets ?? secretsFor(flags, dataDir),
    host: 'cli',
    version: VERSION,
    endpoint: flags.endpoint ?? null,
    validationWorker: join(DIST_DIR, 'validation-worker.cjs'),
    sandboxWorker: join(DIST_DIR, 'sandbox-worker.cjs'),
    // `--concurrency 0` means the engine's default.
    ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
    ...(flags.latencyMs !== undefined ? { sandboxLatencyMs: flags.latencyMs } : {}),
    ...(flags.batch !== undefined ? { batching: flags.batch } : {}),
    ...(flags.gzip ? { gzip: true } : {}),
    ...(flags.rate !== undefined ? { requestsPerSecond: flags.rate } : {}),
    ...(flags.metricsPort !== undefined ? { metricsPort: flags.metricsPort } : {}),
    ...(store ? { store } : {}),
    // This desk on a team outbox: its name (else user@host) and, for the proof, a short lease;
    // also for `serve`, whose team is joined in the page (walk 12: PEPPOL_DESK_NAME was ignored).
    ...teamOptionsFor(),
    ...more,
  };
}

/**
 * The engine (and with it the HTTP client, SQLite, metrics and the file watcher) loads only for
 * the commands that use it: `validate` starts in a fraction of the time (issue 10, item 6).
 */
export async function loadEngine(): Promise<{
  createEngine: (options: EngineOptions) => Promise<Engine>;
}> {
  const engine = await import('../engine');
  return {
    // On a team outbox (`--store`, PEPPOL_DESK_STORE) the same Engine is backed by the team's store.
    createEngine: async (options) =>
      options.store
        ? (await import('../team/engine')).createTeamEngine(options)
        : engine.createEngine(options),
  };
}

/** Open the engine on a data folder without delivery tracking (list, retry, cancel, ...). */
export async function openQuiet(flags: EngineFlags, autoStart: boolean, trackDelivery = false) {
  const { createEngine } = await loadEngine();
  return createEngine(engineOptions(flags, dataDirOf(flags), { autoStart, trackDelivery }));
}
