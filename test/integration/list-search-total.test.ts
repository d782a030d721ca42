import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../app/store/db';
import { DocumentList } from '../../app/store/document-list';
import { DocumentsRepo } from '../../app/store/documents-repo';

/** LIKE's count of a search over every document (the reference). */
function likeCount(db: Db, text: string): number {
  const p = `%${text}%`;
  return (
    db
      .prepare(
        `SELECT COUNT(*) AS n FROM documents WHERE file_name LIKE @p ESCAPE '\\'
         OR invoice_number LIKE @p ESCAPE '\\' OR buyer_name LIKE @p ESCAPE '\\'`,
      )
      .get({ p }) as { n: number }
  ).n;
}

/** Counts the runs of the list's COUNT statements: over every entry, or only the newer ids. */
function countCounts(db: Db): { full: number; newer: number } {
  const runs = { full: 0, newer: 0 };
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    const stmt = prepare(sql);
    if (!sql.includes('COUNT(*) AS n FROM documents INDEXED BY documents_by_id_search'))
      return stmt;
    const kind = sql.includes('id > @after') ? 'newer' : 'full';
    const get = stmt.get.bind(stmt);
    stmt.get = ((...args: Parameters<typeof stmt.get>) => {
      runs[kind]++;
      return get(...args);
    }) as typeof stmt.get;
    return stmt;
  }) as typeof db.prepare;
  return runs;
}

function add(repo: DocumentsRepo, i: number, fileName: string, buyer: string | null): number {
  const id = repo.insert({
    fileName,
    sha256: `s${i}`,
    size: 1,
    body: new Uint8Array([1]),
    idempotencyKey: `k${i}`,
  });
  if (buyer !== null) repo.patch(id, { buyer_name: buyer });
  return id;
}

describe('the total of a search found in (nearly) every document (issue 9 point 5)', () => {
  it('is kept between refreshes while documents change state, exactly LIKE’s at every step', () => {
    const db = openDb({ dataDir: ':memory:' });
    const runs = countCounts(db);
    const repo = new DocumentsRepo(db);
    // Every plan reads this search on the narrow index: the text is in more documents than the
    // sparse threshold (2,000).
    const list = new DocumentList(
      db,
      () => repo.counts(),
      (fn) => repo.tx(fn),
      { sparseSearch: 0 },
    );
    const ids = repo.tx(() =>
      Array.from({ length: 300 }, (_, i) =>
        add(repo, i, i % 3 === 0 ? `OTHER-${i}.xml` : `DROP-${i}.xml`, `Buyer ${i % 7}`),
      ),
    );
    const check = () => {
      const page = list.list({ search: 'DROP', limit: 50 });
      expect(page.total).toBe(likeCount(db, 'DROP'));
      return page.total;
    };
    expect(check()).toBe(200);
    expect(runs).toEqual({ full: 1, newer: 0 });

    // State changes only (what streams while sending): never counted in full again.
    for (const id of ids.slice(0, 50)) {
      repo.transition(id, 'received', 'validating');
      check();
    }
    expect(runs.full).toBe(1);
    expect(runs.newer).toBe(50);

    // New documents: only they are counted.
    add(repo, 1000, 'DROP-new.xml', null);
    add(repo, 1001, 'OTHER-new.xml', null);
    expect(check()).toBe(201);
    expect(runs.full).toBe(1);

    // A searched column changed (validation sets the buyer; here it now contains the text), a
    // file renamed, a document deleted: counted in full again, each time.
    repo.patch(ids[0]!, { buyer_name: 'DROP Ltd' });
    expect(check()).toBe(202);
    expect(runs.full).toBe(2);
    db.prepare("UPDATE documents SET file_name = 'renamed.xml' WHERE id = ?").run(ids[1]!);
    expect(check()).toBe(201);
    expect(runs.full).toBe(3);
    db.prepare('DELETE FROM documents WHERE id = ?').run(ids[2]!);
    expect(check()).toBe(200);
    expect(runs.full).toBe(4);

    // Another search meanwhile keeps its own total; the first is still kept.
    expect(list.list({ search: 'Buyer 3', limit: 1 }).total).toBe(likeCount(db, 'Buyer 3'));
    const full = runs.full;
    check();
    expect(runs.full).toBe(full);
  });
});
