/**
 * The one contract between the engine and every host (Electron IPC, the browser host, the CLI and
 * the tests). Every request channel (`domain:verb` → argument and result) and every event
 * (name → payload) is declared here, with the runtime list of channel names derived from it.
 * No channel string appears anywhere else.
 *
 * The types the channels carry are declared per domain in app/contract/ (documents, settings,
 * connection, metrics) and re-exported here: everyone imports the contract from this file.
 */
import type { ConnectionStatus } from './contract/connection';
import type {
  AddResult,
  DocumentBriefRow,
  DocumentDetail,
  DocumentFilter,
  DocumentRow,
  DocumentSort,
  DocumentState,
  IncomingFile,
  ReceiverLookup,
  StateCounts,
  UnfinishedDrop,
  DropLeftOutWords,
} from './contract/documents';
import type { MetricsSnapshot } from './contract/metrics';
import type { Settings, SettingsPatch } from './contract/settings';
import type { AttachmentFile, InvoiceView } from './invoice-view/types';

export * from './contract/connection';
export * from './contract/documents';
export * from './contract/metrics';
export * from './contract/settings';

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

/** Every request: channel → argument and result. */
export interface Requests {
  'app:info': {
    arg: undefined;
    result: { version: string; host: 'electron' | 'browser' | 'cli'; dataDir: string };
  };
  /**
   * `drop`: these files are of a drop named by `drops:begin`; once they are taken, its first
   * `handed` files have been.
   */
  'documents:add': {
    arg: { files: IncomingFile[]; drop?: { id: number; handed: number } };
    result: AddResult;
  };
  /**
   * A drop's journal (migration 025, in the desk's own data folder, single or team; walk 23
   * B2): the page names a drop's files before it hands the first over (`dropId` null where there
   * is none), and ends it once all were. `drops:unfinished`: drops stopped part way (begun
   * before the engine's last start, or not heard of for a minute), with the files not taken, for
   * any page to show until the clerk forgets them (`drops:forget`). A drop that ends with files
   * not added gives the words its page said of them (`leftOut`, migration 027): kept and shown
   * by `drops:unfinished` too, to any page, until forgotten (walk 25 B1).
   */
  'drops:begin': { arg: { names: string[] }; result: { dropId: number | null } };
  'drops:end': { arg: { dropId: number; leftOut?: DropLeftOutWords }; result: void };
  'drops:unfinished': { arg: undefined; result: { drops: UnfinishedDrop[] } };
  'drops:forget': { arg: { dropIds: number[] }; result: void };
  'documents:list': {
    arg: {
      filter?: DocumentFilter;
      search?: string;
      sort?: DocumentSort;
      offset?: number;
      limit?: number;
    };
    /**
     * `practiceSent`, `practiceAttention`: how many of the Sent and the Needs attention filters'
     * were practice in the built-in Sandbox (single desk); `failedToFix`: of the failed ones,
     * those "Retry all" leaves as they are (single desk).
     */
    result: {
      rows: DocumentRow[];
      total: number;
      counts: StateCounts;
      practiceSent?: number;
      practiceAttention?: number;
      failedToFix?: number;
    };
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
  /**
   * `held`: failed documents not queued but held for the clerk's decision, with why: on a team,
   * their last attempt may have reached the access point the team sent through before; on a
   * single desk, another version of their number went on meanwhile.
   */
  'documents:retry': {
    arg: { ids?: number[]; allFailed?: boolean };
    result: {
      retried: number;
      /** Of `retried`: files that needed fixing, checked again (not sent; single desk). */
      rechecked?: number;
      held?: { id: number; message: string }[];
      /**
       * Failed documents left as they are: by Retry all, those the access point refused itself
       * or whose copy is gone (the details offer no Retry for them); chosen, those whose copy is
       * gone. `leftToFixIds`: which.
       */
      leftToFix?: number;
      leftToFixIds?: number[];
      /** Of `leftToFixIds`: those left because their kept copy is gone (the rest were refused). */
      leftCopyGoneIds?: number[];
      /**
       * Of `retried`: chosen documents the access point had refused itself, sent again as the
       * clerk asked (most likely refused again unless the reason is gone).
       */
      resentToFixIds?: number[];
      /**
       * Not sent (a team desk; a single desk counts them in `retried`): their buyer, looked up
       * again, is not on Peppol (unreachable ones left so; failed deliveries moved there).
       */
      stillNotOnPeppol?: number;
      stopped?: Stopped;
    };
  };
  /**
   * Documents that may already have reached the access point are refused (listed in `refused`).
   * `undoToken` (when something was cancelled) undoes exactly this cancel for a short while.
   */
  'documents:cancel': {
    arg: { ids: number[] };
    result: {
      cancelled: number;
      refused?: { id: number; message: string }[];
      undoToken?: string;
      stopped?: Stopped;
    };
  };
  /**
   * Undo of one cancel: puts the documents it cancelled back where they were, only those still
   * cancelled. Refused (`UNDO_EXPIRED`) once the undo window is over or it was used.
   */
  'documents:uncancel': {
    arg: { undoToken: string };
    result: { restored: number; stopped?: Stopped };
  };
  /**
   * Releases held documents. A document held as a duplicate whose two checks also disagree is
   * not released yet: it is held again for that second decision (listed in `stillHeld`).
   */
  'documents:sendAnyway': {
    arg: { ids: number[] };
    result: {
      released: number;
      stillHeld?: { id: number; message: string }[];
      stopped?: Stopped;
    };
  };
  /**
   * A buyer's rejection, query or condition the clerk has dealt with (a credit note sent, the
   * question answered, the condition met): with `handled` such documents leave Needs attention (state `handled`; the buyer's
   * answer stays on them, and a later answer of the buyer moves them on as before); without, they
   * go back to the answer they came from. Other documents are left as they are and not counted.
   */
  'documents:markHandled': {
    arg: { ids: number[]; handled: boolean };
    result: { changed: number; stopped?: Stopped };
  };
  /**
   * The explicit step that sends documents queued for another access point through the one in
   * use now (all of them, or these ids); nothing else ever moves them.
   */
  'documents:reroute': {
    arg: { ids?: number[]; all?: boolean; from?: string };
    /**
     * `inDoubt` (all, or `from`): the ids left held because their last attempt may have reached
     * the access point they were queued for (mayHaveReachedAccessPoint): sending them elsewhere
     * could deliver them twice, so each waits for the clerk's own decision after checking there
     * (Send anyway, or these ids named).
     */
    result: { rerouted: number; inDoubt?: number[]; stopped?: Stopped };
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
  /**
   * Ask the access point again what it is and offers (its version call; at most a few seconds),
   * then the status: Settings, opened, says what is true now (walk 23b N7).
   */
  'connection:check': { arg: undefined; result: ConnectionStatus };
  'settings:get': { arg: undefined; result: Settings };
  'settings:set': { arg: SettingsPatch; result: Settings };
  'metrics:snapshot': { arg: undefined; result: MetricsSnapshot };
  /**
   * On a team outbox: make this desk's access point the team's (every desk then sends through
   * it). Refused, with the reason in `message`, while invoices may still be at the team's one.
   */
  'team:useThisAccessPoint': {
    arg: undefined;
    result: { changed: boolean; message: string; status: ConnectionStatus };
  };
}

/** Every event: name → payload. */
export interface Events {
  /**
   * Coalesced: the ids that changed since the last event, and the new counts; `practiceSent`, of
   * the documents the Sent filter shows, those sent in practice to the built-in Sandbox (a single
   * desk: the header shows them apart from real sends); `practiceAttention` the same of the
   * Needs attention filter's; `failedToFix` of the failed ones, those "Retry all" leaves.
   */
  'documents:changed': {
    ids: number[];
    counts: StateCounts;
    practiceSent?: number;
    practiceAttention?: number;
    failedToFix?: number;
  };
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

/**
 * A clerk's action on many documents (retry, cancel, its Undo, send anyway, reroute) moves them a
 * slice per transaction. When a slice fails (a full disk, say) after earlier slices were written,
 * those stay done and the answer counts them; `stopped` says that the action stopped there: `left`
 * documents were not reached, and why (the error's code and words). When the first slice fails,
 * nothing was done and the answer is that error.
 */
export interface Stopped extends ErrorValue {
  left: number;
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
  'documents:markHandled': true,
  'documents:waitingFor': true,
  'documents:briefs': true,
  'documents:ids': true,
  'drops:begin': true,
  'drops:end': true,
  'drops:unfinished': true,
  'drops:forget': true,
  'lookup:refresh': true,
  'queue:pause': true,
  'queue:resume': true,
  'connection:get': true,
  'connection:check': true,
  'settings:get': true,
  'settings:set': true,
  'metrics:snapshot': true,
  'team:useThisAccessPoint': true,
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
