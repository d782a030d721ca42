import { dirname, join } from 'node:path';
import { lastPart } from '../domain/file-names';
import { BodyFiles, BodyUnreadableError, type BodyRef } from './body-files';
import type { Db } from './db';
import { DocumentList } from './document-list';
import {
  BRIEF_CHUNK,
  type ClaimableRecord,
  type DocumentBrief,
  type DocumentListQuery,
  type DocumentListRecord,
  type DocumentPatch,
  type DocumentRecord,
  type KnownFile,
  type NewDocument,
} from './document-record';
import { prepareDocumentStatements, type DocumentStatements } from './documents-statements';
import { DurableCommits } from './durable-commits';
import { PracticeCopies } from './practice-copies';
import { PrecedingRefs } from './preceding-refs';
import { PollReads, type PollKind, type PollPlace } from './poll-reads';
import { StateWrites, type StateStep } from './state-writes';
import { prepareInsertDocuments, type InsertDocuments } from './insert-documents';
import type {
  ConnectionStatus,
  Environment,
  DocumentState,
  PracticeCounts,
  StateCounts,
  TimelineEvent,
} from '../contract';
import { emptyCounts } from '../contract';

export type { StateStep } from './state-writes';

// The row types and their mapping moved to document-record.ts; re-exported so that every import
// of them from here keeps working.
export {
  BRIEF_CHUNK,
  CLAIM_COLUMNS,
  toDocumentRow,
  type ClaimableRecord,
  type DocumentBrief,
  type DocumentListQuery,
  type DocumentListRecord,
  type DocumentPatch,
  type DocumentRecord,
  type NewDocument,
} from './document-record';

/**
 * All SQL on `documents`, `document_bodies` and `document_events`, prepared once and named for
 * what it does (the document table's filtered, sorted pages in document-list.ts; how commits reach
 * the disk in durable-commits.ts). Every state change goes through `transition`, which appends to
 * the timeline.
 */
export class DocumentsRepo {
  private readonly stmts: DocumentStatements;
  private readonly writes: StateWrites;
  private readonly commits: DurableCommits;
  private readonly polls: PollReads;
  private readonly table: DocumentList;
  private readonly insertDocuments: InsertDocuments;
  /** The invoices checked documents refer to (BT-25; preceding-refs.ts). */
  readonly refs: PrecedingRefs;
  /** Practice copies of files added again for real (practice-copies.ts). */
  readonly practice: PracticeCopies;
  /** Documents inserted through this repository so far (a change says another add stored some). */
  insertedCount = 0;
  private bodyRefStmt: ReturnType<Db['prepare']> | null = null;
  /** Where new documents' bytes go (null: in the database, for in-memory databases). */
  private readonly bodyFiles: BodyFiles | null;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
    /** This process holds the data folder (data-dir-lock.ts): see BodyFiles. */
    holdsFolder = false,
  ) {
    this.commits = new DurableCommits(db);
    const bodies = join(dirname(db.name), 'bodies'); // beside the database, in the data folder
    this.bodyFiles = db.memory ? null : new BodyFiles(bodies, undefined, holdsFolder);
    this.polls = new PollReads(db);
    this.refs = new PrecedingRefs(db);
    this.practice = new PracticeCopies(db);
    this.writes = new StateWrites(db, () => this.now());
    this.insertDocuments = prepareInsertDocuments(db);
    // Through `this`: the list's total and its transaction are the repository's own calls.
    this.table = new DocumentList(
      db,
      () => this.counts(),
      (fn) => this.tx(fn),
    );
    this.stmts = prepareDocumentStatements(db);
  }

  /** Id of the document with this content hash, if known. */
  findBySha(sha256: string): number | null {
    const row = this.stmts.findBySha.get(sha256) as { id: number } | undefined;
    return row?.id ?? null;
  }

  /**
   * Id of the document added from these bytes under this file name, if any ("already known"):
   * the name's last part, so a file is the same whether its folder was dropped (`march/a.xml`),
   * it was dropped alone or sent by the CLI (`a.xml`) (walk 9). `real`: invoices go for real now,
   * so no practice of it in the built-in Sandbox is it (PRACTICE_SQL in documents-statements.ts).
   */
  findKnownFile(sha256: string, fileName: string, real: boolean): KnownFile | null {
    const rows = this.stmts.findKnownFile.all(sha256, real ? 1 : 0) as (KnownFile &
      Pick<DocumentRecord, 'file_name'>)[];
    const name = lastPart(fileName);
    const r = rows.find((row) => lastPart(row.file_name) === name);
    return r ? { id: r.id, state: r.state } : null;
  }

  /** Another live document (LIVE_SQL, documents-statements.ts) of the same bytes; `real` as above. */
  findContentDuplicate(id: number, sha256: string, real: boolean): DocumentRecord | null {
    const twin = this.stmts.findContentDuplicate.get(sha256, id, real ? 1 : 0);
    return (twin as DocumentRecord | undefined) ?? null;
  }

  /**
   * Give accepted documents that are not tracked (sent with tracking off, e.g. by the CLI without
   * --wait-delivery) a first delivery poll at `at`. Documents whose tracking gave up keep their
   * problem and are left alone. Returns how many were scheduled.
   */
  scheduleUntrackedPolls(at: number): number {
    return this.stmts.scheduleUntrackedPolls.run(at).changes;
  }

  /** Insert a received document with its bytes (in the database) and the first timeline entry. */
  insert(doc: NewDocument): number {
    const now = this.now();
    const info = this.stmts.insert.run({
      accessPoint: null,
      environment: null,
      ...doc,
      now,
    });
    const id = Number(info.lastInsertRowid);
    this.insertedCount++;
    this.stmts.insertBody.run(id, doc.body);
    this.writes.event(id, now, null, 'received', doc.fileName, null);
    return id;
  }

  /** {@link insert} for many documents, in a few statements (see insert-documents.ts); ids in order. */
  insertMany(docs: readonly NewDocument[]): number[] {
    this.insertedCount += docs.length;
    return this.insertDocuments(docs, this.now());
  }

  /** Pin documents added before pins existed (migration 010) to this access point; returns how many. */
  pinUnpinned(accessPoint: string, environment: Environment): number {
    return this.stmts.pinUnpinned.run(accessPoint, environment).changes;
  }

  /** Documents waiting for `accessPoint` in environment `from` are pinned to `to` instead. */
  repinWaiting(accessPoint: string, from: Environment, to: Environment): number {
    return this.stmts.repinWaiting.run({ ap: accessPoint, from, to }).changes;
  }

  /** Documents waiting to be sent, pinned elsewhere than `accessPoint` (of `among` if given). */
  waitingForOtherAccessPoint(
    accessPoint: string,
    environment: Environment,
    among?: readonly number[],
  ): DocumentRecord[] {
    const at = { ap: accessPoint, env: environment };
    if (!among) return this.stmts.waitingFor.all(at) as DocumentRecord[];
    return this.stmts.waitingForAmong.all({
      ...at,
      ids: JSON.stringify(among),
    }) as DocumentRecord[];
  }

  /** Ids of documents held for `accessPoint` (every access point when null). */
  heldFor(accessPoint: string | null): number[] {
    return (this.stmts.heldFor.all({ ap: accessPoint }) as { id: number }[]).map((r) => r.id);
  }

  /**
   * Held for `accessPoint` and cannot have reached it (no attempt of unknown outcome, no batch:
   * see mayHaveReachedAccessPoint): back on their way when it is in use again. One statement.
   */
  releasableFor(ap: string, env: Environment): DocumentRecord[] {
    return this.stmts.releasableFor.all({ ap, env }) as DocumentRecord[];
  }

  /** Documents held for another access point, counted per access point. */
  heldElsewhere(): NonNullable<ConnectionStatus['waitingElsewhere']> {
    return (
      this.stmts.heldElsewhere.all() as {
        access_point: string | null;
        environment: Environment | null;
        n: number;
        doubt: number;
      }[]
    ).map((r) => ({
      accessPoint: r.access_point ?? '',
      environment: r.environment,
      count: r.n,
      inDoubt: r.doubt,
    }));
  }

  /** One document, or null. */
  get(id: number): DocumentRecord | null {
    return (this.stmts.get.get(id) as DocumentRecord | undefined) ?? null;
  }

  /** The bytes of a document exactly as they were dropped. */
  getBody(id: number): Buffer {
    // Prepared at the first read (a repository on an older schema, in migration tests, reads none).
    this.bodyRefStmt ??= this.db.prepare(
      'SELECT body_file, body_offset, size FROM documents WHERE id = ?',
    );
    const at = this.bodyRefStmt.get(id) as
      { body_file: number | null; body_offset: number | null; size: number } | undefined;
    if (this.bodyFiles && at?.body_file != null && at.body_offset != null) {
      return this.bodyFiles.read({ file: at.body_file, offset: at.body_offset }, at.size);
    }
    const body = this.stmts.getBody.get(id) as Buffer | undefined;
    if (body) return body;
    throw new BodyUnreadableError('is missing from its database');
  }

  /**
   * Append `bodies` to the body files; where each is, to be given as `bodyRef` to
   * {@link insertMany} once {@link bodiesDurable} resolved: only then may a committed row point at
   * them (see body-files.ts). Null in memory: the bodies go into the database with the rows.
   */
  appendBodies(bodies: readonly Uint8Array[]): BodyRef[] | null {
    return this.bodyFiles?.append(bodies) ?? null;
  }

  /** Resolves once every body appended before the call is on disk; null when none is waiting. */
  bodiesDurable(): Promise<void> | null {
    return this.bodyFiles?.sync() ?? null;
  }

  /** Close the body files (the database is the caller's). */
  close(): void {
    this.bodyFiles?.close();
  }

  /** Up to `limit` documents in `state`, oldest first (whole rows). */
  inState(state: DocumentState, limit: number): DocumentRecord[] {
    return this.stmts.inState.all(state, limit) as DocumentRecord[];
  }

  /** What the send stage may claim ({@link CLAIM_COLUMNS}): up to `limit` queued, oldest first. */
  claimableQueued(limit: number): ClaimableRecord[] {
    return this.stmts.claimQueued.all(limit) as ClaimableRecord[];
  }

  /** Documents whose retry time has come, soonest first ({@link CLAIM_COLUMNS} only). */
  claimableRetries(now: number, limit: number): ClaimableRecord[] {
    return this.stmts.claimDueRetries.all(now, limit) as ClaimableRecord[];
  }

  /** Documents of the batch `batchKey` waiting to go again (queued or retry_wait; claim columns). */
  claimableBatch(batchKey: string): ClaimableRecord[] {
    return this.stmts.claimBatch.all(batchKey) as ClaimableRecord[];
  }

  /** Earliest retry time, or null. */
  nextRetryAt(): number | null {
    return (this.stmts.nextRetryAt.get() as number | null) ?? null;
  }

  /** See PollReads.duePolls (./poll-reads.ts, as are the next four). */
  duePolls(now: number, limit: number, place: PollPlace | null = null): DocumentRecord[] {
    return this.polls.duePolls(now, limit, place);
  }

  /** See PollReads.duePollsOf. */
  duePollsOf(kind: PollKind, now: number, limit: number, place: PollPlace | null = null) {
    return this.polls.duePollsOf(kind, now, limit, place);
  }

  /** See PollReads.nextPollAtOf. */
  nextPollAtOf(kind: PollKind, place: PollPlace | null = null): number | null {
    return this.polls.nextPollAtOf(kind, place);
  }

  /** See PollReads.nextPollAt. */
  nextPollAt(place: PollPlace | null = null): number | null {
    return this.polls.nextPollAt(place);
  }

  /** See PollReads.placesAwaitingDelivery. */
  placesAwaitingDelivery(): PollPlace[] {
    return this.polls.placesAwaitingDelivery();
  }

  /**
   * Move a document from `from` to `to` (only if it is still in `from`), apply `patch`, and append
   * the transition to the timeline: `detail` in a clerk's words, `technical` what the access point
   * or the network said exactly (redacted of the key; shown only under "Show technical details").
   * Returns false when the document was no longer in `from`; throws
   * IllegalTransitionError for a pair app/domain/states.ts does not allow.
   */
  transition(
    id: number,
    from: DocumentState,
    to: DocumentState,
    patch: DocumentPatch = {},
    detail: string | null = null,
    technical: string | null = null,
  ): boolean {
    return this.transitionThrough(id, [{ from, to, patch, detail, technical }]);
  }

  /**
   * Several consecutive steps of one document in one write (one UPDATE, a timeline entry per
   * step): see {@link StateWrites.through}. False when the document is no longer in the first
   * step's `from`.
   */
  transitionThrough(id: number, steps: readonly StateStep[]): boolean {
    return this.writes.through(id, steps);
  }

  /** Writes so far that moved a document into `ready` (StateWrites.enteredReady). */
  get enteredReady(): number {
    return this.writes.enteredReady;
  }

  /** Add a timeline entry without a state change (e.g. a business response arrived). */
  appendEvent(
    id: number,
    state: DocumentState,
    detail: string,
    technical: string | null = null,
  ): void {
    this.writes.event(id, this.now(), state, state, detail, technical);
  }

  /** Set fields without a state change (no timeline entry). */
  patch(id: number, patch: DocumentPatch): void {
    this.writes.patch(id, patch);
  }

  /** Of the Sent and Needs attention filters' documents, the practice ones (migration 022). */
  practiceCounts(): PracticeCounts {
    return this.stmts.practiceCounts.get() as PracticeCounts;
  }

  /** Count of documents per state (read from the trigger-kept table: cost independent of N). */
  counts(): StateCounts {
    const counts = emptyCounts();
    for (const r of this.stmts.counts.all() as { state: DocumentState; n: number }[]) {
      counts[r.state] = r.n;
    }
    return counts;
  }

  /**
   * State, problem and file name of the listed documents (unknown ids are left out), in one
   * statement and without the big JSON columns: what "has the drop settled?" and the CLI's
   * summary need. Callers pass bounded chunks ({@link briefChunks} makes them).
   */
  briefs(ids: readonly number[]): DocumentBrief[] {
    if (ids.length === 0) return [];
    return this.stmts.briefs.all(JSON.stringify(ids)) as DocumentBrief[];
  }

  /**
   * {@link briefs} of any number of ids, read BRIEF_CHUNK at a time (bounded statements and
   * memory): each chunk of ids with the rows found for it.
   */
  *briefChunks(
    ids: readonly number[],
  ): Generator<{ ids: readonly number[]; rows: DocumentBrief[] }> {
    for (let i = 0; i < ids.length; i += BRIEF_CHUNK) {
      const chunk = ids.slice(i, i + BRIEF_CHUNK);
      yield { ids: chunk, rows: this.briefs(chunk) };
    }
  }

  /** The timeline of one document. */
  timeline(id: number): TimelineEvent[] {
    return (
      this.stmts.timeline.all(id) as {
        at: number;
        from_state: DocumentState | null;
        to_state: DocumentState;
        detail: string | null;
        technical: string | null;
      }[]
    ).map((e) => ({
      at: e.at,
      from: e.from_state,
      to: e.to_state,
      detail: e.detail,
      technical: e.technical,
    }));
  }

  /**
   * Another live document with the same seller, invoice number and type, if any (`real` as for
   * {@link findKnownFile}).
   */
  findBusinessDuplicate(
    id: number,
    sellerId: string,
    invoiceNumber: string,
    docType: string,
    real: boolean,
  ): number | null {
    const row = this.stmts.findBusinessDuplicate.get(
      sellerId,
      invoiceNumber,
      docType,
      id,
      real ? 1 : 0,
    ) as { id: number } | undefined;
    return row?.id ?? null;
  }

  /**
   * Documents a corrected file with this seller, invoice number and type replaces: invalid,
   * unreachable, rejected by the buyer, or failed with an outcome known not to have been accepted.
   */
  findSupersedable(id: number, seller: string, invoiceNumber: string, docType: string) {
    return this.stmts.findSupersedable.all(seller, invoiceNumber, docType, id) as DocumentRecord[];
  }

  /** Unreadable first versions of invoice `number` under `fileName`'s last part (migration 023). */
  findUnreadableOf(id: number, number: string, fileName: string): DocumentRecord[] {
    const rows = this.stmts.findUnreadableByNumber.all(number, id) as DocumentRecord[];
    return rows.filter((r) => lastPart(r.file_name) === lastPart(fileName));
  }

  /**
   * Documents a corrected file saved under the same name replaces while they still wait to be
   * sent (this seller, invoice number and type; nothing of them can have reached the access
   * point). A walk: the corrected file was held as a duplicate and the old content was sent.
   */
  findReplaceableWaiting(
    id: number,
    seller: string,
    invoiceNumber: string,
    docType: string,
    fileName: string,
  ): DocumentRecord[] {
    const args = [seller, invoiceNumber, docType, id, fileName];
    return this.stmts.findReplaceableWaiting.all(...args) as DocumentRecord[];
  }

  /** Ids of every document in one of `states`. */
  idsInStates(states: readonly DocumentState[]): number[] {
    return (this.stmts.idsInStates.all(JSON.stringify(states)) as { id: number }[]).map(
      (r) => r.id,
    );
  }

  /** A page of the document table (see document-list.ts). */
  list(query: DocumentListQuery & { offset?: number; limit?: number }): {
    rows: DocumentListRecord[];
    total: number;
  } {
    return this.table.list(query);
  }

  /** Every row matching the query, read in one statement (one consistent snapshot; CSV export). */
  listAll(query: DocumentListQuery): DocumentListRecord[] {
    return this.table.listAll(query);
  }

  /**
   * Run `fn` in one transaction. `'deferred'`: its commit is written but not synced to disk here
   * (the event loop does not wait for the disk); the caller acts on it only once
   * {@link durable} resolves, which makes it exactly as safe as a synced commit.
   */
  tx<T>(fn: () => T, commit: 'synced' | 'deferred' = 'synced'): T {
    return this.commits.tx(fn, commit);
  }

  /**
   * Resolves once every commit made before the call is on disk; null when there is nothing to
   * wait for (see {@link DurableCommits.durable}).
   */
  durable(): Promise<void> | null {
    return this.commits.durable();
  }

  /**
   * Run `fn` in one transaction whose commit is not synced to disk, for steps that are simply done
   * again after a power cut (see {@link DurableCommits.txRedoable}).
   */
  txRedoable<T>(fn: () => T): T {
    return this.commits.txRedoable(fn);
  }
}
