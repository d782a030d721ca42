// The harness's own look at the team's queue in PostgreSQL (read-only): which desk holds claims,
// the count per state, how many documents were claimed again from `sending` (in doubt). One
// connection, opened again after PostgreSQL restarts; a query that cannot run answers null, so
// the harness never stops over its own observation.
import pg from 'pg';

// Where the team store keeps its rows (app/team/postgres migrations).
const DOCUMENTS = 'team_documents';
const EVENTS = 'team_events';

/** States in which a document still has work ahead of it (app/contract/documents.ts). */
export const NOT_FINAL_STATES = [
  'received',
  'validating',
  'ready',
  'resolving',
  'queued',
  'sending',
  'retry_wait',
];

export async function openTeamDb(url) {
  let client = null;
  async function connection() {
    if (client) return client;
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    c.on('error', () => {
      if (client === c) client = null;
    });
    await c.connect();
    client = c;
    return c;
  }
  async function query(sql, params = []) {
    try {
      return (await (await connection()).query(sql, params)).rows;
    } catch {
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
      return null;
    }
  }
  const count = async (sql, params) => {
    const rows = await query(sql, params);
    return rows ? Number(rows[0].n) : null;
  };
  return {
    /** Documents in `sending` whose lease this desk holds (or held when it died). */
    heldBy: (deskId) =>
      count(`SELECT COUNT(*) n FROM ${DOCUMENTS} WHERE state = 'sending' AND lease_owner = $1`, [
        deskId,
      ]),
    /**
     * The documents in `sending` whose lease this desk holds, each with how many timeline rows it
     * had then (`seen`): what happens to it next is the row after those (see `stepAfter`).
     */
    async heldClaims(deskId) {
      const rows = await query(
        `SELECT d.id, (SELECT COUNT(*) FROM ${EVENTS} e WHERE e.document_id = d.id) seen
           FROM ${DOCUMENTS} d WHERE d.state = 'sending' AND d.lease_owner = $1`,
        [deskId],
      );
      return rows ? rows.map((r) => ({ id: Number(r.id), seen: Number(r.seen) })) : null;
    },
    /** Document `id`'s timeline row after its first `seen` rows (null: none, or no answer). */
    async stepAfter(id, seen) {
      const rows = await query(
        `SELECT from_state, to_state FROM ${EVENTS} WHERE document_id = $1 ORDER BY seq OFFSET $2 LIMIT 1`,
        [id, seen],
      );
      return rows?.[0] ?? null;
    },
    /** Rows per state. */
    async counts() {
      const rows = await query(`SELECT state, COUNT(*) n FROM ${DOCUMENTS} GROUP BY state`);
      return rows ? Object.fromEntries(rows.map((r) => [r.state, Number(r.n)])) : null;
    },
    /** Claims of a document that was already `sending` under an earlier claim. */
    inDoubtClaims: () =>
      count(
        `SELECT COUNT(*) n FROM ${EVENTS} WHERE from_state = 'sending' AND to_state = 'sending'`,
      ),
    /** Ids of the documents claimed at least once in doubt. */
    async inDoubtIds() {
      const rows = await query(
        `SELECT DISTINCT document_id id FROM ${EVENTS} WHERE from_state = 'sending' AND to_state = 'sending'`,
      );
      return rows ? new Set(rows.map((r) => Number(r.id))) : null;
    },
    /** Documents not in a final state. */
    notFinal: () =>
      count(`SELECT COUNT(*) n FROM ${DOCUMENTS} WHERE state = ANY($1)`, [NOT_FINAL_STATES]),
    close: async () => {
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
