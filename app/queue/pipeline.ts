import type { ConnectionStatus, Environment } from '../contract';
import type {
  AccessPointClient,
  ApOutcome,
  LookupAnswer,
  TransactionAnswer,
} from '../access-point/client';
import type { ParticipantCache } from '../caches/participant-cache';
import { canonicalParticipantId } from '../caches/participant-cache';
import type { RemoteValidationCache } from '../caches/remote-validation-cache';
import type { ValidationCache } from '../caches/validation-cache';
import type { Metrics } from '../metrics/metrics';
import type { DocumentRecord, DocumentsRepo } from '../store/documents-repo';
import type { CheckResult, DocumentSummary, InspectResult, Verdict } from '../validation/types';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';
import { LONG_RETRY_AFTER_MS, SendStage, type SendStageOptions } from '../sender/send-stage';

/** Runs validation somewhere (a worker pool in the app, in-thread in small tools). */
export interface Validator {
  ruleset: string;
  check(bytes: Uint8Array): Promise<CheckResult>;
  /** Parse and summarise only (for documents whose verdict is cached). */
  inspect(bytes: Uint8Array): InspectResult;
}

/** What the pipeline needs from the rest of the engine. */
export interface PipelineDeps {
  repo: DocumentsRepo;
  client: AccessPointClient;
  validator: Validator;
  validationCache: ValidationCache;
  /** Cache of the access point's `/validate` answers (used when remote validation is on). */
  remoteValidationCache?: RemoteValidationCache;
  participants: ParticipantCache;
  metrics: Metrics;
  environment: Environment;
  /** Called with the ids of documents whose state changed. */
  onChanged(ids: number[]): void;
  onConnection(status: ConnectionStatus): void;
  now?: () => number;
  random?: () => number;
}

/** Tunables; all have defaults. */
export interface PipelineOptions {
  /** Sends in flight at once: a fixed number, or 'auto' (adaptive; the default). */
  concurrency?: number | 'auto';
  /** Batching, rate caps and limits of the send stage (see app/sender). */
  sender?: Omit<SendStageOptions, 'retry' | 'trackDelivery' | 'pollInitialMs' | 'concurrency'>;
  retry?: RetryPolicy;
  /** Delivery polling: first poll after this, then doubling up to the max. */
  pollInitialMs?: number;
  pollMaxMs?: number;
  /** Offline probing: first probe after this, doubling up to the max. */
  probeInitialMs?: number;
  probeMaxMs?: number;
  /** Also ask the access point's `/validate` before sending (default off). */
  remoteValidation?: boolean;
  /** After delivery, keep asking for the buyer's business response this long (default 1 h). */
  responseWindowMs?: number;
  /** Track delivery after acceptance (polling transactions). */
  trackDelivery?: boolean;
  paused?: boolean;
}

const VALIDATE_BATCH = 64;
const RESOLVE_BATCH = 256;
const FINAL_TRANSACTION = new Set(['delivered', 'failed', 'rejected']);
const POLL_BATCH = 200;
const BILLING_CUSTOMIZATION = 'urn:fdc:peppol.eu:2017:poacc:billing:3.0';
const BILLING_PROCESS = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';
const LIST_POLL_THRESHOLD = 8;

/** Documents in these states are being worked on by a live engine; after a crash they restart. */
const RECOVERY: [
  from: 'validating' | 'resolving' | 'sending',
  to: 'received' | 'ready' | 'queued',
][] = [
  ['validating', 'received'],
  ['resolving', 'ready'],
  ['sending', 'queued'],
];

/**
 * The send pipeline: received → validating → ready → resolving → queued → sending → accepted →
 * delivered, with invalid / unreachable / held / retry_wait / failed on the side. All state lives
 * in SQLite; this class only decides what to do next, so a crash loses nothing: on start, work
 * that was in flight is put back one step (a document left in `sending` is sent again with the
 * same idempotency key, which the access point answers with the first result).
 */
export class Pipeline {
  private readonly now: () => number;
  private readonly random: () => number;
  private retry: RetryPolicy;
  private readonly sender: SendStage;
  private readonly pollInitialMs: number;
  private readonly pollMaxMs: number;
  private readonly probeInitialMs: number;
  private readonly probeMaxMs: number;
  private readonly trackDelivery: boolean;
  private readonly responseWindowMs: number;
  private remoteValidation: boolean;

  private running = false;
  private stopping = false;
  /** Serialises connection switches (settings changed while a switch is still waiting). */
  private switching: Promise<void> = Promise.resolve();
  private paused: boolean;
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private validating = 0;
  private resolving = 0;
  private polling = 0;
  private readonly inFlight = new Set<Promise<unknown>>();

  private connection: ConnectionStatus['state'] = 'connecting';
  private connectionMessage: string | null = null;
  /** The connection shows 'throttled' until this time after a 429. */
  private throttledUntil = 0;
  /** No send starts before this time (after a long Retry-After or while offline). */
  private sendGateUntil = 0;
  private offline = false;
  private probeDelayMs: number;
  private probing = false;
  private nextProbeAt = 0;

  constructor(
    private readonly deps: PipelineDeps,
    options: PipelineOptions = {},
  ) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.pollInitialMs = options.pollInitialMs ?? 2_000;
    this.pollMaxMs = options.pollMaxMs ?? 60_000;
    this.probeInitialMs = options.probeInitialMs ?? 1_000;
    this.probeMaxMs = options.probeMaxMs ?? 30_000;
    this.probeDelayMs = this.probeInitialMs;
    this.trackDelivery = options.trackDelivery ?? true;
    this.responseWindowMs = options.responseWindowMs ?? 60 * 60_000;
    this.remoteValidation = options.remoteValidation ?? false;
    this.paused = options.paused ?? false;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const pipeline = this;
    this.sender = new SendStage(
      {
        repo: deps.repo,
        // Read at use: reconnect() swaps the client.
        get client() {
          return pipeline.deps.client;
        },
        metrics: deps.metrics,
        now: this.now,
        random: this.random,
        onChanged: (ids) => this.deps.onChanged(ids),
        noteOutcome: (outcome) => this.noteOutcome(outcome),
        track: (p) => this.track(p),
        kick: () => this.kick(),
        pumpSend: (now) => {
          if (this.running) this.pumpSend(now);
        },
      },
      {
        ...options.sender,
        concurrency: options.concurrency ?? 'auto',
        // Read at use: setMaxAttempts replaces the policy.
        get retry() {
          return pipeline.retry;
        },
        trackDelivery: this.trackDelivery,
        pollInitialMs: this.pollInitialMs,
      },
    );
    deps.metrics.attach({ sender: () => this.sender.state() });
  }

  /** Put interrupted work back one step and start working. */
  start(): void {
    const { repo } = this.deps;
    const changed: number[] = [];
    repo.tx(() => {
      for (const [from, to] of RECOVERY) {
        for (const doc of repo.inState(from, Number.MAX_SAFE_INTEGER)) {
          if (repo.transition(doc.id, from, to, {}, 'Resumed after the app was stopped'))
            changed.push(doc.id);
        }
      }
    });
    if (changed.length) this.deps.onChanged(changed);
    this.running = true;
    this.kick();
  }

  /** Stop starting new work and wait for what is in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    this.sender.stop();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Talk to another access point (settings changed): start no new work, let every request in
   * flight finish against the old client (a send either lands in `accepted` or goes back to be
   * retried with its same idempotency key, so nothing is lost or sent twice), then swap the client
   * and the per-access-point caches and start again. Resolves with the client that was replaced,
   * for the caller to close.
   */
  reconnect(next: {
    client: AccessPointClient;
    participants: ParticipantCache;
    remoteValidationCache?: RemoteValidationCache;
    environment: Environment;
  }): Promise<AccessPointClient> {
    const run = this.switching.then(async () => {
      const wasRunning = this.running;
      this.running = false;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
      const previous = this.deps.client;
      this.deps.client = next.client;
      this.deps.participants = next.participants;
      if (next.remoteValidationCache) this.deps.remoteValidationCache = next.remoteValidationCache;
      this.deps.environment = next.environment;
      // What we knew about the old access point (offline, throttled, Retry-After) does not apply.
      this.offline = false;
      this.probing = false;
      this.throttledUntil = 0;
      this.sendGateUntil = 0;
      this.probeDelayMs = this.probeInitialMs;
      this.connection = 'connecting';
      this.connectionMessage = null;
      this.emitConnection();
      if (wasRunning && !this.stopping) {
        this.running = true;
        this.kick();
        // Ask the new access point at once so the header shows Online (or Offline) soon.
        this.probeNow();
      }
      return previous;
    });
    this.switching = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** One version call to learn the connection state (after a switch). */
  private probeNow(): void {
    this.track(
      this.deps.client.version().then((outcome) => {
        if (outcome.kind === 'transient' && outcome.offline) {
          this.offline = true;
          this.nextProbeAt = this.now() + this.probeDelayMs;
          this.setConnection('offline', outcome.message);
        } else {
          this.noteOutcome(
            outcome.kind === 'ok' ? outcome : { kind: 'ok', value: null, status: 200 },
          );
        }
      }),
    );
  }

  /** Pause or resume sending (validation and lookups go on). */
  setPaused(paused: boolean): void {
    this.paused = paused;
    this.emitConnection();
    this.kick();
  }

  /** Change how many automatic attempts a document gets before it waits for the user. */
  setMaxAttempts(n: number): void {
    this.retry = { ...this.retry, maxAttempts: n };
  }

  /** Change the number of sends in flight: a fixed number, or 'auto' (adaptive). */
  setConcurrency(n: number | 'auto'): void {
    this.sender.setConcurrency(n);
  }

  /** Send documents that are ready together in batches (true) or one by one. */
  setBatching(on: boolean): void {
    this.sender.setBatching(on);
  }

  /** The connection as the header shows it. */
  connectionStatus(): ConnectionStatus {
    const counts = this.deps.repo.counts();
    return {
      state: this.connection,
      environment: this.deps.environment,
      endpoint: this.deps.client.baseUrl,
      paused: this.paused,
      waiting: counts.queued + counts.retry_wait + counts.sending,
      message: this.connectionMessage,
    };
  }

  /** True when nothing is in flight and nothing is due now. */
  isIdle(): boolean {
    return this.inFlight.size === 0 && !this.scheduled;
  }

  /** Ask the pipeline to look for work soon (coalesced). */
  kick(): void {
    if (!this.running || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.running) this.pump();
    });
  }

  private track<T>(p: Promise<T>): void {
    this.inFlight.add(p);
    void p.finally(() => {
      this.inFlight.delete(p);
      this.kick();
    });
  }

  private pump(): void {
    const now = this.now();
    this.pumpValidate();
    this.pumpResolve();
    this.pumpSend(now);
    this.pumpPolls(now);
    this.scheduleTimer(now);
  }

  private scheduleTimer(now: number): void {
    const { repo } = this.deps;
    const candidates: number[] = [];
    const retryAt = repo.nextRetryAt();
    if (retryAt !== null) candidates.push(Math.max(retryAt, this.sendGateUntil));
    if (this.trackDelivery) {
      const pollAt = repo.nextPollAt();
      if (pollAt !== null) candidates.push(pollAt);
    }
    if (this.offline) candidates.push(this.nextProbeAt);
    else if (this.sendGateUntil > now) candidates.push(this.sendGateUntil);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (candidates.length === 0) return;
    const delay = Math.max(5, Math.min(...candidates) - now);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.kick();
      },
      Math.min(delay, 60_000),
    );
    this.timer.unref?.();
  }

  // ---- validate -------------------------------------------------------------------------------

  private pumpValidate(): void {
    if (this.validating > 0) return;
    const { repo } = this.deps;
    const docs = repo.inState('received', VALIDATE_BATCH);
    if (docs.length === 0) return;
    const claimed = repo.tx(() =>
      docs.filter((d) => repo.transition(d.id, 'received', 'validating')),
    );
    if (claimed.length === 0) return;
    this.deps.onChanged(claimed.map((d) => d.id));
    this.validating++;
    this.track(
      Promise.all(claimed.map((d) => this.validateOne(d))).then((results) => {
        this.validating--;
        repo.tx(() => {
          for (const r of results) this.finishValidation(r.doc, r.result);
        });
        this.deps.onChanged(claimed.map((d) => d.id));
      }),
    );
  }

  private async validateOne(
    doc: DocumentRecord,
  ): Promise<{ doc: DocumentRecord; result: CheckResult }> {
    const { validator, validationCache, metrics, repo } = this.deps;
    const started = performance.now();
    const cached = validationCache.get(doc.sha256, validator.ruleset);
    const body = repo.getBody(doc.id);
    let result: CheckResult;
    try {
      if (cached) {
        // Same bytes, same rule set: the verdict stands; only the (cheap) summary is re-read.
        const inspected = validator.inspect(body);
        result = inspected.ok ? { ...inspected, verdict: cached } : inspected;
      } else {
        result = await validator.check(body);
        if (result.ok) validationCache.put(doc.sha256, result.verdict);
      }
    } catch (err) {
      result = {
        ok: false,
        error: { code: 'XML', message: `The file could not be checked: ${String(err)}` },
      };
    }
    if (result.ok && result.verdict.valid && this.remoteValidation) {
      result = await this.withRemoteVerdict(doc.sha256, body, result);
    }
    metrics.recordLatency('validate', performance.now() - started);
    return { doc, result };
  }

  /**
   * Optional second opinion from the access point's own validator (cached 24 h per access point).
   * When it cannot answer, the local verdict stands: sending will surface any rejection anyway.
   */
  private async withRemoteVerdict(
    sha256: string,
    body: Uint8Array,
    result: Extract<CheckResult, { ok: true }>,
  ): Promise<CheckResult> {
    const cache = this.deps.remoteValidationCache;
    let remote = cache?.get(sha256) ?? null;
    if (!remote) {
      const outcome = await this.deps.client.validate(body);
      this.noteOutcome(outcome);
      if (outcome.kind !== 'ok') return result;
      remote = outcome.value;
      cache?.put(sha256, remote);
    }
    if (remote.valid) return result;
    const findings = remote.errors.map((e) => ({
      rule: e.rule || 'ACCESS-POINT',
      flag: 'fatal' as const,
      message: `The access point's own check says: ${e.message}`,
      location: e.location ?? '',
    }));
    return {
      ...result,
      verdict: {
        ...result.verdict,
        valid: false,
        findings: [...result.verdict.findings, ...findings],
      },
    };
  }

  /** Turn the access point's validation on or off (setting `remoteValidation`). */
  setRemoteValidation(on: boolean): void {
    this.remoteValidation = on;
  }

  private finishValidation(doc: DocumentRecord, result: CheckResult): void {
    const { repo } = this.deps;
    if (!result.ok) {
      repo.transition(
        doc.id,
        'validating',
        'invalid',
        {
          problem_code: `INTAKE_${result.error.code}`,
          problem_message: result.error.message,
          problem_action: 'fix-file',
        },
        result.error.message,
      );
      return;
    }
    const s = result.summary;
    const fields = summaryFields(s, result.verdict);
    if (!result.verdict.valid) {
      const fatal = result.verdict.findings.filter((f) => f.flag === 'fatal');
      const first = fatal[0];
      const message =
        fatal.length === 1 && first
          ? `${first.message} (${first.rule}). Fix the invoice in your accounting system and drop it again.`
          : `${fatal.length} problems found, first: ${first?.message ?? ''} (${first?.rule ?? ''}). Open the details to see all, fix the invoice and drop it again.`;
      repo.transition(
        doc.id,
        'validating',
        'invalid',
        {
          ...fields,
          problem_code: 'VALIDATION',
          problem_message: message,
          problem_action: 'fix-file',
        },
        `${fatal.length} fatal rule(s): ${fatal.map((f) => f.rule).join(', ')}`,
      );
      return;
    }
    if (!s.buyerEndpoint) {
      repo.transition(
        doc.id,
        'validating',
        'invalid',
        {
          ...fields,
          problem_code: 'NO_RECEIVER',
          problem_message:
            "The invoice has no buyer Peppol ID (BT-49, the buyer's electronic address). Add it in your accounting system and export again.",
          problem_action: 'fix-file',
        },
        'No receiver endpoint',
      );
      return;
    }
    const dup =
      doc.send_anyway || !fields.seller_id || !fields.invoice_number
        ? null
        : repo.findBusinessDuplicate(doc.id, fields.seller_id, fields.invoice_number, s.docType);
    if (dup !== null) {
      repo.transition(
        doc.id,
        'validating',
        'held',
        {
          ...fields,
          duplicate_of: dup,
          problem_code: 'DUPLICATE',
          problem_message: `${s.docType === 'CreditNote' ? 'Credit note' : 'Invoice'} ${s.invoiceNumber} from this seller was already added (document #${dup}) with different content. Send it anyway only if this is meant as a separate ${s.docType === 'CreditNote' ? 'credit note' : 'invoice'}; otherwise cancel it.`,
          problem_action: 'decide',
        },
        `Possible duplicate of #${dup}`,
      );
      return;
    }
    repo.transition(doc.id, 'validating', 'ready', {
      ...fields,
      problem_code: null,
      problem_message: null,
      problem_action: null,
    });
  }

  // ---- resolve --------------------------------------------------------------------------------

  private pumpResolve(): void {
    if (this.resolving > 0) return;
    const { repo } = this.deps;
    const docs = repo.inState('ready', RESOLVE_BATCH);
    if (docs.length === 0) return;
    const claimed = repo.tx(() => docs.filter((d) => repo.transition(d.id, 'ready', 'resolving')));
    this.deps.onChanged(claimed.map((d) => d.id));
    const byReceiver = new Map<string, DocumentRecord[]>();
    for (const d of claimed) {
      const key = d.receiver_id ?? '';
      const list = byReceiver.get(key) ?? [];
      list.push(d);
      byReceiver.set(key, list);
    }
    this.resolving++;
    this.track(
      Promise.all(
        [...byReceiver].map(async ([receiver, list]) => {
          const answer = await this.lookup(receiver);
          repo.tx(() => {
            for (const d of list) this.finishResolve(d, answer);
          });
          this.deps.onChanged(list.map((d) => d.id));
        }),
      ).finally(() => {
        this.resolving--;
      }),
    );
  }

  private async lookup(receiver: string): Promise<LookupAnswer | 'unavailable'> {
    const { participants, client, metrics } = this.deps;
    const entry = await participants.get(receiver, async () => {
      const started = performance.now();
      const outcome = await client.lookup(receiver);
      metrics.recordLatency('lookup', performance.now() - started);
      this.noteOutcome(outcome);
      return outcome.kind === 'ok' ? outcome.value : null;
    });
    return entry?.answer ?? 'unavailable';
  }

  private finishResolve(doc: DocumentRecord, answer: LookupAnswer | 'unavailable'): void {
    const { repo } = this.deps;
    if (answer === 'unavailable') {
      // The lookup could not be made (offline, provider error): send anyway; the access point
      // does its own lookup and answers 404 when the receiver is unknown.
      repo.transition(doc.id, 'resolving', 'queued', {}, 'Receiver lookup unavailable; sending');
      return;
    }
    if (!answer.found) {
      repo.transition(
        doc.id,
        'resolving',
        'unreachable',
        {
          problem_code: 'RECEIVER_NOT_ON_PEPPOL',
          problem_message: `The buyer ${doc.receiver_id} is not registered on the Peppol network, so the invoice cannot be delivered electronically. Check the buyer's Peppol ID, or send this invoice another way.`,
          problem_action: 'check-receiver',
        },
        'Receiver not found',
      );
      return;
    }
    const wanted =
      doc.doc_type === 'CreditNote' ? 'CreditNote-2::CreditNote' : 'Invoice-2::Invoice';
    // Peppol BIS Billing 3.0: the document type names the root and the billing 3.0 customization,
    // and the process is the billing process. A provider that lists no capabilities is trusted.
    const accepts = (c: { document_type: string; process_id: string }) =>
      c.document_type.includes(wanted) &&
      c.document_type.includes(BILLING_CUSTOMIZATION) &&
      (!c.process_id || c.process_id === BILLING_PROCESS);
    if (
      answer.capabilities &&
      answer.capabilities.length > 0 &&
      !answer.capabilities.some(accepts)
    ) {
      const what = doc.doc_type === 'CreditNote' ? 'credit notes' : 'invoices';
      repo.transition(
        doc.id,
        'resolving',
        'held',
        {
          problem_code: 'RECEIVER_DOES_NOT_ACCEPT',
          problem_message: `The buyer ${doc.receiver_id} is on Peppol but does not accept ${what} (Peppol BIS Billing 3.0). Contact the buyer, or cancel this document.`,
          problem_action: 'check-receiver',
        },
        'Receiver does not accept this document type',
      );
      return;
    }
    repo.transition(
      doc.id,
      'resolving',
      'queued',
      {},
      `Receiver found${answer.name ? `: ${answer.name}` : ''}`,
    );
  }

  // ---- send -----------------------------------------------------------------------------------

  private pumpSend(now: number): void {
    if (this.paused) return;
    if (this.offline) {
      this.maybeProbe(now);
      return;
    }
    if (now < this.sendGateUntil) return;
    this.sender.pump(now);
  }

  /** Track connection health from any call's outcome. */
  private noteOutcome(outcome: ApOutcome<unknown>): void {
    const now = this.now();
    if (outcome.kind === 'transient' && outcome.offline) {
      if (!this.offline) {
        this.offline = true;
        this.probeDelayMs = this.probeInitialMs;
        this.nextProbeAt = now + this.probeDelayMs;
        this.setConnection('offline', outcome.message);
      }
      return;
    }
    if (outcome.kind === 'transient' && outcome.status === 429) {
      // The send stage slows down by itself (its rate gate learns the limit) and the refused
      // document waits Retry-After; only a long Retry-After stops every send.
      const wait = outcome.retryAfterMs ?? 0;
      if (wait >= LONG_RETRY_AFTER_MS)
        this.sendGateUntil = Math.max(this.sendGateUntil, now + wait);
      this.throttledUntil = now + 2_000;
      this.setConnection('throttled', 'The access point asked us to slow down.');
      return;
    }
    if (this.offline) {
      this.offline = false;
      this.probeDelayMs = this.probeInitialMs;
    }
    if (outcome.kind === 'ok' || outcome.kind === 'permanent') {
      if (this.connection !== 'online' && now >= this.sendGateUntil && now >= this.throttledUntil)
        this.setConnection('online', null);
    }
  }

  /** While offline: one probe at a time, backing off, and resume when it answers. */
  private maybeProbe(now: number): void {
    if (this.probing || now < this.nextProbeAt) return;
    this.probing = true;
    this.track(
      this.deps.client.version().then((outcome) => {
        this.probing = false;
        if (outcome.kind === 'transient' && outcome.offline) {
          this.probeDelayMs = Math.min(this.probeMaxMs, this.probeDelayMs * 2);
          this.nextProbeAt = this.now() + this.probeDelayMs;
          this.emitConnection();
        } else {
          this.noteOutcome(
            outcome.kind === 'ok' ? outcome : { kind: 'ok', value: null, status: 200 },
          );
        }
      }),
    );
  }

  private setConnection(state: ConnectionStatus['state'], message: string | null): void {
    if (this.connection === state && this.connectionMessage === message) return;
    this.connection = state;
    this.connectionMessage = message;
    this.emitConnection();
  }

  private emitConnection(): void {
    this.deps.onConnection(this.connectionStatus());
  }

  // ---- delivery tracking ----------------------------------------------------------------------

  private pumpPolls(now: number): void {
    if (!this.trackDelivery || this.offline || this.polling > 0) return;
    const { repo, client } = this.deps;
    const due = repo.duePolls(now, POLL_BATCH);
    if (due.length === 0) return;
    this.polling++;
    this.track(
      (async () => {
        // Many due at once: one list request answers most of them; the rest are asked one by one.
        const known = new Map<string, TransactionAnswer>();
        if (due.length >= LIST_POLL_THRESHOLD) {
          const listed = await client.transactions(Math.min(1000, due.length * 4));
          this.noteOutcome(listed);
          if (listed.kind === 'ok') for (const tx of listed.value) known.set(tx.id, tx);
        }
        await Promise.all(
          due.map(async (d) => {
            let tx = known.get(d.transaction_id ?? '') ?? null;
            if (!tx) {
              const outcome = await client.transaction(d.transaction_id ?? '');
              this.noteOutcome(outcome);
              tx = outcome.kind === 'ok' ? outcome.value : null;
            }
            this.applyTransaction(d, tx);
          }),
        );
      })().finally(() => {
        this.polling--;
      }),
    );
  }

  /** Record what the access point says about a sent document; unknown statuses mean in flight. */
  private applyTransaction(d: DocumentRecord, tx: TransactionAnswer | null): void {
    const { repo, metrics } = this.deps;
    const t = this.now();
    const age = t - (d.accepted_at ?? t);
    // Adaptive: poll soon after sending, then less often (bounded by pollMaxMs).
    const nextPoll = t + Math.min(this.pollMaxMs, Math.max(this.pollInitialMs, age / 2));
    if (d.state === 'delivered') {
      // Delivered already: only waiting for the buyer's business response, for a bounded time.
      const waited = t - (d.delivered_at ?? t);
      if (tx?.businessResponse) {
        repo.patch(d.id, { business_response: tx.businessResponse, next_poll_at: null });
        repo.appendEvent(d.id, 'delivered', `Buyer response ${tx.businessResponse}`);
        this.deps.onChanged([d.id]);
      } else {
        repo.patch(d.id, { next_poll_at: waited > this.responseWindowMs ? null : nextPoll });
      }
      return;
    }
    if (!tx || !FINAL_TRANSACTION.has(tx.status)) {
      repo.patch(d.id, { next_poll_at: nextPoll });
      return;
    }
    if (tx.status === 'delivered') {
      repo.transition(
        d.id,
        'accepted',
        'delivered',
        {
          delivered_at: tx.deliveredAt ? Date.parse(tx.deliveredAt) || t : t,
          business_response: tx.businessResponse,
          next_poll_at: tx.businessResponse || this.responseWindowMs <= 0 ? null : nextPoll,
        },
        tx.businessResponse ? `Delivered; buyer response ${tx.businessResponse}` : 'Delivered',
      );
      metrics.recordLatency('delivery', t - (d.accepted_at ?? t));
    } else {
      repo.transition(
        d.id,
        'accepted',
        'failed',
        {
          next_poll_at: null,
          problem_code: 'DELIVERY_FAILED',
          problem_message: `The access point could not deliver the invoice to the buyer's access point${tx.error ? ` (${tx.error})` : ''}. Check with the buyer or your provider before sending again.`,
          problem_action: 'check-receiver',
        },
        tx.error ?? 'Delivery failed',
      );
    }
    this.deps.onChanged([d.id]);
  }
}

/** The columns a summary fills. */
function summaryFields(s: DocumentSummary, verdict: Verdict) {
  return {
    doc_type: s.docType,
    invoice_number: s.invoiceNumber,
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
    validation_json: JSON.stringify({ ruleset: verdict.ruleset, findings: verdict.findings }),
  };
}
