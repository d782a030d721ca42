/**
 * The team store's numbered migrations, one list per dialect: the same numbers and the same
 * tables (team_documents with its bodies apart, team_events, team_desks, team_settings, the shared caches and desks' latency, the list's sort indexes, the timeline's technical line, delivery polls apart, the seller and where a document went, the number guard, the failed ones Retry all leaves; the
 * runner keeps team_migrations). Append only: never edit or reorder an applied one (its sha256
 * is recorded and checked at start).
 */
import { createHash } from 'node:crypto';
import pgTeam from './postgresql/001-team.sql';
import pgAcceptedIndex from './postgresql/002-accepted-index.sql';
import sqliteTeam from './sqlite/001-team.sql';
import sqliteAcceptedIndex from './sqlite/002-accepted-index.sql';
import pgDelivery from './postgresql/003-delivery.sql';
import sqliteDelivery from './sqlite/003-delivery.sql';
import pgSharedCaches from './postgresql/004-shared-caches.sql';
import sqliteSharedCaches from './sqlite/004-shared-caches.sql';
import pgDeskLatency from './postgresql/005-desk-latency.sql';
import sqliteDeskLatency from './sqlite/005-desk-latency.sql';
import pgRetryKey from './postgresql/006-retry-key.sql';
import sqliteRetryKey from './sqlite/006-retry-key.sql';
import pgListSorts from './postgresql/007-list-sorts.sql';
import sqliteListSorts from './sqlite/007-list-sorts.sql';
import pgEventTechnical from './postgresql/008-event-technical.sql';
import sqliteEventTechnical from './sqlite/008-event-technical.sql';
import pgDeliveryPollIndex from './postgresql/009-delivery-poll-index.sql';
import sqliteDeliveryPollIndex from './sqlite/009-delivery-poll-index.sql';
import pgDocumentOrigins from './postgresql/010-document-origins.sql';
import sqliteDocumentOrigins from './sqlite/010-document-origins.sql';
import pgNumberGuard from './postgresql/011-number-guard.sql';
import sqliteNumberGuard from './sqlite/011-number-guard.sql';
import pgUnreadableByNumber from './postgresql/012-unreadable-by-number.sql';
import sqliteUnreadableByNumber from './sqlite/012-unreadable-by-number.sql';
import pgFailedToFix from './postgresql/013-failed-to-fix.sql';
import sqliteFailedToFix from './sqlite/013-failed-to-fix.sql';

/** One numbered migration of the team store. */
export interface TeamMigration {
  id: number;
  name: string;
  sql: string;
}

/** PostgreSQL migrations, in order. */
export const POSTGRES_MIGRATIONS: readonly TeamMigration[] = [
  { id: 1, name: '001-team', sql: pgTeam },
  { id: 2, name: '002-accepted-index', sql: pgAcceptedIndex },
  { id: 3, name: '003-delivery', sql: pgDelivery },
  { id: 4, name: '004-shared-caches', sql: pgSharedCaches },
  { id: 5, name: '005-desk-latency', sql: pgDeskLatency },
  { id: 6, name: '006-retry-key', sql: pgRetryKey },
  { id: 7, name: '007-list-sorts', sql: pgListSorts },
  { id: 8, name: '008-event-technical', sql: pgEventTechnical },
  { id: 9, name: '009-delivery-poll-index', sql: pgDeliveryPollIndex },
  { id: 10, name: '010-document-origins', sql: pgDocumentOrigins },
  { id: 11, name: '011-number-guard', sql: pgNumberGuard },
  { id: 12, name: '012-unreadable-by-number', sql: pgUnreadableByNumber },
  { id: 13, name: '013-failed-to-fix', sql: pgFailedToFix },
];

/** SQLite migrations, in order (same numbers as PostgreSQL's). */
export const SQLITE_MIGRATIONS: readonly TeamMigration[] = [
  { id: 1, name: '001-team', sql: sqliteTeam },
  { id: 2, name: '002-accepted-index', sql: sqliteAcceptedIndex },
  { id: 3, name: '003-delivery', sql: sqliteDelivery },
  { id: 4, name: '004-shared-caches', sql: sqliteSharedCaches },
  { id: 5, name: '005-desk-latency', sql: sqliteDeskLatency },
  { id: 6, name: '006-retry-key', sql: sqliteRetryKey },
  { id: 7, name: '007-list-sorts', sql: sqliteListSorts },
  { id: 8, name: '008-event-technical', sql: sqliteEventTechnical },
  { id: 9, name: '009-delivery-poll-index', sql: sqliteDeliveryPollIndex },
  { id: 10, name: '010-document-origins', sql: sqliteDocumentOrigins },
  { id: 11, name: '011-number-guard', sql: sqliteNumberGuard },
  { id: 12, name: '012-unreadable-by-number', sql: sqliteUnreadableByNumber },
  { id: 13, name: '013-failed-to-fix', sql: sqliteFailedToFix },
];

/** sha256 of a migration's SQL, recorded when it is applied. */
export function teamMigrationHash(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

/** An applied migration this build does not know, or one edited after it was applied. */
export class TeamMigrationError extends Error {
  constructor(
    readonly code: 'TEAM_MIGRATION_UNKNOWN' | 'TEAM_MIGRATION_EDITED',
    message: string,
  ) {
    super(message);
    this.name = 'TeamMigrationError';
  }
}

/**
 * Which migrations still have to run, given those recorded; throws when the database was
 * migrated by a newer Peppol Desk or an applied migration was edited.
 */
export function pendingTeamMigrations(
  all: readonly TeamMigration[],
  applied: readonly { id: number; name: string; sha256: string }[],
  label: string,
): TeamMigration[] {
  const known = new Map(all.map((m) => [m.id, m]));
  for (const row of applied) {
    const m = known.get(row.id);
    if (!m) {
      throw new TeamMigrationError(
        'TEAM_MIGRATION_UNKNOWN',
        `The team database ${label} was set up by a newer Peppol Desk (migration ${row.name}). Update Peppol Desk on this computer.`,
      );
    }
    if (teamMigrationHash(m.sql) !== row.sha256) {
      throw new TeamMigrationError(
        'TEAM_MIGRATION_EDITED',
        `Team database migration ${m.name} was changed after it was applied; refusing to start.`,
      );
    }
  }
  const done = new Set(applied.map((r) => r.id));
  return [...all].sort((a, b) => a.id - b.id).filter((m) => !done.has(m.id));
}
