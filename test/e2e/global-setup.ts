import { spawn } from 'node:child_process';
import { waitForUrl } from './support/start-host';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.cjs');
/**
 * Starts the browser host on a free port with a fresh data folder, and hands its address (with
 * the session token) to the tests through PEPPOL_DESK_URL. Returns the teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(CLI) || !existsSync(join(ROOT, 'dist/renderer/index.html'))) {
    throw new Error(
      'dist/ is missing or incomplete: run `node scripts/build.mjs` before the end-to-end tests.',
    );
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'peppol-desk-e2e-'));
  // The host's event-loop blocking, for the performance spec (support/loop-probe.cjs).
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  const loopProbe = join(ROOT, 'test-results', 'host-loop.jsonl');
  // PEPPOL_DESK_HOST_NODE_ARGS: extra node flags for the host (e.g. `--cpu-prof` to profile it).
  const nodeArgs = (process.env.PEPPOL_DESK_HOST_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      '--require',
      join(__dirname, 'support', 'loop-probe.cjs'),
      CLI,
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PEPPOL_DESK_LOOP_PROBE: loopProbe },
    },
  );
  let url: string;
  try {
    url = await waitForUrl(child);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  // Keep draining output so the host never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  process.env.PEPPOL_DESK_URL = url;
  process.env.PEPPOL_DESK_DATA_DIR = dataDir;
  process.env.PEPPOL_DESK_LOOP_PROBE = loopProbe;

  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
}
