import type { Db } from '../../app/store/db';

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

