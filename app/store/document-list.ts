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

/**
 * The index that holds each sort's order and the state (migrations 005 and 013): a page of a
 * filter is found by walking it alone, without reading a document.
 */
const SORT_INDEXES: Record<DocumentSortKey, string> = {
  state: 'documents_by_state_id',
  fileName: 'documents_by_file_name',
  invoiceNumber: 'documents_by_invoice_number',
  buyerName: 'documents_by_buyer_name',
  amount: 'documents_by_amount',
  issueDate: 'documents_by_issue_date',
  updatedAt: 'documents_by_updated_at',
  id: 'documents_by_id_state',
};

/** The sort key of a query, or null for the default order (newest first). */
function sortKey(sort: DocumentSort | undefined): DocumentSortKey | null {
  return sort && Object.hasOwn(SORT_COLUMNS, sort.key) ? sort.key : null;
}

/** ORDER BY for a sort (whitelisted columns only); newest first by default. */
function orderBy(sort: DocumentSort | undefined): string {
  const key = sortKey(sort);
  if (!key || !sort) return 'id DESC';
  const dir = sort.dir === 'asc' ? 'ASC' : 'DESC';
  return `${SORT_COLUMNS[key]} ${dir}, id ${dir}`;
}

/**
 * Search text shorter than this (in characters) cannot use the trigram index: the list then
 * applies LIKE to every document, as before migration 013.
 */
const TRIGRAM = 3;

/**
 * A filter with at most this many documents is read through the state index and sorted (a few
 * milliseconds); a larger one walks the sort's index (bounded by the table, not the filter).
 */
const SMALL_FILTER = 2000;

/** What the search box matches: the text anywhere in the invoice number, buyer or file name. */
const SEARCH_LIKE =
  "(invoice_number LIKE @search ESCAPE '\\' OR buyer_name LIKE @search ESCAPE '\\' OR file_name LIKE @search ESCAPE '\\')";

/** {@link SEARCH_LIKE} read from the sort indexes of the three columns (migration 013). */
const SEARCH_LIKE_BY_INDEX = `id IN (
  SELECT id FROM documents INDEXED BY documents_by_invoice_number WHERE invoice_number LIKE @search ESCAPE '\\'
  UNION SELECT id FROM documents INDEXED BY documents_by_buyer_name WHERE buyer_name LIKE @search ESCAPE '\\'
  UNION SELECT id FROM documents INDEXED BY documents_by_file_name WHERE file_name LIKE @search ESCAPE '\\')`;

/** The trimmed search text of a query, or null when there is none. */
export function searchText(query: DocumentListQuery): string | null {
  const text = query.search?.trim();
  return text ? text : null;
}

/** The LIKE pattern of a search: the text anywhere, with `\`, `%` and `_` taken literally. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The FTS5 query of a search, or null when the text is too short for trigrams: one phrase (the
 * text as a substring of one column), every character literal inside its double quotes.
 */
export function trigramMatch(text: string): string | null {
  if ([...text].length < TRIGRAM) return null;
  return `"${text.replace(/"/g, '""')}"`;
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
    const text = searchText(query);
    if (text) {
      // The trigram index narrows to the documents that may match (it folds case more widely
      // than LIKE); LIKE on those rows decides, so the results are exactly LIKE's.
      const match = trigramMatch(text);
      if (match) {
        where.push(
          'id IN (SELECT rowid FROM documents_search WHERE documents_search MATCH @match)',
        );
        where.push(SEARCH_LIKE);
        params.match = match;
      } else {
        // Too short for trigrams: the same LIKE, on the three columns' indexes (narrow entries)
        // instead of the wide rows.
        where.push(SEARCH_LIKE_BY_INDEX);
      }
      params.search = likePattern(text);
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

  /**
   * Which index finds a page. Without a search, the sort's own index (it ends with the state):
   * the page is found by walking index entries only (skipped ones and those of other states cost
   * no row read) and only the rows shown are read. A filter with few documents is better served
   * by the state index and a sort of those few, and a search by the trigram index: the planner
   * chooses there.
   */
  private indexFor(query: DocumentListQuery, total: number): string {
    if (searchText(query)) return '';
    if (query.filter && query.filter !== 'all' && total <= SMALL_FILTER) return '';
    return `INDEXED BY ${SORT_INDEXES[sortKey(query.sort) ?? 'id']}`;
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
      const total = searchText(query)
        ? (
            this.listStatement(`SELECT COUNT(*) AS n FROM documents ${clause}`).get(params) as {
              n: number;
            }
          ).n
        : this.countIn(query.filter);
      const limit = Math.max(1, Math.min(Math.floor(query.limit ?? 200), 5000));
      const offset = Math.max(0, Math.floor(query.offset ?? 0));
      const order = orderBy(query.sort);
      const rows = this.listStatement(
        `SELECT ${LIST_COLUMNS.join(', ')} FROM documents ${this.indexFor(query, total)} ${clause}
         ORDER BY ${order} LIMIT @limit OFFSET @offset`,
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
