import { failureReason, type LookupAnswer } from '../../access-point/client';
import { addressNotFound } from '../../access-point/reachability';
import type { ParticipantCache } from '../../caches/participant-cache';
import type { DocumentRecord } from '../../store/documents-repo';
import type { LookupVerdict } from '../lifecycle';
import type { DocumentSummary } from '../../validation/types';
import type { StageContext } from './context';

/** What the resolve stage needs besides the common context. */
export interface ResolveContext extends StageContext {
  /** The lookup cache of the access point in use (read at use: a reconnect swaps it). */
  readonly participants: ParticipantCache;
}

const RESOLVE_BATCH = 256;
const BILLING_CUSTOMIZATION =
  'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0';
const BILLING_PROCESS = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';
const UBL_ROOT = {
  Invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice',
  CreditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote',
} as const;

/**
 * A lookup that could not be made, and why (empty when nobody said); `nowhere`: the provider URL
 * answered "no such address" (it leads to no access point).
 */
interface Unavailable {
  unavailable: string;
  nowhere?: boolean;
}

/**
 * Resolving the receiver: `ready` documents are looked up (single flight per receiver, fresh
 * cached answers in the claim's own commit) and end `queued`, `unreachable` or `held` when the
 * receiver does not accept this document.
 */
export class ResolveStage {
  private resolving = 0;
  /** `repo.enteredReady` when a read of `ready` documents last found none (see readyDocuments). */
  private noneReadyAt = -1;
  /** Lookups under way, by buyer, with the cache they were asked for (a switch swaps it). */
  private readonly asked = new Map<
    string,
    { cache: ParticipantCache; answer: Promise<LookupAnswer | Unavailable> }
  >();

  constructor(private readonly ctx: ResolveContext) {}

  /** Lookup rounds in flight. */
  inFlight(): number {
    return this.resolving;
  }

  /** Claim the next `ready` documents and look their receivers up. */
  pump(): void {
    if (this.resolving > 0) return;
    const { repo } = this.ctx;
    const docs = this.readyDocuments();
    if (docs.length === 0) return;
    // Receivers with a fresh cached answer (most of a drop: a few buyers, many invoices) are
    // resolved in the claim's own commit: no second commit and no extra round for them.
    const cached = new Map<string, LookupAnswer | null>();
    for (const d of docs) {
      const key = d.receiver_id ?? '';
      if (!cached.has(key)) cached.set(key, this.peekCached(key));
    }
    const claimed = repo.txRedoable(() =>
      docs.filter((d) => {
        if (!this.ctx.lifecycle.startLookup(d)) return false;
        const answer = cached.get(d.receiver_id ?? '');
        if (!answer) return true;
        this.finishResolve(d, answer);
        return false;
      }),
    );
    if (claimed.length === 0) return;
    const byReceiver = new Map<string, DocumentRecord[]>();
    for (const d of claimed) {
      const key = d.receiver_id ?? '';
      const list = byReceiver.get(key) ?? [];
      list.push(d);
      byReceiver.set(key, list);
    }
    this.resolving++;
    // The answers of this round, for the documents of the same buyers checked meanwhile.
    const answered = new Map<string, LookupAnswer>();
    this.ctx.track(
      Promise.all(
        [...byReceiver].map(async ([receiver, list]) => {
          try {
            const answer = await this.lookup(receiver);
            repo.txRedoable(() => {
              for (const d of list) this.finishResolve(d, answer);
            });
            if (!('unavailable' in answer)) answered.set(receiver, answer);
          } catch (err) {
            // Whatever went wrong for this receiver, its documents must not stay in `resolving`
            // (and the other receivers go on): hold them with a reason the user can act on.
            this.holdUnresolved(list, err);
          }
        }),
      )
        .then(() => this.resolveWaiting(answered))
        .finally(() => {
          this.resolving--;
        }),
    );
  }

  /**
   * The documents of buyers just looked up that were checked while their lookup was out take its
   * answer in the same turn (what the next pump would do from the cache): left to that pump, the
   * send stage's group commit came first and the first requests of a drop left one commit apart
   * (issue 9 point 2). Only these buyers' answers, and no new lookup: the pipeline may be
   * stopping or switching access points, when no new work starts.
   */
  private resolveWaiting(answered: ReadonlyMap<string, LookupAnswer>): void {
    if (answered.size === 0) return;
    const { repo, lifecycle } = this.ctx;
    const waiting = this.readyDocuments().filter((d) => answered.has(d.receiver_id ?? ''));
    if (waiting.length === 0) return;
    repo.txRedoable(() => {
      for (const d of waiting) {
        if (lifecycle.startLookup(d)) this.finishResolve(d, answered.get(d.receiver_id ?? '')!);
      }
    });
  }

  /**
   * The oldest `ready` documents (a batch), read only when a document entered `ready` since a read
   * found none: the pipeline pumps on every change, and in default mode this read ran 4,497
   * times for 10,000 invoices and found 17 documents (a tenth of a millisecond each on the
   * engine's thread; issue 9 point 3).
   */
  private readyDocuments(): DocumentRecord[] {
    const { repo } = this.ctx;
    const entered = repo.enteredReady;
    if (entered === this.noneReadyAt) return [];
    const docs = repo.inState('ready', RESOLVE_BATCH);
    if (docs.length === 0) this.noneReadyAt = entered;
    return docs;
  }

  /**
   * A fresh cached lookup answer, or null. A cache that cannot be read is not a write fault: its
   * documents take the ordinary lookup, whose failure holds them with a reason.
   */
  private peekCached(receiver: string): LookupAnswer | null {
    try {
      return this.ctx.participants.peek(receiver)?.answer ?? null;
    } catch {
      return null;
    }
  }

  private holdUnresolved(list: DocumentRecord[], err: unknown): void {
    const { repo } = this.ctx;
    const detail = err instanceof Error ? err.message : String(err);
    repo.txRedoable(() => {
      for (const d of list) this.ctx.lifecycle.holdUnresolved(d, detail);
    });
  }

  /**
   * Look the buyer of a file being checked up now (`receiver`: peeked from its bytes, see
   * app/domain/receiver-peek.ts), unless its answer is cached or asked already: at the start of a
   * drop the first send no longer waits for the first verdict and then for its lookup (issue 9
   * point 2). The answer goes to the cache; documents take it once checked, as any cached one.
   */
  lookAhead(receiver: string): void {
    if (this.peekCached(receiver) || this.asked.get(receiver)?.cache === this.ctx.participants)
      return;
    // Nothing waits for it: a failure is the lookup's own, said by noteOutcome as any other.
    this.ctx.track(this.lookup(receiver).catch(() => undefined));
  }

  /**
   * The lookup of `receiver`, joining one already asked of the same cache (a look-ahead): its
   * documents then get the same answer, or the same reason it could not be made.
   */
  private lookup(receiver: string): Promise<LookupAnswer | Unavailable> {
    const { participants } = this.ctx;
    const asked = this.asked.get(receiver);
    if (asked?.cache === participants) return asked.answer;
    const answer = this.ask(receiver).finally(() => {
      if (this.asked.get(receiver)?.answer === answer) this.asked.delete(receiver);
    });
    this.asked.set(receiver, { cache: participants, answer });
    return answer;
  }

  private async ask(receiver: string): Promise<LookupAnswer | Unavailable> {
    const { participants, client, metrics } = this.ctx;
    let reason = '';
    let nowhere = false;
    const entry = await participants.get(receiver, async () => {
      const started = performance.now();
      const outcome = await client.lookup(receiver);
      metrics.recordLatency('lookup', performance.now() - started);
      this.ctx.noteOutcome(outcome);
      reason = failureReason(outcome);
      nowhere = outcome.kind === 'permanent' && addressNotFound(outcome.error);
      return outcome.kind === 'ok' ? outcome.value : null;
    });
    return entry?.answer ?? { unavailable: reason, ...(nowhere ? { nowhere } : {}) };
  }

  private finishResolve(doc: DocumentRecord, answer: LookupAnswer | Unavailable): void {
    this.ctx.lifecycle.finishLookup(doc, lookupVerdict(doc, answer));
  }
}

/**
 * What a lookup's answer means for one document (`doc` with its checked fields): queued when the
 * buyer takes it or the lookup could not be made, unreachable, or held when the buyer does not
 * take this document. The validate stage asks it too, for buyers whose answer is cached.
 */
export function lookupVerdict(
  doc: DocumentRecord,
  answer: LookupAnswer | Unavailable,
  /** What the buyer must accept, when the caller has the summary at hand (else read from the row). */
  wanted?: WantedDocument,
): LookupVerdict {
  if ('unavailable' in answer) {
    // The lookup could not be made (offline, provider error, unreadable answer): send anyway;
    // the access point does its own lookup and answers 404 when the receiver is unknown.
    return { kind: 'unavailable', why: answer.unavailable, nowhere: answer.nowhere === true };
  }
  if (!answer.found) return { kind: 'unreachable' };
  // The receiver must accept this very document: its root, its CustomizationID (BT-24) and its
  // process (BT-23). A provider that lists no capabilities is trusted.
  if (Array.isArray(answer.capabilities) && answer.capabilities.length > 0) {
    // Read from the stored summary only when needed (a JSON.parse of it per document).
    const want = wanted ?? wantedDocument(doc);
    const accepts = (c: { document_type: unknown; process_id: unknown }) =>
      capabilityAccepts(c, want);
    if (!answer.capabilities.some(accepts)) return { kind: 'notAccepted' };
  }
  return { kind: 'found', receiverName: answer.name };
}

/** What a receiver must accept for one document: UBL root, customization and process. */
export interface WantedDocument {
  root: string;
  customizationId: string;
  processId: string;
}

/** The document's own root, CustomizationID and ProfileID (Billing 3.0 defaults when unknown). */
function wantedDocument(doc: DocumentRecord): WantedDocument {
  let summary: Partial<DocumentSummary> = {};
  try {
    summary = doc.summary_json ? (JSON.parse(doc.summary_json) as DocumentSummary) : {};
  } catch {
    summary = {};
  }
  return wantedFor(doc.doc_type, summary);
}

/** What a receiver must accept for a document of this type and summary (the team desk asks too). */
export function wantedFor(
  docType: string | null,
  summary: Partial<Pick<DocumentSummary, 'customizationId' | 'profileId'>>,
): WantedDocument {
  return {
    root: docType === 'CreditNote' ? UBL_ROOT.CreditNote : UBL_ROOT.Invoice,
    customizationId: summary.customizationId?.trim() || BILLING_CUSTOMIZATION,
    processId: summary.profileId?.trim() || BILLING_PROCESS,
  };
}

/**
 * True when a capability from a lookup covers the document. A Peppol document type id is
 * `[scheme::]<root namespace>::<root>##<customization>::<UBL version>`; the `busdox-docid-qns`
 * scheme matches the customization exactly, the `peppol-doctype-wildcard` scheme also as a
 * prefix when it ends with `*`. The process id (`[cenbii-procid-ubl::]<id>`) must be the
 * document's own; an empty one is trusted. Malformed entries accept nothing.
 */
export function capabilityAccepts(
  c: { document_type: unknown; process_id: unknown },
  wanted: WantedDocument,
): boolean {
  if (typeof c.document_type !== 'string') return false;
  let id = c.document_type.trim();
  let wildcard = false;
  const scheme = /^(busdox-docid-qns|peppol-doctype-wildcard)::/.exec(id);
  if (scheme) {
    wildcard = scheme[1] === 'peppol-doctype-wildcard';
    id = id.slice(scheme[0].length);
  }
  const hashes = id.indexOf('##');
  if (hashes < 0 || id.slice(0, hashes) !== wanted.root) return false;
  const rest = id.slice(hashes + 2);
  const versionAt = rest.lastIndexOf('::');
  if (versionAt < 0 || rest.slice(versionAt + 2) !== '2.1') return false;
  const customization = rest.slice(0, versionAt);
  const customizationOk =
    customization === wanted.customizationId ||
    (wildcard &&
      customization.endsWith('*') &&
      wanted.customizationId.startsWith(customization.slice(0, -1)));
  if (!customizationOk) return false;
  if (c.process_id === undefined || c.process_id === null || c.process_id === '') return true;
  if (typeof c.process_id !== 'string') return false;
  const process = c.process_id.trim().replace(/^cenbii-procid-ubl::/, '');
  return process === wanted.processId;
}
