import { startSandbox } from './server';
import type { FaultPlan, SandboxHandle, SandboxOptions } from './types';

/** Options of the `sandbox` command (CLI flags, already parsed). */
export interface SandboxCommandOptions {
  port?: number;
  host?: string;
  latencyMs?: number;
  /** Requests per second before the sandbox answers 429 (off when absent or 0). */
  rate?: number;
  /** Batches per minute before batch calls get 429 (off when absent or 0). */
  batchesPerMinute?: number;
  /** Time between transaction states, in milliseconds. */
  stepMs?: number;
  basePath?: string;
  /** A fault plan, as an object or as its JSON text. */
  faults?: FaultPlan | string;
}

/** Where the command prints and which signals stop it; tests pass their own. */
export interface SandboxCommandIo {
  /** Prints one line; default writes to stdout. */
  write?: (line: string) => void;
  /** Signal source; default `process`. */
  signals?: Pick<NodeJS.Process, 'once' | 'off'>;
}

/** A sandbox started by {@link runSandboxCommand}; `stopped` settles once it has closed. */
export interface SandboxCommandHandle extends SandboxHandle {
  stopped: Promise<void>;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Turn command options into {@link SandboxOptions}; throws a readable Error on bad input. */
export function toSandboxOptions(o: SandboxCommandOptions): SandboxOptions {
  let faults: FaultPlan | undefined;
  if (typeof o.faults === 'string') {
    try {
      faults = JSON.parse(o.faults) as FaultPlan;
    } catch {
      throw new Error(`--faults must be a JSON fault plan, e.g. '{"status503":{"every":10}}'.`);
    }
  } else {
    faults = o.faults;
  }
  const rate = o.rate ?? 0;
  const batches = o.batchesPerMinute ?? 0;
  return {
    host: o.host,
    port: o.port,
    latencyMs: o.latencyMs,
    basePath: o.basePath,
    transactionStepMs: o.stepMs,
    faults,
    rateLimit:
      rate > 0 || batches > 0
        ? {
            requestsPerSecond: rate > 0 ? rate : undefined,
            batchesPerMinute: batches > 0 ? batches : undefined,
          }
        : undefined,
  };
}

/**
 * Start the sandbox for the `peppol-desk sandbox` command: prints
 * `Sandbox access point listening on <url>` and closes cleanly on SIGINT or SIGTERM.
 */
export async function runSandboxCommand(
  options: SandboxCommandOptions,
  io: SandboxCommandIo = {},
): Promise<SandboxCommandHandle> {
  const write = io.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const signals = io.signals ?? process;
  const sandbox = await startSandbox(toSandboxOptions(options));

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    if (closing === null) {
      for (const signal of STOP_SIGNALS) signals.off(signal, onSignal);
      closing = sandbox.close().finally(resolveStopped);
    }
    return closing;
  };
  const onSignal = (): void => {
    void close();
  };
  for (const signal of STOP_SIGNALS) signals.once(signal, onSignal);

  write(`Sandbox access point listening on ${sandbox.url}`);
  return { ...sandbox, close, stopped };
}

/**
 * Parse `--port 8080 --latency-ms 50 --rate 100 --batches-per-minute 10 --step-ms 50
 * --base-path /peppol-api --host 127.0.0.1 --faults <json>` (also `--flag=value`), falling back to
 * SANDBOX_PORT, SANDBOX_LATENCY_MS, SANDBOX_RATE, SANDBOX_BATCHES_PER_MINUTE, SANDBOX_STEP_MS,
 * SANDBOX_BASE_PATH, SANDBOX_HOST and SANDBOX_FAULTS. Unknown flags are an error.
 */
export function parseSandboxArgs(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): SandboxCommandOptions & { watchStdin: boolean } {
  const values = new Map<string, string>();
  let watchStdin = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--watch-stdin') {
      watchStdin = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new Error(`Unexpected argument ${arg}.`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new Error(`--${name} needs a value.`);
    values.set(name, value);
  }
  const known = [
    'port',
    'host',
    'latency-ms',
    'rate',
    'batches-per-minute',
    'step-ms',
    'base-path',
    'faults',
  ];
  for (const name of values.keys()) {
    if (!known.includes(name))
      throw new Error(`Unknown option --${name}. Known: ${known.map((k) => `--${k}`).join(', ')}.`);
  }
  const text = (name: string): string | undefined =>
    values.get(name) ?? env[`SANDBOX_${name.toUpperCase().replace(/-/g, '_')}`];
  const num = (name: string): number | undefined => {
    const t = text(name);
    if (t === undefined) return undefined;
    const n = Number(t);
    if (!Number.isFinite(n) || n < 0)
      throw new Error(`--${name} must be a number ≥ 0, got "${t}".`);
    return n;
  };
  return {
    port: num('port'),
    host: text('host'),
    latencyMs: num('latency-ms'),
    rate: num('rate'),
    batchesPerMinute: num('batches-per-minute'),
    stepMs: num('step-ms'),
    basePath: text('base-path'),
    faults: text('faults'),
    watchStdin,
  };
}
