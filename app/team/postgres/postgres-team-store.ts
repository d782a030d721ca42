/**
 * The team store on PostgreSQL: the team's queue of record. Claims are one statement
 * (`FOR UPDATE SKIP LOCKED`, so desks never wait on each other's rows); leases and retry times
 * use the database's clock (`team_now_ms()`); every write after a claim names its fence; every
 * state change writes its timeline row and `pg_notify`s the ids in the same transaction.
 */
import type pg from 'pg';
import type { DocumentState } from '../../contract';
import { POSTGRES_MIGRATIONS, pendingTeamMigrations, teamMigrationHash } from '../migrations';
import {
  TEAM_DOCUMENT_COLUMNS,
  TEAM_NOTIFY_CHANNEL,
  checkNewDocument,
  outcomeWrite,
  toTeamDocument,
  type TeamDocumentRow,
} from '../store-rows';
import type {
  CancelledTeamDoc,
  Claim,
  ClaimRef,
  DeskInfo,
  DeskPresence,
  ChangeNotice,
  EnqueueResult,
  FinishItem,
  NewTeamDocument,
  PollKind,
  PollRef,
  PollResult,
  SentVia,
  TeamAcceptedSeries,
  TeamDocument,
  TeamEvent,
  TeamListQuery,
  TeamOutcome,
  TeamProblem,
  TeamRetryResult,
  TeamSettingRow,
  TeamStore,
} from '../store';
import {
  ACCEPTED_PER_SECOND,
  CLAIM_DUE_DOCUMENTS,
  claimParams,
  FINISH_MANY_UNDER_FENCE,
  FOLD_STATE_DELTAS,
  READ_DESKS,
  READ_DOCUMENTS,
  READ_FAILED_TO_FIX,
  READ_STATE_COUNTS,
  RENEW_LEASES,
  UPSERT_DESK,
} from './statements';
import { checkPostgresUrl, createPool, inTransaction, labelOf, query } from './connection';
import { listenForChanges } from './listener';
import { enqueueDocuments } from './enqueue';
import * as polls from './polls';
import { PostgresTeamShared } from './shared';
import * as clerk from './clerk';
import { adoptAccessPoint, readAccessPoint } from './access-point';
import * as teamSettings from './team-settings';
import type { AccessPointRef, TeamAccessPoint } from '../access-point';
import * as list from './list';

// pg_advisory_xact_lock key: desks starting at once migrate one after the other.
const MIGRATION_LOCK = 1_414_000_014;

/** Options of a PostgreSQL team store. */
export interface PostgresTeamStoreOptions {
  /** Connections in the pool (LISTEN has its own). Default 10. */
  poolSize?: number;
}

/** Tell the other desks which documents changed (inside the writer's transaction). */
/** A TeamStore on PostgreSQL (see the file comment). */
export class PostgresTeamStore implements TeamStore {
  readonly dialect = 'postgresql' as const;
  readonly label: string;
  readonly shared: PostgresTeamShared;
  private readonly pool: pg.Pool;
  private readonly stopListeners = new Set<() => Promise<void>>();
  private closed = false;

  constructor(
    private readonly url: string,
    options: PostgresTeamStoreOptions = {},
  ) {
    checkPostgresUrl(url);
    this.label = labelOf(url);
    this.pool = createPool(url, options.poolSize ?? 10);
    this.shared = new PostgresTeamShared((t, v, n) => this.q(t, v, n));
  }

  private q<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
    name?: string,
  ): Promise<R[]> {
    return query<R>(this.pool, this.label, text, values, name);
  }

  private tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, this.label, fn);
  }

  async migrate(): Promise<void> {
    for (;;) {
      const ran = await this.tx(async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        await c.query(`CREATE TABLE IF NOT EXISTS team_migrations (
          id INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL,
          applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
        const applied = await c.query<{ id: number; name: string; sha256: string }>(
          'SELECT id, name, sha256 FROM team_migrations ORDER BY id',
        );
        const next = pendingTeamMigrations(POSTGRES_MIGRATIONS, applied.rows, this.label)[0];
        if (!next) return false;
        await c.query(next.sql);
        await c.query('INSERT INTO team_migrations (id, name, sha256) VALUES ($1, $2, $3)', [
          next.id,
          next.name,
          teamMigrationHash(next.sql),
        ]);
        return true;
      });
      if (!ran) return;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of [...this.stopListeners]) await stop();
    await this.pool.end();
  }

  async heartbeat(desk: DeskInfo, announce = false): Promise<void> {
    await this.q(UPSERT_DESK, [desk.id, desk.name, desk.host, desk.accessPoint ?? null]);
    if (announce) await this.notifyPresence(desk.id);
  }

  async signOff(deskId: string): Promise<void> {
    await this.q('UPDATE team_desks SET last_seen = 0 WHERE id = $1', [deskId]);
    await this.notifyPresence(deskId);
  }

  /** Tell the other desks that `deskId` joined, paused, resumed or signed off (parseNotice `p`). */
  private async notifyPresence(deskId: string): Promise<void> {
    await this.q('SELECT pg_notify($1, $2)', [TEAM_NOTIFY_CHANNEL, `p:${deskId}:`], 'presence');
  }

  async desks(onlineWithinMs: number): Promise<DeskPresence[]> {
    const rows = await this.q<{
      id: string;
      name: string;
      host: string;
      last_seen: number;
      online: boolean;
      access_point: string | null;
    }>(READ_DESKS, [Math.round(onlineWithinMs)]);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      host: r.host,
      accessPoint: r.access_point,
      lastSeenAt: r.last_seen,
      online: r.online,
    }));
  }

  async known(keys: readonly string[]): Promise<Map<string, { id: number; state: DocumentState }>> {
    const rows = await this.q<{ key: string; id: number; state: DocumentState }>(
      'SELECT key, id, state FROM team_documents WHERE key = ANY($1::text[])',
      [[...new Set(keys)]],
    );
    return new Map(rows.map((r) => [r.key, { id: r.id, state: r.state }]));
  }

  async enqueue(
    deskId: string,
    docs: readonly NewTeamDocument[],
    real = false,
  ): Promise<EnqueueResult[]> {
    docs.forEach(checkNewDocument);
    if (docs.length === 0) return [];
    return this.tx((c) => enqueueDocuments(c, deskId, docs, real));
  }

  async claim(deskId: string, limit: number, leaseMs: number, ap?: string, via?: SentVia) {
    // ONE statement, committed on its own: pick, lock (skipping rows other desks hold), move,
    // fence, log and notify. Lease and due times come from the database's clock only.
    const rows = await this.q<{
      id: number;
      key: string;
      fence: number;
      file_name: string;
      receiver_id: string | null;
      doc_type: Claim['docType'];
      attempts: number;
      was: DocumentState;
      body: Buffer | null;
    }>(
      CLAIM_DUE_DOCUMENTS,
      claimParams(deskId, Math.max(0, Math.floor(limit)), Math.round(leaseMs), ap, via),
      'claimDueDocuments',
    );
    return rows.map((r) => ({
      id: r.id,
      key: r.key,
      fence: r.fence,
      fileName: r.file_name,
      receiverId: r.receiver_id,
      docType: r.doc_type,
      inDoubt: r.was === 'sending',
      attempts: r.attempts,
      ...(r.body ? { body: new Uint8Array(r.body) } : {}),
    }));
  }

  async renew(deskId: string, claims: readonly ClaimRef[], leaseMs: number): Promise<Set<number>> {
    if (claims.length === 0) return new Set();
    const rows = await this.q<{ id: number }>(
      RENEW_LEASES,
      [deskId, Math.round(leaseMs), claims.map((c) => c.id), claims.map((c) => c.fence)],
      'renewLeases',
    );
    return new Set(rows.map((r) => r.id));
  }

  async finish(deskId: string, claim: ClaimRef, outcome: TeamOutcome): Promise<boolean> {
    return (await this.finishMany(deskId, [{ claim, outcome }])).has(claim.id);
  }

  async claimPolls(deskId: string, limit: number, leaseMs: number, ap?: string, kind?: PollKind) {
    return polls.claimPolls((t, v) => this.q(t, v), deskId, limit, leaseMs, ap ?? null, kind);
  }

  async accessPoint(): Promise<TeamAccessPoint | null> {
    return readAccessPoint((t, v) => this.q(t, v));
  }

  async adoptAccessPoint(deskId: string, ap: AccessPointRef, replace: boolean) {
    return adoptAccessPoint(
      (t, v) => this.q(t, v),
      (fn) => this.tx(fn),
      deskId,
      ap,
      replace,
    );
  }

  async settings(keys: readonly string[]): Promise<TeamSettingRow[]> {
    return teamSettings.readSettings((t, v) => this.q(t, v), keys);
  }

  async putSettings(deskId: string, values: { key: string; value: string }[], only: boolean) {
    return teamSettings.putSettings((t, v) => this.q(t, v), deskId, values, only);
  }

  async finishPoll(deskId: string, claim: PollRef, result: PollResult): Promise<boolean> {
    return polls.finishPoll(
      (t, v) => this.q(t, v),
      (fn) => this.tx(fn),
      deskId,
      claim,
      result,
    );
  }

  async releasePolls(deskId: string, claims: readonly PollRef[]): Promise<number> {
    return polls.releasePolls((t, v) => this.q(t, v), deskId, claims);
  }

  async finishMany(deskId: string, items: readonly FinishItem[]): Promise<Set<number>> {
    if (items.length === 0) return new Set();
    // In id order: two desks finishing overlapping rows (a stolen lease) lock them alike.
    const sorted = [...items].sort((a, b) => a.claim.id - b.claim.id);
    const ws = sorted.map((i) => outcomeWrite(i.outcome));
    const rows = await this.q<{ id: number }>(
      FINISH_MANY_UNDER_FENCE,
      [
        deskId,
        sorted.map((i) => i.claim.id),
        sorted.map((i) => i.claim.fence),
        ws.map((w) => w.to),
        ws.map((w) => w.transactionId),
        ws.map((w) => w.sent),
        ws.map((w) => w.delayMs),
        ws.map((w) => w.problem?.code ?? null),
        ws.map((w) => w.problem?.message ?? null),
        ws.map((w) => w.problem?.action ?? null),
        ws.map((w) => w.reachedMaybe),
        ws.map((w) => w.uncount),
        ws.map((w) => w.detail),
        ws.map((w) => w.firstPollInMs),
        ws.map((w) => w.acceptedAgoMs),
        ws.map((w) => w.settles),
      ],
      'finishManyUnderFence',
    );
    return new Set(rows.map((r) => Number(r.id)));
  }

  async body(id: number): Promise<Uint8Array> {
    const rows = await this.q<{ body: Buffer }>(
      'SELECT body FROM team_document_bodies WHERE document_id = $1',
      [id],
    );
    if (!rows[0]) throw new Error(`The team has no document #${id}.`);
    return new Uint8Array(rows[0].body);
  }

  async get(id: number): Promise<TeamDocument | null> {
    const rows = await this.q<TeamDocumentRow>(
      `SELECT ${TEAM_DOCUMENT_COLUMNS} FROM team_documents WHERE id = $1`,
      [id],
    );
    return rows[0] ? toTeamDocument(rows[0]) : null;
  }

  async getMany(ids: readonly number[]): Promise<TeamDocument[]> {
    if (ids.length === 0) return [];
    const rows = await this.q<TeamDocumentRow>(
      READ_DOCUMENTS,
      [[...new Set(ids)]],
      'readDocuments',
    );
    return rows.map(toTeamDocument);
  }

  async list(query: TeamListQuery): Promise<{ rows: TeamDocument[]; total: number }> {
    return list.listPage(
      (t, v) => this.q(t, v),
      (fn) => this.tx(fn),
      () => this.counts(),
      query,
    );
  }

  async counts(): Promise<Partial<Record<DocumentState, number>>> {
    return this.tx(async (c) => {
      // Fold the deltas written since the last call (few: every desk's screen asks often), in
      // state order so two desks folding at once cannot deadlock; then add any left.
      await c.query(FOLD_STATE_DELTAS);
      const res = await c.query<{ state: DocumentState; n: number }>(READ_STATE_COUNTS);
      return Object.fromEntries(res.rows.map((r) => [r.state, r.n]));
    });
  }

  async failedToFix(): Promise<number> {
    const [row] = await this.q<{ n: number }>(READ_FAILED_TO_FIX, []);
    return Number(row?.n ?? 0);
  }

  async acceptedPerSecond(withinMs: number): Promise<TeamAcceptedSeries> {
    // One statement: the clock and the range it bounds are read together.
    const rows = await this.q<{
      now: number;
      desk: string | null;
      name: string | null;
      t: number | null;
      accepted: number | null;
    }>(ACCEPTED_PER_SECOND, [Math.max(0, Math.floor(withinMs))]);
    const buckets: TeamAcceptedSeries['buckets'] = [];
    for (const r of rows) {
      if (r.desk !== null && r.t !== null)
        buckets.push({ desk: r.desk, name: r.name ?? r.desk, t: r.t, accepted: r.accepted ?? 0 });
    }
    return { now: rows[0]!.now, buckets };
  }

  async timeline(id: number): Promise<TeamEvent[]> {
    return clerk.timeline((t, v) => this.q(t, v), id);
  }

  async states(ids: readonly number[]): Promise<Map<number, DocumentState>> {
    return clerk.states((t, v) => this.q(t, v, 'readStates'), ids);
  }
  async notFollowed(ids: readonly number[]): Promise<Set<number>> {
    return clerk.notFollowed((t, v) => this.q(t, v, 'readNotFollowed'), ids);
  }

  async retry(deskId: string, ids: readonly number[], real = false): Promise<TeamRetryResult> {
    return clerk.retryFailed((fn) => this.tx(fn), deskId, ids, real);
  }

  async cancel(deskId: string, ids: readonly number[]): Promise<CancelledTeamDoc[]> {
    return clerk.cancel((t, v) => this.q(t, v), deskId, ids);
  }

  async uncancel(deskId: string, docs: readonly CancelledTeamDoc[], detail: string) {
    return clerk.uncancel((t, v) => this.q(t, v), deskId, docs, detail);
  }

  async sendAnyway(deskId: string, ids: readonly number[], detail: string): Promise<number> {
    return clerk.sendAnyway((t, v) => this.q(t, v), deskId, ids, detail);
  }
  async markHandled(deskId: string, ids: readonly number[], on: boolean, detail: string) {
    return clerk.markHandled((t, v) => this.q(t, v), deskId, ids, on, detail);
  }

  async requeueUnreachable(
    deskId: string,
    receiver: string,
    ids: readonly number[],
    w: string,
    technical: string | null = null,
  ) {
    return clerk.requeueUnreachable((t, v) => this.q(t, v), deskId, receiver, ids, w, technical);
  }

  async noteUnreachable(deskId: string, receiver: string, ids: readonly number[], w: string) {
    return clerk.noteUnreachable((t, v) => this.q(t, v), deskId, receiver, ids, w);
  }

  async retryNotOnPeppol(
    deskId: string,
    receiver: string,
    ids: readonly number[],
    problem: TeamProblem,
    w: string,
  ) {
    return clerk.retryNotOnPeppol((t, v) => this.q(t, v), deskId, receiver, ids, problem, w);
  }

  async sendPracticeForReal(deskId: string, ids: readonly number[], detail: string) {
    return clerk.sendPracticeForReal((t, v) => this.q(t, v), deskId, ids, detail);
  }

  async exportRows(query: TeamListQuery, onPage: (rows: TeamDocument[]) => void, size?: number) {
    return list.exportRows((fn) => this.tx(fn), query, onPage, size);
  }

  async listen(
    onChange: (ids: readonly number[], notice?: ChangeNotice) => void,
  ): Promise<() => Promise<void>> {
    const stop = await listenForChanges(this.url, this.label, onChange);
    const remove = async (): Promise<void> => {
      this.stopListeners.delete(remove);
      await stop();
    };
    this.stopListeners.add(remove);
    return remove;
  }
}
