// Team store micro-benchmark (issue 14): how many documents per second the store itself can
// claim and finish (no access point, no validation), on SQLite and on a throwaway PostgreSQL.
//   node test/bench/team-store.mjs [--docs 3000] [--desks 3] [--loops 10] [--limit 10]
// Each desk is its own store (pool); each runs `loops` claim → finish loops at once.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startPostgres } from '../helpers/postgres.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const DOCS = arg('docs', 3000);
const DESKS = arg('desks', 3);
const LOOPS = arg('loops', 10);
const LIMIT = arg('limit', 10);

const work = mkdtempSync(join(tmpdir(), 'peppol-desk-bench-store-'));
// The store is TypeScript: bundle it (its packages stay in node_modules).
const bundle = join(root, 'node_modules', '.cache', 'team-store-bench.mjs');
await build({
  stdin: {
    contents: [
      `export * from ${JSON.stringify(join(root, 'app/team/open-store.ts'))};`,
      `export { teamKeyOf } from ${JSON.stringify(join(root, 'app/team/store.ts'))};`,
    ].join('\n'),
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
const { openTeamStore, teamKeyOf } = await import(pathToFileURL(bundle).href);

async function run(address, label) {
  const setup = openTeamStore(address);
  await setup.migrate();
  const docs = Array.from({ length: DOCS }, (_, i) => {
    const body = new TextEncoder().encode(`<Invoice><ID>${label}-${i}</ID></Invoice>`);
    return {
      key: teamKeyOf(body),
      fileName: `bench-${i}.xml`,
      body,
      state: 'queued',
      docType: 'Invoice',
      invoiceNumber: `B-${i}`,
      senderId: null,
      receiverId: null,
      buyerName: null,
      amount: null,
      currency: null,
      issueDate: null,
      problem: null,
    };
  });
  let t = performance.now();
  for (let i = 0; i < DOCS; i += 100) await setup.enqueue('bench', docs.slice(i, i + 100));
  const enqueueRate = (DOCS / (performance.now() - t)) * 1000;
  const desks = Array.from({ length: DESKS }, () => openTeamStore(address));
  t = performance.now();
  await Promise.all(
    desks.flatMap((store, d) =>
      Array.from({ length: LOOPS }, async () => {
        for (let round = 0; round < DOCS; round++) {
          const claims = await store.claim(`desk-${d}`, LIMIT, 30_000);
          if (claims.length === 0) return;
          for (const c of claims)
            await store.finish(`desk-${d}`, c, { kind: 'accepted', transactionId: `t${c.id}` });
        }
      }),
    ),
  );
  const rate = (DOCS / (performance.now() - t)) * 1000;
  const counts = await setup.counts();
  if (counts.accepted !== DOCS)
    throw new Error(`expected ${DOCS} accepted, got ${JSON.stringify(counts)}`);
  console.log(
    `${label}: ${DOCS} documents, ${DESKS} desks × ${LOOPS} loops, claim(${LIMIT}): enqueue ${enqueueRate.toFixed(0)}/s, claim + finish ${rate.toFixed(0)} documents/s`,
  );
  for (const s of desks) await s.close();
  await setup.close();
}

const cluster = await startPostgres();
try {
  await run(`sqlite:${join(work, 'team.sqlite')}`, 'sqlite');
  await run(cluster.url, 'postgresql');
} finally {
  await cluster.stop();
  rmSync(work, { recursive: true, force: true });
}
