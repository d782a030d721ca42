import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, MigrationError } from '../../app/store/migrate';
import { MIGRATIONS } from '../../app/store/migrations';
import { openDb } from '../../app/store/db';
import { DocumentsRepo } from '../../app/store/documents-repo';
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
    expect(migrate(db, MIGRATIONS)).toEqual([1, 2, 3, 4, 5, 6]);
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
      { at: 1000, from: null, to: 'received', detail: 'a.xml' },
      { at: 2000, from: 'received', to: 'validating', detail: null },
      { at: 2000, from: 'validating', to: 'invalid', detail: 'bad' },
    ]);
    expect(repo.get(id)?.problem_code).toBe('X');
    expect([...repo.getBody(id)]).toEqual([1, 2, 3]);
    expect(repo.counts().invalid).toBe(1);
    expect(repo.findBySha('abc')).toBe(id);
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
        if (i % 3 === 0) repo.transition(id, 'received', 'invalid');
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
