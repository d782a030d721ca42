import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, MigrationError } from '../../app/store/migrate';
import { MIGRATIONS } from '../../app/store/migrations';
import { openDb } from '../../app/store/db';
import { DocumentsRepo } from '../../app/store/documents-repo';
import { IllegalTransitionError } from '../../app/domain/states';
import { useTempDirs } from '../helpers/temp';

const tempDir = useTempDirs();

function schemaOf(db: Database.Database): string[] {
  return (
    db
      .prepare(
        'SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name',
      )
      .all() as { type: string; name: string; sql: string }[]
  ).map((r) => `${r.type} ${r.name}: ${r.sql.replace(/\s+/g, ' ')}`);
}

describe('migrations', () => {
  it('migrate an empty database to the expected schema', () => {
    const db = new Database(':memory:');
    expect(migrate(db, MIGRATIONS)).toEqual(MIGRATIONS.map((m) => m.id));
    expect(schemaOf(db)).toMatchSnapshot();
    expect(migrate(db, MIGRATIONS)).toEqual([]);
  });

  it('refuse to start when an applied migration was edited', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS);
    const edited = MIGRATIONS.map((m) => (m.id === 1 ? { ...m, sql: m.sql + '\n-- edited' } : m));
    expect(() => migrate(db, edited)).toThrow(MigrationError);
    try {
      migrate(db, edited);
    } catch (e) {
      expect((e as MigrationError).code).toBe('MIGRATION_EDITED');
    }
  });

  it('refuse to start when the database has a migration this build does not know', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS);
    expect(() => migrate(db, MIGRATIONS.slice(0, 1))).toThrow(/newer Peppol Desk/);
  });

  it('counts practice documents per state (022): from the rows there, then kept by triggers', () => {
    const db = new Database(':memory:');
    migrate(
      db,
      MIGRATIONS.filter((m) => m.id <= 21),
    );
    const insert = db.prepare(
      `INSERT INTO documents (file_name, sha256, size, state, idempotency_key, created_at, updated_at, access_point)
       VALUES (?, ?, 1, ?, ?, 1, 1, ?)`,
    );
    insert.run('a.xml', 'ha', 'accepted', 'ka', 'sandbox');
    insert.run('b.xml', 'hb', 'delivered', 'kb', 'sandbox');
    insert.run('c.xml', 'hc', 'accepted', 'kc', 'https://ap.example');
    migrate(db, MIGRATIONS);
    const counts = () =>
      Object.fromEntries(
        (
          db.prepare('SELECT state, n FROM practice_counts WHERE n <> 0 ORDER BY state').all() as {
            state: string;
            n: number;
          }[]
        ).map((r) => [r.state, r.n]),
      );
    expect(counts()).toEqual({ accepted: 1, delivered: 1 });
    const repo = new DocumentsRepo(db);
    expect(repo.practiceCounts().sent).toBe(2);
    insert.run('d.xml', 'hd', 'queued', 'kd', 'sandbox');
    insert.run('e.xml', 'he', 'queued', 'ke', 'https://ap.example');
    expect(counts()).toEqual({ accepted: 1, delivered: 1, queued: 1 });
    // A practice document moves on; one sent for real leaves the Sandbox; a real one stays out.
    db.prepare(`UPDATE documents SET state = 'delivered' WHERE file_name = 'a.xml'`).run();
    db.prepare(
      `UPDATE documents SET access_point = 'https://ap.example', state = 'queued' WHERE file_name = 'b.xml'`,
    ).run();
    db.prepare(`UPDATE documents SET state = 'delivered' WHERE file_name = 'c.xml'`).run();
    expect(counts()).toEqual({ delivered: 1, queued: 1 });
    expect(repo.practiceCounts().sent).toBe(1);
    // Pinned to the Sandbox later, and deleted.
    db.prepare(`UPDATE documents SET access_point = 'sandbox' WHERE file_name = 'e.xml'`).run();
    db.prepare(`DELETE FROM documents WHERE file_name = 'd.xml'`).run();
    expect(counts()).toEqual({ delivered: 1, queued: 1 });
    expect(repo.counts().delivered).toBe(2);
  });

  it('counts the failed documents Retry all leaves (024): from the rows there, then kept by triggers', () => {
    const db = new Database(':memory:');
    migrate(
      db,
      MIGRATIONS.filter((m) => m.id <= 23),
    );
    const insert = db.prepare(
      `INSERT INTO documents (file_name, sha256, size, state, idempotency_key, created_at, updated_at, problem_action)
       VALUES (?, ?, 1, ?, ?, 1, 1, ?)`,
    );
    insert.run('a.xml', 'ha', 'failed', 'ka', 'fix-file');
    insert.run('b.xml', 'hb', 'failed', 'kb', 'retry');
    insert.run('c.xml', 'hc', 'failed', 'kc', null);
    insert.run('d.xml', 'hd', 'invalid', 'kd', 'fix-file');
    migrate(db, MIGRATIONS);
    const repo = new DocumentsRepo(db);
    const toFix = () => repo.practiceCounts().failedToFix;
    expect(toFix()).toBe(1);
    const set = (file: string, sql: string) =>
      db.prepare(`UPDATE documents SET ${sql} WHERE file_name = ?`).run(file);
    // In and out by its state, by its action, by both; a change that keeps it in counts once.
    set('b.xml', `problem_action = 'add-again'`);
    expect(toFix()).toBe(2);
    set('a.xml', `state = 'queued', problem_action = NULL`);
    expect(toFix()).toBe(1);
    set('c.xml', `problem_action = 'fix-file'`);
    expect(toFix()).toBe(2);
    set('c.xml', `problem_action = 'add-again'`);
    expect(toFix()).toBe(2);
    set('d.xml', `state = 'failed'`);
    expect(toFix()).toBe(3);
    set('d.xml', `problem_action = 'retry'`);
    expect(toFix()).toBe(2);
    insert.run('e.xml', 'he', 'failed', 'ke', 'fix-file');
    expect(toFix()).toBe(3);
    db.prepare(`DELETE FROM documents WHERE file_name IN ('b.xml', 'd.xml')`).run();
    expect(toFix()).toBe(2);
    const rows = db
      .prepare(
        `SELECT COUNT(*) FROM documents WHERE state = 'failed' AND problem_action IN ('fix-file', 'add-again')`,
      )
      .pluck()
      .get();
    expect(rows).toBe(2);
  });

  it('rebuilds documents without the unique content hash (006) keeping bodies, timelines and foreign keys', () => {
    const db = new Database(':memory:');
    migrate(
      db,
      MIGRATIONS.filter((m) => m.id <= 5),
    );
    db.prepare(
      `INSERT INTO documents (id, file_name, sha256, size, state, idempotency_key, created_at, updated_at, attempts)
       VALUES (1, 'a.xml', 'h', 1, 'retry_wait', 'k1', 1, 1, 2),
              (2, 'b.xml', 'h2', 1, 'failed', 'k2', 1, 1, 8),
              (3, 'c.xml', 'h3', 1, 'accepted', 'k3', 1, 1, 1)`,
    ).run();
    db.prepare(`UPDATE documents SET problem_code = 'ATTEMPTS_EXHAUSTED' WHERE id = 2`).run();
    db.prepare(`INSERT INTO document_bodies (document_id, body) VALUES (1, x'01')`).run();
    db.prepare(
      `INSERT INTO document_events (document_id, at, from_state, to_state) VALUES (1, 1, NULL, 'received')`,
    ).run();
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(migrate(db, MIGRATIONS)).toEqual(MIGRATIONS.map((m) => m.id).filter((id) => id >= 6));
    // Foreign keys are back on, nothing cascaded away.
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.prepare('SELECT COUNT(*) FROM document_bodies').pluck().get()).toBe(1);
    expect(db.prepare('SELECT COUNT(*) FROM document_events').pluck().get()).toBe(1);
    // The same bytes may be stored twice now; the idempotency key stays unique.
    db.prepare(
      `INSERT INTO documents (file_name, sha256, size, state, idempotency_key, created_at, updated_at)
       VALUES ('a-copy.xml', 'h', 1, 'received', 'k4', 2, 2)`,
    ).run();
    expect(() =>
      db
        .prepare(
          `INSERT INTO documents (file_name, sha256, size, state, idempotency_key, created_at, updated_at)
           VALUES ('x.xml', 'x', 1, 'received', 'k4', 2, 2)`,
        )
        .run(),
    ).toThrow(/UNIQUE/);
    // 007 marks documents whose last attempt may have reached the access point.
    const unknown = db
      .prepare('SELECT id FROM documents WHERE send_outcome_unknown = 1 ORDER BY id')
      .pluck()
      .all();
    expect(unknown).toEqual([1, 2]);
    // Deleting a document still cascades to its body and timeline.
    db.prepare('DELETE FROM documents WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) FROM document_bodies').pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM document_events').pluck().get()).toBe(0);
  });

  it('opens a data folder in WAL mode with synchronous FULL', () => {
    const db = openDb({ dataDir: tempDir() });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    db.close();
  });
});

describe('documents repo', () => {
  it('records every transition in the timeline and refuses stale transitions', () => {
    let t = 1000;
    const db = openDb({ dataDir: ':memory:' });
    const repo = new DocumentsRepo(db, () => t);
    const id = repo.insert({
      fileName: 'a.xml',
      sha256: 'abc',
      size: 3,
      body: new Uint8Array([1, 2, 3]),
      idempotencyKey: 'k1',
    });
    t = 2000;
    expect(repo.transition(id, 'received', 'validating')).toBe(true);
    expect(repo.transition(id, 'received', 'validating')).toBe(false);
    expect(repo.transition(id, 'validating', 'invalid', { problem_code: 'X' }, 'bad')).toBe(true);
    expect(repo.timeline(id)).toEqual([
      { at: 1000, from: null, to: 'received', detail: 'a.xml', technical: null },
      { at: 2000, from: 'received', to: 'validating', detail: null, technical: null },
      { at: 2000, from: 'validating', to: 'invalid', detail: 'bad', technical: null },
    ]);
    expect(repo.get(id)?.problem_code).toBe('X');
    expect([...repo.getBody(id)]).toEqual([1, 2, 3]);
    expect(repo.counts().invalid).toBe(1);
    expect(repo.findBySha('abc')).toBe(id);
  });

  it('refuses a transition the state machine does not allow, with a named error', () => {
    const repo = new DocumentsRepo(openDb({ dataDir: ':memory:' }));
    const id = repo.insert({
      fileName: 'a.xml',
      sha256: 'abc',
      size: 1,
      body: new Uint8Array([1]),
      idempotencyKey: 'k1',
    });
    expect(() => repo.transition(id, 'received', 'accepted')).toThrow(IllegalTransitionError);
    try {
      repo.transition(id, 'received', 'sending');
    } catch (e) {
      expect((e as IllegalTransitionError).code).toBe('ILLEGAL_TRANSITION');
    }
    // Nothing changed, nothing was added to the timeline.
    expect(repo.get(id)?.state).toBe('received');
    expect(repo.timeline(id)).toHaveLength(1);
  });

  it('counts only live documents (and failed ones that may have been accepted) as business duplicates', () => {
    const repo = new DocumentsRepo(openDb({ dataDir: ':memory:' }));
    const at = (state: string, extra: Record<string, unknown> = {}) => {
      const id = repo.insert({
        fileName: `${state}.xml`,
        sha256: `${state}-${JSON.stringify(extra)}`,
        size: 1,
        body: new Uint8Array([1]),
        idempotencyKey: `k-${state}-${JSON.stringify(extra)}`,
      });
      repo.patch(id, { seller_id: 'S', invoice_number: 'N', doc_type: 'Invoice' });
      // Test set-up: put the row in the state directly (the state machine is tested above).
      const db = (repo as unknown as { db: Database.Database }).db;
      db.prepare('UPDATE documents SET state = ? WHERE id = ?').run(state, id);
      repo.patch(id, extra);
      return id;
    };
    const probe = at('validating');
    const dup = () => repo.findBusinessDuplicate(probe, 'S', 'N', 'Invoice', false);
    for (const state of ['invalid', 'unreachable', 'cancelled', 'held', 'received']) at(state);
    at('failed', { problem_code: 'AP_REJECTED_X', send_outcome_unknown: 0 });
    at('failed', { problem_code: 'DELIVERY_FAILED', send_outcome_unknown: 0 });
    expect(dup()).toBeNull();
    const unknown = at('failed', { problem_code: 'ATTEMPTS_EXHAUSTED', send_outcome_unknown: 1 });
    expect(dup()).toBe(unknown);
    const fresh = new DocumentsRepo(openDb({ dataDir: ':memory:' }));
    expect(fresh.findBusinessDuplicate(1, 'S', 'N', 'Invoice', false)).toBeNull();
    for (const state of ['queued', 'accepted', 'delivered', 'retry_wait', 'sending', 'ready']) {
      const r2 = new DocumentsRepo(openDb({ dataDir: ':memory:' }));
      const db2 = (r2 as unknown as { db: Database.Database }).db;
      const a = r2.insert({
        fileName: 'a.xml',
        sha256: 'a',
        size: 1,
        body: new Uint8Array([1]),
        idempotencyKey: 'a',
      });
      r2.patch(a, { seller_id: 'S', invoice_number: 'N', doc_type: 'Invoice' });
      db2.prepare('UPDATE documents SET state = ? WHERE id = ?').run(state, a);
      expect(r2.findBusinessDuplicate(a + 1, 'S', 'N', 'Invoice', false)).toBe(a);
    }
  });

  it('lists with filter and search, escaping LIKE wildcards', () => {
    const db = openDb({ dataDir: ':memory:' });
    const repo = new DocumentsRepo(db);
    for (const [i, n] of ['A-1', 'A_2', 'B%3'].entries()) {
      const id = repo.insert({
        fileName: `${n}.xml`,
        sha256: `s${i}`,
        size: 1,
        body: new Uint8Array([1]),
        idempotencyKey: `k${i}`,
      });
      repo.patch(id, { invoice_number: n });
    }
    expect(repo.list({ search: '_' }).rows.map((r) => r.invoice_number)).toEqual(['A_2']);
    expect(repo.list({ search: '%' }).rows.map((r) => r.invoice_number)).toEqual(['B%3']);
    expect(repo.list({ filter: 'progress' }).total).toBe(3);
    expect(repo.list({ filter: 'sent' }).total).toBe(0);
    const asc = repo.list({ sort: { key: 'invoiceNumber', dir: 'asc' } }).rows;
    expect(asc.map((r) => r.invoice_number)).toEqual(['A-1', 'A_2', 'B%3']);
    const bogus = repo.list({ sort: { key: 'x; DROP TABLE documents' as 'id', dir: 'asc' } }).rows;
    expect(bogus.map((r) => r.invoice_number)).toEqual(['B%3', 'A_2', 'A-1']);
  });

  it('lists only the table columns, sorted through an index, and exports all matching rows at once', () => {
    const db = openDb({ dataDir: ':memory:' });
    const repo = new DocumentsRepo(db);
    repo.tx(() => {
      for (let i = 0; i < 6000; i++) {
        const id = repo.insert({
          fileName: `f${i}.xml`,
          sha256: `s${i}`,
          size: 1,
          body: new Uint8Array([1]),
          idempotencyKey: `k${i}`,
        });
        repo.patch(id, {
          buyer_name: `Buyer ${String(i % 100).padStart(3, '0')}`,
          summary_json: '{"big":true}',
        });
        if (i % 3 === 0)
          repo.tx(() => {
            repo.transition(id, 'received', 'validating');
            repo.transition(id, 'validating', 'invalid');
          });
      }
    });
    const page = repo.list({ sort: { key: 'buyerName', dir: 'asc' }, offset: 5990, limit: 50 });
    expect(page.total).toBe(6000);
    expect(page.rows).toHaveLength(10);
    expect(page.rows[0]).not.toHaveProperty('summary_json');
    expect(page.rows[0]).not.toHaveProperty('validation_json');
    expect(page.rows.every((r) => r.buyer_name === 'Buyer 099')).toBe(true);
    const plan = (
      db
        .prepare(
          'EXPLAIN QUERY PLAN SELECT id FROM documents ORDER BY buyer_name COLLATE NOCASE DESC, id DESC LIMIT 10',
        )
        .all() as { detail: string }[]
    )
      .map((r) => r.detail)
      .join('; ');
    expect(plan).toContain('documents_by_buyer_name');
    expect(plan).not.toContain('TEMP B-TREE');

    // More than one page of `list` can hold (5,000): export reads them in one statement.
    const all = repo.listAll({ filter: 'attention', sort: { key: 'id', dir: 'asc' } });
    expect(all).toHaveLength(2000);
    expect(all.every((r) => r.state === 'invalid')).toBe(true);
    expect(new Set(all.map((r) => r.id)).size).toBe(2000);
    expect(all.map((r) => r.id)).toEqual([...all.map((r) => r.id)].sort((a, b) => a - b));
  });
});
