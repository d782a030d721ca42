import { describe, expect, it } from 'vitest';
import type { Db } from '../../app/store/db';
import { DocumentsRepo } from '../../app/store/documents-repo';
import { FILTER_STATES } from '../../app/contract';
import { likeIds, listUnderTest } from '../helpers/list-statements';

/** LIKE's count of a search over every document (the reference). */
const likeCount = (db: Db, text: string): number => likeIds(db, text).length;

/** The list under test with `sparseSearch`. */
const listOn = (sparseSearch: number) => listUnderTest({ sparseSearch });

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
    // Every plan reads this search on the narrow index: the text is in more documents than the
    // sparse threshold.
    const { db, runs, repo, list } = listOn(0);
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
    expect(runs).toEqual({ full: 1, newer: 0, plan: 1 });

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

  it('is kept while validation gives documents their first buyer, when every document matched', () => {
    const { db, runs, repo, list } = listOn(0);
    // A drop whose names share a prefix, not checked yet (no buyer).
    const ids = repo.tx(() =>
      Array.from({ length: 200 }, (_, i) => add(repo, i, `DROP-${i}.xml`, null)),
    );
    const check = (text: string) => {
      const page = list.list({ search: text, limit: 20 });
      expect(page.total).toBe(likeCount(db, text));
      return page.total;
    };
    expect(check('DROP')).toBe(200);
    expect(runs).toEqual({ full: 1, newer: 0, plan: 1 });
    // Validation gives each its buyer, one refresh after each: every document already matched,
    // so a first value cannot add one; nothing is counted in full again.
    for (const id of ids.slice(0, 40)) {
      repo.patch(id, { buyer_name: `DROP buyer ${id}`, invoice_number: `N-${id}` });
      expect(check('DROP')).toBe(200);
    }
    expect(runs.full).toBe(1);
    // With a filter too (the table's "In progress" while the drop streams in): the filter's own
    // total and page, without testing the text on its documents.
    for (const id of ids.slice(0, 30)) repo.transition(id, 'received', 'validating');
    for (const id of ids.slice(0, 10)) repo.transition(id, 'validating', 'invalid');
    const inProgress = list.list({ search: 'DROP', filter: 'progress', limit: 500 });
    const progressStates = FILTER_STATES.progress.map((st) => `'${st}'`).join(', ');
    const expected = db
      .prepare(
        `SELECT id FROM documents WHERE state IN (${progressStates}) AND file_name LIKE '%DROP%' ORDER BY id DESC`,
      )
      .pluck()
      .all();
    expect(expected).toHaveLength(190);
    expect(inProgress.total).toBe(190);
    expect(inProgress.rows.map((r) => r.id)).toEqual(expected);
    expect(runs.full).toBe(1);
    // A value changed afterwards may take a match away (not here: the file name matches): the
    // total is counted in full again.
    repo.patch(ids[0]!, { buyer_name: 'Someone else' });
    expect(check('DROP')).toBe(200);
    expect(runs.full).toBe(2);

    // A search that only some documents match: a first value may add one (the buyer now holds
    // the text), so it is counted in full after each.
    expect(check('buyer 1')).toBe(likeCount(db, 'buyer 1'));
    const before = runs.full;
    repo.patch(ids[150]!, { buyer_name: 'buyer 1 and co' });
    const t = check('buyer 1');
    expect(t).toBe(likeCount(db, 'buyer 1'));
    expect(runs.full).toBe(before + 1);
    repo.patch(ids[151]!, { invoice_number: 'buyer 1 invoice' });
    expect(check('buyer 1')).toBe(t + 1);
    expect(runs.full).toBe(before + 2);
  });
});

describe('the plan of a search found in many documents (issue 9 point 5)', () => {
  it('counts its trigram hits once while it stays dense, again once it is found in few', () => {
    const { db, runs: planCounts, repo, list } = listOn(50);
    const ids = repo.tx(() =>
      Array.from({ length: 120 }, (_, i) => add(repo, i, `DROP-${i}.xml`, `Buyer ${i % 5}`)),
    );
    const check = (text: string, filter?: 'progress') => {
      const page = list.list({ search: text, filter, limit: 10 });
      if (!filter) expect(page.total).toBe(likeCount(db, text));
      return page;
    };
    // Dense (120 documents, more than 50): its trigram hits counted once for 30 refreshes.
    for (let i = 0; i < 30; i++) {
      repo.transition(ids[i]!, 'received', 'validating');
      expect(check('DROP').total).toBe(120);
    }
    expect(planCounts.plan).toBe(1);
    // A sparse text is counted each time (its plan reads only the documents named).
    check('Buyer 3');
    check('Buyer 3');
    expect(planCounts.plan).toBe(3);
    // The dense text's documents mostly deleted: once its total is 50 or fewer, the next refresh
    // counts its trigram hits again, and the results stay exact.
    for (const id of ids.slice(0, 80)) db.prepare('DELETE FROM documents WHERE id = ?').run(id);
    expect(check('DROP').total).toBe(40);
    const runs = planCounts.plan;
    const page = check('DROP');
    expect(page.total).toBe(40);
    expect(page.rows.map((r) => r.id)).toEqual(ids.slice(80).reverse().slice(0, 10));
    expect(planCounts.plan).toBe(runs + 1);
  });
});
