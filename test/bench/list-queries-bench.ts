/**
 * The document list's queries at `total` documents on a data folder (a file database with the
 * engine's settings, not `:memory:`), CPU and wall per query (median of 7); and what keeping the
 * list's indexes costs each document on the engine's write path (insert, the two validation
 * transitions with the fields they set, four more transitions), with and without the list's
 * indexes (migrations 013–015: sort indexes, the search index and its split).
 * Run by list-queries.mjs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DocumentListQuery } from '../../app/store/document-record';
import { openDb } from '../../app/store/db';
import { DocumentsRepo } from '../../app/store/documents-repo';
import { MIGRATIONS } from '../../app/store/migrations';

const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

function fill(repo: DocumentsRepo, total: number): void {
  const summary = JSON.stringify({
    lines: Array.from({ length: 20 }, (_, i) => ({ id: i, name: 'x'.repeat(60) })),
  });
  const states = ['accepted', 'delivered', 'invalid', 'queued'] as const;
  for (let i = 0; i < total; i += 5000) {
    repo.tx(() => {
      for (let j = i; j < Math.min(total, i + 5000); j++) {
        const id = repo.insert({
          fileName: `L-${j}.xml`,
          sha256: `sha-${j}`,
          size: 4000,
          body: new Uint8Array(1),
          idempotencyKey: `key-${j}`,
        });
        repo.patch(id, {
          invoice_number: `INV-${(j * 7919) % total}`,
          buyer_name: `Buyer ${(j * 104729) % 5000}`,
          amount: String(((j * 31) % 100_000) / 100),
          currency: 'EUR',
          issue_date: '2026-11-01',
          summary_json: summary,
          validation_json: summary,
        });
        const to = states[j % states.length]!;
        repo.transition(id, 'received', 'validating');
        if (to === 'invalid') repo.transition(id, 'validating', 'invalid');
        else {
          repo.transition(id, 'validating', 'ready');
          repo.transition(id, 'ready', 'resolving');
          repo.transition(id, 'resolving', 'queued');
          if (to !== 'queued') {
            repo.transition(id, 'queued', 'sending');
            repo.transition(id, 'sending', 'accepted');
            if (to === 'delivered') repo.transition(id, 'accepted', 'delivered');
          }
        }
      }
    });
  }
}

function queries(total: number) {
  const dir = mkdtempSync(join(tmpdir(), 'pd-lq-'));
  const db = openDb({ dataDir: dir });
  const repo = new DocumentsRepo(db);
  fill(repo, total);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const last = Math.max(0, total - 200);
  const cases: [string, DocumentListQuery & { offset?: number }][] = [
    ['first page, newest first', {}],
    ['last page, sorted by buyer', { sort: { key: 'buyerName', dir: 'asc' }, offset: last }],
    ['last page, sorted by amount (desc)', { sort: { key: 'amount', dir: 'desc' }, offset: last }],
    ['Needs attention, newest first', { filter: 'attention' }],
    [
      'Needs attention, sorted by buyer, page 10',
      { filter: 'attention', sort: { key: 'buyerName', dir: 'asc' }, offset: 2000 },
    ],
    ['Sent, newest first, page 200', { filter: 'sent', offset: 40_000 }],
    [
      'In progress, sorted by state, page 50',
      { filter: 'progress', sort: { key: 'state', dir: 'asc' }, offset: 10_000 },
    ],
    [
      'search "Buyer 42", sorted by invoice number',
      { search: 'Buyer 42', sort: { key: 'invoiceNumber', dir: 'asc' } },
    ],
    ['search one invoice number', { search: `INV-${Math.floor(total / 3)}` }],
    [
      'search "Buyer 42" in Needs attention, by amount',
      { search: 'Buyer 42', filter: 'attention', sort: { key: 'amount', dir: 'desc' } },
    ],
    ['search "42" (two characters: no trigram)', { search: '42' }],
    ['search "Buyer" (matches every document)', { search: 'Buyer' }],
  ];
  const rows = cases.map(([what, q]) => {
    const cpu: number[] = [];
    const wall: number[] = [];
    let n = 0;
    for (let k = 0; k < 7; k++) {
      const c0 = cpuMs();
      const t0 = performance.now();
      n = repo.list({ ...q, limit: 200 }).total;
      wall.push(performance.now() - t0);
      cpu.push(cpuMs() - c0);
    }
    cpu.sort((a, b) => a - b);
    wall.sort((a, b) => a - b);
    return { what, total: n, cpuMs: cpu[3]!, wallMs: wall[3]! };
  });
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

/** CPU µs per document on the write path, with the migrations given. */
function writeCost(withList: boolean, n: number) {
  const dir = mkdtempSync(join(tmpdir(), 'pd-lw-'));
  const migrations = withList ? MIGRATIONS : MIGRATIONS.filter((m) => m.id < 13);
  const db = openDb({ dataDir: dir, migrations });
  const repo = new DocumentsRepo(db);
  let insert = 0;
  let validate = 0;
  let later = 0;
  for (let i = 0; i < n; i += 100) {
    let t = cpuMs();
    const ids: number[] = [];
    repo.tx(() => {
      for (let j = i; j < i + 100; j++) {
        ids.push(
          repo.insert({
            fileName: `F-${j}.xml`,
            sha256: `s${j}`,
            size: 1,
            body: new Uint8Array(7000),
            idempotencyKey: `k${j}`,
          }),
        );
      }
    });
    insert += cpuMs() - t;
    t = cpuMs();
    repo.txRedoable(() => {
      for (const id of ids) {
        repo.transition(id, 'received', 'validating');
        repo.transition(id, 'validating', 'ready', {
          invoice_number: `INV-${id}`,
          buyer_name: `Buyer ${id % 5000}`,
          amount: '100.00',
          issue_date: '2026-11-01',
          summary_json: 'x'.repeat(2000),
        });
      }
    });
    validate += cpuMs() - t;
    t = cpuMs();
    repo.txRedoable(() => {
      for (const id of ids) {
        repo.transition(id, 'ready', 'resolving');
        repo.transition(id, 'resolving', 'queued');
        repo.transition(id, 'queued', 'sending');
        repo.transition(id, 'sending', 'accepted');
      }
    });
    later += cpuMs() - t;
  }
  db.close();
  rmSync(dir, { recursive: true, force: true });
  const us = (ms: number) => (ms * 1000) / n;
  return {
    withList,
    insert: us(insert),
    validate: us(validate),
    later: us(later),
    total: us(insert + validate + later),
  };
}

const total = Number(process.argv[2] ?? 100_000);
const writes = Number(process.argv[3] ?? 20_000);
const list = queries(total);
const cost = [
  writeCost(false, writes),
  writeCost(true, writes),
  writeCost(false, writes),
  writeCost(true, writes),
];
process.stdout.write(JSON.stringify({ total, writes, list, cost }) + '\n');
