/**
 * The SQLite team store's list and export, in the order of any sort the single desk offers
 * (../list-order.ts): a page walks the sort's index (migration 007; the filter tested on its
 * entries), reading only its rows and the offset, unless the filter or search matches few
 * documents (those are read and sorted). The export reads every match in the same order in one
 * statement (one snapshot), handed over a page at a time.
 */
import type Database from 'better-sqlite3';
import type { DocumentState } from '../../contract';
import { LIMIT_PARAM } from '../../store/document-record';
import {
  EXPORT_PAGE_ROWS,
  TEAM_DOCUMENT_COLUMNS,
  likePattern,
  toTeamDocument,
  type TeamDocumentRow,
} from '../store-rows';
import type { TeamDocument, TeamListQuery } from '../store';
import { sqliteOrderBy, walksSortIndex } from '../list-order';

/** How the store's prepared statements are reached. */
type Prepare = (sql: string) => Database.Statement;

/** WHERE clause and its values of a list query (filter and search). */
function listWhere(query: TeamListQuery): { clause: string; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  if (query.states) {
    where.push(`state IN (${query.states.map(() => '?').join(', ') || 'NULL'})`);
    args.push(...query.states);
  }
  if (query.search) {
    where.push(
      `(file_name LIKE ? ESCAPE '\\' OR invoice_number LIKE ? ESCAPE '\\'
        OR buyer_name LIKE ? ESCAPE '\\' OR receiver_id LIKE ? ESCAPE '\\')`,
    );
    args.push(...Array<string>(4).fill(likePattern(query.search)));
  }
  return { clause: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}

/**
 * The page statement of a query: through the sort's index when `walk` (see walksSortIndex),
 * else as the planner reads the few matching rows. `?` values: the filter's, limit, offset.
 */
export function sqliteListSql(query: TeamListQuery, walk: boolean): string {
  const { orderBy, index } = sqliteOrderBy(query.sort);
  return `SELECT ${TEAM_DOCUMENT_COLUMNS} FROM team_documents ${walk ? index : ''}
    ${listWhere(query).clause} ORDER BY ${orderBy} ${LIMIT_PARAM} OFFSET ? + 0`;
}

/** See TeamStore.list. `counts` are the store's per-state counts. */
export async function listPage(
  stmt: Prepare,
  counts: () => Promise<Partial<Record<DocumentState, number>>>,
  query: TeamListQuery,
): Promise<{ rows: TeamDocument[]; total: number }> {
  const { clause, args } = listWhere(query);
  let total: number;
  if (!query.search) {
    // Without a search the per-state counts answer at once (no walk over the queue).
    const c = await counts();
    const states = query.states ?? (Object.keys(c) as DocumentState[]);
    total = states.reduce((n, s) => n + (c[s] ?? 0), 0);
  } else {
    const r = stmt(`SELECT COUNT(*) AS n FROM team_documents ${clause}`).get(...args) as {
      n: number;
    };
    total = r.n;
  }
  const walk = walksSortIndex(total, clause !== '');
  const rows = stmt(sqliteListSql(query, walk)).all(
    ...args,
    query.limit ?? 100,
    query.offset ?? 0,
  ) as TeamDocumentRow[];
  return { rows: rows.map(toTeamDocument), total };
}

/**
 * See TeamStore.exportRows: one statement in the list's order, read in one read transaction (one
 * snapshot of the file, whatever the desks write meanwhile), handed over `pageSize` rows at a time.
 */
export function exportRows(
  db: Database.Database,
  stmt: Prepare,
  query: TeamListQuery,
  onPage: (rows: TeamDocument[]) => void,
  pageSize = EXPORT_PAGE_ROWS,
): number {
  const size = Math.max(1, Math.floor(pageSize));
  const { clause, args } = listWhere(query);
  const all = stmt(
    `SELECT ${TEAM_DOCUMENT_COLUMNS} FROM team_documents ${clause}
     ORDER BY ${sqliteOrderBy(query.sort).orderBy}`,
  );
  return db.transaction(() => {
    let n = 0;
    let page: TeamDocument[] = [];
    for (const row of all.iterate(...args) as IterableIterator<TeamDocumentRow>) {
      page.push(toTeamDocument(row));
      if (page.length === size) {
        onPage(page);
        n += page.length;
        page = [];
      }
    }
    if (page.length > 0) onPage(page);
    return n + page.length;
  })();
}
