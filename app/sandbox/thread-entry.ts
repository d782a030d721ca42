/**
 * Entry point of the built-in sandbox on a thread of its own (built to dist/sandbox-worker.cjs,
 * started by `startBuiltInSandbox` in thread.ts). It runs the same HTTP server as in the engine's
 * thread (`startSandbox`), so parsing each document it is sent no longer waits in line with the
 * engine's work, nor the engine's work behind it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startSandbox } from './server';
import type { SandboxThreadMessage, SandboxThreadOptions } from './thread-messages';

if (parentPort !== null) {
  const port = parentPort;
  const options = workerData as SandboxThreadOptions;
  startSandbox(options).then(
    (sandbox) => {
      port.on('message', (msg: 'close') => {
        if (msg !== 'close') return;
        void sandbox.close().finally(() => {
          const closed: SandboxThreadMessage = { closed: true };
          port.postMessage(closed);
          port.close();
        });
      });
      const ready: SandboxThreadMessage = { ready: { url: sandbox.url, port: sandbox.port } };
      port.postMessage(ready);
    },
    (err: unknown) => {
      const failed: SandboxThreadMessage = {
        failed: err instanceof Error ? err.message : String(err),
      };
      port.postMessage(failed);
      port.close();
    },
  );
}
