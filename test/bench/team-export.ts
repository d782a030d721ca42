/**
 * The team export at 100,000 rows on a throwaway PostgreSQL: what the store holds while it reads
 * (pages of 1,000 in one snapshot) against one unpaged SELECT of the same rows, and what the
 * contract's answer (every row as a DocumentRow) holds. Live heap, read after a full collection
 * at each page (which slows the runs: read CPU and wall from a run without --expose-gc).
 * Figures only, no assertions.
 *
 *   npx esbuild test/bench/team-export.ts --bundle --platform=node --format=esm \
 *     --loader:.sql=text --packages=external --outfile=dist/bench-team-export.mjs \
 *     && node --expose-gc dist/bench-team-export.mjs [rows]
 */
import { loadavg } from 'node:os';
import pg from 'pg';
import { teamRow } from '../../app/team/engine-actions';
import { PostgresTeamStore } from '../../app/team/postgres/postgres-team-store';
import { TEAM_DOCUMENT_COLUMNS } from '../../app/team/store-rows';
import type { DocumentRow } from '../../app/contract';
import { startPostgres } from '../helpers/postgres.mjs';

const ROWS = Number(process.argv[2] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

async function measure(what: string, run: (sample: () => void) => Promise<unknown>) {
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  // Live memory: a full collection before each reading (garbage not yet collected is not held).
  const sample = () => {
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  };
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const kept = await run(sample);
  sample();
  const wall = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  console.log(
    `${what}: peak live heap +${mb(peak - base)}, wall ${wall.toFixed(0)} ms, CPU ${((used.user + used.system) / 1000).toFixed(0)} ms (this process)`,
  );
  return kept;
}

const cluster = await startPostgres();
try {
  const url = cluster.url;
  const store = new PostgresTeamStore(url);
  await store.migrate();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(
    `INSERT INTO team_documents (key, file_name, size, state, doc_type, invoice_number, sender_id,
       receiver_id, buyer_name, amount, currency, issue_date, added_by, created_at, updated_at)
     SELECT 'pdt1-' || lpad(to_hex(g), 64, '0'), 'INV-' || g || '.xml', 7000,
       CASE WHEN g % 10 = 0 THEN 'failed' ELSE 'accepted' END, 'Invoice', 'INV-' || g,
       '0208:0123456749', '0208:0987654394', 'Buyer ' || g, '100.00', 'EUR', '2026-01-01',
       'desk-bench', team_now_ms(), team_now_ms()
     FROM generate_series(1, $1::int) AS g`,
    [ROWS],
  );
  console.log(
    `${ROWS} team rows; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );

  await measure('exportRows, pages of 1,000, rows counted only (the store)', async (sample) => {
    let n = 0;
    await store.exportRows({}, (page) => {
      n += page.length;
      sample();
    });
    return n;
  });
  await measure('one unpaged SELECT of every row (what paging avoids)', async (sample) => {
    const r = await c.query(`SELECT ${TEAM_DOCUMENT_COLUMNS} FROM team_documents ORDER BY id DESC`);
    sample();
    return r.rows.length;
  });
  const rows = (await measure(
    'documents:export on a team (every row kept as a DocumentRow, the contract answer)',
    async (sample) => {
      const out: DocumentRow[] = [];
      await store.exportRows({}, (page) => {
        for (const d of page) out.push(teamRow(d));
        sample();
      });
      return out;
    },
  )) as DocumentRow[];
  console.log(`answer rows: ${rows.length}`);
  await c.end();
  await store.close();
} finally {
  await cluster.stop();
}
