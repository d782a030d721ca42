// The team list's sorts at scale (issue 14): a page of 100 rows per sort key on a team of
// `--documents` (default 100,000), at the top and half way down, without and with a filter
// (90% of the documents), on a throwaway PostgreSQL and on SQLite; beside each, the same page
// left to the planner (PostgreSQL: sorting allowed; SQLite: no INDEXED BY). Then what the six
// indexes of team migration 007 cost the write path: enqueue, claim and finish of `--writes`
// documents (default 20,000) with and without them, alternated (A B A B).
//   node test/bench/team-list-sorts.mjs [--documents 100000] [--writes 20000]
// Wall ms, this process's CPU ms and (PostgreSQL) the cluster's CPU ms, per page / per run.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startPostgres } from '../helpers/postgres.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const DOCUMENTS = arg('--documents', 100_000);
const WRITES = arg('--writes', 20_000);
const REPS = 5;
const work = mkdtempSync(join(tmpdir(), 'peppol-desk-bench-sorts-'));
const bundle = join(root, 'node_modules', '.cache', 'team-list-sorts-bench.mjs');
await build({
  stdin: {
    contents: [
      `export * from ${JSON.stringify(join(root, 'app/team/open-store.ts'))};`,
      `export * from ${JSON.stringify(join(root, 'app/team/store.ts'))};`,
      `export * from ${JSON.stringify(join(root, 'app/team/list-order.ts'))};`,
      `export { postgresListSql } from ${JSON.stringify(join(root, 'app/team/postgres/list.ts'))};`,
      `export { sqliteListSql } from ${JSON.stringify(join(root, 'app/team/sqlite/sqlite-list.ts'))};`,
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
const { openTeamStore, teamKeyOf, TEAM_SORT_KEYS, postgresListSql, sqliteListSql } = await import(
  pathToFileURL(bundle).href
);

/** CPU ms of the cluster's processes (postmaster and its children), from /proc. */
function clusterCpuMs(dir) {
  const pidFile = findFile(dir, 'postmaster.pid');
  const master = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  let ticks = 0;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      if (Number(p) === master || Number(f[1]) === master) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks * 10;
}
function findFile(dir, name) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isFile() && e.name === name) return p;
    if (e.isDirectory()) {
      const found = findFile(p, name);
      if (found) return found;
    }
  }
  return null;
}

function docs(from, n, tag) {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const body = new TextEncoder().encode(`<Invoice><ID>${tag}-${i}</ID></Invoice>`);
    return {
      key: teamKeyOf(body),
      fileName: `${['inv', 'Inv', 'INV'][i % 3]}-${(i * 7919) % 100_003}.xml`,
      body,
      state: i % 10 === 0 ? 'invalid' : 'queued',
      docType: 'Invoice',
      invoiceNumber: `${tag}-${(i * 104_729) % 1_000_003}`,
      senderId: null,
      receiverId: '0208:0000000196',
      buyerName: i % 13 === 0 ? null : `${['Acme', 'acme', 'Globex', 'Initech'][i % 4]} ${i % 997}`,
      amount: i % 17 === 0 ? null : `${(i * 37) % 100_000}.${String(i % 100).padStart(2, '0')}`,
      currency: 'EUR',
      issueDate: `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
      problem: i % 10 === 0 ? { code: 'X', message: 'bad', action: null } : null,
    };
  });
}

async function fill(store, n, tag) {
  for (let i = 0; i < n; i += 1000)
    await store.enqueue('desk', docs(i, Math.min(1000, n - i), tag));
}

/** Median wall, mean client CPU and cluster CPU of `fn` over REPS runs (after one warm-up). */
async function measure(fn, dir) {
  await fn();
  const walls = [];
  const cpu0 = process.cpuUsage();
  const srv0 = dir ? clusterCpuMs(dir) : 0;
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    await fn();
    walls.push(performance.now() - t0);
  }
  const c = process.cpuUsage(cpu0);
  walls.sort((a, b) => a - b);
  return {
    wall: walls[Math.floor(REPS / 2)],
    cpu: (c.user + c.system) / 1000 / REPS,
    srv: dir ? (clusterCpuMs(dir) - srv0) / REPS : null,
  };
}
const fmt = (m) =>
  `${m.wall.toFixed(1).padStart(7)} ms wall ${m.cpu.toFixed(1).padStart(6)} ms CPU` +
  (m.srv === null ? '' : ` ${m.srv.toFixed(0).padStart(5)} ms db CPU`);

async function pages(name, store, planner, dir) {
  console.log(`${name}, ${DOCUMENTS} documents, a page of 100 (store.list | left to the planner):`);
  for (const filter of [undefined, ['queued']]) {
    for (const offset of [0, DOCUMENTS / 2]) {
      for (const key of TEAM_SORT_KEYS) {
        const query = {
          sort: { key, dir: 'asc' },
          offset,
          limit: 100,
          ...(filter ? { states: filter } : {}),
        };
        const mine = await measure(() => store.list(query), dir);
        const plain = await measure(() => planner(query), dir);
        console.log(
          `  ${filter ? 'queued' : 'all   '} offset ${String(offset).padStart(6)} ${key.padEnd(13)} ${fmt(mine)} | ${fmt(plain)}`,
        );
      }
    }
  }
}

/** Enqueue, claim and finish `WRITES` documents: wall, client CPU and cluster CPU. */
async function writes(store, tag, dir) {
  const cpu0 = process.cpuUsage();
  const srv0 = dir ? clusterCpuMs(dir) : 0;
  const t0 = performance.now();
  await fill(store, WRITES, tag);
  const enqueued = performance.now() - t0;
  for (;;) {
    const claims = await store.claim('desk', 200, 60_000);
    if (claims.length === 0) break;
    await store.finishMany(
      'desk',
      claims.map((c) => ({ claim: c, outcome: { kind: 'accepted', transactionId: `t-${c.id}` } })),
    );
  }
  const c = process.cpuUsage(cpu0);
  return {
    wall: performance.now() - t0,
    enqueued,
    cpu: (c.user + c.system) / 1000,
    srv: dir ? clusterCpuMs(dir) - srv0 : null,
  };
}

/** What team migration 007 adds, undone (the write path "without"). */
const SQLITE_DROP_007 = TEAM_SORT_KEYS.filter((k) => !['state', 'id'].includes(k)).map(
  (k) => `DROP INDEX team_documents_by_${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`,
);
const POSTGRES_DROP_007 = [
  'DROP TRIGGER team_sort_keys_inserted ON team_documents',
  'DROP TRIGGER team_sort_keys_updated ON team_documents',
  'DROP TABLE team_document_sort_keys',
  'DROP INDEX team_documents_by_updated_at',
];

console.log(
  `load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const cluster = await startPostgres();
try {
  // Lists on PostgreSQL.
  const pgStore = openTeamStore(cluster.url);
  await pgStore.migrate();
  await fill(pgStore, DOCUMENTS, 'L');
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  await client.query('VACUUM ANALYZE team_documents');
  const plannerPg = async (query) => {
    const { text, values } = postgresListSql(query, false);
    return (await client.query(text, values)).rows;
  };
  await pages('PostgreSQL', pgStore, plannerPg, cluster.dir);
  await pgStore.close();

  // Lists on SQLite.
  const file = join(work, 'team.sqlite');
  const sq = openTeamStore(`sqlite:${file}`);
  await sq.migrate();
  await fill(sq, DOCUMENTS, 'L');
  const db = new Database(file, { readonly: true });
  const plannerSq = async (query) =>
    db.prepare(sqliteListSql(query, false)).all(...(query.states ?? []), query.limit, query.offset);
  await pages('SQLite', sq, plannerSq, null);
  db.close();
  await sq.close();

  // The write path with and without the 007 indexes (fresh databases, alternated).
  console.log(`Write path: enqueue + claim + finish of ${WRITES} documents (with 007 | without):`);
  for (const [name, open] of [
    [
      'PostgreSQL',
      async (n) => {
        const url = cluster.url.replace(/\/postgres$/, `/w${n}`);
        await client.query(`CREATE DATABASE w${n}`);
        return url;
      },
    ],
    ['SQLite', async (n) => `sqlite:${join(work, `w${n}.sqlite`)}`],
  ]) {
    for (let round = 0; round < 2; round++) {
      const results = [];
      for (const without of [false, true]) {
        const address = await open(`${round}${without ? 'b' : 'a'}${name[0]}`.toLowerCase());
        const s = openTeamStore(address);
        await s.migrate();
        if (without) {
          if (name === 'SQLite') {
            const w = new Database(address.slice('sqlite:'.length));
            for (const d of SQLITE_DROP_007) w.exec(d);
            w.close();
          } else {
            const w = new pg.Client({ connectionString: address });
            await w.connect();
            for (const d of POSTGRES_DROP_007) await w.query(d);
            await w.end();
          }
        }
        results.push(await writes(s, `W${round}`, name === 'SQLite' ? null : cluster.dir));
        await s.close();
      }
      const [a, b] = results;
      const ratio = (x, y) => (y ? (x / y).toFixed(2) : '-');
      console.log(
        `  ${name.padEnd(10)} round ${round + 1}: ${fmt(a)} (enqueue ${a.enqueued.toFixed(0)} ms) | ${fmt(b)} (enqueue ${b.enqueued.toFixed(0)} ms)  ratio wall ${ratio(a.wall, b.wall)} CPU ${ratio(a.cpu, b.cpu)}` +
          (a.srv === null ? '' : ` db CPU ${ratio(a.srv, b.srv)}`),
      );
    }
  }
  await client.end();
} finally {
  await cluster.stop();
  rmSync(work, { recursive: true, force: true });
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}
