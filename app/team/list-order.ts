/**
 * The order of the team's list (documents:list and the CSV export): every sort the single desk
 * offers (app/store/document-list.ts), in the single desk's order on both team stores. Names
 * ignore case as SQLite's COLLATE NOCASE does (A-Z folded to a-z, then byte order), amounts
 * compare as numbers as CAST(amount AS REAL) reads their text, a missing value comes first in
 * ascending order and last in descending order; ties by id in the same direction, so a page
 * never repeats or skips a row. Without a sort: newest first.
 *
 * Each sort has an index in its order (team migration 007; the state's and id's from 001): a page
 * walks it and reads its rows and the offset. A filter (or search) with few documents is better
 * served by reading those and sorting them: {@link walksSortIndex} says which.
 */
import type { DocumentSort, DocumentSortKey } from '../contract';

/**
 * PostgreSQL: each key's column and whether it may be null (then NULLS FIRST ascending, as on
 * SQLite; its index is walked backwards for descending). The keys of what a document keeps from
 * its enqueue on are in team_document_sort_keys (migration 007: NOCASE's fold in byte order,
 * amounts as numbers), joined by id; the others are team_documents' own columns. `state` is
 * compared in the database's collation: state names are lowercase letters and `_`, which every
 * collation orders as byte order does for them.
 */
const POSTGRES_SORTS: Record<
  DocumentSortKey,
  { column: string; nullable: boolean; keyed: boolean }
> = {
  state: { column: 'state', nullable: false, keyed: false },
  fileName: { column: 'file_name_key', nullable: true, keyed: true },
  invoiceNumber: { column: 'invoice_number_key', nullable: true, keyed: true },
  buyerName: { column: 'buyer_name_key', nullable: true, keyed: true },
  amount: { column: 'amount_key', nullable: true, keyed: true },
  issueDate: { column: 'issue_date_key', nullable: true, keyed: true },
  updatedAt: { column: 'updated_at', nullable: false, keyed: false },
  id: { column: 'id', nullable: false, keyed: false },
};

/** SQLite: the single desk's expressions (app/store/document-list.ts) and their indexes. */
const SQLITE_SORTS: Record<DocumentSortKey, { expr: string; index: string }> = {
  state: { expr: 'state', index: 'INDEXED BY team_documents_state' },
  fileName: { expr: 'file_name COLLATE NOCASE', index: 'INDEXED BY team_documents_by_file_name' },
  invoiceNumber: {
    expr: 'invoice_number COLLATE NOCASE',
    index: 'INDEXED BY team_documents_by_invoice_number',
  },
  buyerName: {
    expr: 'buyer_name COLLATE NOCASE',
    index: 'INDEXED BY team_documents_by_buyer_name',
  },
  amount: { expr: 'CAST(amount AS REAL)', index: 'INDEXED BY team_documents_by_amount' },
  issueDate: { expr: 'issue_date', index: 'INDEXED BY team_documents_by_issue_date' },
  updatedAt: { expr: 'updated_at', index: 'INDEXED BY team_documents_by_updated_at' },
  // The table itself is in id order.
  id: { expr: 'id', index: 'NOT INDEXED' },
};

/** Oldest first (pages of ids to act on). */
export const OLDEST_FIRST: DocumentSort = { key: 'id', dir: 'asc' };

/** Every key the team's list sorts by: all the single desk's. */
export const TEAM_SORT_KEYS = Object.keys(POSTGRES_SORTS) as DocumentSortKey[];

/** The sort of a query, or null for the default order (newest first; an unknown key too). */
export function teamSort(sort: DocumentSort | undefined | null): DocumentSort | null {
  if (!sort || !Object.hasOwn(POSTGRES_SORTS, sort.key)) return null;
  return { key: sort.key, dir: sort.dir === 'asc' ? 'asc' : 'desc' };
}

/**
 * ORDER BY of a sort on PostgreSQL (whitelisted columns only), and whether it orders by
 * team_document_sort_keys' columns (`keyed`: its keys and `document_id`, the document's id).
 */
export function postgresOrder(sort: DocumentSort | undefined | null): {
  keyed: boolean;
  orderBy: string;
} {
  const s = teamSort(sort);
  if (!s) return { keyed: false, orderBy: 'id DESC' };
  const { column, nullable, keyed } = POSTGRES_SORTS[s.key];
  const dir = s.dir === 'asc' ? 'ASC' : 'DESC';
  if (s.key === 'id') return { keyed: false, orderBy: `id ${dir}` };
  const nulls = nullable ? (s.dir === 'asc' ? ' NULLS FIRST' : ' NULLS LAST') : '';
  return { keyed, orderBy: `${column} ${dir}${nulls}, ${keyed ? 'document_id' : 'id'} ${dir}` };
}

/** ORDER BY of a sort on SQLite, and the index that holds that order. */
export function sqliteOrderBy(sort: DocumentSort | undefined | null): {
  orderBy: string;
  index: string;
} {
  const s = teamSort(sort);
  if (!s) return { orderBy: 'id DESC', index: SQLITE_SORTS.id.index };
  const { expr, index } = SQLITE_SORTS[s.key];
  const dir = s.dir === 'asc' ? 'ASC' : 'DESC';
  return { orderBy: s.key === 'id' ? `id ${dir}` : `${expr} ${dir}, id ${dir}`, index };
}

/**
 * A filter or search matching at most this many documents is read and sorted (a few ms); a
 * larger one (or none) walks the sort's index, reading only the page and its offset.
 */
export const SMALL_LIST = 2000;

/** Whether a page of a list matching `matching` documents walks the sort's index. */
export function walksSortIndex(matching: number, filtered: boolean): boolean {
  return !filtered || matching > SMALL_LIST;
}
