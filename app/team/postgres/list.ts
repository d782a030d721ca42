/**
 * The PostgreSQL team store's list and export, in the order of any sort the single desk offers
 * (../list-order.ts). A page walks the sort's index (migration 007; for the columns a document
 * keeps from its enqueue on, joined to its row by id) and reads only its rows and the offset: the statement runs with sorting disabled (`SET LOCAL enable_sort = off`), as at a
 * deep offset the planner would otherwise sort the whole table for each page. A filter or search
 * matching few documents is left to the planner (it reads those and sorts them). The export
 * reads every match in the same order through one cursor in one snapshot, a page at a time.
 */
import type pg from 'pg';
import type { DocumentState } from '../../contract';
import {
  EXPORT_PAGE_ROWS,
  TEAM_DOCUMENT_COLUMNS,
  likePattern,
  toTeamDocument,
  type TeamDocumentRow,
} from '../store-rows';
import type { TeamDocument, TeamListQuery } from '../store';
import { postgresOrder, walksSortIndex } from '../list-order';

type Query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>;
type Tx = <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>;

/** What a page that walks the sort's index runs first, in its transaction. */
export const WALK_SORT_INDEX = 'SET LOCAL enable_sort = off';

/** WHERE parts and their values of a list query (filter and search). */
function listFilter(query: TeamListQuery): { where: string[]; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  if (query.states) {
    args.push([...query.states]);
    where.push(`state = ANY($${args.length}::text[])`);
  }
  if (query.search) {
    args.push(likePattern(query.search));
    const p = `$${args.length}`;
    where.push(`(file_name ILIKE ${p} OR invoice_number ILIKE ${p}
      OR buyer_name ILIKE ${p} OR receiver_id ILIKE ${p})`);
  }
  return { where, args };
}

/**
 * FROM and WHERE of a query in the order of `keyed` (see postgresOrder). Walking the keys' index,
 * each document is read by its id (a subquery per key entry, never joined otherwise, whatever
 * the statistics say); else the planner joins the two as it likes.
 */
function fromWhere(where: string[], keyed: boolean, walk: boolean): string {
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  if (!keyed) return `FROM team_documents ${filter}`;
  if (!walk)
    return `FROM team_document_sort_keys JOIN team_documents ON id = document_id ${filter}`;
  return `FROM team_document_sort_keys, LATERAL (
      SELECT ${TEAM_DOCUMENT_COLUMNS} FROM team_documents
      WHERE id = document_id ${where.map((w) => `AND ${w}`).join(' ')} OFFSET 0) d`;
}

/**
 * The page statement of a query and its values (the filter's, then limit and offset); `walk`:
 * it walks the sort's index (see walksSortIndex; run after WALK_SORT_INDEX).
 */
export function postgresListSql(
  query: TeamListQuery,
  walk: boolean,
): { text: string; values: unknown[] } {
  const { where, args } = listFilter(query);
  const { keyed, orderBy } = postgresOrder(query.sort);
  const columns = keyed && walk ? 'd.*' : TEAM_DOCUMENT_COLUMNS;
  return {
    text: `SELECT ${columns} ${fromWhere(where, keyed, walk)}
       ORDER BY ${orderBy} LIMIT $${args.length + 1} OFFSET $${args.length + 2}`,
    values: [...args, query.limit ?? 100, query.offset ?? 0],
  };
}

/** See TeamStore.list. `counts` are the store's per-state counts. */
export async function listPage(
  q: Query,
  tx: Tx,
  counts: () => Promise<Partial<Record<DocumentState, number>>>,
  query: TeamListQuery,
): Promise<{ rows: TeamDocument[]; total: number }> {
  const { where, args } = listFilter(query);
  let total: number;
  if (!query.search) {
    // Without a search the per-state counts answer at once (no walk over the queue).
    const c = await counts();
    const states = query.states ?? (Object.keys(c) as DocumentState[]);
    total = states.reduce((n, s) => n + (c[s] ?? 0), 0);
  } else {
    const r = await q<{ n: number }>(
      `SELECT COUNT(*)::bigint AS n FROM team_documents WHERE ${where.join(' AND ')}`,
      args,
    );
    total = Number(r[0]!.n);
  }
  const walk = walksSortIndex(total, where.length > 0);
  const { text, values } = postgresListSql(query, walk);
  const rows = walk
    ? await tx(async (c) => {
        await c.query(WALK_SORT_INDEX);
        return (await c.query<TeamDocumentRow>(text, values)).rows;
      })
    : await q<TeamDocumentRow>(text, values);
  return { rows: rows.map(toTeamDocument), total };
}

/**
 * See TeamStore.exportRows: one read-only REPEATABLE READ transaction (one snapshot, whatever
 * the desks write meanwhile) reading one cursor in the list's order, `pageSize` rows at a time.
 */
export async function exportRows(
  tx: Tx,
  query: TeamListQuery,
  onPage: (rows: TeamDocument[]) => void,
  pageSize = EXPORT_PAGE_ROWS,
): Promise<number> {
  const size = Math.max(1, Math.floor(pageSize));
  let handed = false;
  return tx(async (c) => {
    // A read-only snapshot is never retried for a conflict; should it be, the pages already
    // handed over would be handed again.
    if (handed) throw new Error('The export was interrupted. Export again.');
    await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const { where, args } = listFilter(query);
    const { keyed, orderBy } = postgresOrder(query.sort);
    await c.query(
      `DECLARE team_export NO SCROLL CURSOR FOR
       SELECT ${TEAM_DOCUMENT_COLUMNS} ${fromWhere(where, keyed, false)} ORDER BY ${orderBy}`,
      args,
    );
    let n = 0;
    for (;;) {
      const r = await c.query<TeamDocumentRow>(`FETCH ${size} FROM team_export`);
      if (r.rows.length > 0) {
        handed = true;
        onPage(r.rows.map(toTeamDocument));
      }
      n += r.rows.length;
      if (r.rows.length < size) return n;
    }
  });
}
