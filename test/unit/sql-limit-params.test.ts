// A bare `LIMIT ?` makes SQLite prepare the statement again each time the limit is bound (its
// planner reads the value), which better-sqlite3 does on every run: the pipeline's reads of due
// rows were parsed and planned anew on every pump. The repository gives limits as `? + 0`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../app/store/db';
import { LIMIT_PARAM } from '../../app/store/document-record';
import { DocumentsRepo } from '../../app/store/documents-repo';

const store = join(__dirname, '..', '..', 'app', 'store');
/** A LIMIT or OFFSET that is a bare parameter (`?`, `@name`, `:name`, `$name`), not an expression. */
const BARE_PARAMETER = /\b(LIMIT|OFFSET)\s+(\?|[@:$]\w+)(?!\w)(?!\s*\+)/g;

let db: Db | null = null;
afterEach(() => {
  db?.close();
  db = null;
});

describe('limits given as parameters', () => {
  it('are expressions in the documents repository, never a bare parameter', () => {
    const source = readFileSync(join(store, 'documents-repo.ts'), 'utf8');
    expect(source).toContain('LIMIT_PARAM');
    expect(source).toContain('LIMIT @limit + 0');
    expect(source.match(BARE_PARAMETER) ?? []).toEqual([]);
    expect(LIMIT_PARAM).toBe('LIMIT ? + 0');
    // The guard itself finds what it is for.
    expect('ORDER BY id LIMIT ?'.match(BARE_PARAMETER)).toHaveLength(1);
    expect('LIMIT @limit OFFSET @offset'.match(BARE_PARAMETER)).toHaveLength(2);
  });

  it('still bound the rows read, oldest first', () => {
    db = openDb({ dataDir: ':memory:' });
    const repo = new DocumentsRepo(db);
    const ids = repo.insertMany(
      Array.from({ length: 5 }, (_, i) => ({
        fileName: `f${i}.xml`,
        sha256: `sha-${i}`,
        size: 10,
        body: new Uint8Array(10),
        idempotencyKey: `key-${i}`,
      })),
    );
    expect(repo.inState('received', 2).map((d) => d.id)).toEqual(ids.slice(0, 2));
    expect(repo.inState('received', 10).map((d) => d.id)).toEqual(ids);
    repo.tx(() => {
      for (const id of ids) repo.transitionThrough(id, [{ from: 'received', to: 'validating' }]);
    });
    repo.tx(() => {
      for (const id of ids) {
        repo.transitionThrough(id, [
          { from: 'validating', to: 'ready' },
          { from: 'ready', to: 'resolving' },
          { from: 'resolving', to: 'queued' },
        ]);
      }
    });
    expect(repo.claimableQueued(3).map((d) => d.id)).toEqual(ids.slice(0, 3));
    expect(repo.claimableRetries(Date.now(), 3)).toEqual([]);
    expect(repo.duePolls(Date.now(), 3)).toEqual([]);
  });
});
