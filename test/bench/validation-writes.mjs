// What migration 015 saves on the validation commit (issue 9 point 3): the writes of a checked
// document (its verdict into the validation cache, its invoice number, buyer, summary and verdict
// onto its row, in commits of 100) on the schema up to 014, with 015's first part only (the split
// trigram index), its second part only (verdicts appended) and all of it; rounds alternate the
// order. Prints µs of CPU and wall time per document for each round. Plain SQL, no build needed.
//
//   node test/bench/validation-writes.mjs [documents, default 10000]
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'app', 'store', 'migrations');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.sql'))
  .sort();
const upTo14 = files
  .filter((f) => !f.startsWith('015'))
  .map((f) => readFileSync(join(dir, f), 'utf8'));
const m15 = readFileSync(
  join(
    dir,
    files.find((f) => f.startsWith('015')),
  ),
  'utf8',
);
const cut = m15.indexOf('-- 2. Validation verdicts');
const parts = { old: [], fts: [m15.slice(0, cut)], cache: [m15.slice(cut)], both: [m15] };
const N = Number(process.argv[2] ?? 10000);
const verdictJson = (i) =>
  JSON.stringify({
    verdict: {
      valid: true,
      errors: [],
      warnings: Array.from({ length: 6 }, (_, k) => ({
        rule: `BR-${k}`,
        location: `/Invoice/cac:InvoiceLine[${k}]`,
        message: 'x'.repeat(120) + i,
      })),
    },
    summary: {
      number: `SCL-${i}`,
      buyer: 'Buyer Company AS',
      seller: 'Seller AS',
      amount: '1234.50',
      lines: 3,
      pad: 'y'.repeat(400),
    },
  });
function run(variant) {
  const work = mkdtempSync(join(tmpdir(), 'ecpu-micro-'));
  const db = new Database(join(work, 'db.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  for (const sql of [...upTo14, ...parts[variant]]) db.exec(sql);
  const ins = db.prepare(
    `INSERT INTO documents (file_name, sha256, size, state, idempotency_key, created_at, updated_at) VALUES (?, ?, 1000, 'received', ?, 0, 0)`,
  );
  db.transaction(() => {
    for (let i = 0; i < N; i++)
      ins.run(
        `SCL10000-${String(i).padStart(6, '0')}.xml`,
        createHash('sha256').update(String(i)).digest('hex'),
        `k${i}`,
      );
  })();
  const put =
    variant === 'cache' || variant === 'both'
      ? db.prepare(
          `INSERT INTO validation_cache (sha256, ruleset, verdict_json, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256, ruleset) DO UPDATE SET verdict_json = excluded.verdict_json, created_at = excluded.created_at`,
        )
      : db.prepare(
          'INSERT OR REPLACE INTO validation_cache (sha256, ruleset, verdict_json, created_at) VALUES (?, ?, ?, ?)',
        );
  const upd = db.prepare(
    `UPDATE documents SET state = 'ready', invoice_number = ?, buyer_name = ?, summary_json = ?, validation_json = ? WHERE id = ?`,
  );
  const t0 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < N; i += 100) {
    db.transaction(() => {
      for (let j = i; j < i + 100 && j < N; j++) {
        const v = verdictJson(j);
        put.run(createHash('sha256').update(String(j)).digest('hex'), 'v1 / rules r1', v, 0);
        upd.run(`SCL10000-${String(j).padStart(6, '0')}`, 'Buyer Company AS', v, v, j + 1);
      }
    })();
  }
  const c = process.cpuUsage(t0);
  const wall = performance.now() - w0;
  db.close();
  rmSync(work, { recursive: true, force: true });
  return { cpu: ((c.user + c.system) / 1000 / N) * 1000, wall: (wall / N) * 1000 };
}
const res = {};
for (let round = 0; round < 3; round++) {
  const order = round % 2 ? ['both', 'cache', 'fts', 'old'] : ['old', 'fts', 'cache', 'both'];
  for (const v of order) (res[v] ??= []).push(run(v));
}
for (const [v, rs] of Object.entries(res))
  console.log(
    v.padEnd(6),
    'µs CPU/doc',
    rs.map((r) => r.cpu.toFixed(0)).join(' '),
    ' µs wall/doc',
    rs.map((r) => r.wall.toFixed(0)).join(' '),
  );
