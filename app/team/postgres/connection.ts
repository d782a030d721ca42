/**
 * Connecting to the team's PostgreSQL: the pool, transactions that retry a deadlock, errors that
 * tell "the database is down" from a bug, and the label people see (never the password).
 */
import pg from 'pg';
import { TeamStoreUnavailableError } from '../store';

/** `user@host:port/db` of a PostgreSQL URL: what people see; the password is never in it. */
export function labelOf(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Never echo the text: it may hold a password.
    return 'an unreadable database address';
  }
  if (u.protocol === 'sqlite:') return decodeURIComponent(u.pathname);
  const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
  const host = u.hostname || u.searchParams.get('host') || 'localhost';
  const port = u.port || '5432';
  const db = decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username);
  return `${user}${host}:${port}/${db}`;
}

/** The team store address cannot be used (its text is never repeated: it may hold a password). */
export class TeamStoreAddressError extends Error {
  readonly code = 'TEAM_STORE_ADDRESS';
  constructor() {
    super(
      'The team outbox address cannot be read. It must look like postgresql://user@host:5432/database (or be sqlite:<path to a file>).',
    );
    this.name = 'TeamStoreAddressError';
  }
}

/** Refuse an address that is not a readable postgresql:// URL, without echoing it. */
export function checkPostgresUrl(url: string): void {
  let u: URL | null = null;
  try {
    u = new URL(url);
  } catch {
    u = null;
  }
  if (!u || !/^postgres(ql)?:$/.test(u.protocol)) throw new TeamStoreAddressError();
}

// int8 (ids, fences, milliseconds) as numbers: all stay far below 2^53.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID && format !== 'binary'
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** Connection settings for the pool and the listener (one place). */
export function clientConfig(url: string): pg.ClientConfig {
  return {
    connectionString: url,
    types,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    application_name: 'peppol-desk',
    // claim() must read a range of the due index and stop after `limit` rows: with stale
    // statistics (a queue that just grew) the planner would rather bitmap-scan every due row
    // and sort them, a cost that grows with the queue on every claim.
    options: '-c enable_bitmapscan=off',
  };
}

/** A pool on the team database; its idle clients' errors are ignored (the next query reports). */
export function createPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(url), max, idleTimeoutMillis: 30_000 });
  pool.on('error', () => {});
  return pool;
}

// Error codes of a connection that failed or was cut (node's and PostgreSQL's).
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOENT',
]);

/** A few plain words for why the database cannot be used, or null when the error is a bug. */
export function unavailableReason(err: unknown): string | null {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  if (code === 'ECONNREFUSED') return 'connection refused: is the database server running?';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the server name is not known';
  if (NETWORK_CODES.has(code)) return 'the network connection failed';
  if (code === '28P01' || code === '28000') return 'the user name or password was refused';
  if (code === '3D000') return 'there is no such database on the server';
  if (code === '57P01' || code === '57P02' || code === '57P03')
    return 'the database server is shutting down or starting';
  if (code.startsWith('08')) return 'the connection to the database was lost';
  if (
    /timeout exceeded when trying to connect|Connection terminated|not queryable|connection error/i.test(
      message,
    )
  )
    return 'the connection to the database was lost';
  return null;
}

/** Turn a connection failure into TeamStoreUnavailableError; other errors pass unchanged. */
export function asStoreError(err: unknown, label: string): unknown {
  if (err instanceof TeamStoreUnavailableError) return err;
  const reason = unavailableReason(err);
  return reason ? new TeamStoreUnavailableError(label, reason) : err;
}

// Deadlock and serialization failures: PostgreSQL rolled the transaction back; run it again.
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_TX_ATTEMPTS = 5;

/** Run `fn` in one transaction on a pooled client; connection failures become unavailable errors. */
export async function inTransaction<T>(
  pool: pg.Pool,
  label: string,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let held: CheckedOut;
    try {
      held = await checkOut(pool);
    } catch (err) {
      throw asStoreError(err, label);
    }
    const { client } = held;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        held.broken = true;
      }
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && RETRYABLE.has(code) && attempt < MAX_TX_ATTEMPTS) continue;
      if (unavailableReason(err)) held.broken = true;
      throw asStoreError(err, label);
    } finally {
      client.removeListener('error', held.onError);
      client.release(held.broken);
    }
  }
}

interface CheckedOut {
  client: pg.PoolClient;
  onError: () => void;
  /** The connection failed: the pool must not hand it out again. */
  broken: boolean;
}

/**
 * Take a client from the pool with our 'error' listener attached at once. A checked-out client
 * has no pool listener, and its connection may report an error in the same tick as it becomes
 * ready (one network read can hold "ready" and "terminating connection"): attached after an
 * `await`, the listener would come too late and the unheard 'error' would end the process.
 */
function checkOut(pool: pg.Pool): Promise<CheckedOut> {
  return new Promise((resolve, reject) => {
    pool.connect((err, client) => {
      if (err || !client) {
        reject(err ?? new Error('no client'));
        return;
      }
      const held: CheckedOut = {
        client,
        broken: false,
        onError: () => {
          held.broken = true;
        },
      };
      client.on('error', held.onError);
      resolve(held);
    });
  });
}

/**
 * One statement on the pool, with the same error mapping. A `name` prepares it once per
 * connection (parsed and planned once, not on every call): only for fixed texts.
 */
export async function query<R extends pg.QueryResultRow>(
  pool: pg.Pool,
  label: string,
  text: string,
  values: unknown[] = [],
  name?: string,
): Promise<R[]> {
  try {
    return (await pool.query<R>(name ? { name, text, values } : { text, values })).rows;
  } catch (err) {
    throw asStoreError(err, label);
  }
}
