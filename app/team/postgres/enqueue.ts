/**
 * PostgresTeamStore.enqueue in one transaction, under the number guard's locks (../number-guard):
 * earlier versions replaced (waiting under the same file name; failures, for what goes on), a
 * second version of a live number held, one INSERT per pass (rows in the given order, a key the
 * team already has skipped), the bodies, the timeline rows and one NOTIFY.
 */
import { lastPart } from '../../domain/file-names';
import type pg from 'pg';
import type { DocumentState } from '../../contract';
import {
  guardNumber,
  NUMBER_LOCK_SQL,
  numberLiveSql,
  numberOfRow,
  numberOf,
  FIXED_SQL,
  REPLACEABLE_SQL,
  replacedByWords,
  replacesWordsOf,
  splitSecondVersions,
  type NumberTaken,
  type ReplacedDoc,
} from '../number-guard';
import { addedEvent, enqueueValues, MAX_NOTIFY_IDS, TEAM_NOTIFY_CHANNEL } from '../store-rows';
import type { EnqueueResult, NewTeamDocument } from '../store';
import { INSERT_DOCUMENTS } from './statements';
import { groupBy } from '../../domain/group-by';

/**
 * The live document of each number of $1, $2, $3 (arrays), the lowest id first; `real` $4, and
 * none of ids $5 (a Retry's own documents).
 */
const TAKEN_NUMBERS = `SELECT DISTINCT ON (sender_id, invoice_number, doc_type)
    id, key, state, sender_id, invoice_number, doc_type
  FROM team_documents
  WHERE (sender_id, invoice_number, doc_type) IN (
      SELECT s, n, t FROM unnest($1::text[], $2::text[], $3::text[]) AS u(s, n, t))
    AND invoice_number IS NOT NULL AND ${numberLiveSql('$4::boolean')}
    AND NOT (id = ANY($5::bigint[]))
  ORDER BY sender_id, invoice_number, doc_type, id`;

/**
 * Supersede the documents the query `old` selects (id, state, file_name and the new document's
 * key as by_key, locked FOR UPDATE OF d: a claim in progress is waited for, and then its row is
 * `sending`: left alone), when `guard` (on the locked row d) holds too. Returns each with the state
 * it was in and the new document's key.
 */
function supersedeSql(old: string, guard = ''): string {
  return `WITH old AS (${old})
  UPDATE team_documents d SET state = 'superseded', updated_at = team_now_ms(), due_at = NULL,
    next_attempt_at = NULL, next_poll_at = NULL, problem_code = NULL, problem_message = NULL,
    problem_action = NULL
  FROM old WHERE d.id = old.id${guard}
  RETURNING d.id, old.state AS was, old.file_name, old.by_key`;
}

/**
 * The earlier versions of new documents (seller $1, number $2, type $3, file name $4, key $5:
 * arrays) with other bytes that `which` says a new one replaces (`sameFile`: under its file name
 * only).
 */
function ofNumberSql(which: string, sameFile: boolean): string {
  return supersedeSql(`
    SELECT d.id, d.state, d.file_name, u.k AS by_key FROM team_documents d
    JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(s, n, t, f, k)
      ON d.sender_id = u.s AND d.invoice_number = u.n AND d.doc_type = u.t
      ${sameFile ? 'AND d.file_name = u.f' : ''}
    WHERE d.invoice_number IS NOT NULL AND d.key <> u.k AND ${which}
    ORDER BY d.id FOR UPDATE OF d`);
}

/** Waiting first versions under the same file name (../number-guard replaceableWhile). */
const SUPERSEDE_WAITING = ofNumberSql(REPLACEABLE_SQL, true);
/** The failures of the number, whatever their file name (../number-guard FIXED_SQL). */
const SUPERSEDE_FIXED = ofNumberSql(FIXED_SQL, false);

/**
 * First versions that could not be read as an invoice, of the numbers $1 their files seemed to
 * carry, under the same last part $2 of the file name, of new documents (keys $3) read as
 * invoices: superseded, as on a single desk (team migration 012's partial index finds them).
 */
const SUPERSEDE_UNREADABLE = supersedeSql(
  `
    SELECT d.id, d.state, d.file_name, u.k AS by_key FROM team_documents d
    JOIN unnest($1::text[], $2::text[], $3::text[]) AS u(n, lp, k) ON d.unread_number = u.n
    WHERE d.state = 'invalid' AND d.unread_number IS NOT NULL AND d.key <> u.k
      AND regexp_replace(d.file_name, '^.*[/\\\\]', '') = u.lp
    ORDER BY d.id FOR UPDATE OF d`,
  " AND d.state = 'invalid'",
);

type Row = { id: number; key: string; state: DocumentState };
type Replaced = { id: number; was: DocumentState; file_name: string; by_key: string };

/** Run a supersede statement; what it replaced. */
async function superseded(c: pg.PoolClient, sql: string, params: unknown[]): Promise<Replaced[]> {
  const r = await c.query<Replaced>(sql, params);
  return r.rows.map((x) => ({ ...x, id: Number(x.id) }));
}

/** Replace what `sql` (ofNumberSql) says of the guarded `docs`; returns what it replaced. */
async function supersede(
  c: pg.PoolClient,
  sql: string,
  docs: readonly NewTeamDocument[],
): Promise<Replaced[]> {
  const guarded = docs.filter((d) => numberOf(d) !== null);
  if (guarded.length === 0) return [];
  return superseded(c, sql, [
    guarded.map((d) => d.senderId),
    guarded.map((d) => d.invoiceNumber),
    guarded.map((d) => d.docType),
    guarded.map((d) => d.fileName),
    guarded.map((d) => d.key),
  ]);
}

/** `docs`, each that replaced documents saying so on its timeline (unless it has more to say). */
function saying(docs: readonly NewTeamDocument[], replaced: readonly Replaced[]) {
  const by = groupBy(
    replaced,
    (x) => x.by_key,
    (x): ReplacedDoc => ({ id: x.id, fileName: x.file_name, state: x.was }),
  );
  return docs.map((d) => {
    const old = by.get(d.key);
    return old && !d.problem && !d.note ? { ...d, note: replacesWordsOf(old) } : d;
  });
}

/** Tell the other desks which documents changed (`*`: too many to name, re-read). */
export async function notify(
  client: pg.PoolClient,
  desk: string,
  ids: readonly number[],
): Promise<void> {
  if (ids.length === 0) return;
  const payload = `d:${desk}:${ids.length > MAX_NOTIFY_IDS ? '*' : ids.join(',')}`;
  await client.query('SELECT pg_notify($1, $2)', [TEAM_NOTIFY_CHANNEL, payload]);
}

/** The three columns of each guarded document's number, as arrays for unnest. */
function numberColumns(docs: readonly NewTeamDocument[]): [string[], string[], string[]] {
  const cols: [string[], string[], string[]] = [[], [], []];
  for (const d of docs) {
    if (numberOf(d) === null) continue;
    cols[0].push(d.senderId!);
    cols[1].push(d.invoiceNumber!);
    cols[2].push(d.docType!);
  }
  return cols;
}

/** `docs` with those whose number a live document has held (../number-guard). */
async function guarded(
  c: pg.PoolClient,
  docs: readonly NewTeamDocument[],
  real: boolean,
): Promise<NewTeamDocument[]> {
  const cols = numberColumns(docs);
  if (cols[0].length === 0) return [...docs];
  const taken = await takenNumbers(c, cols, real, []);
  return docs.map((d) => guardNumber(d, taken.get(numberOf(d) ?? '') ?? null));
}

/**
 * The live document of each number of `cols` (sellers, numbers, types), by its key
 * (../number-guard numberOfRow); `real` as TAKEN_NUMBERS' $4, none of `excluding`.
 */
export async function takenNumbers(
  c: pg.PoolClient,
  cols: readonly (readonly string[])[],
  real: boolean,
  excluding: readonly number[],
): Promise<Map<string, NumberTaken>> {
  const r = await c.query<
    NumberTaken & { sender_id: string; invoice_number: string; doc_type: string }
  >(TAKEN_NUMBERS, [...cols, real, excluding]);
  return new Map(
    r.rows.map((t) => [numberOfRow(t), { id: Number(t.id), key: t.key, state: t.state }]),
  );
}

/** One INSERT of `docs` (ids follow their order); returns the rows it created. */
async function insert(c: pg.PoolClient, deskId: string, docs: readonly NewTeamDocument[]) {
  if (docs.length === 0) return [];
  const columns = docs.map(enqueueValues);
  const column = (i: number): unknown[] => columns.map((v) => v[i]);
  const inserted = await c.query<Row>(INSERT_DOCUMENTS, [
    docs.map((d) => d.key),
    ...Array.from({ length: 16 }, (_, i) => column(i)),
    deskId,
  ]);
  return inserted.rows;
}

/** Add `docs` for desk `deskId` (see TeamStore.enqueue). */
export async function enqueueDocuments(
  c: pg.PoolClient,
  deskId: string,
  docs: readonly NewTeamDocument[],
  real: boolean,
): Promise<EnqueueResult[]> {
  const numbers = numberColumns(docs);
  if (numbers[0].length > 0) await c.query(NUMBER_LOCK_SQL, numbers);
  const replaced = await supersede(c, SUPERSEDE_WAITING, docs);
  const readable = docs.filter((d) => d.docType !== null && d.invoiceNumber !== null);
  if (readable.length > 0)
    replaced.push(
      ...(await superseded(c, SUPERSEDE_UNREADABLE, [
        readable.map((d) => d.invoiceNumber),
        readable.map((d) => lastPart(d.fileName)),
        readable.map((d) => d.key),
      ])),
    );
  // A second version in this same call is guarded once the first is in (it then has an id).
  const { first, later } = splitSecondVersions(docs);
  const checked = await guarded(c, first, real);
  // What goes on (not held) replaces the failures of its number.
  const going = checked.filter((d) => d.state === 'queued');
  replaced.push(...(await supersede(c, SUPERSEDE_FIXED, going)));
  const firstDocs = saying(checked, replaced);
  const rows = await insert(c, deskId, firstDocs);
  const laterDocs = later.length > 0 ? await guarded(c, later, real) : [];
  rows.push(...(await insert(c, deskId, laterDocs)));
  const created = new Map(rows.map((r) => [r.key, r]));
  if (rows.length > 0) {
    const firstOf = new Map<string, NewTeamDocument>();
    for (const d of [...firstDocs, ...laterDocs]) if (!firstOf.has(d.key)) firstOf.set(d.key, d);
    const bodies = rows.map((r) => {
      const b = firstOf.get(r.key)!.body;
      return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    });
    await c.query(
      `INSERT INTO team_document_bodies (document_id, body)
       SELECT * FROM unnest($1::bigint[], $2::bytea[])`,
      [rows.map((r) => r.id), bodies],
    );
    // What an unreadable file seemed to carry (so that its correction finds it).
    const unread = rows.filter((r) => firstOf.get(r.key)!.unreadNumber);
    if (unread.length > 0)
      await c.query(
        `UPDATE team_documents d SET unread_number = u.n
         FROM unnest($1::bigint[], $2::text[]) AS u(id, n) WHERE d.id = u.id`,
        [unread.map((r) => r.id), unread.map((r) => firstOf.get(r.key)!.unreadNumber)],
      );
    const events = rows.map((r) => addedEvent(firstOf.get(r.key)!));
    await c.query(
      `INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail, technical)
       SELECT id, team_now_ms(), $1, NULL, state, detail, technical
       FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[])
         AS t(id, state, detail, technical)`,
      [
        deskId,
        rows.map((r) => r.id),
        rows.map((r) => r.state),
        events.map((e) => e.detail),
        events.map((e) => e.technical),
      ],
    );
  }
  const others = docs.filter((d) => !created.has(d.key)).map((d) => d.key);
  const had = new Map<string, Row>();
  if (others.length > 0) {
    const r = await c.query<Row>(
      'SELECT id, key, state FROM team_documents WHERE key = ANY($1::text[])',
      [others],
    );
    for (const row of r.rows) had.set(row.key, row);
  }
  if (replaced.length > 0) {
    const idOf = (key: string) => created.get(key)?.id ?? had.get(key)?.id;
    const byFile = new Map(docs.map((d) => [d.key, d.fileName]));
    await c.query(
      `INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail)
       SELECT id, team_now_ms(), $1, was, 'superseded', detail
       FROM unnest($2::bigint[], $3::text[], $4::text[]) AS t(id, was, detail)`,
      [
        deskId,
        replaced.map((x) => x.id),
        replaced.map((x) => x.was),
        replaced.map((x) => replacedByWords(byFile.get(x.by_key)!, Number(idOf(x.by_key)))),
      ],
    );
  }
  await notify(c, deskId, [...rows.map((r) => r.id), ...replaced.map((x) => x.id)]);
  const reported = new Set<string>();
  return docs.map((d): EnqueueResult => {
    const mine = created.get(d.key);
    if (mine && !reported.has(d.key)) {
      reported.add(d.key);
      return { key: d.key, id: mine.id, created: true, state: mine.state };
    }
    const r = mine ?? had.get(d.key)!;
    return { key: d.key, id: r.id, created: false, state: r.state };
  });
}
