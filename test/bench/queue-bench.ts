/**
 * Queue benchmark (issue 3): time to enqueue 100,000 documents, state transitions per second at
 * synchronous FULL and NORMAL, and database size per 10,000 documents. Bundled and run by
 * test/bench/queue.mjs.
 */
import { statSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, memorySecretStore } from '../../app/engine';
import { openDb } from '../../app/store/db';
import { DocumentsRepo } from '../../app/store/documents-repo';
import { makeInvoice } from '../helpers/invoices';

function dirSize(dir: string): number {
  let total = 0;
  for (const f of ['peppol-desk.sqlite', 'peppol-desk.sqlite-wal']) {
    try {
      total += statSync(join(dir, f)).size;
    } catch {
      // absent
    }
  }
  return total;
}

async function enqueue(total: number) {
  const dir = mkdtempSync(join(tmpdir(), 'pd-bench-q-'));
  const engine = await createEngine({ dataDir: dir, secrets: memorySecretStore(), host: 'cli' });
  await engine.handlers['queue:pause'](undefined);
  // Validation would start on each add: measure the enqueue itself (hash, dedupe, insert, timeline).
  const CHUNK = 1000;
  const started = performance.now();
  for (let i = 0; i < total; i += CHUNK) {
    const files = [];
    for (let j = i; j < Math.min(total, i + CHUNK); j++) {
      files.push({ name: `Q-${j}.xml`, bytes: makeInvoice(`Q-${String(j).padStart(7, '0')}`) });
    }
    await engine.handlers['documents:add']({ files });
  }
  const seconds = (performance.now() - started) / 1000;
  await engine.stop();
  const db = openDb({ dataDir: dir });
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const bytes = dirSize(dir);
  rmSync(dir, { recursive: true, force: true });
  return { total, seconds, perSecond: total / seconds, bytesPer10k: (bytes / total) * 10_000 };
}

function transitions(sync: 'FULL' | 'NORMAL', perTx: number, count: number) {
  const dir = mkdtempSync(join(tmpdir(), 'pd-bench-t-'));
  const db = openDb({ dataDir: dir });
  db.pragma(`synchronous = ${sync}`);
  const repo = new DocumentsRepo(db);
  const body = makeInvoice('T');
  const ids: number[] = [];
  repo.tx(() => {
    for (let i = 0; i < count; i++) {
      ids.push(
        repo.insert({
          fileName: `t${i}`,
          sha256: `s${i}`,
          size: body.length,
          body,
          idempotencyKey: `k${i}`,
        }),
      );
    }
  });
  const started = performance.now();
  for (let i = 0; i < ids.length; i += perTx) {
    repo.tx(() => {
      for (const id of ids.slice(i, i + perTx)) repo.transition(id, 'received', 'validating');
    });
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { sync, perTx, count, perSecond: count / seconds };
}

async function main() {
  const total = Number(process.argv[2] ?? 100_000);
  const e = await enqueue(total);
  const t = [
    transitions('FULL', 1, 2000),
    transitions('NORMAL', 1, 2000),
    transitions('FULL', 64, 50_000),
    transitions('NORMAL', 64, 50_000),
  ];
  process.stdout.write(JSON.stringify({ enqueue: e, transitions: t }) + '\n');
}

void main();
