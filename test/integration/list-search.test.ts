import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { FILTER_STATES, type DocumentFilter } from '../../app/contract';
import { openDb, type Db } from '../../app/store/db';
import { DocumentList, type ListTuning } from '../../app/store/document-list';
import { DocumentsRepo } from '../../app/store/documents-repo';
import { migrate } from '../../app/store/migrate';
import { MIGRATIONS } from '../../app/store/migrations';

/** Names chosen to trip a search: wildcards, quotes, backslashes, accents, case, odd folds. */
const TRICKY = [
  { file: 'A-1.xml', invoice: 'A-1', buyer: 'Acme GmbH' },
  { file: 'A_2.xml', invoice: 'A_2', buyer: 'ACME gmbh' },
  { file: 'B%3.xml', invoice: 'B%3', buyer: '50% off Ltd' },
  { file: 'quote.xml', invoice: 'Q"1"', buyer: "O'Brien & Sons" },
  { file: 'back\\slash.xml', invoice: 'C\\4', buyer: 'Back\\slash BV' },
  { file: 'accents.xml', invoice: 'É-5', buyer: 'Société Générale' },
  { file: 'ACCENTS-UPPER.xml', invoice: 'é-6', buyer: 'SOCIÉTÉ GÉNÉRALE' },
  { file: 'plain.xml', invoice: 'e-7', buyer: 'Societe Generale' },
  { file: 'k8.xml', invoice: 'K-8', buyer: '\u212Aelvin Ltd' }, // KELVIN SIGN, folds to k
  { file: 'strasse.xml', invoice: 'SS-9', buyer: 'Große Straße AG' },
  { file: 'emoji.xml', invoice: '🧾-10', buyer: 'Receipt 🧾 Co' },
  { file: 'spaces.xml', invoice: 'INV  11', buyer: '  Padded  ' },
  { file: 'nulls.xml', invoice: null, buyer: null },
  { file: 'star*.xml', invoice: 'NEAR(a b)', buyer: 'a OR b AND -c' },
] as const;

/** What the search box matched before the trigram index: LIKE on the three columns. */
function likeIds(db: Db, text: string, filter?: DocumentFilter): number[] {
  const pattern = `%${text.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const states = filter && filter !== 'all' ? FILTER_STATES[filter] : null;
  return (
    db
      .prepare(
        `SELECT id FROM documents
         WHERE (invoice_number LIKE @p ESCAPE '\\' OR buyer_name LIKE @p ESCAPE '\\' OR file_name LIKE @p ESCAPE '\\')
         AND (@states IS NULL OR state IN (SELECT value FROM json_each(@states)))
         ORDER BY id DESC`,
      )
      .all({ p: pattern, states: states ? JSON.stringify(states) : null }) as { id: number }[]
  ).map((r) => r.id);
}

function addTricky(repo: DocumentsRepo): number[] {
  return TRICKY.map((t, i) => {
    const id = repo.insert({
      fileName: t.file,
      sha256: `s${i}`,
      size: 1,
      body: new Uint8Array([1]),
      idempotencyKey: `k${i}`,
    });
    repo.patch(id, { invoice_number: t.invoice, buyer_name: t.buyer });
    if (i % 2 === 0) {
      repo.transition(id, 'received', 'validating');
      repo.transition(id, 'validating', 'invalid');
    }
    return id;
  });
}

const SEARCHES = [
  // wildcards and escapes
  '%',
  '_',
  '50%',
  'B%3',
  'A_2',
  'A_',
  '\\',
  'C\\4',
  'back\\slash',
  // quotes and FTS5 syntax taken literally
  '"',
  'Q"1"',
  "O'Brien",
  "'",
  'NEAR(a b)',
  'a OR b',
  '-c',
  '*',
  'star*',
  // case: ASCII folds, accented letters do not (LIKE's rule)
  'acme',
  'ACME GMBH',
  'société',
  'SOCIÉTÉ',
  'Société',
  'é-',
  'É-',
  'societe',
  'kelvin',
  'KELVIN',
  '\u212Aelvin',
  'straße',
  'STRASSE',
  'große',
  // other characters, short and whitespace
  '🧾',
  '🧾-1',
  'Receipt 🧾',
  'e',
  'é',
  'ab',
  'INV  11',
  '  Padded  ',
  'Padded',
  'xml',
  '.xml',
  'nothing like this',
];

describe('document list search (trigram index, migration 013)', () => {
  it('finds exactly what LIKE finds, for wildcards, quotes, backslashes, accents and case', () => {
    const db = openDb({ dataDir: ':memory:' });
    const repo = new DocumentsRepo(db);
    addTricky(repo);
    for (const text of SEARCHES) {
      for (const filter of ['all', 'attention', 'progress'] as const) {
        const expected = likeIds(db, text, filter);
        const page = repo.list({ search: text, filter, limit: 5000 });
        expect({ text, filter, ids: page.rows.map((r) => r.id) }).toEqual({
          text,
          filter,
          ids: expected,
        });
        expect({ text, filter, total: page.total }).toEqual({
          text,
          filter,
          total: expected.length,
        });
      }
    }
    // The rules the comparison relies on, spelled out.
    const names = (text: string) =>
      repo.list({ search: text }).rows.map((r) => r.invoice_number ?? r.file_name);
    expect(names('acme').sort()).toEqual(['A-1', 'A_2']);
    expect(names('société')).toEqual(['É-5']);
    expect(names('SOCIÉTÉ')).toEqual(['é-6']);
    expect(names('kelvin')).toEqual([]);
    expect(names('50%')).toEqual(['B%3']);
    expect(names('A_')).toEqual(['A_2']);
    expect(names('Q"1"')).toEqual(['Q"1"']);
    expect(names('NEAR(a b)')).toEqual(['NEAR(a b)']);
  });

  it('keeps the index in step with new documents, changed columns and deletions', () => {
    const db = openDb({ dataDir: ':memory:' });
    const repo = new DocumentsRepo(db);
    const ids = addTricky(repo);
    const found = (text: string) => repo.list({ search: text }).rows.map((r) => r.id);
    // ASCII letters match in any case (LIKE's rule).
    expect(found('Acme GmbH')).toEqual([ids[1], ids[0]]);
    repo.patch(ids[0]!, { buyer_name: 'Globex Corporation' });
    expect(found('Acme GmbH')).toEqual([ids[1]]);
    expect(found('Globex')).toEqual([ids[0]]);
    repo.patch(ids[0]!, { invoice_number: 'ZZ-999' });
    expect(found('ZZ-999')).toEqual([ids[0]]);
    expect(found('Globex')).toEqual([ids[0]]);
    db.prepare('DELETE FROM documents WHERE id = ?').run(ids[0]);
    expect(found('Globex')).toEqual([]);
    expect(found('ZZ-999')).toEqual([]);
    const fresh = repo.insert({
      fileName: 'fresh-drop.xml',
      sha256: 'fresh',
      size: 1,
      body: new Uint8Array([1]),
      idempotencyKey: 'fresh',
    });
    // Found by its file name before validation has read its number and buyer.
    expect(found('fresh-drop')).toEqual([fresh]);
    // Migration 015: every file name has an entry; the invoice number and buyer get theirs when
    // validation sets them (the fresh document has none yet).
    const indexed = (table: string) =>
      (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(indexed('documents_search_file')).toBe(TRICKY.length);
    const withFields = indexed('documents_search_fields');
    repo.patch(fresh, { invoice_number: 'FRESH-1', buyer_name: 'Fresh Buyer' });
    expect(indexed('documents_search_fields')).toBe(withFields + 1);
    expect(indexed('documents_search_file')).toBe(TRICKY.length);
    expect(found('FRESH-1')).toEqual([fresh]);
    expect(found('fresh buyer')).toEqual([fresh]);
    expect(found('fresh-drop')).toEqual([fresh]);
  });

  it('indexes the documents already there when the migration runs', () => {
    const db = new Database(':memory:');
    // Before 015; with 020's columns, which the repository's claim statements read.
    migrate(
      db,
      MIGRATIONS.filter((m) => m.id < 15 || m.id === 20),
    );
    const repo = new DocumentsRepo(db);
    addTricky(repo);
    migrate(db, MIGRATIONS);
    expect(repo.list({ search: 'Acme' }).total).toBe(2);
    for (const text of SEARCHES) {
      expect({ text, ids: repo.list({ search: text, limit: 5000 }).rows.map((r) => r.id) }).toEqual(
        { text, ids: likeIds(db, text) },
      );
    }
  });

  it('reads a search through the trigram index and a filter page through the sort index alone', () => {
    const db = openDb({ dataDir: ':memory:' });
    const repo = new DocumentsRepo(db);
    repo.tx(() => {
      // More documents in the filter than SMALL_FILTER (2,000), so the sort's index is walked.
      for (let i = 0; i < 6000; i++) {
        const id = repo.insert({
          fileName: `f${i}.xml`,
          sha256: `s${i}`,
          size: 1,
          body: new Uint8Array([1]),
          idempotencyKey: `k${i}`,
        });
        repo.patch(id, { buyer_name: `Buyer ${i % 50}`, invoice_number: `INV-${i}` });
        if (i % 2 === 0) {
          repo.transition(id, 'received', 'validating');
          repo.transition(id, 'validating', 'invalid');
        }
      }
    });
    // Every statement the list runs, with its plan (better-sqlite3 compiles each once).
    const plans: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      // The list's own statements: a page or a search's total.
      if (sql.includes('LIMIT @limit') || sql.includes('COUNT(*) AS n FROM documents')) {
        const plan = (
          prepare(`EXPLAIN QUERY PLAN ${sql}`).all({
            states: '[]',
            match: '"x"',
            search: '%x%',
            limit: 1,
            offset: 0,
          }) as { detail: string }[]
        )
          .map((r) => r.detail)
          .join('; ');
        plans.push(plan);
      }
      return prepare(sql);
    }) as typeof db.prepare;
    const fresh = repo;

    plans.length = 0;
    const found = fresh.list({ search: 'INV-1234', sort: { key: 'amount', dir: 'asc' } });
    expect(found.rows.map((r) => r.invoice_number)).toEqual(['INV-1234']);
    expect(plans.length).toBeGreaterThan(0);
    for (const plan of plans) {
      expect(plan).toContain('documents_search_file VIRTUAL TABLE');
      expect(plan).toContain('documents_search_fields VIRTUAL TABLE');
      expect(plan).not.toMatch(/SCAN documents(?!\w)(?! USING)/);
    }

    plans.length = 0;
    const page = fresh.list({
      filter: 'attention',
      sort: { key: 'buyerName', dir: 'asc' },
      offset: 200,
      limit: 100,
    });
    expect(page.total).toBe(3000);
    expect(page.rows).toHaveLength(100);
    expect(page.rows.every((r) => r.state === 'invalid')).toBe(true);
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatch(/SCAN documents USING (COVERING )?INDEX documents_by_buyer_name/);
    expect(plans[0]).not.toContain('TEMP B-TREE');

    plans.length = 0;
    const newest = fresh.list({ filter: 'progress', limit: 10 });
    expect(newest.rows.map((r) => r.id)).toEqual(likeIds(db, '', 'progress').slice(0, 10));
    expect(plans[0]).toMatch(/SCAN documents USING (COVERING )?INDEX documents_by_id_search/);
    expect(plans[0]).not.toContain('TEMP B-TREE');
  });
});

/** The list with other thresholds than the repository's (to reach every plan with a few rows). */
function listWith(db: Db, repo: DocumentsRepo, tuning: Partial<ListTuning>): DocumentList {
  return new DocumentList(
    db,
    () => repo.counts(),
    (fn) => repo.tx(fn),
    tuning,
  );
}

/** LIKE's answer in a given order (the reference for sorted pages). */
function likeIdsSorted(db: Db, text: string, order: string, filter?: DocumentFilter): number[] {
  const pattern = `%${text.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const states = filter && filter !== 'all' ? FILTER_STATES[filter] : null;
  return (
    db
      .prepare(
        `SELECT id FROM documents
         WHERE (invoice_number LIKE @p ESCAPE '\\' OR buyer_name LIKE @p ESCAPE '\\' OR file_name LIKE @p ESCAPE '\\')
         AND (@states IS NULL OR state IN (SELECT value FROM json_each(@states)))
         ORDER BY ${order}`,
      )
      .all({ p: pattern, states: states ? JSON.stringify(states) : null }) as { id: number }[]
  ).map((r) => r.id);
}

describe('document list search plans (issue 9: a search that matches most documents)', () => {
  // Every plan: `sparse` (trigram index, then rows), `dense` (LIKE on the narrow search index,
  // migration 014) and `small-filter` (the filter's rows), forced by the thresholds.
  const PLANS: [string, Partial<ListTuning>][] = [
    ['default thresholds (sparse or small filter)', {}],
    ['dense: every search on the narrow index', { sparseSearch: 0, smallFilter: 0 }],
    ['small filter: every filter read through its rows', { sparseSearch: 0, smallFilter: 1e9 }],
  ];
  const SORTS = [
    [undefined, 'id DESC'],
    [{ key: 'amount', dir: 'asc' }, 'CAST(amount AS REAL) ASC, id ASC'],
    [{ key: 'buyerName', dir: 'desc' }, 'buyer_name COLLATE NOCASE DESC, id DESC'],
  ] as const;

  for (const [name, tuning] of PLANS) {
    it(`finds exactly what LIKE finds, in order, with its total: ${name}`, () => {
      const db = openDb({ dataDir: ':memory:' });
      const repo = new DocumentsRepo(db);
      const ids = addTricky(repo);
      ids.forEach((id, i) => repo.patch(id, { amount: String((i * 37) % 11) }));
      const list = listWith(db, repo, tuning);
      for (const text of SEARCHES) {
        for (const filter of ['all', 'attention', 'progress'] as const) {
          for (const [sort, order] of SORTS) {
            const expected = likeIdsSorted(db, text, order, filter);
            const page = list.list({ search: text, filter, sort, limit: 5000 });
            const key = { text, filter, sort: order };
            expect({ ...key, ids: page.rows.map((r) => r.id) }).toEqual({ ...key, ids: expected });
            expect({ ...key, total: page.total }).toEqual({ ...key, total: expected.length });
            // A page further on: the same rows LIKE orders there.
            const later = list.list({ search: text, filter, sort, offset: 2, limit: 3 });
            expect({ ...key, later: later.rows.map((r) => r.id) }).toEqual({
              ...key,
              later: expected.slice(2, 5),
            });
          }
        }
      }
    });
  }

  it('counts and pages a search found in every document without reading their rows', () => {
    const db = openDb({ dataDir: ':memory:' });
    const repo = new DocumentsRepo(db);
    repo.tx(() => {
      // More matches than the sparse threshold (2,000), in a filter larger than the small one.
      for (let i = 0; i < 6000; i++) {
        const id = repo.insert({
          fileName: `${i % 3 === 0 ? 'CREDIT' : 'DROP'}-2026-11-${String(i).padStart(5, '0')}.xml`,
          sha256: `s${i}`,
          size: 1,
          body: new Uint8Array([1]),
          idempotencyKey: `k${i}`,
        });
        repo.patch(id, { buyer_name: `Buyer ${i % 50}`, amount: String(i % 97) });
        if (i % 2 === 0) {
          repo.transition(id, 'received', 'validating');
          repo.transition(id, 'validating', 'invalid');
        }
      }
    });
    const plans: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      if (sql.includes('LIMIT @limit') || sql.includes('COUNT(*) AS n FROM')) {
        plans.push(
          (
            prepare(`EXPLAIN QUERY PLAN ${sql}`).all({
              states: '[]',
              match: '"x"',
              search: '%x%',
              cap: 1,
              limit: 1,
              offset: 0,
            }) as { detail: string }[]
          )
            .map((r) => r.detail)
            .join('; '),
        );
      }
      return prepare(sql);
    }) as typeof db.prepare;
    // No plan of these reads the table row by row: only indexes (and the rows of the page).
    const noTableScan = () => {
      expect(plans.length).toBeGreaterThan(0);
      for (const plan of plans) {
        expect(plan).not.toMatch(/SCAN documents(?!\w)(?! USING)/);
        expect(plan).not.toMatch(/SEARCH documents USING INTEGER PRIMARY KEY/);
      }
    };

    // In two thirds of the documents: counted and paged on the narrow index.
    const first = repo.list({ search: 'DROP-2026', limit: 200 });
    expect(first.total).toBe(4000);
    expect(first.rows.map((r) => r.id)).toEqual(likeIds(db, 'DROP-2026').slice(0, 200));
    noTableScan();
    // The total is LIKE on the narrow index; the newest page walks it (no sort of the matches).
    expect(plans.some((p) => /COVERING INDEX documents_by_id_search/.test(p))).toBe(true);
    expect(plans.filter((p) => p.includes('TEMP B-TREE'))).toEqual([]);

    plans.length = 0;
    const byAmount = repo.list({
      search: 'DROP-2026',
      filter: 'attention',
      sort: { key: 'amount', dir: 'desc' },
      offset: 1900,
      limit: 200,
    });
    const attention = likeIdsSorted(
      db,
      'DROP-2026',
      'CAST(amount AS REAL) DESC, id DESC',
      'attention',
    );
    expect(byAmount.total).toBe(2000);
    expect(byAmount.rows.map((r) => r.id)).toEqual(attention.slice(1900, 2100));
    noTableScan();
    expect(plans.some((p) => /SCAN documents USING INDEX documents_by_amount/.test(p))).toBe(true);

    plans.length = 0;
    // In every document: the total on the narrow index, the page is the table's own page.
    const every = repo.list({ search: '2026-11', sort: { key: 'buyerName', dir: 'asc' } });
    expect(every.total).toBe(6000);
    expect(every.rows.map((r) => r.id)).toEqual(
      likeIdsSorted(db, '2026-11', 'buyer_name COLLATE NOCASE ASC, id ASC').slice(0, 200),
    );
    noTableScan();

    plans.length = 0;
    // Two characters: no trigram; LIKE on the narrow index as well.
    const short = repo.list({ search: '26', sort: { key: 'fileName', dir: 'asc' }, limit: 10 });
    expect(short.total).toBe(likeIds(db, '26').length);
    expect(short.rows.map((r) => r.file_name)).toEqual(
      likeIdsSorted(db, '26', 'file_name COLLATE NOCASE ASC, id ASC')
        .slice(0, 10)
        .map((id) => repo.get(id)?.file_name),
    );
    noTableScan();
  });
});
