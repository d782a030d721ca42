/**
 * The team outbox's store: one queue shared by several desks (see docs/team-outbox.md).
 *
 * Two implementations keep the same promises: PostgreSQL (`postgresql://…`, a real team) and
 * SQLite (one file; desks on one machine, and the same contract tests run against both).
 *
 * The promises that make "sent exactly once" hold across desks:
 * - A document's identity and its idempotency key come from its bytes (`teamKeyOf`), fixed at
 *   enqueue: the same file dropped on two desks at once is one document.
 * - A desk sends only what it has claimed. A claim has a lease measured by the database's clock
 *   (never the desk's) and a fence number that grows with every claim of that document.
 * - Every write that follows a claim names its fence; the store refuses it when the fence has
 *   moved on (the lease expired and another desk claimed the document), so a desk that was
 *   killed, suspended or cut off can never overwrite the new owner.
 * - A document claimed again from `sending` is in doubt: it is sent again with the same key,
 *   which the access point answers with the first result.
 */
import { createHash } from 'node:crypto';
import type { DocumentSort, DocumentState, Environment } from '../contract';
import type { TeamShared } from './shared-store';
import type { AccessPointRef, AdoptAccessPointResult, TeamAccessPoint } from './access-point';
import type { TeamOutcome, TeamProblem } from './outcome';
import type { PollClaim, PollKind, PollRef, PollResult } from './store-polls';

export type { TeamOutcome, TeamProblem } from './outcome';
export type { PollClaim, PollKind, PollRef, PollResult } from './store-polls';
export { TeamStoreUnavailableError, isStoreUnavailable } from './store-unavailable';

/** Version prefix of team idempotency keys: bump only with a migration that rewrites keys. */
export const TEAM_KEY_PREFIX = 'pdt1-';

/** The idempotency key of a document on a team outbox: derived from its bytes only. */
export function teamKeyOf(body: Uint8Array): string {
  return TEAM_KEY_PREFIX + createHash('sha256').update(body).digest('hex');
}

/** A desk: one running copy of Peppol Desk (app or CLI) working on the team's queue. */
export interface DeskInfo {
  /** Stable per data folder (kept in it), so a restarted desk is the same desk. */
  id: string;
  /** What people see: the name set in Settings, else user@host. */
  name: string;
  host: string;
  /** What it sends through (`AccessPointRef.id`), when it has said. */
  accessPoint?: string | null;
}

/** A desk as the team sees it. */
export interface DeskPresence extends DeskInfo {
  /** Last heartbeat, milliseconds since the epoch (database clock). */
  lastSeenAt: number;
  online: boolean;
}

/** What a desk puts on the queue after it has checked the file (validation and lookup). */
export interface NewTeamDocument {
  /** teamKeyOf(body). */
  key: string;
  fileName: string;
  body: Uint8Array;
  /**
   * `queued` when it may be sent; `invalid` / `unreachable` to show the team why not; `held` when
   * the clerk must decide (our check and the access point's disagree: "Send anyway" or cancel).
   */
  state: Extract<DocumentState, 'queued' | 'invalid' | 'unreachable' | 'held'>;
  docType: 'Invoice' | 'CreditNote' | null;
  invoiceNumber: string | null;
  senderId: string | null;
  receiverId: string | null;
  buyerName: string | null;
  /** The seller's name (the single desk's table and CSV have it too); absent from older desks. */
  sellerName?: string | null;
  amount: string | null;
  currency: string | null;
  issueDate: string | null;
  problem: TeamProblem | null;
  /** Its enqueue's timeline words when there is more to say (a buyer not looked up: see intake). */
  note?: string | null;
  /** The technical line beside `note` on the timeline (why the buyer's lookup could not be made). */
  noteTechnical?: string | null;
  /** Held as a second version of this document's invoice number (./number-guard). */
  duplicateOf?: number | null;
  /** Could not be read as an invoice: the number its file seems to carry (team migration 012). */
  unreadNumber?: string | null;
  /**
   * Dropped while the team database could not be reached: how long the adding desk kept it (ms)
   * before handing it over; its enqueue's timeline words say so (walk 24 B7). Not stored apart.
   */
  keptMs?: number;
}

/** One row of the team's queue (the body is read apart: `body(id)`). */
export interface TeamDocument extends Omit<NewTeamDocument, 'body' | 'state' | 'keptMs'> {
  id: number;
  state: DocumentState;
  size: number;
  attempts: number;
  transactionId: string | null;
  /** Desk ids. */
  addedBy: string;
  sentBy: string | null;
  /** The desk holding the current lease, when in `sending`. */
  leaseOwner: string | null;
  fence: number;
  createdAt: number;
  updatedAt: number;
  nextAttemptAt: number | null;
  /** When the access point accepted it and when it was delivered (database clock), and the buyer's
   * latest response code; absent where a store does not track delivery. */
  acceptedAt?: number | null;
  deliveredAt?: number | null;
  businessResponse?: string | null;
  /** The buyer's note with that response (a rejection's reason) and when it came. */
  businessResponseNote?: string | null;
  businessResponseAt?: number | null;
  /** An attempt may have reached the access point: never cancelled, re-sent with the same key. */
  reachedMaybe?: boolean;
  /**
   * Where its last claim sent it: the access point (`sandbox` or the provider's URL, as a single
   * desk pins documents) and its environment; null until a desk claims it to send.
   */
  sentVia?: string | null;
  sentEnvironment?: Environment | null;
}

/** Where a desk's claims send documents (recorded on each claimed row: `TeamDocument.sentVia`). */
export interface SentVia {
  accessPoint: string;
  environment: Environment;
}

/** The result of enqueueing one document: its id, and whether this call created it. */
export interface EnqueueResult {
  key: string;
  id: number;
  created: boolean;
  /** Its state now (another desk may have added and sent it already). */
  state: DocumentState;
}

/** A claim: this desk may send the document until the lease ends, writing with this fence. */
export interface Claim {
  id: number;
  key: string;
  fence: number;
  fileName: string;
  receiverId: string | null;
  docType: 'Invoice' | 'CreditNote' | null;
  /** It was in `sending` under an earlier claim: the access point may have it already. */
  inDoubt: boolean;
  attempts: number;
  /** The document's bytes, when the store read them with the claim (one round trip less). */
  body?: Uint8Array;
}

/** The fenced proof of a claim, for every write after it. */
export interface ClaimRef {
  id: number;
  fence: number;
}

/** One outcome of a `finishMany`. */
export interface FinishItem {
  claim: ClaimRef;
  outcome: TeamOutcome;
}

/** A document a clerk's cancel moved, and the state its Undo restores (see `undoStateOf`). */
export interface CancelledTeamDoc {
  id: number;
  from: DocumentState;
}

/** What a clerk's Retry did: how many were queued, and those held instead, with why. */
export interface TeamRetryResult {
  queued: number;
  held: { id: number; message: string }[];
}

/** One line of a document's timeline; `desk` says who did it. */
export interface TeamEvent {
  at: number;
  desk: string | null;
  fromState: DocumentState | null;
  toState: DocumentState;
  detail: string | null;
  /** The technical line beside `detail`, when there is one (as on a single desk's timeline). */
  technical?: string | null;
}

/** Who wrote a change the store tells its listeners about. */
export interface ChangeNotice {
  desk: string | null;
  /** Documents may have become due to send now (added, released, retried by a clerk). */
  due: boolean;
  /**
   * The team's shared settings changed (app/team/team-settings.ts), not documents: the ids are
   * empty and mean nothing is to be re-read but the settings.
   */
  settings?: boolean;
  /**
   * The team's access point changed (`adoptAccessPoint` wrote it, app/team/access-point.ts), not
   * documents: the ids are empty; each desk compares its own with the team's again.
   */
  accessPoint?: boolean;
  /** A desk joined, paused or resumed (`heartbeat` with `announce`); the ids are empty. */
  presence?: boolean;
}

/** One of the team's shared settings as stored (`team_settings`): its value as JSON, who and when. */
export interface TeamSettingRow {
  key: string;
  value: string;
  /** The desk id that wrote it. */
  updatedBy: string | null;
  /** Database clock, ms. */
  updatedAt: number;
}

/** Documents accepted per desk per second, for the team's charts (`TeamStore.acceptedPerSecond`). */
export interface TeamAcceptedSeries {
  /** The database's clock when it was read, ms since the epoch (the buckets are on that clock). */
  now: number;
  /** One entry per desk and second with at least one acceptance, oldest first. */
  buckets: { desk: string; name: string; t: number; accepted: number }[];
}

/**
 * Filters for the team's list: a page in the order of `sort`, any sort the single desk offers and
 * in its order (./list-order.ts); newest first without one. Oldest first: `{ key: 'id', dir: 'asc' }`.
 */
export interface TeamListQuery {
  states?: readonly DocumentState[];
  search?: string;
  offset?: number;
  limit?: number;
  sort?: DocumentSort;
}

/** The queue on a shared database: see the file comment for its promises. */
export interface TeamStore {
  readonly dialect: 'postgresql' | 'sqlite';
  /** Where it is, for people: host and database name, never the password. */
  readonly label: string;

  /** What the desks share besides the queue: lookup and validation caches, each desk's latency. */
  readonly shared: TeamShared;

  /** Create or upgrade the tables (numbered migrations, one transaction each). */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /**
   * Announce this desk (insert or update) and beat its heart; `desks` lists everyone. `announce`:
   * tell the other desks at once (a notice with `presence`), not at their next heartbeat: this
   * desk joined, paused or resumed (walk 10: a paused desk was counted as sending for seconds).
   */
  heartbeat(desk: DeskInfo, announce?: boolean): Promise<void>;
  desks(onlineWithinMs: number): Promise<DeskPresence[]>;
  /** This desk stops: it counts as offline at once (not 20 s after its last heartbeat). */
  signOff(deskId: string): Promise<void>;

  /** Which of these keys the team already has, with their ids and states. */
  known(keys: readonly string[]): Promise<Map<string, { id: number; state: DocumentState }>>;
  /**
   * Add documents; a key already present is not added again (`created: false`), a queued one
   * whose seller, invoice number and type a live one has is held instead (./number-guard);
   * `real`: the team sends for real, and what was sent in practice does not count.
   */
  enqueue(
    deskId: string,
    docs: readonly NewTeamDocument[],
    real?: boolean,
  ): Promise<EnqueueResult[]>;

  /**
   * Claim up to `limit` documents that may be sent now (`queued`, `retry_wait` that is due, or
   * `sending` whose lease has ended) in the order they became due (a queued document when it
   * was added, a retry at its time, an ended lease at its end; ties by id), skipping rows other
   * desks hold locked. Only due rows are read, however long the queue. With `accessPoint` (the
   * desk's `AccessPointRef.id`), nothing is claimed unless it is the team's access point
   * (app/team/access-point.ts): a desk never sends a document anywhere else. With `via`, each
   * claimed row records where it goes (`sentVia`, `sentEnvironment`).
   */
  claim(
    deskId: string,
    limit: number,
    leaseMs: number,
    accessPoint?: string,
    via?: SentVia,
  ): Promise<Claim[]>;
  /** Extend the leases this desk still holds; returns the ids still held (others were lost). */
  renew(deskId: string, claims: readonly ClaimRef[], leaseMs: number): Promise<Set<number>>;
  /** Write a send's outcome under its fence; false when the claim was lost (nothing written). */
  finish(deskId: string, claim: ClaimRef, outcome: TeamOutcome): Promise<boolean>;
  /**
   * `finish` for many claims in one statement (one transaction): each row still fenced on its
   * own; returns the ids written (a lost claim is simply left out).
   */
  finishMany(deskId: string, items: readonly FinishItem[]): Promise<Set<number>>;
  body(id: number): Promise<Uint8Array>;

  /**
   * Claim up to `limit` documents whose delivery (or buyer's answer) is due to be asked about,
   * in the order they became due, skipping rows other desks hold locked; the lease (database
   * clock) is the document's next poll time, so an abandoned claim falls due by itself. With
   * `kind`, only that kind (see {@link PollKind}): a desk claims its delivery polls apart from
   * its buyer-response polls, which wait for the poll budget.
   */
  claimPolls(
    deskId: string,
    limit: number,
    leaseMs: number,
    accessPoint?: string,
    kind?: PollKind,
  ): Promise<PollClaim[]>;
  /** Write a poll's result under its fence; false when the claim was lost (nothing written). */
  finishPoll(deskId: string, claim: PollRef, result: PollResult): Promise<boolean>;
  /** Give poll claims back (a desk stopping): due again at once for the other desks. */
  releasePolls(deskId: string, claims: readonly PollRef[]): Promise<number>;

  /** The access point the team sends through (app/team/access-point.ts); null until one is set. */
  accessPoint(): Promise<TeamAccessPoint | null>;
  /**
   * Make `ap` the team's access point: set when none is, kept when it is already. When the team
   * has another one, refused unless `replace`, and then only while none of the team's documents
   * may still be at the old one (`unfinished` says how many are). One transaction; a claim made
   * meanwhile is either counted or refused by the change.
   */
  adoptAccessPoint(
    deskId: string,
    ap: AccessPointRef,
    replace: boolean,
  ): Promise<AdoptAccessPointResult>;

  /** The team's shared settings of these keys (app/team/team-settings.ts); absent keys left out. */
  settings(keys: readonly string[]): Promise<TeamSettingRow[]>;
  /**
   * Write shared settings (values as JSON, never a secret) as `deskId`'s, dated by the database's
   * clock, in one transaction. `onlyMissing`: a key the team already has keeps its value (a desk
   * seeding the team's settings from its own; the first desk wins).
   */
  putSettings(
    deskId: string,
    values: readonly { key: string; value: string }[],
    onlyMissing: boolean,
  ): Promise<void>;

  get(id: number): Promise<TeamDocument | null>;
  /** The documents of these ids (unknown ids left out) in one read: what a run's summary reads. */
  getMany(ids: readonly number[]): Promise<TeamDocument[]>;
  list(query: TeamListQuery): Promise<{ rows: TeamDocument[]; total: number }>;
  counts(): Promise<Partial<Record<DocumentState, number>>>;
  /** Of the failed documents, those "Retry all" leaves as they are (fix-file, add-again). */
  failedToFix(): Promise<number>;
  timeline(id: number): Promise<TeamEvent[]>;
  /**
   * Documents accepted per desk per second over the last `withinMs` (database clock), for the
   * charts. Reads only that range of an index of accepted events: the cost follows what was
   * accepted in the range, never the size of the queue. A note on an accepted document's
   * timeline (its delivery no longer followed: from and to `accepted`) is not an acceptance.
   */
  acceptedPerSecond(withinMs: number): Promise<TeamAcceptedSeries>;
  /** States of these ids (unknown ids left out): what `send` waits on. */
  states(ids: readonly number[]): Promise<Map<number, DocumentState>>;
  /**
   * Of these ids, the accepted documents whose delivery is no longer asked about (the team moved
   * to another access point): no news will come for them, so `send --wait-delivery` stops
   * waiting for them. Reads the ids named only.
   */
  notFollowed(ids: readonly number[]): Promise<Set<number>>;

  /**
   * The clerk's actions: failed or waiting to retry, or cancelled on its way out (sent after
   * all: domain/states TEAM_SEND_AFTER_CANCEL_FROM) → queued (sent now); queued / failed /
   * invalid / unreachable / held → cancelled
   * (never one that may have reached the access point). `cancel` returns what it cancelled and
   * from which state, so that `uncancel` can put exactly those back.
   *
   * `retry`, in one transaction with the team's access point (a change waits for it, or it sees
   * the change): a failed document whose last attempt may have reached an earlier access point
   * of the team (`retryHoldOf`, app/team/access-point.ts) is not queued but `held` with a problem
   * naming both ("Send anyway" then sends it as a new submission); one whose number another live
   * document has (`real`: as enqueue's) is `held` as its second version, as the number guard holds
   * one added (../number-guard retryDuplicates); the others are queued.
   */
  retry(deskId: string, ids: readonly number[], real?: boolean): Promise<TeamRetryResult>;
  cancel(deskId: string, ids: readonly number[]): Promise<CancelledTeamDoc[]>;
  /**
   * Undo a cancel: each document still `cancelled` goes back to the state it was cancelled from
   * (only one of the states a cancel takes; a queued one to its place in the queue), with the
   * same key. One transaction; `detail` is the timeline's words. Returns how many moved.
   */
  uncancel(deskId: string, docs: readonly CancelledTeamDoc[], detail: string): Promise<number>;
  /**
   * "Send anyway": `held` documents of these ids → queued (nothing else moves). One held by a
   * Retry after the team moved (ACCESS_POINT_CHANGED) goes as a new submission: a new key round.
   */
  sendAnyway(deskId: string, ids: readonly number[], detail: string): Promise<number>;
  /** A buyer's rejection, query or condition marked handled, or back (domain/states handledTo). */
  markHandled(deskId: string, ids: readonly number[], on: boolean, detail: string): Promise<number>;
  /**
   * The receiver was found again (or could not be asked about: the access point will): these
   * ids, when still `unreachable` with this receiver, go back to the queue (due now), their
   * timeline row with `detail` and `technical`. Returns the ids moved.
   */
  requeueUnreachable(
    deskId: string,
    receiverId: string,
    ids: readonly number[],
    detail: string,
    technical?: string | null,
  ): Promise<number[]>;
  /**
   * Asked about again for a Retry, the receiver is still not on Peppol (or does not take these):
   * these ids, when still `unreachable` with this receiver, stay so with a timeline row saying
   * `detail` (walk 24 B15: a team's Retry left no word on them). Returns the ids noted.
   */
  noteUnreachable(
    deskId: string,
    receiverId: string,
    ids: readonly number[],
    detail: string,
  ): Promise<number[]>;
  /**
   * Retried failed deliveries (DELIVERY_FAILED) to this receiver, not on Peppol when looked up
   * again → unreachable with `problem`, not sent; a new key round, their transaction forgotten (as
   * a Retry that sends would). Timeline: "Retry requested after the delivery failed (transaction
   * …): " and `detail`. One transaction; returns the ids moved.
   */
  retryNotOnPeppol(
    deskId: string,
    receiverId: string,
    ids: readonly number[],
    problem: TeamProblem,
    detail: string,
  ): Promise<number[]>;
  /**
   * Documents of these ids sent in practice (through the built-in Sandbox: PRACTICE_SENT_SQL in
   * ./store-rows) → queued, sent for real as a new submission, their transaction and what
   * followed it forgotten (PRACTICE_FORGOTTEN_SQL); the timeline row says `detail`. One
   * transaction; returns the ids moved. Nothing else moves.
   */
  sendPracticeForReal(deskId: string, ids: readonly number[], detail: string): Promise<number[]>;
  /**
   * Every row matching `query` (its offset and limit ignored), in its order, read at one instant
   * (one snapshot) and handed over `pageSize` rows at a time: the store never holds more than a
   * page. Returns how many rows were read.
   */
  exportRows(
    query: TeamListQuery,
    onPage: (rows: TeamDocument[]) => void,
    pageSize?: number,
  ): Promise<number>;

  /**
   * Be told when documents change on any desk (PostgreSQL LISTEN/NOTIFY; SQLite polls its
   * change counter). An empty list means "something changed, re-read" (too many ids for one
   * notice, or the listener reconnected and may have missed some). Returns the function that
   * stops listening. `notice` says, when the store knows, which desk wrote the change and whether
   * something became due to send (claims and final outcomes make nothing due: no desk need claim),
   * or that the team's shared settings changed (`putSettings` wrote a value; `settings: true`),
   * or that the team's access point did (`adoptAccessPoint` wrote it; `accessPoint: true`).
   */
  listen(
    onChange: (ids: readonly number[], notice?: ChangeNotice) => void,
  ): Promise<() => Promise<void>>;
}
