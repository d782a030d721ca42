/**
 * The team list's sorts (issue 14), on SQLite and on a real PostgreSQL: every sort key the single
 * desk offers, both directions, in the single desk's order (names ignoring case as NOCASE does,
 * amounts as numbers although stored as text, a missing value first ascending and last
 * descending), ties by id so that pages never repeat or skip a row, with a state filter and a
 * search, and the CSV export in the list's order. The plans: a page walks the sort's index (team
 * migration 007), never a sort of the whole table.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { DocumentSort, DocumentSortKey } from '../../app/contract';
import { SMALL_LIST, TEAM_SORT_KEYS } from '../../app/team/list-order';
import { clientConfig } from '../../app/team/postgres/connection';
import { WALK_SORT_INDEX, postgresListSql } from '../../app/team/postgres/list';
import { sqliteListSql } from '../../app/team/sqlite/sqlite-list';
import {
  teamKeyOf,
  type NewTeamDocument,
  type TeamDocument,
  type TeamListQuery,
  type TeamStore,
} from '../../app/team/store';
import { rawPostgres, useTeamBackends, useTeamStores } from '../helpers/team-backends';
import { memoryOrder } from '../helpers/team-memory-store';
import { useTempDirs } from '../helpers/temp';

const BACKENDS = useTeamBackends('team-list-sorts', useTempDirs(), 'sorts');
const DIRS = ['asc', 'desc'] as const;
const ALL_SORTS: DocumentSort[] = TEAM_SORT_KEYS.flatMap((key) =>
  DIRS.map((dir) => ({ key, dir })),
);
const DESK = 'desk-anna';

let docNumber = 0;
function newDoc(fields: Partial<NewTeamDocument> = {}): NewTeamDocument {
  const n = ++docNumber;
  const body = new TextEncoder().encode(`<Invoice><ID>SORT-${n}</ID></Invoice>`);
  return {
    key: teamKeyOf(body),
    fileName: `sort-${n}.xml`,
    body,
    state: 'queued',
    docType: 'Invoice',
    invoiceNumber: `SORT-${n}`,
    senderId: null,
    receiverId: '0208:0000000196',
    buyerName: null,
    amount: null,
    currency: 'EUR',
    issueDate: null,
    problem: null,
    ...fields,
  };
}

const BAD = { code: 'X', message: 'bad', action: null };

/** Values that tell the orders apart: case, numbers stored as text, missing values, ties. */
const VARIED: Partial<NewTeamDocument>[] = [
  { fileName: 'b.xml', buyerName: 'acme', amount: '100.00', issueDate: '2026-01-02' },
  { fileName: 'A.xml', buyerName: 'Zeta', amount: '9.5', issueDate: '2025-12-31' },
  { fileName: 'a.xml', buyerName: 'ACME', amount: '10', invoiceNumber: 'inv-9' },
  { fileName: 'C.xml', buyerName: null, amount: '-3', invoiceNumber: 'INV-10' },
  { fileName: 'Z.xml', buyerName: 'beta', amount: null, invoiceNumber: null },
  { fileName: 'é.xml', buyerName: 'Ärger', amount: 'abc', issueDate: '2026-01-02' },
  { fileName: 'b.xml', buyerName: 'acme', amount: '100', state: 'invalid', problem: BAD },
  { fileName: 'd.xml', buyerName: 'Beta', amount: '1e3', state: 'invalid', problem: BAD },
  { fileName: 'E.xml', buyerName: 'zeta', amount: ' 42', issueDate: '2026-01-02' },
  { fileName: 'e.xml', buyerName: null, amount: '100.00', state: 'unreachable', problem: BAD },
];

/** Ids of documents in `docs` in the order `sort` gives (the oracle), filtered like `query`. */
function expected(docs: TeamDocument[], query: TeamListQuery): number[] {
  const search = query.search?.toLowerCase();
  return docs
    .filter((d) => !query.states || query.states.includes(d.state))
    .filter(
      (d) =>
        !search ||
        [d.fileName, d.invoiceNumber, d.buyerName, d.receiverId].some((v) =>
          v?.toLowerCase().includes(search),
        ),
    )
    .sort(memoryOrder(query.sort))
    .map((d) => d.id);
}

/** Every row of a query, read `size` rows a page. */
async function allPages(store: TeamStore, query: TeamListQuery, size: number): Promise<number[]> {
  const ids: number[] = [];
  for (let offset = 0; offset < 10_000; offset += size) {
    const { rows } = await store.list({ ...query, offset, limit: size });
    ids.push(...rows.map((r) => r.id));
    if (rows.length < size) break;
  }
  return ids;
}

/** What a plan must show for a sort: its index walked (the table itself for id), no sort. */
const INDEX_OF: Record<DocumentSortKey, string> = {
  state: 'team_documents_state',
  fileName: 'by_file_name',
  invoiceNumber: 'by_invoice_number',
  buyerName: 'by_buyer_name',
  amount: 'by_amount',
  issueDate: 'by_issue_date',
  updatedAt: 'team_documents_by_updated_at',
  id: 'team_documents_pkey',
};
/** On PostgreSQL, the keys of what a document keeps from its enqueue on are in their own table. */
const KEYED = new Set<DocumentSortKey>([
  'fileName',
  'invoiceNumber',
  'buyerName',
  'amount',
  'issueDate',
]);

function sqlitePlan(key: DocumentSortKey): { uses: RegExp; never: RegExp } {
  const index = KEYED.has(key) ? `team_documents_${INDEX_OF[key]}` : INDEX_OF[key];
  return {
    uses: key === 'id' ? /SCAN team_documents\b/ : new RegExp(`USING INDEX ${index}\\b`),
    never: /TEMP B-TREE/,
  };
}

function postgresPlan(key: DocumentSortKey): { uses: RegExp; never: RegExp } {
  return {
    // The keys' index in order, each row then found by id.
    uses: KEYED.has(key)
      ? new RegExp(
          `Nested Loop[\\s\\S]*Index (Only )?Scan (Backward )?using team_sort_keys_${INDEX_OF[key]}\\b[\\s\\S]*Index Scan using team_documents_pkey`,
        )
      : new RegExp(`Index Scan (Backward )?using ${INDEX_OF[key]}\\b`),
    never: /Sort|Seq Scan|Hash/,
  };
}

describe.each(BACKENDS)('the team list on $name sorts as the single desk does', (backend) => {
  const stores = useTeamStores(backend);
  const { fresh } = stores;

  it.skipIf(backend.skip)(
    'amounts as numbers, names ignoring case, missing values first ascending',
    async () => {
      await expectVariedOrders(await fresh());
    },
    30_000,
  );

  it.skipIf(backend.skip || backend.name !== 'postgresql')(
    'the same order in a PostgreSQL database whose collation is not C (ICU English)',
    async () => {
      const url = backend.cluster!.url;
      await rawPostgres(
        url,
        `CREATE DATABASE sorts_icu TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'
         LOCALE_PROVIDER icu ICU_LOCALE 'en'`,
      );
      const icu = url.replace(/\/postgres$/, '/sorts_icu');
      // English collation orders these otherwise ('a' before 'A', 'é' beside 'e').
      const words = await rawPostgres(
        icu,
        `SELECT array_agg(w ORDER BY w) AS w FROM unnest(ARRAY['b', 'A', 'a', 'é', 'Z']) w`,
      );
      expect(words[0]!.w).toEqual(['a', 'A', 'b', 'é', 'Z']);
      await expectVariedOrders(await stores.open(icu));
    },
    30_000,
  );

  it.skipIf(backend.skip)(
    'pages through equal values by id, never repeating or skipping a row; with a filter and a search; the export in the same order',
    async () => {
      const s = await fresh();
      // Many equal values (ties) on every key, several states, a searchable word in some.
      const docs = Array.from({ length: 40 }, (_, i) =>
        newDoc({
          fileName: i % 3 === 0 ? 'Same.xml' : `same-${i % 5}.xml`,
          buyerName: i % 4 === 0 ? null : ['Acme', 'ACME', 'globex Needle', 'Initech'][i % 4]!,
          invoiceNumber: i % 7 === 0 ? null : `INV-${i % 3}`,
          amount: i % 6 === 0 ? null : ['5.00', '5', '12.5', '-1'][i % 4]!,
          issueDate: i % 5 === 0 ? null : `2026-01-0${(i % 3) + 1}`,
          ...(i % 3 === 1 ? { state: 'invalid' as const, problem: BAD } : {}),
        }),
      );
      const ids = (await s.enqueue(DESK, docs)).map((r) => r.id);
      // Different last changes: some cancelled later.
      await s.cancel(
        DESK,
        ids.filter((_, i) => i % 8 === 2),
      );
      const rows = await s.getMany(ids);
      const queries: TeamListQuery[] = [
        {},
        { states: ['queued', 'cancelled'] },
        { search: 'needle' },
        { states: ['invalid'], search: 'NEEDLE' },
      ];
      for (const base of queries) {
        for (const sort of ALL_SORTS) {
          const query = { ...base, sort };
          const want = expected(rows, query);
          const what = `${JSON.stringify(base)} ${sort.key} ${sort.dir}`;
          expect(want.length, what).toBeGreaterThan(0);
          // Pages of 3 (boundaries inside runs of equal values) give the whole list once.
          expect(await allPages(s, query, 3), what).toEqual(want);
          expect((await s.list({ ...query, limit: 3 })).total, what).toBe(want.length);
          const exported: number[] = [];
          const n = await s.exportRows(query, (p) => exported.push(...p.map((d) => d.id)), 4);
          expect(n, what).toBe(want.length);
          expect(exported, what).toEqual(want);
        }
      }
    },
    60_000,
  );

  it.skipIf(backend.skip)(
    `a filter of more than ${SMALL_LIST} documents walks the sort's index: the plan reads it in order, no sort`,
    async () => {
      const s = await fresh();
      const n = SMALL_LIST + 300;
      const docs = Array.from({ length: n }, (_, i) =>
        newDoc({
          fileName: `${['x', 'Y', 'z'][i % 3]}-${i % 97}.xml`,
          buyerName: i % 11 === 0 ? null : `${['Acme', 'acme', 'Beta'][i % 3]} ${i % 13}`,
          amount: i % 17 === 0 ? null : `${(i * 37) % 500}.${i % 100}`,
          issueDate: `2026-0${(i % 9) + 1}-01`,
          ...(i % 10 === 0 ? { state: 'invalid' as const, problem: BAD } : {}),
        }),
      );
      const ids: number[] = [];
      for (let i = 0; i < n; i += 1000) {
        ids.push(...(await s.enqueue(DESK, docs.slice(i, i + 1000))).map((r) => r.id));
      }
      const rows = await s.getMany(ids);
      const queued = expected(rows, { states: ['queued'] }).length;
      expect(queued).toBeGreaterThan(SMALL_LIST);
      for (const sort of ALL_SORTS) {
        const query: TeamListQuery = { states: ['queued'], sort, offset: 1500, limit: 50 };
        const rowsWanted = expected(rows, query).slice(1500, 1550);
        const page = await s.list(query);
        expect(
          page.rows.map((r) => r.id),
          `${sort.key} ${sort.dir}`,
        ).toEqual(rowsWanted);
        expect(page.total).toBe(queued);
        const plan = await explain(backend.name, stores.address, query);
        const what = `${sort.key} ${sort.dir}:\n${plan}`;
        const want = backend.name === 'sqlite' ? sqlitePlan(sort.key) : postgresPlan(sort.key);
        expect(plan, what).toMatch(want.uses);
        expect(plan, what).not.toMatch(want.never);
      }
    },
    120_000,
  );
});

/** The VARIED documents in every order, as the single desk orders them. */
async function expectVariedOrders(s: TeamStore): Promise<void> {
  const ids = (await s.enqueue(DESK, VARIED.map(newDoc))).map((r) => r.id);
  const at = (...i: number[]) => i.map((k) => ids[k]);
  const list = async (sort: DocumentSort | undefined) =>
    (await s.list({ ...(sort ? { sort } : {}), limit: 100 })).rows.map((r) => r.id);
  // null; -3; 'abc' reads as 0; 9.5; 10; ' 42'; 100.00 = 100 = 100.00 (by id); 1e3.
  expect(await list({ key: 'amount', dir: 'asc' })).toEqual(at(4, 3, 5, 1, 2, 8, 0, 6, 9, 7));
  expect(await list({ key: 'amount', dir: 'desc' })).toEqual(at(7, 9, 6, 0, 8, 2, 1, 5, 3, 4));
  // Missing; acme = ACME = acme (by id); beta = Beta; zeta = Zeta; Ärger after z (byte order).
  expect(await list({ key: 'buyerName', dir: 'asc' })).toEqual(at(3, 9, 0, 2, 6, 4, 7, 1, 8, 5));
  expect(await list({ key: 'buyerName', dir: 'desc' })).toEqual(at(5, 8, 1, 7, 4, 6, 2, 0, 9, 3));
  // A.xml = a.xml; b.xml twice; C; d; E = e; Z; é.
  expect(await list({ key: 'fileName', dir: 'asc' })).toEqual(at(1, 2, 0, 6, 3, 7, 8, 9, 4, 5));
  // The oracle agrees with every sort, both directions.
  const docs = await s.getMany(ids);
  for (const sort of ALL_SORTS) {
    expect(await list(sort), `${sort.key} ${sort.dir}`).toEqual(expected(docs, { sort }));
  }
  // Without a sort, or with a key no desk offers: newest first.
  expect(await list(undefined)).toEqual([...ids].reverse());
  const unknown = { key: 'receiverId', dir: 'asc' } as unknown as DocumentSort;
  expect(await list(unknown)).toEqual([...ids].reverse());
}

/** The plan of the page statement the store runs for `query` when it walks the sort's index. */
async function explain(
  dialect: 'sqlite' | 'postgresql',
  address: string,
  query: TeamListQuery,
): Promise<string> {
  if (dialect === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(address.slice('sqlite:'.length), { readonly: true });
    try {
      const values = [...(query.states ?? []), query.limit, query.offset];
      const rows = db
        .prepare(`EXPLAIN QUERY PLAN ${sqliteListSql(query, true)}`)
        .all(...values) as { detail: string }[];
      return rows.map((r) => r.detail).join('\n');
    } finally {
      db.close();
    }
  }
  const client = new pg.Client(clientConfig(address));
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(WALK_SORT_INDEX);
    const { text, values } = postgresListSql(query, true);
    const r = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, values);
    await client.query('ROLLBACK');
    return r.rows.map((x) => x['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}
