import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it, vi } from 'vitest';
import { openTeamStore } from '../../app/team/open-store';
import { makeInvoice } from '../helpers/invoices';
import { bareTeamDoc } from '../helpers/team-docs';
import { useTempDirs } from '../helpers/temp';
import { useTeamBackends } from '../helpers/team-backends';

// Desks are separate processes: three processes claim from one store at once (SQLite file:
// BEGIN IMMEDIATE + busy_timeout; PostgreSQL: SKIP LOCKED) and never get the same document.

const tempDir = useTempDirs();
// Under CI a missing PostgreSQL fails; elsewhere its half skips, saying why.
const [, POSTGRES] = useTeamBackends('team-store-processes', tempDir, 'procs');

const DOCS = 150;
const DESKS = 3;

/** The store bundled for plain node (the test process runs TypeScript, the desks do not). */
async function bundleStore(dir: string): Promise<string> {
  const entry = join(dir, 'desk.ts');
  writeFileSync(
    entry,
    `import { openTeamStore } from ${JSON.stringify(join(process.cwd(), 'app/team/open-store'))};
    void (async () => {
    const [address, desk, go] = process.argv.slice(2);
    const store = openTeamStore(address);
    const { existsSync } = await import('node:fs');
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    // Start together: say ready, wait for the test to say go (bounded).
    await store.counts();
    (await import('node:fs')).writeFileSync(go + '.' + desk, '');
    for (let i = 0; i < 6000 && !existsSync(go); i++) await sleep(5);
    const ids = [];
    for (let round = 0; round < 500; round++) {
      const claims = await store.claim(desk, 4, 30_000);
      if (claims.length === 0) break;
      ids.push(...claims.map((c) => c.id));
      await sleep(5); // "sending": the other desks claim meanwhile
    }
    await store.close();
    process.stdout.write(JSON.stringify(ids));
    })();`,
  );
  const out = join(dir, 'desk.cjs');
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    packages: 'external',
    loader: { '.sql': 'text' },
    logLevel: 'error',
    absWorkingDir: process.cwd(),
  });
  return out;
}

function runDesk(script: string, address: string, desk: string, go: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, address, desk, go],
      {
        cwd: process.cwd(),
        timeout: 60_000,
        // The bundle lives in a temp folder: its packages come from this checkout.
        env: { ...process.env, NODE_PATH: join(process.cwd(), 'node_modules') },
      },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`${err.message}\n${stderr}`))
          : resolve(JSON.parse(stdout) as number[]),
    );
  });
}

async function claimFromProcesses(address: string, dir: string): Promise<void> {
  const store = openTeamStore(address);
  await store.migrate();
  const docs = Array.from({ length: DOCS }, (_, i) =>
    bareTeamDoc(makeInvoice(`PROC-${i}`), `proc-${i}.xml`, `PROC-${i}`),
  );
  const ids = (await store.enqueue('setup', docs)).map((r) => r.id).sort((a, b) => a - b);
  const script = await bundleStore(dir);
  const go = join(dir, 'go');
  const running = Array.from({ length: DESKS }, (_, i) =>
    runDesk(script, address, `desk-${i}`, go),
  );
  await vi.waitFor(
    () => {
      for (let i = 0; i < DESKS; i++)
        if (!existsSync(`${go}.desk-${i}`)) throw new Error('not ready');
    },
    { timeout: 30_000, interval: 20 },
  );
  writeFileSync(go, '');
  const got = await Promise.all(running);
  // They really overlapped (else the test would prove nothing about concurrency).
  expect(got.filter((ids) => ids.length > 0).length).toBeGreaterThanOrEqual(2);
  const all = got.flat();
  expect(new Set(all).size).toBe(all.length);
  expect(all.sort((a, b) => a - b)).toEqual(ids);
  expect((await store.counts()).sending).toBe(DOCS);
  await store.close();
}

describe('desks as separate processes on one store', () => {
  it('SQLite file: no document is claimed twice', async () => {
    const dir = tempDir();
    await claimFromProcesses(`sqlite:${join(dir, 'team.sqlite')}`, dir);
  });

  describe.skipIf(POSTGRES.skip)('PostgreSQL', () => {
    it('no document is claimed twice', async () => {
      await claimFromProcesses(await POSTGRES.newAddress(), tempDir());
    });
  });
});
