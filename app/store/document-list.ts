/**
 * The read side of the document table: filter, search and sort turned into SQL (whitelisted
 * columns, escaped search), one prepared statement per distinct SQL text, and totals taken from
 * the per-state counts so that paging never walks every document. DocumentsRepo's `list` and
 * `listAll` are these.
 */
import type { Db } from './db';
import { LIST_COLUMNS, type DocumentListQuery, type DocumentListRecord } from './document-record';
import type {
  DocumentFilter,
  DocumentSort,
  DocumentSortKey,
  DocumentState,
  StateCounts,
} from '../contract';
import { FILTER_STATES } from '../contract';

const SORT_COLUMNS: Record<DocumentSortKey, string> = {
  state: 'state',
  fileName: 'file_name COLLATE NOCASE',
  invoiceNumber: 'invoice_number COLLATE NOCASE',
  buyerName: 'buyer_name COLLATE NOCASE',
  amount: 'CAST(amount AS REAL)',
  issueDate: 'issue_date',
  updatedAt: 'updated_at',
  id: 'id',
};

/** ORDER BY for a sort (whitelisted columns only); newest first by default. */
function orderBy(sort: DocumentSort | undefined): string {
  if (!sort || !Object.hasOwn(SORT_COLUMNS, sort.key)) return 'id DESC';
  const dir = sort.dir === 'asc' ? 'ASC' : 'DESC';
  return `${SORT_COLUMNS[sort.key]} ${dir}, id ${dir}`;
}

/** The queries behind `documents:list` and `documents:export`. */
export class DocumentList {
  private readonly listCache = new Map<string, ReturnType<Db['prepare']>>();

  /**
   * `counts` and `tx` are the repository's own (called through it, so that what it counts and the
   * transaction it opens are the repository's).
   */
  constructor(
    private readonly db: Db,
    private readonly counts: () => StateCounts,
    private readonly tx: <T>(fn: () => T) => T,
  ) {}

  /** WHERE clause and parameters of a list query (the SQL text depends only on which parts are set). */
  private listWhere(query: DocumentListQuery): { clause: string; params: Record<string, unknown> } {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (query.filter && query.filter !== 'all' && Object.hasOwn(FILTER_STATES, query.filter)) {
      where.push('state IN (SELECT value FROM json_each(@states))');
      params.states = JSON.stringify(FILTER_STATES[query.filter]);
    }
    if (query.search && query.search.trim()) {
      where.push(
        "(invoice_number LIKE @search ESCAPE '\\' OR buyer_name LIKE @search ESCAPE '\\' OR file_name LIKE @search ESCAPE '\\')",
      );
      params.search = `%${query.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    return { clause: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
  }

  /** Documents in the states of a filter, from the per-state counts. */
  private countIn(filter: DocumentFilter | undefined): number {
    const counts = this.counts();
    const states =
      filter && filter !== 'all' && Object.hasOwn(FILTER_STATES, filter)
        ? FILTER_STATES[filter]
        : (Object.keys(counts) as DocumentState[]);
    return states.reduce((sum, st) => sum + (counts[st] ?? 0), 0);
  }

  /** Prepared once per distinct SQL text (a few dozen: filter × search × sort). */
  private listStatement(sql: string): ReturnType<Db['prepare']> {
    let stmt = this.listCache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.listCache.set(sql, stmt);
    }
    return stmt;
  }

  /** A page of the document table. */
  list(query: DocumentListQuery & { offset?: number; limit?: number }): {
    rows: DocumentListRecord[];
    total: number;
  } {
    const { clause, params } = this.listWhere(query);
    // One read transaction: the total and the page come from the same snapshot.
    return this.tx(() => {
      // Without a search the total is a sum of per-state counts (a few rows); COUNT(*) would walk
      // every matching document on each refresh of the table.
      const total =
        query.search && query.search.trim()
          ? (
              this.listStatement(`SELECT COUNT(*) AS n FROM documents ${clause}`).get(params) as {
                n: number;
              }
            ).n
          : this.countIn(query.filter);
      const limit = Math.max(1, Math.min(Math.floor(query.limit ?? 200), 5000));
      const offset = Math.max(0, Math.floor(query.offset ?? 0));
      const rows = this.listStatement(
        `SELECT ${LIST_COLUMNS.join(', ')} FROM documents ${clause} ORDER BY ${orderBy(query.sort)} LIMIT @limit OFFSET @offset`,
      ).all({ ...params, limit, offset }) as DocumentListRecord[];
      return { rows, total };
    });
  }

  /** Every row matching the query, read in one statement (one consistent snapshot; CSV export). */
  listAll(query: DocumentListQuery): DocumentListRecord[] {
    const { clause, params } = this.listWhere(query);
    return this.listStatement(
      `SELECT ${LIST_COLUMNS.join(', ')} FROM documents ${clause} ORDER BY ${orderBy(query.sort)}`,
    ).all(params) as DocumentListRecord[];
  }
}
