/**
 * The team store in one SQLite file: desks on one machine share it (several processes may open
 * it at once). Claims run in `BEGIN IMMEDIATE` transactions, so only one desk picks at a time;
 * the "database clock" is the machine's clock read inside SQL, which all its desks share.
 */
import Database from 'better-sqlite3';
import type { DocumentState } from '../../contract';
import type { PollKind, PollRef, PollResult } from '../store';
import { watchChanges } from './sqlite-listen';
import { openFile } from './open-file';
import * as polls from './sqlite-polls';
import { SqliteTeamShared } from './sqlite-shared';
import * as clerk from './sqlite-clerk';
import { CLAIM_GUARD, adoptAccessPoint, readAccessPoint } from './sqlite-access-point';
import * as teamSettings from './sqlite-team-settings';
import type { AccessPointRef, TeamAccessPoint } from '../access-point';
import * as list from './sqlite-list';
import { SQLITE_MIGRATIONS, pendingTeamMigrations, teamMigrationHash } from '../migrations';
import { CLAIM_DUE_DOCUMENTS, FINISH_UNDER_FENCE, INSERT_EVENT, NOW } from './statements';
import { enqueueDocuments } from './sqlite-enqueue';
import {
  sendKeySql,
  FAILED_TO_FIX_WHERE,
  IN_DOUBT_DETAIL,
  TEAM_DOCUMENT_COLUMNS,
  checkNewDocument,
  outcomeWrite,
  toTeamDocument,
  toTeamEvent,
  type TeamDocumentRow,
  type TeamEventRow,
} from '../store-rows';
import {
  type CancelledTeamDoc,
  type ChangeNotice,
  type Claim,
  type ClaimRef,
  type DeskInfo,
  type DeskPresence,
  type EnqueueResult,
  type FinishItem,
  type NewTeamDocument,
  type SentVia,
  type TeamAcceptedSeries,
  type TeamDocument,
  type TeamEvent,
  type TeamListQuery,
  type TeamOutcome,
  type TeamProblem,
  type TeamRetryResult,
  type TeamSettingRow,
  type TeamStore,
} from '../store';

export { CLAIM_DUE_DOCUMENTS } from './statements';

/** A TeamStore on a SQLite file (see the file comment). */
/**
 * The failed documents "Retry all" leaves: their partial index (migration 013), a few rows, files
 * that need a person. INDEXED BY: the planner took the index on state, every failed document.
 */
export const FAILED_TO_FIX = `SELECT COUNT(*) FROM team_documents
  INDEXED BY team_documents_failed_to_fix WHERE ${FAILED_TO_FIX_WHERE}`;

export class SqliteTeamStore implements TeamStore {
  readonly dialect = 'sqlite' as const;
  readonly label: string;
  readonly shared: SqliteTeamShared;
  private readonly db: Database.Database;
  private readonly stopListeners = new Set<() => Promise<void>>();
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly file: string) {
    this.label = file;
    this.db = openFile(file, this.label);
    this.shared = new SqliteTeamShared(this.db, (sql) => this.stmt(sql));
  }

  async migrate(): Promise<void> {
    const db = this.db;
    for (;;) {
      // Each migration in its own immediate transaction: two desks starting at once take turns,
      // and the second finds the first's work recorded.
      const ran = db
        .transaction(() => {
          db.exec(`CREATE TABLE IF NOT EXISTS team_migrations (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL,
            applied_at INTEGER NOT NULL)`);
          const applied = db
            .prepare('SELECT id, name, sha256 FROM team_migrations ORDER BY id')
            .all() as { id: number; name: string; sha256: string }[];
          const next = pendingTeamMigrations(SQLITE_MIGRATIONS, applied, this.label)[0];
          if (!next) return false;
          db.exec(next.sql);
          db.prepare(
            `INSERT INTO team_migrations (id, name, sha256, applied_at) VALUES (?, ?, ?, ${NOW})`,
          ).run(next.id, next.name, teamMigrationHash(next.sql));
          return true;
        })
        .immediate();
      if (!ran) return;
    }
  }

  async close(): Promise<void> {
    for (const stop of [...this.stopListeners]) await stop();
    if (this.db.open) this.db.close();
  }

  async heartbeat(desk: DeskInfo): Promise<void> {
    this.stmt(
      `INSERT INTO team_desks (id, name, host, started_at, last_seen, access_point)
         VALUES (?, ?, ?, ${NOW}, ${NOW}, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, host = excluded.host,
           last_seen = excluded.last_seen, access_point = excluded.access_point`,
    ).run(desk.id, desk.name, desk.host, desk.accessPoint ?? null);
  }

  async signOff(deskId: string): Promise<void> {
    this.stmt('UPDATE team_desks SET last_seen = 0 WHERE id = ?').run(deskId);
  }

  async desks(onlineWithinMs: number): Promise<DeskPresence[]> {
    const rows = this.stmt(
      `SELECT id, name, host, last_seen, access_point, last_seen >= ${NOW} - ? AS online
         FROM team_desks ORDER BY name, id`,
    ).all(Math.round(onlineWithinMs)) as {
      id: string;
      name: string;
      host: string;
      last_seen: number;
      online: number;
      access_point: string | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      host: r.host,
      accessPoint: r.access_point,
      lastSeenAt: r.last_seen,
      online: r.online === 1,
    }));
  }

  async known(keys: readonly string[]): Promise<Map<string, { id: number; state: DocumentState }>> {
    const found = new Map<string, { id: number; state: DocumentState }>();
    const stmt = this.stmt('SELECT id, state FROM team_documents WHERE key = ?');
    for (const key of new Set(keys)) {
      const r = stmt.get(key) as { id: number; state: DocumentState } | undefined;
      if (r) found.set(key, { id: r.id, state: r.state });
    }
    return found;
  }

  async enqueue(
    deskId: string,
    docs: readonly NewTeamDocument[],
    real = false,
  ): Promise<EnqueueResult[]> {
    docs.forEach(checkNewDocument);
    return enqueueDocuments(this.db, (sql) => this.stmt(sql), deskId, docs, real);
  }

  async claim(
    deskId: string,
    limit: number,
    leaseMs: number,
    ap?: string,
    via?: SentVia,
  ): Promise<Claim[]> {
    const db = this.db;
    const guard = this.stmt(`SELECT ${CLAIM_GUARD}`).pluck();
    const due = this.stmt(CLAIM_DUE_DOCUMENTS);
    const take = this.stmt(
      `UPDATE team_documents SET state = 'sending', lease_owner = ?, lease_until = ${NOW} + ?,
         due_at = ${NOW} + ?,
         fence = fence + 1, attempts = attempts + 1, updated_at = ${NOW}, next_attempt_at = NULL,
         reached_maybe = reached_maybe OR ?,
         sent_via = coalesce(?, sent_via), sent_environment = coalesce(?, sent_environment)
       WHERE id = ?
       RETURNING id, ${sendKeySql()} AS key, fence, file_name, receiver_id, doc_type, attempts`,
    );
    const event = this.stmt(INSERT_EVENT);
    const body = this.stmt('SELECT body FROM team_document_bodies WHERE document_id = ?').pluck();
    return db
      .transaction(() => {
        if (ap !== undefined && !guard.get(ap)) return [];
        const rows = due.all(Math.max(0, Math.floor(limit))) as {
          id: number;
          state: DocumentState;
        }[];
        return rows.map((r): Claim => {
          const inDoubt = r.state === 'sending';
          const c = take.get(
            deskId,
            Math.round(leaseMs),
            Math.round(leaseMs),
            inDoubt ? 1 : 0,
            via?.accessPoint ?? null,
            via?.environment ?? null,
            r.id,
          ) as {
            id: number;
            key: string;
            fence: number;
            file_name: string;
            receiver_id: string | null;
            doc_type: Claim['docType'];
            attempts: number;
          };
          event.run(r.id, deskId, r.state, 'sending', inDoubt ? IN_DOUBT_DETAIL : null, null);
          const b = body.get(c.id) as Buffer | undefined;
          return {
            id: c.id,
            key: c.key,
            fence: c.fence,
            fileName: c.file_name,
            receiverId: c.receiver_id,
            docType: c.doc_type,
            inDoubt,
            attempts: c.attempts,
            ...(b ? { body: new Uint8Array(b) } : {}),
          };
        });
      })
      .immediate();
  }

  async renew(deskId: string, claims: readonly ClaimRef[], leaseMs: number): Promise<Set<number>> {
    const stmt = this.stmt(
      `UPDATE team_documents SET lease_until = ${NOW} + ?, due_at = ${NOW} + ?
       WHERE id = ? AND fence = ? AND state = 'sending' AND lease_owner = ? RETURNING id`,
    );
    const held = new Set<number>();
    this.db
      .transaction(() => {
        for (const c of claims) {
          if (stmt.get(Math.round(leaseMs), Math.round(leaseMs), c.id, c.fence, deskId))
            held.add(c.id);
        }
      })
      .immediate();
    return held;
  }

  async finish(deskId: string, claim: ClaimRef, outcome: TeamOutcome): Promise<boolean> {
    return (await this.finishMany(deskId, [{ claim, outcome }])).has(claim.id);
  }

  async finishMany(deskId: string, items: readonly FinishItem[]): Promise<Set<number>> {
    const stmt = this.stmt(FINISH_UNDER_FENCE);
    const event = this.stmt(INSERT_EVENT);
    const written = new Set<number>();
    this.db
      .transaction(() => {
        for (const { claim, outcome } of items) {
          const w = outcomeWrite(outcome);
          const done = stmt.get(
            w.to,
            w.transactionId,
            w.sent ? 1 : 0,
            deskId,
            w.delayMs,
            w.delayMs,
            w.to,
            w.delayMs,
            w.problem?.code ?? null,
            w.problem?.message ?? null,
            w.problem?.action ?? null,
            w.settles ? 1 : 0,
            w.reachedMaybe ? 1 : 0,
            w.uncount ? 1 : 0,
            w.firstPollInMs,
            w.acceptedAgoMs,
            w.acceptedAgoMs,
            claim.id,
            claim.fence,
            deskId,
          );
          if (!done) continue;
          event.run(claim.id, deskId, 'sending', w.to, w.detail, null);
          written.add(claim.id);
        }
      })
      .immediate();
    return written;
  }

  async claimPolls(deskId: string, limit: number, leaseMs: number, ap?: string, kind?: PollKind) {
    return polls.claimPolls(this.db, (q) => this.stmt(q), deskId, limit, leaseMs, ap, kind);
  }

  async accessPoint(): Promise<TeamAccessPoint | null> {
    return readAccessPoint((q) => this.stmt(q));
  }

  async adoptAccessPoint(deskId: string, ap: AccessPointRef, replace: boolean) {
    return adoptAccessPoint(this.db, (q) => this.stmt(q), deskId, ap, replace);
  }

  async settings(keys: readonly string[]): Promise<TeamSettingRow[]> {
    return teamSettings.readSettings((q) => this.stmt(q), keys);
  }

  async putSettings(deskId: string, values: { key: string; value: string }[], only: boolean) {
    teamSettings.putSettings(this.db, (q) => this.stmt(q), deskId, values, only);
  }

  async finishPoll(deskId: string, claim: PollRef, result: PollResult): Promise<boolean> {
    return polls.finishPoll(this.db, (q) => this.stmt(q), deskId, claim, result);
  }

  async releasePolls(deskId: string, claims: readonly PollRef[]): Promise<number> {
    return polls.releasePolls(this.db, (q) => this.stmt(q), deskId, claims);
  }

  async body(id: number): Promise<Uint8Array> {
    // Plucked, as claim() reads it: the statement is prepared once and shared by both.
    const r = this.stmt('SELECT body FROM team_document_bodies WHERE document_id = ?')
      .pluck()
      .get(id) as Buffer | undefined;
    if (!r) throw new Error(`The team has no document #${id}.`);
    return new Uint8Array(r);
  }

  async get(id: number): Promise<ReturnType<typeof toTeamDocument> | null> {
    const r = this.stmt(`SELECT ${TEAM_DOCUMENT_COLUMNS} FROM team_documents WHERE id = ?`).get(
      id,
    ) as TeamDocumentRow | undefined;
    return r ? toTeamDocument(r) : null;
  }

  async getMany(ids: readonly number[]): Promise<ReturnType<typeof toTeamDocument>[]> {
    const rows = this.stmt(
      `SELECT ${TEAM_DOCUMENT_COLUMNS} FROM team_documents
       WHERE id IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify([...new Set(ids)])) as TeamDocumentRow[];
    return rows.map(toTeamDocument);
  }

  async list(query: TeamListQuery): Promise<{ rows: TeamDocument[]; total: number }> {
    return list.listPage(
      (sql) => this.stmt(sql),
      () => this.counts(),
      query,
    );
  }

  async counts(): Promise<Partial<Record<DocumentState, number>>> {
    const rows = this.stmt('SELECT state, n FROM team_state_counts WHERE n > 0').all() as {
      state: DocumentState;
      n: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  async failedToFix(): Promise<number> {
    return Number(this.stmt(FAILED_TO_FIX).pluck().get() ?? 0);
  }

  async acceptedPerSecond(withinMs: number): Promise<TeamAcceptedSeries> {
    const now = this.stmt(`SELECT ${NOW}`).pluck().get() as number;
    // INDEXED BY: a range of the accepted events' index, whatever the planner would guess.
    const rows = this.stmt(
      `SELECT s.desk, COALESCE(d.name, s.desk) AS name, s.t, s.accepted
         FROM (SELECT desk, (at / 1000) * 1000 AS t, COUNT(*) AS accepted
                 FROM team_events INDEXED BY team_events_accepted
                 WHERE to_state = 'accepted' AND at >= ? AND desk IS NOT NULL
                   AND from_state IS NOT 'accepted'
                 GROUP BY desk, t) s
         LEFT JOIN team_desks d ON d.id = s.desk
         ORDER BY s.t, s.desk`,
    ).all(now - Math.max(0, withinMs)) as TeamAcceptedSeries['buckets'];
    return { now, buckets: rows };
  }

  async timeline(id: number): Promise<TeamEvent[]> {
    const rows = this.stmt(
      `SELECT e.at, COALESCE(d.name, e.desk) AS desk, e.from_state, e.to_state, e.detail,
              e.technical
         FROM team_events e LEFT JOIN team_desks d ON d.id = e.desk
         WHERE e.document_id = ? ORDER BY e.seq`,
    ).all(id) as TeamEventRow[];
    return rows.map(toTeamEvent);
  }

  async states(ids: readonly number[]): Promise<Map<number, DocumentState>> {
    const stmt = this.stmt('SELECT state FROM team_documents WHERE id = ?');
    const out = new Map<number, DocumentState>();
    for (const id of new Set(ids)) {
      const r = stmt.get(id) as { state: DocumentState } | undefined;
      if (r) out.set(id, r.state);
    }
    return out;
  }

  async notFollowed(ids: readonly number[]): Promise<Set<number>> {
    const stmt = this.stmt(`SELECT 1 FROM team_documents WHERE id = ?
      AND state = 'accepted' AND next_poll_at IS NULL`);
    return new Set([...new Set(ids)].filter((id) => stmt.get(id) !== undefined));
  }

  async retry(deskId: string, ids: readonly number[], real = false): Promise<TeamRetryResult> {
    return clerk.retryFailed(this.db, (q) => this.stmt(q), deskId, ids, real);
  }

  async cancel(deskId: string, ids: readonly number[]): Promise<CancelledTeamDoc[]> {
    return clerk.cancel(this.db, (q) => this.stmt(q), deskId, ids);
  }

  async uncancel(deskId: string, docs: readonly CancelledTeamDoc[], detail: string) {
    return clerk.uncancel(this.db, (q) => this.stmt(q), deskId, docs, detail);
  }

  async sendAnyway(deskId: string, ids: readonly number[], detail: string): Promise<number> {
    return clerk.sendAnyway(this.db, (q) => this.stmt(q), deskId, ids, detail);
  }

  async markHandled(deskId: string, ids: readonly number[], on: boolean, detail: string) {
    return clerk.markHandled(this.db, (q) => this.stmt(q), deskId, ids, on, detail);
  }

  async requeueUnreachable(
    deskId: string,
    receiver: string,
    ids: readonly number[],
    w: string,
    technical: string | null = null,
  ) {
    const stmt = (q: string) => this.stmt(q);
    return clerk.requeueUnreachable(this.db, stmt, deskId, receiver, ids, w, technical);
  }

  async noteUnreachable(deskId: string, receiver: string, ids: readonly number[], w: string) {
    const stmt = (q: string) => this.stmt(q);
    return clerk.noteUnreachable(this.db, stmt, deskId, receiver, ids, w);
  }

  async retryNotOnPeppol(
    deskId: string,
    receiver: string,
    ids: readonly number[],
    problem: TeamProblem,
    w: string,
  ) {
    const stmt = (q: string) => this.stmt(q);
    return clerk.retryNotOnPeppol(this.db, stmt, deskId, receiver, ids, problem, w);
  }

  async sendPracticeForReal(deskId: string, ids: readonly number[], detail: string) {
    return clerk.sendPracticeForReal(this.db, (q) => this.stmt(q), deskId, ids, detail);
  }

  async exportRows(query: TeamListQuery, onPage: (rows: TeamDocument[]) => void, size?: number) {
    return list.exportRows(this.db, (q) => this.stmt(q), query, onPage, size);
  }

  async listen(
    onChange: (ids: readonly number[], notice?: ChangeNotice) => void,
  ): Promise<() => Promise<void>> {
    // Its own connection: data_version changes when any other connection commits, this
    // store's own included.
    const watcher = openFile(this.file, this.label);
    const unwatch = watchChanges(watcher, onChange);
    const stop = async (): Promise<void> => {
      unwatch();
      this.stopListeners.delete(stop);
      if (watcher.open) watcher.close();
    };
    this.stopListeners.add(stop);
    return stop;
  }

  /** Statements are prepared once (on first use: the tables exist only after migrate()). */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}
