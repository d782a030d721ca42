// Shared caches micro-benchmark (issue 14): the cost of one shared lookup / verdict read and
// write on a throwaway PostgreSQL and on SQLite, for 1, 10 and 1,000 keys per statement.
//   node test/bench/team-shared.mjs [--rounds 200]
// Prints wall ms per call and this process's CPU ms per call (the database's own CPU is not in it).
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startPostgres } from '../helpers/postgres.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const i = process.argv.indexOf('--rounds');
const ROUNDS = i > 0 ? Number(process.argv[i + 1]) : 200;
const work = mkdtempSync(join(tmpdir(), 'peppol-desk-bench-shared-'));
const bundle = join(root, 'node_modules', '.cache', 'team-shared-bench.mjs');
await build({
  stdin: {
    contents: `export * from ${JSON.stringify(join(root, 'app/team/open-store.ts'))};`,
    resolveDir: root,
    loader: 'ts',
  },
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  loader: { '.sql': 'text' },
  logLevel: 'error',
});
const { openTeamStore } = await import(pathToFileURL(bundle).href);

async function measure(label, rounds, fn) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) await fn(r);
  const wall = (performance.now() - t0) / rounds;
  const c = process.cpuUsage(cpu0);
  const cpu = (c.user + c.system) / 1000 / rounds;
  console.log(
    `  ${label.padEnd(34)} ${wall.toFixed(2).padStart(7)} ms wall  ${cpu.toFixed(2).padStart(6)} ms CPU`,
  );
}

async function run(name, address) {
  const store = openTeamStore(address);
  await store.migrate();
  const ids = Array.from({ length: 1000 }, (_, n) => `0208:${String(n).padStart(10, '0')}`);
  const answer = (id) =>
    JSON.stringify({ found: true, participantId: id, name: 'B', capabilities: null, raw: null });
  const shas = ids.map((_, n) => n.toString(16).padStart(64, '0'));
  console.log(`${name}:`);
  for (const k of [1, 10, 1000]) {
    const rounds = k === 1000 ? Math.max(10, ROUNDS / 10) : ROUNDS;
    await measure(`putLookups ${k} keys`, rounds, () =>
      store.shared.putLookups(
        'ap',
        ids.slice(0, k).map((id) => ({
          participantId: id,
          found: true,
          answerJson: answer(id),
          ttlMs: 3_600_000,
        })),
      ),
    );
    await measure(`lookups ${k} keys (all hits)`, rounds, () =>
      store.shared.lookups('ap', ids.slice(0, k)),
    );
    await measure(`putVerdicts ${k} keys`, rounds, () =>
      store.shared.putVerdicts(
        'rules',
        shas.slice(0, k).map((s) => ({ sha256: s, json: '{"verdict":{},"summary":{}}' })),
      ),
    );
    await measure(`verdicts ${k} keys (all hits)`, rounds, () =>
      store.shared.verdicts('rules', shas.slice(0, k)),
    );
  }
  await store.close();
}

const pg = await startPostgres();
try {
  await run('PostgreSQL', pg.url);
  await run('SQLite', `sqlite:${join(work, 'team.sqlite')}`);
} finally {
  await pg.stop();
  rmSync(work, { recursive: true, force: true });
}
