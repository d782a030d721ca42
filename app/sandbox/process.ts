import { spawn, type ChildProcess } from 'node:child_process';
import type { FaultPlan, SandboxStats } from './types';

/** Options of {@link spawnSandboxProcess}. */
export interface SandboxProcessOptions {
  /** Path of the built process entry (dist/sandbox.cjs, built from app/sandbox/process-entry.ts). */
  entryPath: string;
  port?: number;
  host?: string;
  latencyMs?: number;
  rate?: number;
  batchesPerMinute?: number;
  stepMs?: number;
  basePath?: string;
  faults?: FaultPlan;
  /** Node binary; default process.execPath (ELECTRON_RUN_AS_NODE is set, so Electron works too). */
  nodePath?: string;
  /** How long to wait for `SANDBOX_READY`; default 15 s. */
  readyTimeoutMs?: number;
}

/** How a sandbox process ended. */
export interface SandboxExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A sandbox running in a child process. */
export interface SandboxProcess {
  /** Base URL including basePath. */
  url: string;
  pid: number;
  /** Counters, from `GET <url>/_sandbox/stats`. */
  stats(): Promise<SandboxStats>;
  /** Replace the fault plan (`POST <url>/_sandbox/faults`). */
  setFaults(plan: FaultPlan): Promise<void>;
  /** Forget all state (`POST <url>/_sandbox/reset`). */
  reset(): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs` (default 5 s). */
  stop(timeoutMs?: number): Promise<SandboxExit>;
  /** Send a signal as is. */
  kill(signal?: NodeJS.Signals): boolean;
  /** Settles when the process exits. */
  exited: Promise<SandboxExit>;
}

const READY_PREFIX = 'SANDBOX_READY ';

/**
 * Spawn the sandbox as a separate process (for tests and benchmarks that must not share the
 * event loop with the client) and wait until it reports `SANDBOX_READY <url>`.
 */
export async function spawnSandboxProcess(options: SandboxProcessOptions): Promise<SandboxProcess> {
  const args = [options.entryPath, '--watch-stdin'];
  const flag = (name: string, value: string | number | undefined): void => {
    if (value !== undefined) args.push(`--${name}`, String(value));
  };
  flag('port', options.port ?? 0);
  flag('host', options.host);
  flag('latency-ms', options.latencyMs);
  flag('rate', options.rate);
  flag('batches-per-minute', options.batchesPerMinute);
  flag('step-ms', options.stepMs);
  flag('base-path', options.basePath);
  flag('faults', options.faults === undefined ? undefined : JSON.stringify(options.faults));

  const child = spawn(options.nodePath ?? process.execPath, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  const exited = new Promise<SandboxExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await waitForReady(child, exited, options.readyTimeoutMs ?? 15_000);

  const control = async (path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${url}/_sandbox/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`Sandbox control ${path} answered ${res.status}.`);
    return res.json();
  };

  return {
    url,
    pid: child.pid ?? -1,
    stats: async () => (await control('stats')) as SandboxStats,
    setFaults: async (plan) => {
      await control('faults', plan);
    },
    reset: async () => {
      await control('reset', {});
    },
    stop: async (timeoutMs = 5000) => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    kill: (signal = 'SIGTERM') => child.kill(signal),
    exited,
  };
}

function waitForReady(
  child: ChildProcess,
  exited: Promise<SandboxExit>,
  timeoutMs: number,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (err: Error | null, url?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        child.kill('SIGKILL');
        reject(err);
      } else resolve(url!);
    };
    const timer = setTimeout(
      () =>
        finish(
          new Error(`The sandbox process did not report ready within ${timeoutMs} ms. ${stderr}`),
        ),
      timeoutMs,
    );
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      if (settled) return;
      stdout += chunk;
      // Only complete lines: a chunk may end in the middle of the URL.
      for (const line of stdout.split('\n').slice(0, -1)) {
        if (line.startsWith(READY_PREFIX)) finish(null, line.slice(READY_PREFIX.length).trim());
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', (err) => finish(err));
    void exited.then(({ code, signal }) =>
      finish(
        new Error(
          `The sandbox process exited (code ${code}, signal ${signal}) before it was ready. ${stderr}`,
        ),
      ),
    );
  });
}
