import type { DocumentValidation, Environment } from '../../contract';
import type { LookupAnswer, RemoteVerdict } from '../../access-point/client';
import { canonicalParticipantId, type ParticipantCache } from '../../caches/participant-cache';
import {
  remoteVerdictThroughCache,
  type RemoteValidationCache,
} from '../../caches/remote-validation-cache';
import type { ValidationCache } from '../../caches/validation-cache';
import { BodyUnreadableError } from '../../store/body-files';
import { peekReceiver } from '../../domain/receiver-peek';
import type { DocumentRecord } from '../../store/documents-repo';
import type { CheckResult, DocumentSummary, Verdict } from '../../validation/types';
import type { StageContext } from './context';
import { lookupVerdict, wantedFor } from './resolve';
import { twoChecks } from './two-checks';

/** Runs validation somewhere (a worker pool in the app, in-thread in small tools). */
export interface Validator {
  /** Cached verdicts are keyed by this (rule-set release and rules revision). */
  cacheKey: string;
  check(bytes: Uint8Array): Promise<CheckResult>;
}

/** What the validate stage needs besides the common context. */
export interface ValidateContext extends StageContext {
  readonly validator: Validator;
  readonly validationCache: ValidationCache;
  /** Cache of the access point's `/validate` answers (read at use: a reconnect swaps it). */
  readonly remoteValidationCache: RemoteValidationCache | undefined;
  /** The lookup cache of the access point in use (read at use: a reconnect swaps it). */
  readonly participants: ParticipantCache;
  /** The environment documents are sent in now (read at use; `sandbox`: the built-in one). */
  readonly environment: Environment;
  /** True while the queue is paused after a failed write: checked documents wait for Resume. */
  faulted(): boolean;
  /** True while no send is in flight: a checked document should not wait for others then. */
  sendIdle(): boolean;
  /**
   * How many more documents may go into validation now, besides those checked and not yet sent
   * (Infinity: no bound). `send` with single sends keeps checking a bounded lead ahead of sending
   * (issue 9 point 2), so the engine's thread does not check the whole drop while the first
   * answers wait behind it.
   */
  checkRoom(): number;
  /** Look this buyer up now, while its file is checked (see ResolveStage.lookAhead). */
  lookAhead(receiver: string): void;
}

const VALIDATE_BATCH = 128;
/**
 * Most file bytes in validation at once: memory stays bounded whatever the files weigh. One
 * 15 MB file at a time (its bytes here and the worker's copy): a second one would only wait in
 * memory, and its check takes seconds while reading the next one takes milliseconds.
 */
const VALIDATE_BYTES = 16 * 1024 * 1024;
/**
 * Checked documents wait at most this long for others to share their commit (ms), unless this
 * many are waiting or none is left in validation.
 */
const VALIDATE_COMMIT_MS = 25;
const VALIDATE_COMMIT_DOCS = 32;
/**
 * Most checked documents one commit (one turn of the engine's thread) records: the others wait for
 * the next turn, so a request of the page (the list) never waits behind more than this many
 * verdicts being written (issue 9: up to 128 finished together, hundreds of ms on a busy machine).
 */
export const VALIDATE_COMMIT_MAX = 32;
/**
 * Most verdicts of a drop (since validation was last empty) that go on at once, each in a commit
 * of its own, while no send is in flight: enough for the first lookup and the first requests
 * (issue 9 point 2). Later ones share commits again even when the sender is idle between
 * requests, as it mostly is in batch mode: a commit per verdict for a whole drop cost about a
 * tenth more CPU per invoice (`send`, 10,000 invoices).
 */
export const VALIDATE_AT_ONCE_MAX = 32;

/** A checked document waiting for the next shared commit. */
interface Checked {
  doc: DocumentRecord;
  result: CheckResult | LostCopy;
  toCache: { verdict: Verdict; summary: DocumentSummary } | null;
  remote: RemoteVerdict | null;
}

/**
 * Validation: `received` documents go to the validator (a worker pool), verdicts are cached by
 * hash and rules revision, the access point's own check is asked when remote validation is on,
 * and each verdict ends in `ready`, `invalid` or `held` (duplicates, disagreement); a corrected
 * file supersedes its failed twin.
 */
export class ValidateStage {
  private remoteValidation: boolean;
  private validating = 0;
  /** Bytes of the documents in validation (see VALIDATE_BYTES). */
  private validatingBytes = 0;
  /** Checked documents waiting for the next shared commit. */
  private readonly validated: Checked[] = [];
  /** Brings the scheduled commit of checked documents forward; null when none is scheduled. */
  private validatedCommitNow: (() => void) | null = null;
  /** Verdicts committed since validation was last empty (see VALIDATE_AT_ONCE_MAX). */
  private committedThisDrop = 0;

  constructor(
    private readonly ctx: ValidateContext,
    remoteValidation: boolean,
  ) {
    this.remoteValidation = remoteValidation;
  }

  /** Documents in validation, their verdicts not yet committed. */
  inFlight(): number {
    return this.validating;
  }

  /**
   * Keep up to VALIDATE_BATCH documents in validation. Each one leaves as soon as its own check
   * ends (a slow file holds back nobody); the ones that finish close together share one commit.
   */
  pump(): void {
    // Refill once half the slots are free: far more in flight than workers, so the pool stays
    // fed, without a query on every finished document.
    if (this.validating > VALIDATE_BATCH / 2) return;
    const { repo } = this.ctx;
    const want = Math.min(VALIDATE_BATCH - this.validating, this.ctx.checkRoom());
    if (want <= 0) return;
    const found = repo.inState('received', want);
    // Bounded by bytes too: each check holds its file in memory, and 64 files of 15 MB would
    // be a gigabyte. One document always goes, whatever its size.
    const docs: DocumentRecord[] = [];
    let bytes = this.validatingBytes;
    for (const d of found) {
      if (bytes > 0 && bytes + d.size > VALIDATE_BYTES) break;
      bytes += d.size;
      docs.push(d);
    }
    if (docs.length === 0) return;
    const claimed = repo.txRedoable(() => docs.filter((d) => this.ctx.lifecycle.startCheck(d)));
    if (claimed.length === 0) return;
    this.validating += claimed.length;
    for (const d of claimed) this.validatingBytes += d.size;
    for (const d of claimed) {
      this.ctx.track(
        this.validateOne(d).then((r) => {
          this.validated.push(r);
          // Verdicts are cached in the same commit as the documents' new states: one commit
          // for all that finish within a few ms (at once when none is left in validation), not
          // one per document — each commit also wakes lookup and sending for what it carries.
          // While nothing is being sent, the first verdicts of a drop go on at once: the first
          // lookup and the first send wait for them, and nothing else would. Only the first few:
          // between the requests of a drop the sender is idle too (batch mode: most of the time).
          this.scheduleValidatedCommit(
            this.validated.length === this.validating ||
              this.validated.length >= VALIDATE_COMMIT_DOCS ||
              (this.committedThisDrop < VALIDATE_AT_ONCE_MAX && this.ctx.sendIdle()),
          );
        }),
      );
    }
  }

  /** Commit the checked documents soon (`now`: at the end of this turn, else within a few ms). */
  private scheduleValidatedCommit(now: boolean): void {
    if (this.validatedCommitNow !== null) {
      if (now) this.validatedCommitNow();
      return;
    }
    this.ctx.track(
      new Promise<void>((done) => {
        let fired = false;
        const fire = () => {
          if (fired) return;
          fired = true;
          clearTimeout(timer);
          this.validatedCommitNow = null;
          done();
        };
        const timer = setTimeout(fire, now ? 0 : VALIDATE_COMMIT_MS);
        this.validatedCommitNow = () => setImmediate(fire);
        if (now) this.validatedCommitNow();
      }).then(() => {
        if (!this.ctx.faulted()) this.commit();
      }),
    );
  }

  /**
   * Commit the checked documents' verdicts and new states in one transaction. On a failed write
   * they stay here for the next try (Resume): nothing is checked twice.
   */
  commit(): void {
    const results = this.validated.splice(0, VALIDATE_COMMIT_MAX);
    if (results.length === 0) return;
    // More waiting: their own commit in a later turn (other work, a list request, goes between).
    if (this.validated.length > 0) this.scheduleValidatedCommit(true);
    const { repo, validationCache, validator } = this.ctx;
    try {
      // Redoable: a verdict lost to a power cut is checked again (docs/performance.md).
      repo.txRedoable(() => {
        for (const r of results) {
          if (r.toCache) validationCache.put(r.doc.sha256, validator.cacheKey, r.toCache);
          this.finishValidation(r.doc, r.result, r.remote);
        }
      });
    } catch (err) {
      // Rolled back: the verdicts wait here for the next try (Resume), nothing is checked twice.
      this.validated.unshift(...results);
      throw err;
    }
    this.validating -= results.length;
    for (const r of results) this.validatingBytes -= r.doc.size;
    // Nothing left in validation: the next document starts a new drop.
    this.committedThisDrop = this.validating === 0 ? 0 : this.committedThisDrop + results.length;
  }

  private async validateOne(doc: DocumentRecord): Promise<Checked> {
    const { validator, validationCache, metrics, repo } = this.ctx;
    const started = performance.now();
    const cached = validationCache.get(doc.sha256, validator.cacheKey);
    let body: Uint8Array | null = null;
    let result: CheckResult | LostCopy;
    let toCache: { verdict: Verdict; summary: DocumentSummary } | null = null;
    try {
      if (cached) {
        // Same bytes, same rules: verdict and summary stand; the body is not even read.
        result = { ok: true, summary: cached.summary, verdict: cached.verdict };
      } else {
        body = repo.getBody(doc.id);
        // Nothing is being sent (a drop's start): its buyer's lookup need not wait for the verdict.
        const buyer = this.ctx.sendIdle() ? peekReceiver(body) : null;
        if (buyer) this.ctx.lookAhead(buyer);
        result = await validator.check(body);
        if (result.ok) toCache = { verdict: result.verdict, summary: result.summary };
      }
    } catch (err) {
      // The kept copy of the file is gone: said for this document alone.
      if (err instanceof BodyUnreadableError)
        return { doc, result: lost(err), toCache, remote: null };
      // Otherwise only a closing pool gets here (checks never throw); no error text for clerks.
      result = {
        ok: false,
        error: {
          code: 'UNCHECKABLE',
          message: 'This file could not be checked because the app was stopping. Retry it.',
        },
      };
    }
    // Asked whatever our verdict: a valid invoice we call invalid is as important to catch as
    // the reverse (issue 10: never worse than the provider).
    let remote: RemoteVerdict | null = null;
    try {
      if (result.ok && this.remoteValidation)
        remote = await this.remoteVerdict(doc.sha256, body ?? repo.getBody(doc.id));
    } catch (err) {
      if (!(err instanceof BodyUnreadableError)) throw err;
      result = lost(err);
    }
    metrics.recordLatency('validate', performance.now() - started);
    return { doc, result, toCache, remote };
  }

  /**
   * Optional second opinion from the access point's own validator (cached 24 h per access point).
   * Null when it cannot answer: the local verdict stands, and sending surfaces any rejection.
   */
  private async remoteVerdict(sha256: string, body: Uint8Array): Promise<RemoteVerdict | null> {
    const { remoteValidationCache, client } = this.ctx;
    return remoteVerdictThroughCache(remoteValidationCache, client, sha256, body, (outcome) =>
      this.ctx.noteOutcome(outcome),
    );
  }

  /** Turn the access point's validation on or off (setting `remoteValidation`). */
  setRemoteValidation(on: boolean): void {
    this.remoteValidation = on;
  }

  private finishValidation(
    doc: DocumentRecord,
    result: CheckResult | LostCopy,
    remote: RemoteVerdict | null,
  ): void {
    const { repo } = this.ctx;
    const life = this.ctx.lifecycle;
    if (!result.ok) {
      if ('lost' in result) life.loseBody(checked(doc), result.lost);
      else life.failIntake(doc, result.error);
      return;
    }
    // A first version of this file that could not be read as an invoice is replaced by this one,
    // whatever this one's verdict (walk 21: the old "Needs fixing" row stayed after the clerk
    // dropped the corrected file, as it said to): the same invoice number as its file seemed to
    // carry, under the same file name (walk 21b: by the name alone, another invoice exported to
    // the same name replaced it).
    const number = result.summary.invoiceNumber;
    const unreadable = number ? repo.findUnreadableOf(doc.id, number, doc.file_name) : [];
    this.decide(doc, result, remote);
    if (unreadable.length > 0) life.supersede(doc, unreadable, repo.get(doc.id)?.state);
  }

  /** Where a document read as an invoice goes, by its checks (see finishValidation). */
  private decide(
    doc: DocumentRecord,
    result: Extract<CheckResult, { ok: true }>,
    remote: RemoteVerdict | null,
  ): void {
    const { repo } = this.ctx;
    const life = this.ctx.lifecycle;
    const s = result.summary;
    const ours = result.verdict;
    // Without a buyer address the document cannot be sent, whatever the access point thinks.
    const checks = twoChecks(ours, remote, s.buyerEndpoint !== null);
    const fields = summaryFields(s, checks.validation);
    // What it is for (BT-25), kept for when it goes out: see Lifecycle.accept.
    if (fields.seller_id && s.precedingInvoices)
      repo.refs.record(doc.id, fields.seller_id, s.precedingInvoices);
    if (checks.decision === 'invalid') {
      life.markInvalid(doc, fields, { ...ours, findings: checks.findings });
      return;
    }
    if (!s.buyerEndpoint) {
      life.markNoReceiver(doc, fields);
      return;
    }
    const real = this.ctx.environment !== 'sandbox';
    const twin = doc.send_anyway ? null : repo.findContentDuplicate(doc.id, doc.sha256, real);
    if (twin !== null) {
      life.holdSameContent(doc, fields, twin, s.docType);
      return;
    }
    // The same file saved again with a correction while its first version still waits: the
    // correction replaces it (as it replaces a failed one), instead of being held as a duplicate
    // while the old content goes out.
    const seller = doc.send_anyway ? null : fields.seller_id;
    const number = fields.invoice_number;
    const waiting =
      seller && number
        ? repo.findReplaceableWaiting(doc.id, seller, number, s.docType, doc.file_name)
        : [];
    if (waiting.length > 0) life.supersede(doc, waiting);
    const dup =
      seller && number ? repo.findBusinessDuplicate(doc.id, seller, number, s.docType, real) : null;
    if (dup !== null) {
      life.holdDuplicate(doc, fields, dup, s.invoiceNumber ?? '', s.docType);
      return;
    }
    if (checks.decision === 'held' && remote) {
      life.holdDisagreement(doc, fields, s.docType, ours, remote);
      return;
    }
    const old =
      fields.seller_id && fields.invoice_number
        ? repo.findSupersedable(doc.id, fields.seller_id, fields.invoice_number, s.docType)
        : [];
    // The buyer's answer is cached (most of a drop: a few buyers, many invoices): the document
    // goes on to where the lookup leads in this same write, instead of a second claim and commit
    // of the resolve stage (and a second read of its row). Not for a fix that replaces failures:
    // its timeline says what it replaces while it is `ready`, as before.
    const answer = old.length === 0 ? this.cachedAnswer(fields.receiver_id) : null;
    if (answer !== null) {
      const wanted = wantedFor(s.docType, s);
      life.markValidAndLookedUp(doc, fields, lookupVerdict({ ...doc, ...fields }, answer, wanted));
      return;
    }
    life.markValid(doc, fields);
    life.supersede(doc, old);
  }

  /**
   * The fresh cached lookup answer for this buyer, or null (then the resolve stage looks it up).
   * A cache that cannot be read is not a write fault: the document takes the ordinary way.
   */
  private cachedAnswer(receiver: string | null): LookupAnswer | null {
    if (receiver === null) return null;
    try {
      return this.ctx.participants.peek(receiver)?.answer ?? null;
    } catch {
      return null;
    }
  }
}

/** The columns a summary fills, with the detail's validation (./two-checks). */
/** The check's answer for a document whose kept copy is gone (see Lifecycle.loseBody). */
interface LostCopy {
  ok: false;
  lost: string;
}

function lost(err: BodyUnreadableError): LostCopy {
  return { ok: false, lost: err.what };
}

/** The document as it is while checked (its record was read before it moved to validating). */
function checked(doc: DocumentRecord): { id: number; state: 'validating' } {
  return { id: doc.id, state: 'validating' };
}

function summaryFields(s: DocumentSummary, validation: DocumentValidation) {
  return {
    doc_type: s.docType,
    invoice_number: s.invoiceNumber,
    seller_name: s.sellerName,
    seller_id: s.sellerEndpoint
      ? canonicalParticipantId(s.sellerEndpoint.scheme, s.sellerEndpoint.value)
      : null,
    buyer_name: s.buyerName,
    receiver_id: s.buyerEndpoint
      ? canonicalParticipantId(s.buyerEndpoint.scheme, s.buyerEndpoint.value)
      : null,
    amount: s.payableAmount,
    currency: s.currency,
    issue_date: s.issueDate,
    summary_json: JSON.stringify(s),
    validation_json: JSON.stringify(validation),
  };
}
