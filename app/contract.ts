/**
 * The one contract between the engine and every host (Electron IPC, the browser host, the CLI and
 * the tests). Every request channel (`domain:verb` → argument and result) and every event
 * (name → payload) is declared here, with the runtime list of channel names derived from it.
 * No channel string appears anywhere else.
 */
import type { AttachmentFile, InvoiceView } from './invoice-view/types';
import type { DocumentSummary, Finding } from './validation/types';

export type { DocumentSummary, Finding, ParticipantId } from './validation/types';
export type {
  AttachmentFile,
  InvoiceView,
  ViewAddress,
  ViewAllowanceCharge,
  ViewAttachment,
  ViewLine,
  ViewParty,
  ViewPaymentMeans,
  ViewReference,
  ViewVatBreakdown,
} from './invoice-view/types';

/** Persisted life of one document. See app/domain/states.ts for the allowed transitions. */
export type DocumentState =
  | 'received'
  | 'validating'
  | 'invalid'
  | 'ready'
  | 'resolving'
  | 'unreachable'
  | 'queued'
  | 'sending'
  | 'retry_wait'
  | 'accepted'
  | 'delivered'
  | 'failed'
  | 'held'
  | 'cancelled'
  // The buyer's business response (Peppol Invoice Response), after delivery:
  | 'acknowledged'
  | 'in_process'
  | 'under_query'
  | 'conditionally_accepted'
  | 'buyer_accepted'
  | 'rejected'
  | 'paid'
  // A failed or invalid document whose corrected file was added (see Pipeline.supersede).
  | 'superseded';

/** Every state, in pipeline order (for counts and filters). */
export const DOCUMENT_STATES: readonly DocumentState[] = [
  'received',
  'validating',
  'invalid',
  'ready',
  'resolving',
  'unreachable',
  'queued',
  'sending',
  'retry_wait',
  'accepted',
  'delivered',
  'failed',
  'held',
  'cancelled',
  'acknowledged',
  'in_process',
  'under_query',
  'conditionally_accepted',
  'buyer_accepted',
  'rejected',
  'paid',
  'superseded',
];

/** Invoice Response codes (UNCL 4343 subset used by Peppol) and the state each one puts a document in. */
export const BUSINESS_RESPONSE_STATES = {
  AB: 'acknowledged',
  IP: 'in_process',
  UQ: 'under_query',
  CA: 'conditionally_accepted',
  AP: 'buyer_accepted',
  RE: 'rejected',
  PD: 'paid',
} as const satisfies Record<string, DocumentState>;

/** A business response code the app knows. */
export type BusinessResponseCode = keyof typeof BUSINESS_RESPONSE_STATES;

/** The states a buyer's response leads to. */
export const RESPONSE_STATES: readonly DocumentState[] = Object.values(BUSINESS_RESPONSE_STATES);

/** The filters of the document table. */
export type DocumentFilter = 'attention' | 'progress' | 'sent' | 'responded' | 'all';

/** Which states each filter shows. */
export const FILTER_STATES: Record<Exclude<DocumentFilter, 'all'>, readonly DocumentState[]> = {
  // A buyer's rejection or query needs the clerk; never counted as sent.
  attention: ['invalid', 'unreachable', 'failed', 'held', 'rejected', 'under_query'],
  progress: ['received', 'validating', 'ready', 'resolving', 'queued', 'sending', 'retry_wait'],
  sent: [
    'accepted',
    'delivered',
    'acknowledged',
    'in_process',
    'conditionally_accepted',
    'buyer_accepted',
    'paid',
  ],
  // Every document the buyer answered, whatever the answer.
  responded: RESPONSE_STATES,
};

/** Columns the document table can sort by (in the engine, so it works at any size). */
export type DocumentSortKey =
  | 'state'
  | 'fileName'
  | 'invoiceNumber'
  | 'buyerName'
  | 'amount'
  | 'issueDate'
  | 'updatedAt'
  | 'id';

/** A sort order of the document table. */
export interface DocumentSort {
  key: DocumentSortKey;
  dir: 'asc' | 'desc';
}

/** A problem a person must see: what happened, and what to do about it. */
export interface DocumentProblem {
  code: string;
  message: string;
  action: 'fix-file' | 'retry' | 'check-settings' | 'check-receiver' | 'decide' | 'wait' | 'none';
}

/** One row of the document table. */
export interface DocumentRow {
  id: number;
  fileName: string;
  sha256: string;
  size: number;
  state: DocumentState;
  docType: 'Invoice' | 'CreditNote' | null;
  invoiceNumber: string | null;
  buyerName: string | null;
  receiverId: string | null;
  amount: string | null;
  currency: string | null;
  issueDate: string | null;
  transactionId: string | null;
  attempts: number;
  problem: DocumentProblem | null;
  createdAt: number;
  updatedAt: number;
  acceptedAt: number | null;
  deliveredAt: number | null;
  /** The buyer's latest business response code (AB, IP, UQ, CA, AP, RE, PD), if any. */
  businessResponse: string | null;
  sellerName: string | null;
  /**
   * The access point this document was queued for (its URL, or `sandbox` for the built-in one)
   * and its environment; it is sent only there unless the clerk reroutes it.
   */
  accessPoint: string | null;
  environment: Environment | null;
  /** When the next automatic attempt is due (waiting to retry). */
  nextAttemptAt: number | null;
}

/** A document's state and problem, without the rest of its row (`documents:briefs`). */
export interface DocumentBriefRow {
  id: number;
  fileName: string;
  state: DocumentState;
  problemCode: string | null;
  problemMessage: string | null;
}

/** Most ids one `documents:briefs` call takes (bounded statements and memory). */
export const MAX_BRIEF_IDS = 2000;

/** One step of a document's timeline. */
export interface TimelineEvent {
  at: number;
  from: DocumentState | null;
  to: DocumentState;
  /** What happened, in a clerk's words. */
  detail: string | null;
  /**
   * What the access point or the network said exactly (redacted of the API key), for "Show
   * technical details" only: never shown on the row, the timeline text or the CSV.
   */
  technical: string | null;
}

/** What the access point said about a receiver, and when (the UI shows the answer's age). */
export interface ReceiverLookup {
  participantId: string;
  found: boolean;
  name: string | null;
  capabilities: { document_type: string; process_id: string }[] | null;
  fetchedAt: number;
}

/** One message of the access point's own validator, as it gave it. */
export interface AccessPointMessage {
  rule: string;
  location: string;
  message: string;
}

/** The access point's own check of a document (setting `remoteValidation`), as it answered. */
export interface AccessPointCheck {
  valid: boolean;
  errors: AccessPointMessage[];
  warnings: AccessPointMessage[];
}

/** Our check of a document, and the access point's when it was asked. */
export interface DocumentValidation {
  ruleset: string;
  findings: Finding[];
  /** The access point's answer; absent when it was not asked or could not answer. */
  accessPoint?: AccessPointCheck;
  /**
   * True when one check says valid and the other invalid: the document is held (problem
   * `CHECKS_DISAGREE`) until the person cancels it or sends it anyway.
   */
  checksDisagree?: boolean;
}

/** Everything the detail panel shows about one document. */
export interface DocumentDetail extends DocumentRow {
  /** The cached receiver lookup, if one is known and fresh. */
  lookup: ReceiverLookup | null;
  summary: DocumentSummary | null;
  validation: DocumentValidation | null;
  timeline: TimelineEvent[];
  /** The buyer's note with its latest response (the reason of a rejection), and when it came. */
  businessResponseNote: string | null;
  businessResponseAt: number | null;
  /**
   * For a document held as a possible duplicate: the document it duplicates (the first one), so
   * that "Send anyway" shows the two side by side. Null otherwise.
   */
  duplicateOf: DocumentRow | null;
  /**
   * True when its last attempt may have reached the access point: it cannot be cancelled (the
   * engine refuses), so the screen says why instead of offering Cancel.
   */
  mayHaveReachedAccessPoint: boolean;
}

/** Counts per state. */
export type StateCounts = Record<DocumentState, number>;

/** A file handed to the engine: its name (as dropped, may include a folder path) and its bytes. */
export interface IncomingFile {
  name: string;
  bytes: Uint8Array;
}

/** What happened to each file of an add. */
export interface AddResult {
  added: { id: number; fileName: string }[];
  known: { id: number; fileName: string }[];
  rejected: { fileName: string; message: string }[];
}

/** The environment the app talks to. */
export type Environment = 'sandbox' | 'test' | 'production';

/** Settings as the UI sees them: the API key never leaves the engine, only whether one is set. */
export interface Settings {
  endpoint: string | null;
  apiKeySet: boolean;
  environment: Environment;
  concurrency: number | 'auto';
  batching: boolean;
  gzip: boolean;
  /** Port of the Prometheus endpoint on 127.0.0.1, or null when it is off (the default). */
  metricsPort: number | null;
  maxAttempts: number;
  /** Also check each document with the access point's own validator before sending. */
  remoteValidation: boolean;
  hotFolder: string | null;
  /** Move hot folder files to `sent/` or `failed/` once final (default on). */
  hotFolderMove: boolean;
  /** Also take files in the hot folder's subfolders (default off: only its own files). */
  hotFolderSubfolders: boolean;
  /** Largest file accepted, in bytes (default 15 MB, the provider's limit per document). */
  maxDocumentBytes: number;
  /** How long a "receiver found" lookup answer is reused, ms (default 1 h). */
  lookupFoundTtlMs: number;
  /** How long a "receiver not on Peppol" lookup answer is reused, ms (default 5 min). */
  lookupNotFoundTtlMs: number;
  dataDir: string;
}

/** What `settings:set` accepts. `apiKey: null` removes the key. */
export interface SettingsPatch {
  endpoint?: string | null;
  apiKey?: string | null;
  concurrency?: number | 'auto';
  batching?: boolean;
  gzip?: boolean;
  /** A port turns the Prometheus endpoint on (127.0.0.1 only); null turns it off. */
  metricsPort?: number | null;
  maxAttempts?: number;
  remoteValidation?: boolean;
  hotFolder?: string | null;
  hotFolderMove?: boolean;
  hotFolderSubfolders?: boolean;
  maxDocumentBytes?: number;
  lookupFoundTtlMs?: number;
  lookupNotFoundTtlMs?: number;
}

/** Connection to the access point, as shown in the header. */
export interface ConnectionStatus {
  state: 'connecting' | 'online' | 'offline' | 'throttled';
  environment: Environment;
  endpoint: string;
  /** The access point in use as documents are pinned to it (`sandbox` for the built-in one). */
  accessPoint?: string;
  paused: boolean;
  waiting: number;
  message: string | null;
  /** Documents held because they were queued for another access point, per access point. */
  waitingElsewhere?: { accessPoint: string; environment: Environment | null; count: number }[];
  /** When sending was paused (ms), while paused. */
  pausedAt?: number | null;
  /** When the next automatic attempt or connection check is due (ms), when known. */
  nextTryAt?: number | null;
}

/** Latency percentiles of one stage, milliseconds. */
export interface StageLatency {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Pipeline stages that are timed. */
export type Stage = 'validate' | 'lookup' | 'send' | 'delivery';

/** Metrics for the charts. */
export interface MetricsSnapshot {
  at: number;
  /**
   * Documents accepted and failed per second, one bucket per second, oldest first: the last 10
   * minutes in `metrics:tick`, the last 60 minutes from `metrics:snapshot` (so a reload still
   * shows the hour).
   */
  throughput: { t: number; accepted: number; failed: number }[];
  /** Percentiles per stage over the last 10 minutes. */
  latency: Record<Stage, StageLatency>;
  /**
   * Percentiles per stage for each 10-second interval that has data (and the current one), oldest
   * first; `t` is the interval's start. Same span as `throughput`: 10 minutes in a tick, 60 minutes
   * from `metrics:snapshot`.
   */
  latencySeries: { t: number; stages: Record<Stage, StageLatency> }[];
  counts: StateCounts;
  /** Where validation runs; `in-thread` with a reason when the worker threads are unavailable. */
  validation?: { mode: 'workers' | 'in-thread'; reason: string | null };
}

/** Every request: channel → argument and result. */
export interface Requests {
  'app:info': {
    arg: undefined;
    result: { version: string; host: 'electron' | 'browser' | 'cli'; dataDir: string };
  };
  'documents:add': { arg: { files: IncomingFile[] }; result: AddResult };
  'documents:list': {
    arg: {
      filter?: DocumentFilter;
      search?: string;
      sort?: DocumentSort;
      offset?: number;
      limit?: number;
    };
    result: { rows: DocumentRow[]; total: number; counts: StateCounts };
  };
  /**
   * Every row matching the filter and search, in the given order, read at one instant (CSV
   * export: paging while documents change state could skip or repeat rows).
   */
  'documents:export': {
    arg: { filter?: DocumentFilter; search?: string; sort?: DocumentSort };
    result: { rows: DocumentRow[] };
  };
  'documents:get': { arg: { id: number }; result: DocumentDetail };
  /** The whole invoice, every line, read from the stored file when asked (the document view). */
  'documents:view': { arg: { id: number }; result: InvoiceView };
  /** The file exactly as it was added ("Open original file"). */
  'documents:original': { arg: { id: number }; result: { fileName: string; bytes: Uint8Array } };
  /** One embedded attachment (index as in `InvoiceView.attachments`), decoded. */
  'documents:attachment': { arg: { id: number; index: number }; result: AttachmentFile };
  'documents:retry': { arg: { ids?: number[]; allFailed?: boolean }; result: { retried: number } };
  /**
   * Documents that may already have reached the access point are refused (listed in `refused`).
   * `undoToken` (when something was cancelled) undoes exactly this cancel for a short while.
   */
  'documents:cancel': {
    arg: { ids: number[] };
    result: { cancelled: number; refused?: { id: number; message: string }[]; undoToken?: string };
  };
  /**
   * Undo of one cancel: puts the documents it cancelled back where they were, only those still
   * cancelled. Refused (`UNDO_EXPIRED`) once the undo window is over or it was used.
   */
  'documents:uncancel': { arg: { undoToken: string }; result: { restored: number } };
  /**
   * Releases held documents. A document held as a duplicate whose two checks also disagree is
   * not released yet: it is held again for that second decision (listed in `stillHeld`).
   */
  'documents:sendAnyway': {
    arg: { ids: number[] };
    result: { released: number; stillHeld?: { id: number; message: string }[] };
  };
  /**
   * The explicit step that sends documents queued for another access point through the one in
   * use now (all of them, or these ids); nothing else ever moves them.
   */
  'documents:reroute': {
    arg: { ids?: number[]; all?: boolean; from?: string };
    result: { rerouted: number };
  };
  /**
   * Ids of the documents held because they were queued for `accessPoint` (to cancel them); without
   * `accessPoint`, of every document held because it was queued for another access point.
   */
  'documents:waitingFor': { arg: { accessPoint?: string }; result: { ids: number[] } };
  /** Ids of the documents now in any of `states` (e.g. what `retry --all-failed` will follow). */
  'documents:ids': { arg: { states: DocumentState[] }; result: { ids: number[] } };
  /**
   * The state and problem of the listed documents (at most MAX_BRIEF_IDS per call), without their
   * big columns: what a run's summary reads. Unknown ids are left out.
   */
  'documents:briefs': { arg: { ids: number[] }; result: { rows: DocumentBriefRow[] } };
  /** Ask the access point again about a document's receiver, bypassing the cache. */
  'lookup:refresh': { arg: { id: number }; result: ReceiverLookup };
  'queue:pause': { arg: undefined; result: ConnectionStatus };
  'queue:resume': { arg: undefined; result: ConnectionStatus };
  'connection:get': { arg: undefined; result: ConnectionStatus };
  'settings:get': { arg: undefined; result: Settings };
  'settings:set': { arg: SettingsPatch; result: Settings };
  'metrics:snapshot': { arg: undefined; result: MetricsSnapshot };
}

/** Every event: name → payload. */
export interface Events {
  /** Coalesced: the ids that changed since the last event, and the new counts. */
  'documents:changed': { ids: number[]; counts: StateCounts };
  'metrics:tick': MetricsSnapshot;
  'connection:changed': ConnectionStatus;
}

export type RequestChannel = keyof Requests;
export type EventName = keyof Events;
export type RequestArg<C extends RequestChannel> = Requests[C]['arg'];
export type RequestResult<C extends RequestChannel> = Requests[C]['result'];

/** Errors cross every bridge as values. */
export interface ErrorValue {
  code: string;
  message: string;
}
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorValue };

type Exhaustive<T extends string> = { [K in T]: true };
const requestChannelSet: Exhaustive<RequestChannel> = {
  'app:info': true,
  'documents:add': true,
  'documents:list': true,
  'documents:export': true,
  'documents:get': true,
  'documents:view': true,
  'documents:original': true,
  'documents:attachment': true,
  'documents:retry': true,
  'documents:cancel': true,
  'documents:uncancel': true,
  'documents:sendAnyway': true,
  'documents:reroute': true,
  'documents:waitingFor': true,
  'documents:briefs': true,
  'documents:ids': true,
  'lookup:refresh': true,
  'queue:pause': true,
  'queue:resume': true,
  'connection:get': true,
  'settings:get': true,
  'settings:set': true,
  'metrics:snapshot': true,
};
const eventNameSet: Exhaustive<EventName> = {
  'documents:changed': true,
  'metrics:tick': true,
  'connection:changed': true,
};

/** Runtime list of request channels (the allowlist every host checks). */
export const REQUEST_CHANNELS = Object.keys(requestChannelSet) as RequestChannel[];
/** Runtime list of event names. */
export const EVENT_NAMES = Object.keys(eventNameSet) as EventName[];

/**
 * Most file bytes the renderer puts in one `documents:add` call (a single larger file goes
 * alone). The browser host derives its request size limit from it.
 */
export const MAX_ADD_CALL_BYTES = 20 * 1024 * 1024;

/** True when `name` is a request channel of the contract. */
export function isRequestChannel(name: unknown): name is RequestChannel {
  return typeof name === 'string' && Object.hasOwn(requestChannelSet, name);
}
/** True when `name` is an event of the contract. */
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(eventNameSet, name);
}

/** The engine side: one handler per channel. */
export type Handlers = {
  [C in RequestChannel]: (arg: RequestArg<C>) => Promise<RequestResult<C>> | RequestResult<C>;
};

/** What `window.api` is, in Electron and in the browser host alike. */
export interface Api {
  invoke<C extends RequestChannel>(
    channel: C,
    arg: RequestArg<C>,
  ): Promise<Result<RequestResult<C>>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

/** An empty count for every state. */
export function emptyCounts(): StateCounts {
  const counts = {} as StateCounts;
  for (const s of DOCUMENT_STATES) counts[s] = 0;
  return counts;
}

/**
 * An access point as a clerk reads it: "the built-in Sandbox", or the provider's host with its
 * environment ("app.goroute.ai (Test)").
 */
export function accessPointLabel(
  accessPoint: string | null,
  environment: Environment | null,
): string {
  if (accessPoint === null) return 'an unknown access point';
  if (accessPoint === 'sandbox') return 'the built-in Sandbox';
  let host = accessPoint;
  try {
    host = new URL(accessPoint).host;
  } catch {
    // Not a URL: shown as stored.
  }
  const env = environment === 'production' ? 'Production' : environment === 'test' ? 'Test' : null;
  return env ? `${host} (${env})` : host;
}
