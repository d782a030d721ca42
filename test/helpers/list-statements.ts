import { FILTER_STATES, type DocumentFilter } from '../../app/contract';
import { openDb, type Db } from '../../app/store/db';
import { DocumentList, type ListTuning } from '../../app/store/document-list';
import { DocumentsRepo } from '../../app/store/documents-repo';

/**
 * Runs of the document list's statements by kind: its COUNTs on the search index over every entry
 * (`full`, with or without a filter) or only the newer ids (`newer`), and its trigram count
 * choosing a plan (`plan`).
 */
export interface ListRuns {
  full: number;
  newer: number;
  plan: number;
}

/** Counts the runs of the list's statements on `db` from now on (see {@link ListRuns}). */
export function countListRuns(db: Db): ListRuns {
  const runs: ListRuns = { full: 0, newer: 0, plan: 0 };
  const kindOf = (sql: string): keyof ListRuns | null => {
    if (sql.includes('LIMIT @cap + 0')) return 'plan';
    if (!sql.includes('COUNT(*) AS n FROM documents INDEXED BY documents_by_id_search'))
      return null;
    return sql.includes('id > @after') ? 'newer' : 'full';
  };
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    const stmt = prepare(sql);
    const kind = kindOf(sql);
    if (kind === null) return stmt;
    const get = stmt.get.bind(stmt);
    stmt.get = ((...args: Parameters<typeof stmt.get>) => {
      runs[kind]++;
      return get(...args);
    }) as typeof stmt.get;
    return stmt;
  }) as typeof db.prepare;
  return runs;
}

/** A database in memory, its repository, the list under test (with `tuning`) and its runs. */
export function listUnderTest(tuning: Partial<ListTuning>) {
  const db = openDb({ dataDir: ':memory:' });
  const runs = countListRuns(db);
  const repo = new DocumentsRepo(db);
  const list = new DocumentList(
    db,
    () => repo.counts(),
    (fn) => repo.tx(fn),
    tuning,
  );
  return { db, runs, repo, list };
}

/** LIKE's answer (the reference): ids newest first, for a search (no wildcards) and a filter. */
export function likeIds(db: Db, text: string, filter: DocumentFilter = 'all'): number[] {
  const p = `%${text}%`;
  const states = filter === 'all' ? null : JSON.stringify(FILTER_STATES[filter]);
  return db
    .prepare(
      `SELECT id FROM documents
       WHERE (file_name LIKE @p OR invoice_number LIKE @p OR buyer_name LIKE @p)
       AND (@states IS NULL OR state IN (SELECT value FROM json_each(@states)))
       ORDER BY id DESC`,
    )
    .pluck()
    .all({ p, states }) as number[];
}
