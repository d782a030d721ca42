/**
 * The read side of the document table: filter, search and sort turned into SQL (whitelisted
 * columns, escaped search), one prepared statement per distinct SQL text, and totals taken from
 * the per-state counts so that paging never walks every document. DocumentsRepo's `list` and
 * `listAll` are these.
 */
import { visibleText } from '../domain/visible-text';
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
  id: 'documents_by_id_search',
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
 * applies LIKE to the narrow entries of `documents_by_search_text` (see {@link SearchPlan}).
 */
const TRIGRAM = 3;

/** Thresholds of the list's plans (tests lower them to reach every plan with a few documents). */
export interface ListTuning {
  /**
   * A filter with at most this many documents is read through the state index and sorted (a few
   * milliseconds); a larger one walks the sort's index (bounded by the table, not the filter).
   */
  smallFilter: number;
  /**
   * A search whose text the trigram index finds in at most this many documents reads those rows
   * to apply LIKE; beyond it, LIKE runs on the narrow search index instead (see SearchPlan).
   */
  sparseSearch: number;
}

const DEFAULT_TUNING: ListTuning = { smallFilter: 2000, sparseSearch: 2000 };

/**
 * What the search box matches: the text anywhere in the file name, invoice number or buyer (file
 * name first: the column most searches hit, so the other two are seldom tested).
 */
const SEARCH_LIKE =
  "(file_name LIKE @search ESCAPE '\\' OR invoice_number LIKE @search ESCAPE '\\' OR buyer_name LIKE @search ESCAPE '\\')";

/**
 * The default order's index, which also holds the state and the three searched columns (migration
 * 014): LIKE and a filter are applied to its narrow entries.
 */
const SEARCH_INDEX = 'documents_by_id_search';

/**
 * Ids of the documents whose file name, invoice number or buyer contains the `@match` phrase, by
 * the trigram indexes (migration 015: the file name's, written when a document is added, and the
 * invoice number's and buyer's, written when validation sets them). With `UNION ALL` an id may
 * come twice (fine for `IN`); `UNION` counts each once.
 */
const trigramHits = (union: 'UNION' | 'UNION ALL'): string =>
  `SELECT rowid FROM documents_search_file WHERE documents_search_file MATCH @match
   ${union} SELECT rowid FROM documents_search_fields WHERE documents_search_fields MATCH @match`;

/** The count of a dense search over every document: LIKE on the search index's entries. */
const DENSE_COUNT = `SELECT COUNT(*) AS n FROM documents INDEXED BY ${SEARCH_INDEX} WHERE ${SEARCH_LIKE}`;

/** The filter's states (the `@states` parameter). */
const IN_STATES = 'state IN (SELECT value FROM json_each(@states))';

/**
 * How a search is read (issue 9: the table refreshes several times a second while documents
 * stream in, and every refresh of a search runs its total and its page on the engine's thread):
 * - `small-filter`: the filter holds few documents: their rows, through the state index.
 * - `sparse`: the trigram index finds the text in few documents: those rows, then LIKE on them.
 * - `dense`: many documents may match (or the text is too short for trigrams): LIKE on the narrow
 *   entries of the search index (about 10 ms per 100,000), never on the wide rows; the page walks
 *   that index (newest first) or the sort's index keeping the ids that match, and reads only the
 *   rows shown.
 * Each gives exactly LIKE's results (test/integration/list-search.test.ts).
 */
type SearchPlan = 'small-filter' | 'sparse' | 'dense';

/**
 * The trimmed search text of a query, or null when there is none; its invisible characters
 * written out as the summaries write them (walk 21b: a number pasted with its zero-width space
 * found nothing, stored as "INV[U+200B]-0010").
 */
export function searchText(query: DocumentListQuery): string | null {
  const text = query.search?.trim();
  return text ? visibleText(text) : null;
}

/**
 * The LIKE pattern of a search: the text anywhere (its invisible characters written out, see
 * searchText), with `\`, `%` and `_` taken literally.
 */
export function likePattern(text: string): string {
  return `%${visibleText(text).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The FTS5 query of a search, or null when the text is too short for trigrams: one phrase (the
 * text as a substring of one column), every character literal inside its double quotes.
 */
export function trigramMatch(text: string): string | null {
  if ([...text].length < TRIGRAM) return null;
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * The total of a search over every document, as last counted: exact for documents up to `upTo`
 * while the serial of migrations 016 and 018 (a file renamed, an invoice number or buyer changed
 * from a value, a document deleted) stays `serial`, and while no document got its first invoice
 * number or buyer (`firstValues`, migration 018) — unless `every` document up to `upTo` matched,
 * since a first value can only add a match.
 */
interface KeptTotal {
  total: number;
  upTo: number;
  serial: number;
  firstValues: number;
  every: boolean;
}

/** Searches whose totals are kept (the table's current one, and a few recent ones). */
const KEPT_TOTALS = 8;

/** The queries behind `documents:list` and `documents:export`. */
export class DocumentList {
  private readonly listCache = new Map<string, ReturnType<Db['prepare']>>();
  private readonly tuning: ListTuning;
  /** Totals of dense searches over every document, by LIKE pattern (see {@link denseTotal}). */
  private readonly keptTotals = new Map<string, KeptTotal>();
  /**
   * Trigram queries last found in more documents than `sparseSearch` (see {@link searchPlan}),
   * most recently used last.
   */
  private readonly denseMatches = new Set<string>();

  /**
   * `counts` and `tx` are the repository's own (called through it, so that what it counts and the
   * transaction it opens are the repository's).
   */
  constructor(
    private readonly db: Db,
    private readonly counts: () => StateCounts,
    private readonly tx: <T>(fn: () => T) => T,
    tuning: Partial<ListTuning> = {},
  ) {
    this.tuning = { ...DEFAULT_TUNING, ...tuning };
  }

  /** The filter's states as the `@states` parameter, or null for every document. */
  private filterStates(query: DocumentListQuery): string | null {
    if (query.filter && query.filter !== 'all' && Object.hasOwn(FILTER_STATES, query.filter)) {
      return JSON.stringify(FILTER_STATES[query.filter]);
    }
    return null;
  }

  /** WHERE clause and parameters of CSV export (every match, rows read anyway). */
  private listWhere(query: DocumentListQuery): { clause: string; params: Record<string, unknown> } {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    const states = this.filterStates(query);
    if (states !== null) {
      where.push(IN_STATES);
      params.states = states;
    }
    const text = searchText(query);
    if (text) {
      where.push(SEARCH_LIKE);
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

  /** Which {@link SearchPlan} reads this search (inside the list's read transaction). */
  private searchPlan(query: DocumentListQuery, match: string | null): SearchPlan {
    if (
      this.filterStates(query) !== null &&
      this.countIn(query.filter) <= this.tuning.smallFilter
    ) {
      return 'small-filter';
    }
    if (match === null) return 'dense';
    // A text found in many documents the last time is still: while statuses stream in, the
    // table refreshes its search several times a second, and the trigram count below reads
    // every one of those documents' entries in the index (about 8 ms at 100,000). Which plan
    // reads a search changes only its cost, never its result; `rememberPlan` forgets a text
    // once its total shows few documents again.
    if (this.denseMatches.has(match)) return 'dense';
    // How many documents the trigram index names, counted up to the threshold only.
    const cap = this.tuning.sparseSearch + 1;
    const { n } = this.listStatement(
      `SELECT COUNT(*) AS n FROM (${trigramHits('UNION')} LIMIT @cap + 0)`,
    ).get({ match, cap }) as { n: number };
    return n < cap ? 'sparse' : 'dense';
  }

  /**
   * After a search's total: a text in more documents than `sparseSearch` (so named by the
   * trigram index in at least as many) is read densely next time without counting its trigram
   * hits again; one in fewer is counted again.
   */
  private rememberPlan(match: string | null, total: number): void {
    if (match === null) return;
    this.denseMatches.delete(match);
    if (total <= this.tuning.sparseSearch) return;
    if (this.denseMatches.size >= KEPT_TOTALS) {
      this.denseMatches.delete(this.denseMatches.values().next().value!);
    }
    this.denseMatches.add(match);
  }

  /** Total and page statements of a search (see {@link SearchPlan}). */
  private searchSql(
    query: DocumentListQuery,
    plan: SearchPlan,
  ): { count: string; page: (columns: string, order: string) => string } {
    const filtered = this.filterStates(query) !== null;
    if (plan === 'small-filter' || plan === 'sparse') {
      const where = [
        ...(filtered ? [IN_STATES] : []),
        ...(plan === 'sparse' ? [`id IN (${trigramHits('UNION ALL')})`] : []),
        SEARCH_LIKE,
      ].join(' AND ');
      const from =
        plan === 'small-filter' ? 'documents INDEXED BY documents_by_state_id' : 'documents';
      return {
        count: `SELECT COUNT(*) AS n FROM ${from} WHERE ${where}`,
        page: (columns, order) =>
          `SELECT ${columns} FROM ${from} WHERE ${where} ORDER BY ${order} LIMIT @limit + 0 OFFSET @offset + 0`,
      };
    }
    // LIKE (and the filter) on the narrow entries of the search index alone.
    const narrow = `${filtered ? `${IN_STATES} AND ` : ''}${SEARCH_LIKE}`;
    const count = filtered
      ? `SELECT COUNT(*) AS n FROM documents INDEXED BY ${SEARCH_INDEX} WHERE ${narrow}`
      : DENSE_COUNT;
    if (sortKey(query.sort) === null) {
      // Newest first: the search index is in that order; rows are read for the page only.
      return {
        count,
        page: (columns, order) =>
          `SELECT ${columns} FROM documents INDEXED BY ${SEARCH_INDEX} WHERE ${narrow}
           ORDER BY ${order} LIMIT @limit + 0 OFFSET @offset + 0`,
      };
    }
    // The sort's index (it ends with id and state) walked in order, keeping the matching ids.
    const index = SORT_INDEXES[sortKey(query.sort) ?? 'id'];
    return {
      count,
      page: (columns, order) =>
        `SELECT ${columns} FROM documents INDEXED BY ${index}
         WHERE id IN (SELECT id FROM documents INDEXED BY ${SEARCH_INDEX} WHERE ${narrow})
         ORDER BY ${order} LIMIT @limit + 0 OFFSET @offset + 0`,
    };
  }

  /**
   * The total of a dense search over every document (no filter). Counting it is LIKE on 100,000
   * narrow entries (10 ms or more) on every refresh of the table, though while documents only
   * change state it cannot change: it is kept, and only documents added since (ids above the
   * last count) are counted. It is counted again in full when migration 016's serial moved (a
   * file renamed, an invoice number or buyer changed from a value, a deletion), or when a
   * document got its first invoice number or buyer (migration 018: what validation does to each
   * document while a drop streams in) and not every document matched. Inside the list's
   * transaction.
   */
  private denseTotal(pattern: string): number {
    const now = this.listStatement(
      `SELECT serial, first_values AS firstValues,
              (SELECT COALESCE(MAX(id), 0) FROM documents) AS upTo
       FROM search_fields_serial WHERE only_row = @row`,
    ).get({ row: 1 }) as { serial: number; firstValues: number; upTo: number };
    const kept = this.keptTotals.get(pattern);
    let total: number;
    if (
      kept &&
      kept.serial === now.serial &&
      kept.upTo <= now.upTo &&
      (kept.firstValues === now.firstValues || kept.every)
    ) {
      const { n } = this.listStatement(
        `SELECT COUNT(*) AS n FROM documents INDEXED BY ${SEARCH_INDEX}
         WHERE id > @after AND ${SEARCH_LIKE}`,
      ).get({ search: pattern, after: kept.upTo }) as { n: number };
      total = kept.total + n;
      this.keptTotals.delete(pattern);
    } else {
      total = (this.listStatement(DENSE_COUNT).get({ search: pattern }) as { n: number }).n;
      if (!kept && this.keptTotals.size >= KEPT_TOTALS) {
        this.keptTotals.delete(this.keptTotals.keys().next().value!);
      }
    }
    // Most recently used last: the oldest goes first when the map is full. Every document is at
    // most `upTo` here (same snapshot), so `every` says whether each of them matched.
    const every = total === this.countIn(undefined);
    this.keptTotals.set(pattern, { total, ...now, every });
    return total;
  }

  /** A page of the document table. */
  list(query: DocumentListQuery & { offset?: number; limit?: number }): {
    rows: DocumentListRecord[];
    total: number;
  } {
    const limit = Math.max(1, Math.min(Math.floor(query.limit ?? 200), 5000));
    const offset = Math.max(0, Math.floor(query.offset ?? 0));
    const order = orderBy(query.sort);
    const columns = LIST_COLUMNS.join(', ');
    const states = this.filterStates(query);
    const text = searchText(query);
    // Without a search: the sort's own index (it ends with the state), walked alone (skipped
    // entries and those of other states cost no row read), only the rows shown are read; a
    // filter with few documents is better served by the state index and a sort of those few
    // (the planner's choice). The total is a sum of per-state counts (a few rows): COUNT(*)
    // would walk every matching document on each refresh of the table.
    const plainPage = (filterTotal: number): DocumentListRecord[] => {
      const small = states !== null && filterTotal <= this.tuning.smallFilter;
      const index = small ? '' : `INDEXED BY ${SORT_INDEXES[sortKey(query.sort) ?? 'id']}`;
      return this.listStatement(
        `SELECT ${columns} FROM documents ${index} ${states !== null ? `WHERE ${IN_STATES}` : ''}
         ORDER BY ${order} LIMIT @limit + 0 OFFSET @offset + 0`,
      ).all({ ...(states !== null ? { states } : {}), limit, offset }) as DocumentListRecord[];
    };
    // One read transaction: the total and the page come from the same snapshot.
    return this.tx(() => {
      if (!text) {
        const total = this.countIn(query.filter);
        return { rows: plainPage(total), total };
      }
      const match = trigramMatch(text);
      const plan = this.searchPlan(query, match);
      const sql = this.searchSql(query, plan);
      const search = likePattern(text);
      const params: Record<string, unknown> = { search };
      if (states !== null) params.states = states;
      if (plan === 'sparse') params.match = match;
      // A filter with a search that was in every document at the last count (the common part
      // of a drop's names, typed while its invoices stream in): when it still is (kept up to
      // date at little cost, see denseTotal), the page is the filter's own page and its total
      // the filter's, without testing the text on each document of the filter.
      if (plan === 'dense' && states !== null && this.keptTotals.get(search)?.every) {
        if (this.denseTotal(search) === this.countIn(undefined)) {
          const total = this.countIn(query.filter);
          return { rows: plainPage(total), total };
        }
      }
      const total =
        plan === 'dense' && states === null
          ? this.denseTotal(search)
          : (this.listStatement(sql.count).get(params) as { n: number }).n;
      if (plan !== 'small-filter') this.rememberPlan(match, total);
      // The text is in every document of the filter (the common part of a drop's names): the
      // page is the filter's own page, found without testing the text again.
      if (plan === 'dense' && total === this.countIn(query.filter)) {
        return { rows: plainPage(total), total };
      }
      const rows = this.listStatement(sql.page(columns, order)).all({
        ...params,
        limit,
        offset,
      }) as DocumentListRecord[];
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
