// The standalone sandbox and `peppol-desk watch` as the watch benches run them
// (watch-rate-limit.mjs, pace-change.mjs): each in its own process, from a dist folder.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** `<dist>/sandbox.cjs --port 0 ...args`, resolved with its URL once it says it is ready. */
export async function startSandbox(dist, args = []) {
  const child = spawn(process.execPath, [join(dist, 'sandbox.cjs'), '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((done, fail) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c) => {
      out += c;
      const m = /SANDBOX_READY (\S+)/.exec(out);
      if (m) done(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`sandbox exited (${code})`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

/**
 * `<dist>/cli.cjs watch <folder> --endpoint <url> --data-dir <dataDir> --stable-ms 100`, counting
 * the files it moves to sent/ and failed/ from its log (`counts()`); `onLine` runs after each
 * line it logs.
 */
export function startWatch(dist, folder, endpoint, dataDir, onLine = () => {}) {
  const child = spawn(
    process.execPath,
    [
      join(dist, 'cli.cjs'),
      'watch',
      folder,
      '--endpoint',
      endpoint,
      '--data-dir',
      dataDir,
      '--stable-ms',
      '100',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const filed = { sent: 0, failed: 0 };
  let rest = '';
  child.stderr.setEncoding('utf8').on('data', (c) => {
    const lines = (rest + c).split('\n');
    rest = lines.pop();
    for (const line of lines) {
      if (line.endsWith('→ sent/')) filed.sent++;
      else if (line.endsWith('→ failed/')) filed.failed++;
    }
    onLine(filed);
  });
  return {
    counts: () => filed,
    stop: () => {
      child.kill('SIGTERM');
      return new Promise((done) => (child.exitCode !== null ? done() : child.once('exit', done)));
    },
    exited: new Promise((done) => child.once('exit', done)),
  };
}
