/**
 * The built-in sandbox access point of an engine (no API key, no provider URL): on a thread of its
 * own when the host gives the built worker script, otherwise on the engine's thread.
 *
 * On the engine's thread, the sandbox's answers (parsing every document of a batch of 100, up to
 * 169 ms at a time at 100,000 documents) took turns with the engine's own work, so the page's
 * lists waited behind both (issue 9 point 5). On its own thread it is the same server with the
 * same state (transactions moving on, keys, counts), reached over loopback as before; only its
 * counters and faults are not at hand for tests (`inThread` is null there: tests that drive the
 * sandbox start the engine without the script).
 */
import { Worker } from 'node:worker_threads';
import type { SandboxHandle } from './types';
import type { SandboxThreadMessage, SandboxThreadOptions } from './thread-messages';

/** The built-in sandbox in use by an engine, wherever it runs. */
export interface BuiltInSandbox {
  /** Base URL including the base path. */
  readonly url: string;
  /** The server's handle when it runs on the engine's thread (tests drive it); null on its own thread. */
  readonly inThread: SandboxHandle | null;
  /** When it started (ms since the epoch): it knows nothing of what was sent before. */
  readonly startedAt: number;
  /** Stop listening (and end its thread). */
  close(): Promise<void>;
}

/** Where and how to start the built-in sandbox. */
export interface BuiltInSandboxOptions extends SandboxThreadOptions {
  /** The built worker script (dist/sandbox-worker.cjs); on the engine's thread when absent. */
  script?: string;
}

/**
 * Start the built-in sandbox: on its own thread when a script is given, on this thread otherwise
 * or when the thread cannot start (the first start of the app must work in any case).
 */
export async function startBuiltInSandbox(options: BuiltInSandboxOptions): Promise<BuiltInSandbox> {
  const { script, ...sandboxOptions } = options;
  // Before it listens: everything it accepts is accepted after this.
  const startedAt = Date.now();
  if (script !== undefined) {
    const threaded = await startThread(script, sandboxOptions, startedAt).catch(() => null);
    if (threaded) return threaded;
  }
  // Loaded only when it runs here: a provider's URL (or `--endpoint`) never needs it.
  const { startSandbox } = await import('./server');
  const handle = await startSandbox(sandboxOptions);
  return { url: handle.url, inThread: handle, startedAt, close: () => handle.close() };
}

function startThread(
  script: string,
  options: SandboxThreadOptions,
  startedAt: number,
): Promise<BuiltInSandbox> {
  const worker = new Worker(script, { workerData: options });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // A failing thread must not take the engine down with an unhandled 'error'; its sends then fail
  // as they would against any access point that stopped answering (the header says Offline).
  worker.on('error', (err) => {
    process.emitWarning(`Peppol Desk's built-in Sandbox stopped: ${err.message}`);
  });
  return new Promise<BuiltInSandbox>((resolve, reject) => {
    const onStart = (msg: SandboxThreadMessage): void => {
      if ('ready' in msg) {
        worker.off('message', onStart);
        resolve(threadHandle(worker, msg.ready.url, exited, startedAt));
      } else if ('failed' in msg) {
        worker.off('message', onStart);
        reject(new Error(msg.failed));
        void worker.terminate();
      }
    };
    worker.on('message', onStart);
    void exited.then(() => reject(new Error('The sandbox thread ended before it listened.')));
  });
}

function threadHandle(
  worker: Worker,
  url: string,
  exited: Promise<void>,
  startedAt: number,
): BuiltInSandbox {
  let closing: Promise<void> | null = null;
  return {
    url,
    inThread: null,
    startedAt,
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => {
          worker.on('message', (msg: SandboxThreadMessage) => {
            if ('closed' in msg) resolve();
          });
          void exited.then(resolve);
        });
        worker.postMessage('close');
        await closed;
        await worker.terminate();
      })();
      return closing;
    },
  };
}
