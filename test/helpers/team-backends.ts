/**
 * The team tests' one PostgreSQL-or-skip set-up. Under CI (`CI=true`) a missing PostgreSQL fails
 * (startPostgres throws, so nothing passes by skipping); elsewhere the PostgreSQL tests skip,
 * saying why. `teamBackends` gives the two team stores the same tests run on: a SQLite file and
 * a database of its own on one throwaway PostgreSQL cluster per test file. `useTeamBackends`
 * starts and stops that cluster around the file's tests; `useTeamStores` opens connections to
 * fresh databases in a `describe.each` over them and closes them after each test.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { openTeamStore } from '../../app/team/open-store';
import type { TeamStore } from '../../app/team/store';
import { hasPostgres, MISSING_POSTGRES, startPostgres, type PostgresCluster } from './postgres.mjs';

/** True when `what`'s PostgreSQL tests must skip (no PostgreSQL here, not under CI); says so. */
export function skipWithoutPostgres(what: string): boolean {
  const skip = !hasPostgres() && process.env.CI !== 'true';
  if (skip) console.warn(`${what}: skipped. ${MISSING_POSTGRES}`);
  return skip;
}

/** Rows of one plain statement on PostgreSQL (its own connection, closed after). */
export async function rawPostgres(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as Record<string, unknown>[];
  } finally {
    await c.end();
  }
}

/** One of the two team stores a test runs on. */
export interface TeamBackend {
  name: 'sqlite' | 'postgresql';
  /** No PostgreSQL here (outside CI): its tests skip. */
  skip: boolean;
  /** Start what the backend needs (the cluster), once per file. */
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** The address of a fresh, empty team database. */
  newAddress(): Promise<string>;
  /** The PostgreSQL cluster once set up (to restart it); null on SQLite. */
  readonly cluster: PostgresCluster | null;
  /** Rows of a plain statement, read around the store (`?` placeholders on SQLite, `$1` on PostgreSQL). */
  raw(address: string, sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

/**
 * The SQLite and PostgreSQL team stores for `what` (named in the skip warning): SQLite files in
 * `tempDir()`, PostgreSQL databases `<prefix>_<n>` on one cluster started by `setUp`.
 */
export function teamBackends(
  what: string,
  tempDir: () => string,
  prefix = 'team',
): [TeamBackend, TeamBackend] {
  const skip = skipWithoutPostgres(`${what} (postgresql)`);
  let cluster: PostgresCluster | null = null;
  let dbNumber = 0;
  return [
    {
      name: 'sqlite',
      skip: false,
      cluster: null,
      setUp: async () => {},
      tearDown: async () => {},
      newAddress: async () => `sqlite:${join(tempDir(), 'team.sqlite')}`,
      raw: async (address, sql, params = []) => {
        const db = new Database(address.slice('sqlite:'.length));
        try {
          db.pragma('busy_timeout = 5000');
          const stmt = db.prepare(sql);
          return (stmt.reader ? stmt.all(...params) : (stmt.run(...params), [])) as Record<
            string,
            unknown
          >[];
        } finally {
          db.close();
        }
      },
    },
    {
      name: 'postgresql',
      skip,
      get cluster() {
        return cluster;
      },
      setUp: async () => {
        cluster = await startPostgres();
      },
      tearDown: async () => {
        await cluster?.stop();
      },
      newAddress: async () => {
        const name = `${prefix}_${++dbNumber}`;
        await rawPostgres(cluster!.url, `CREATE DATABASE ${name}`);
        return cluster!.url.replace(/\/postgres$/, `/${name}`);
      },
      raw: (address, sql, params = []) => rawPostgres(address, sql, params),
    },
  ];
}

/**
 * {@link teamBackends} for a file's `describe.each`: the PostgreSQL cluster starts before the
 * file's tests (unless its tests skip) and stops after them.
 */
export function useTeamBackends(
  what: string,
  tempDir: () => string,
  prefix = 'team',
): [TeamBackend, TeamBackend] {
  const backends = teamBackends(what, tempDir, prefix);
  const [, postgres] = backends;
  beforeAll(async () => {
    if (!postgres.skip) await postgres.setUp();
  }, 60_000);
  afterAll(async () => {
    await postgres.tearDown();
  });
  return backends;
}

/** Connections to team databases of one backend; see {@link useTeamStores}. */
export interface TeamStores {
  /** The database the last `fresh` / `newAddress` made. */
  readonly address: string;
  /** A fresh, empty database: it becomes `address`. */
  newAddress(): Promise<string>;
  /** A fresh database (it becomes `address`) and a first, migrated connection to it. */
  fresh(): Promise<TeamStore>;
  /** Another desk's connection to `address` (a new pool / file handle), migrated unless told not. */
  connect(migrate?: boolean): Promise<TeamStore>;
  /** A migrated connection to another address. */
  open(address: string): Promise<TeamStore>;
}

/**
 * Team store connections for the tests of one backend (call it in the `describe.each`
 * callback): every store opened through it is closed after its test.
 */
export function useTeamStores(backend: TeamBackend): TeamStores {
  const opened: TeamStore[] = [];
  let address = '';
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });
  async function open(at: string, migrate = true): Promise<TeamStore> {
    const s = openTeamStore(at);
    opened.push(s);
    if (migrate) await s.migrate();
    return s;
  }
  async function newAddress(): Promise<string> {
    address = await backend.newAddress();
    return address;
  }
  return {
    get address() {
      return address;
    },
    newAddress,
    fresh: async () => open(await newAddress()),
    connect: (migrate = true) => open(address, migrate),
    open: (at) => open(at),
  };
}
