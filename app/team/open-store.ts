/**
 * Open the team store a desk was given: a PostgreSQL URL (`postgresql://` or `postgres://`) for a
 * real team, or `sqlite:<path>` for desks sharing one machine. Call `migrate()` before use.
 */
import { fileURLToPath } from 'node:url';
import { PostgresTeamStore, type PostgresTeamStoreOptions } from './postgres/postgres-team-store';
import { TeamStoreAddressError, labelOf as labelOfUrl } from './postgres/connection';
import { SqliteTeamStore } from './sqlite/sqlite-team-store';
import type { TeamStore } from './store';

/** Where the team store is, for people: `user@host:port/db` or the SQLite path; no password. */
export function labelOf(urlOrPath: string): string {
  if (urlOrPath.startsWith('sqlite:')) return sqlitePath(urlOrPath);
  return labelOfUrl(urlOrPath);
}

function sqlitePath(spec: string): string {
  if (spec.startsWith('sqlite://'))
    return fileURLToPath(`file://${spec.slice('sqlite://'.length)}`);
  return spec.slice('sqlite:'.length);
}

export { TeamStoreAddressError };

/** The store at `urlOrPath` (see the file comment); nothing is read until it is used. */
export function openTeamStore(
  urlOrPath: string,
  options: PostgresTeamStoreOptions = {},
): TeamStore {
  if (/^postgres(ql)?:\/\//i.test(urlOrPath)) return new PostgresTeamStore(urlOrPath, options);
  if (urlOrPath.startsWith('sqlite:')) {
    const path = sqlitePath(urlOrPath);
    if (!path || path === ':memory:') throw new TeamStoreAddressError();
    return new SqliteTeamStore(path);
  }
  throw new TeamStoreAddressError();
}
