// A throwaway PostgreSQL cluster for tests and benchmarks (issue 14): Debian's `postgresql`
// binaries, `initdb` + `pg_ctl` in a temp folder, trust auth, listening on a free 127.0.0.1 port
// and a Unix socket in that folder. As root the server runs as the `postgres` user (PostgreSQL
// refuses to run as root). Plain ES module so the crash harness and the bench can use it unbuilt.
import { execFile, spawnSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const PG_ROOT = '/usr/lib/postgresql';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** The newest `/usr/lib/postgresql/<version>/bin` that has initdb and pg_ctl, or null. */
export function postgresBinDir() {
  if (process.env.PEPPOL_DESK_PG_BIN) return process.env.PEPPOL_DESK_PG_BIN;
  if (!existsSync(PG_ROOT)) return null;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = join(PG_ROOT, v, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return null;
}

/** True when a cluster can be started here (the binaries exist). */
export function hasPostgres() {
  return postgresBinDir() !== null;
}

/** Why no cluster can be started, in one line (for skips outside CI and for failures in CI). */
export const MISSING_POSTGRES =
  'PostgreSQL is not installed: install Debian\'s "postgresql" package (apt-get install -y postgresql) to run the team store tests.';

// Clusters still running, stopped when the process exits (a test that forgot, or a crash).
const running = new Set();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const cluster of running) cluster.stopSync();
  });
}

/** A free TCP port on 127.0.0.1 (the OS picks it; we release it for PostgreSQL to take). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/** Run a PostgreSQL binary, as `postgres` when we are root. */
function asServerUser(bin, args, cwd) {
  return isRoot
    ? { cmd: 'runuser', args: ['-u', 'postgres', '--', bin, ...args], cwd }
    : { cmd: bin, args, cwd };
}

function run(bin, args, cwd) {
  const c = asServerUser(bin, args, cwd);
  return new Promise((resolve, reject) => {
    execFile(c.cmd, c.args, { cwd: c.cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) {
        err.message = `${bin} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`;
        reject(err);
      } else resolve(stdout);
    });
  });
}

/**
 * Start a fresh cluster; `options.port` picks its port, `options.settings` adds server settings
 * (`{ name: value }`, as `-c name=value`: e.g. `shared_preload_libraries` to count statements
 * with pg_stat_statements). Resolves to `{ url, host, port, dir, pgCtl, restart, stop }`:
 * `url` is `postgresql://postgres@127.0.0.1:<port>/postgres` (trust auth, no password);
 * `host` is the Unix socket folder; `restart({ downMs })` stops it (fast) and starts it again
 * after `downMs`; `stop()` stops it and removes its folder (safe to call twice).
 */
export async function startPostgres(options = {}) {
  const bin = postgresBinDir();
  if (!bin) throw new Error(MISSING_POSTGRES);
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), 'peppol-desk-pg-'));
  const data = join(dir, 'data');
  const sockets = join(dir, 'sock');
  const log = join(dir, 'postgres.log');
  mkdirSync(sockets);
  if (isRoot) {
    const { uid, gid } = pgUser();
    chownSync(dir, uid, gid);
    chownSync(sockets, uid, gid);
  }
  let port = options.port ?? (await freePort());
  const pgCtl = join(bin, 'pg_ctl');
  const argsFor = (/** @type {number} */ p) => {
    const serverOptions = [
      '-c listen_addresses=127.0.0.1',
      `-c port=${p}`,
      `-k ${sockets}`,
      // Tests only: a crash of the machine loses the throwaway cluster anyway.
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
      ...Object.entries(options.settings ?? {}).map(([k, v]) => `-c ${k}=${v}`),
    ].join(' ');
    return ['-D', data, '-l', log, '-w', '-t', '60', '-o', serverOptions, 'start'];
  };
  let startArgs = argsFor(port);

  let stopped = false;
  const cluster = {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    host: sockets,
    port,
    dir,
    pgCtl,
    /**
     * Stop and start again after `downMs`. `mode` 'fast' (default) cuts open connections and
     * shuts down cleanly; 'immediate' is a crash (recovery from the WAL at start).
     */
    async restart({ downMs = 0, mode = 'fast' } = {}) {
      if (stopped) throw new Error('This PostgreSQL cluster was stopped.');
      if (mode !== 'fast' && mode !== 'immediate') throw new Error(`Unknown stop mode ${mode}`);
      await run(pgCtl, ['-D', data, '-m', mode, '-w', 'stop'], dir);
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await run(pgCtl, startArgs, dir);
    },
    /** Stop the server and remove its folder; a second call does nothing. */
    async stop() {
      if (stopped) return;
      stopped = true;
      running.delete(cluster);
      try {
        await run(pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop'], dir);
      } catch {
        // Not running (it failed to start, or was stopped by hand): only the folder is left.
      }
      rmSync(dir, { recursive: true, force: true });
    },
    /** For the exit hook: the event loop is gone, so everything here is synchronous. */
    stopSync() {
      if (stopped) return;
      stopped = true;
      running.delete(cluster);
      const c = asServerUser(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], dir);
      spawnSync(c.cmd, c.args, { cwd: c.cwd, stdio: 'ignore', timeout: 30_000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(cluster);
  try {
    await run(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      dir,
    );
    for (let attempt = 1; ; attempt++) {
      try {
        await run(pgCtl, startArgs, dir);
        break;
      } catch (err) {
        const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
        // The port was taken between freePort() and the server's bind (test files start
        // clusters in parallel): another port. Anything else is said with the server's log,
        // which stop() removes with the folder.
        if (options.port === undefined && attempt < 3 && /could not bind|in use/i.test(tail)) {
          port = await freePort();
          startArgs = argsFor(port);
          cluster.port = port;
          cluster.url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
          continue;
        }
        throw new Error(`${/** @type {Error} */ (err).message}\n${tail}`);
      }
    }
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

function pgUser() {
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) {
    throw new Error(
      `Running as ${userInfo().username}: PostgreSQL must run as the "postgres" user, which does not exist. Install Debian's "postgresql" package.`,
    );
  }
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}
