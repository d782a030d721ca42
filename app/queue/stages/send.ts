import type { ClaimableRecord } from '../../store/documents-repo';
import { Batcher } from '../../sender/batcher';
import { GroupCommitTimer } from '../../sender/group-commit';
import type { StageContext } from './context';
import { recordBatch, recordSingle, type OutcomeContext } from './send-outcomes';
import { BATCH_ITEM_MAX_BYTES, docsToClaim, planRequests, type Unit } from './send-plan';
import { SendSlots, type PendingClaim, type SendStageOptions } from './send-slots';
import {
  IN_FLIGHT_BYTES,
  LAZY_FLUSH_MS,
  READY_MAX,
  SEND_COMMIT_CLAIMS,
  SEND_COMMIT_OUTCOMES,
  takeWholeRequests,
} from './send-turns';

// Here too for tests and tools that read the send stage's bounds, and for the stage's owner.
export { BATCH_ITEM_MAX_BYTES, IN_FLIGHT_BYTES };
export type { SendStageOptions };

/** What the queue tells the send stage besides the common {@link StageContext}. */
export interface SendQueue {
  /** May a request leave now (not paused, offline, Retry-After)? If not, claims ahead go back. */
  maySend(now: number): boolean;
  /**
   * Whether more documents are on their way to the queue (being read, checked or looked up).
   * While they are, a lone ready document waits the batch window for them instead of leaving
   * in a request (and a synced commit) of its own.
   */
  moreComing(): boolean;
  /**
   * The group commit of these documents' outcomes failed: their requests are over, but they
   * stay `sending` until recovered.
   */
  writeFailed(ids: number[], err: unknown): void;
}

/** A state change for the next group commit: `ids` are the documents whose request it ends. */
type WriteJob = { ids: number[]; apply: () => void; done: () => void };

/**
 * The send stage of the pipeline: takes `queued` and due `retry_wait` documents to `sending`
 * (attempts + 1) and records each outcome (`accepted`, `failed`, `retry_wait`, or back to
 * `queued` when nothing reached the access point).
 *
 * - Documents ready together travel in batch requests (up to 100 documents / 50 MB), after a
 *   window of a few tens of ms; a single document goes through the single endpoint. The batch
 *   key is derived from its items and stored on the documents while the outcome is unknown, so a
 *   timeout, a reset or a crash re-sends the identical batch under the identical key.
 * - Requests in flight and their rate follow the {@link SendSlots} (./send-slots.ts): an adaptive
 *   limiter (or a fixed number) and a rate gate that learns the access point's limit from 429s.
 * - Outcomes are written in one SQLite transaction at most every few ms (group commit): with
 *   synchronous=FULL every commit is an fsync, and hundreds of answers a second arrive together.
 *   Claims of new work ride in the same commit.
 * - With a fixed, unpaced concurrency, a few single sends are claimed ahead of a free slot (state
 *   `sending`, committed, key unchanged): when an answer frees a slot, the next request leaves at
 *   once instead of waiting for the next commit. They go back to `queued` when sending pauses,
 *   goes offline or stops; after a crash, start-up recovery re-sends them under the same key.
 */
export class SendStage {
  /** Request slots, pace and bytes in flight. */
  private readonly slots: SendSlots;
  private readonly batcher: Batcher;
  private batching: boolean;
  /** Documents a batch could not carry (batch-level refusal): sent singly from now on. */
  private readonly singleOnly = new Set<number>();
  /** What recording outcomes needs. */
  private readonly outcomes: OutcomeContext;
  private wakeTimer: NodeJS.Timeout | null = null;
  private wakeAt = Number.POSITIVE_INFINITY;
  private readonly writes: WriteJob[] = [];
  /**
   * When the next group commit runs: in this event-loop turn's end when a free slot waits for a
   * claim (`urgent`), otherwise {@link LAZY_FLUSH_MS} after the last one.
   */
  private readonly commits = new GroupCommitTimer(() => this.flush(), LAZY_FLUSH_MS);
  private inFlush = false;
  /** The running flush claimed fewer than free slots wanted, more being there (send-turns.ts). */
  private claimsCut = false;
  /** Claimed in the running flush; they leave once its commit is on disk (`ahead`: to `ready`). */
  private readonly toLaunch: PendingClaim[] = [];
  /** Single sends claimed ahead of a free slot (committed as `sending`). */
  private readonly ready: { doc: ClaimableRecord; body: Buffer }[] = [];
  private readonly maxInFlightBytes: number;
  private stopped = false;

  constructor(
    private readonly deps: StageContext,
    private readonly queue: SendQueue,
    private readonly options: SendStageOptions,
  ) {
    this.slots = new SendSlots(deps, options);
    this.batcher = new Batcher({
      ...(options.batchSize !== undefined ? { maxDocuments: options.batchSize } : {}),
      ...(options.batchWindowMs !== undefined ? { windowMs: options.batchWindowMs } : {}),
    });
    this.batching = options.batching ?? true;
    this.maxInFlightBytes = options.maxInFlightBytes ?? IN_FLIGHT_BYTES;
    this.outcomes = {
      lifecycle: deps.lifecycle,
      metrics: deps.metrics,
      random: deps.random,
      options,
      singleOnly: this.singleOnly,
      forbiddenOnce: new Set(),
    };
  }

  /** Bytes of the bodies in flight, claimed ahead, or claimed and about to leave. */
  private bytesHeld(): number {
    // Claimed and not launched yet (in this flush, or waiting for its commit to be on disk).
    let n = this.slots.bytesHeld;
    for (const r of this.ready) n += r.body.byteLength;
    return n;
  }

  /** How long the requests out have had no answer (ms; see SendSlots.silentForMs). */
  readonly silentForMs = (): number => this.slots.silentForMs();

  /** Requests in flight now. */
  get inFlight(): number {
    return this.slots.inFlight;
  }

  /** Fixed requests in flight, or adaptive ('auto'). */
  setConcurrency(concurrency: number | 'auto'): void {
    this.slots.setConcurrency(concurrency);
    this.deps.kick();
  }

  /** Turn batching on or off (single sends only). */
  setBatching(on: boolean): void {
    this.batching = on;
    this.deps.kick();
  }

  /** Set or remove the hard requests/s cap. */
  setRateCap(requestsPerSecond: number | null): void {
    this.slots.gate.setCap(requestsPerSecond);
    this.deps.kick();
  }

  /** What the metrics show about the sender. */
  state(): { concurrencyLimit: number; inFlight: number; rate: number; batching: boolean } {
    const batching = this.batchingOn();
    return {
      concurrencyLimit: batching ? this.slots.batch.limit : this.slots.single.limit,
      inFlight: this.inFlight,
      rate: this.slots.gate.rate,
      batching,
    };
  }

  /** No new work; pending writes still complete (the pipeline waits for tracked work). */
  stop(): void {
    this.stopped = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    this.releaseReady('Not sent yet: the app stopped');
  }

  /** Stopped, every request ended after its commit: no commit runs now (the database closes). */
  close(): void {
    this.commits.close();
  }

  /**
   * Documents claimed ahead of a free slot go back to `queued` (sending paused, offline, stopped,
   * or another setting): nothing was sent for them, so the claim's attempt is taken back.
   */
  releaseReady(detail = 'Not sent yet: sending paused'): void {
    if (this.ready.length === 0) return;
    this.unclaim(
      this.ready
        .splice(0)
        .map(({ doc, body }) => ({ kind: 'single', doc, body, bytes: body.byteLength })),
      detail,
    );
  }

  /**
   * Send what may leave now: documents claimed ahead leave at once; new claims are made in the
   * next group commit (at most one every few ms). Called by the pipeline's pump.
   */
  pump(now: number): void {
    if (this.stopped) return;
    // Nothing claimed before the access point said whether batches may be (batchesPending).
    if (this.batching && this.deps.client.batchesPending) return;
    if (this.inFlush) {
      this.claim(now);
      return;
    }
    this.launchReady(now);
    if (this.slotsWaiting()) this.commits.schedule(true);
    else if (this.readyRoom() > 0) this.commits.schedule(false);
  }

  /** Free request slots that no document claimed ahead can fill: new claims are needed now. */
  private slotsWaiting(): boolean {
    if (this.newBatchesOn() && this.slots.batch.available() > 0) return true;
    return this.slots.freeSingles() > this.ready.length + this.slots.pendingAhead;
  }

  /** Single sends that may be claimed ahead now (0 unless single sends at a fixed, unpaced rate). */
  private readyRoom(): number {
    if (this.stopped || this.batchingOn() || !this.slots.single.isFixed || this.slots.gate.paced)
      return 0;
    // Claims ahead leave once their commit is on disk, the next commit waits for that sync:
    // two rounds of answers' worth keep slots full while a sync takes tens of ms (a busy disk).
    const target = Math.min(READY_MAX, this.slots.single.limit * 2);
    return Math.max(0, target - this.ready.length - this.slots.pendingAhead);
  }

  /** Fill free slots from the documents claimed ahead. */
  private launchReady(now: number): void {
    if (this.ready.length === 0) return;
    if (!this.maySend(now)) {
      this.releaseReady();
      return;
    }
    while (this.ready.length > 0 && this.slots.freeSingles() > 0) {
      const w = this.slots.gate.waitMs('single');
      if (w > 0) {
        this.wakeIn(now, w);
        return;
      }
      this.slots.gate.take('single');
      const { doc, body } = this.ready.shift()!;
      this.launchSingle(doc, body);
    }
  }

  /** A claimed document leaves (its claim counted the attempt). */
  private launchSingle(doc: ClaimableRecord, body: Buffer): void {
    this.deps.track(this.sendSingle({ ...doc, attempts: doc.attempts + 1 }, body));
  }

  /** Claim what may leave now (inside the flush's transaction); it leaves after the commit. */
  private claim(now: number): void {
    const { repo } = this.deps;
    const batching = this.batchingOn();
    const newBatches = this.newBatchesOn();
    const slotsFree = Math.max(0, this.slots.freeSingles());
    const roomAhead = this.readyRoom();
    const batchSlots = Math.max(0, this.slots.freeBatches());
    const batchFree = newBatches ? batchSlots : 0;
    const wanted = slotsFree + roomAhead + batchFree * this.batcher.maxDocuments;
    if (wanted === 0) return;
    // Bounded per commit (at least a batch; send-turns.ts): the next commit claims the rest.
    const want = Math.min(wanted, Math.max(SEND_COMMIT_CLAIMS, this.batcher.maxDocuments));
    const { batcher, singleOnly } = this;
    const claimed = docsToClaim({ repo, batcher, batching: newBatches, singleOnly, want, now });
    const { docs, windowMs } = claimed;
    if (windowMs > 0) {
      this.wakeIn(now, windowMs);
      return;
    }
    if (docs.length === 0) return;

    const { units, ahead, waitMs } = planRequests({
      repo,
      docs,
      batching,
      newBatches,
      now,
      slots: { singles: slotsFree, ahead: roomAhead, batches: batchSlots },
      heldBytes: this.bytesHeld(),
      maxInFlightBytes: this.maxInFlightBytes,
      gate: this.slots.gate,
      batcher: this.batcher,
      singleOnly: this.singleOnly,
      later: this.outcomes.forbiddenOnce,
      moreComing: () => this.moreComing(),
      lost: (d, what) => void this.deps.lifecycle.loseBody(d, what),
    });
    if (waitMs < Number.POSITIVE_INFINITY) this.wakeIn(now, waitMs);
    if (units.length === 0) return;

    // Claim everything in one transaction; only then do requests leave.
    const { lifecycle } = this.deps;
    const launch: Unit[] = [];
    repo.tx(() => {
      for (const u of units) {
        const list = u.kind === 'single' ? [u.doc] : u.docs;
        const batch = u.kind === 'batch' ? { key: u.key, size: list.length } : null;
        const ok = list.filter((d) => lifecycle.claimForSend(d, batch));
        // A document that moved on meanwhile leaves its batch: the set, and so the key, changes
        // (the next pump sends the rest under their own key).
        if (ok.length === list.length) launch.push(u);
        else if (ok.length > 0) {
          for (const d of ok) lifecycle.unclaim(d);
        }
      }
    });
    if (want < wanted && docs.length >= want && launch.length > 0) this.claimsCut = this.inFlush;
    for (const u of launch) {
      const claim = { unit: u, ahead: ahead.has(u) && u.kind === 'single' };
      this.toLaunch.push(claim);
      this.slots.reserve(claim);
    }
  }

  /** Requests leave only once their claim is on disk. */
  private launchClaimed(claims: readonly PendingClaim[]): void {
    this.slots.unreserve(claims);
    if (this.stopped) {
      // Stopped while the claims were being synced: nothing left, so they go back to the queue.
      const units = claims.map((c) => c.unit);
      this.unclaim(units, 'Not sent yet: the app stopped');
      return;
    }
    for (const { unit: u, ahead } of claims) {
      if (u.kind === 'single') {
        if (ahead) this.ready.push({ doc: u.doc, body: u.body });
        else this.launchSingle(u.doc, u.body);
      } else {
        const docs = u.docs.map((d) => ({ ...d, attempts: d.attempts + 1 }));
        this.deps.track(this.sendBatch(docs, u.items, u.key, u.bytes));
      }
    }
  }

  /** Claimed documents that did not leave go back to `queued`, their attempt taken back. */
  private unclaim(units: readonly Unit[], detail: string): void {
    const docs = units.flatMap((u) => (u.kind === 'single' ? [u.doc] : u.docs));
    if (docs.length === 0) return;
    const { repo, lifecycle } = this.deps;
    try {
      repo.tx(() => {
        for (const doc of docs) lifecycle.unclaim(doc, detail);
      });
    } catch (err) {
      // They stay `sending` with no request in flight: the pipeline puts them back once writes
      // work again (Resume), or start-up recovery does; either way under the same key.
      process.emitWarning(`Peppol Desk could not put documents back in the queue: ${String(err)}`);
      const ids = docs.map((d) => d.id);
      if (!this.stopped) this.queue.writeFailed(ids, err);
    }
  }

  private maySend(now: number): boolean {
    return this.queue.maySend(now);
  }

  private moreComing(): boolean {
    return this.queue.moreComing();
  }

  private batchingOn(): boolean {
    return this.batching && this.deps.client.batchSupported;
  }

  /** Batching, and new batches not held back by the gate (else new documents go singly). */
  private newBatchesOn(): boolean {
    return this.batchingOn() && this.slots.gate.batchesHeldMs() === 0;
  }

  private wakeIn(now: number, ms: number): void {
    const at = now + Math.max(1, ms);
    if (this.wakeTimer && this.wakeAt <= at) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = null;
        this.wakeAt = Number.POSITIVE_INFINITY;
        this.deps.kick();
      },
      Math.max(1, ms),
    );
    this.wakeTimer.unref?.();
  }

  // ---- requests -------------------------------------------------------------------------------

  private async sendSingle(doc: ClaimableRecord, body: Buffer): Promise<void> {
    const req = this.slots.start('single', body.byteLength, 1, doc.id);
    const outcome = await this.deps.client
      .send(body, doc.idempotency_key)
      .finally(() => this.slots.unhold(req));
    const ms = this.slots.answered(req, outcome);
    // The freed slot goes to a document claimed ahead now, not at the next commit.
    this.launchReady(this.deps.now());
    this.deps.metrics.recordLatency('send', ms);
    await this.write([doc.id], () => recordSingle(this.outcomes, doc, outcome));
  }

  private async sendBatch(
    docs: ClaimableRecord[],
    items: string[],
    key: string,
    bytes: number,
  ): Promise<void> {
    const ids = docs.map((d) => d.id);
    const req = this.slots.start('batch', bytes, docs.length, ids);
    const outcome = await this.deps.client
      .sendBatch(Buffer.from(`{"documents":[${items.join(',')}]}`, 'utf8'), key)
      .finally(() => this.slots.unhold(req));
    const ms = this.slots.answered(req, outcome);
    // Every document of the batch waited this long for its answer.
    for (let i = 0; i < docs.length; i++) this.deps.metrics.recordLatency('send', ms);
    await this.write(ids, () => recordBatch(this.outcomes, docs, outcome));
  }

  // ---- outcomes -------------------------------------------------------------------------------

  /** Queue a state change for the next group commit; resolves once it is committed. */
  private write(ids: number[], apply: () => void): Promise<void> {
    return new Promise<void>((done) => {
      this.writes.push({ ids, apply, done });
      this.commits.schedule(!this.stopped && this.slotsWaiting());
    });
  }

  private flush(): void {
    if (!this.commits.take()) return;
    const jobs = takeWholeRequests(this.writes, SEND_COMMIT_OUTCOMES);
    const ids = jobs.flatMap((j) => j.ids);
    // Committed without waiting for the disk here (the event loop goes on serving answers and
    // requests); nothing acts on it until `durable()` says it is on disk, below. Not while a rate
    // limit paces the requests: they leave at the gate's times, and claims made apart but synced
    // together would leave together, a burst the limit refuses. The slow start alone does not
    // count while it holds nothing back (`pacing`): in batch mode, when checking is the limit, it
    // never ended, and every one of the stage's commits was synced on this thread (issue 9).
    const deferred = !this.slots.gate.pacing;
    this.inFlush = true;
    // The moves' change events wait for the commit to be on disk (onDisk, below).
    let changed: number[] = [];
    try {
      changed = this.deps.lifecycle.collectChanges(() =>
        this.deps.repo.tx(
          () => {
            for (const j of jobs) j.apply();
            // The slots these answers freed are filled in the same commit (one fsync, not two),
            // when requests may leave (not paused, offline or stopped).
            const now = this.deps.now();
            if (!this.stopped && this.maySend(now)) this.pump(now);
          },
          deferred ? 'deferred' : 'synced',
        ),
      );
    } catch (err) {
      // The documents stay in `sending`: onWriteFailed puts them back to `queued`, and their
      // same idempotency keys make the re-send harmless. Claims rolled back: nothing leaves.
      this.slots.unreserve(this.toLaunch.splice(0));
      this.writeFailed(jobs, ids, err);
      this.launchReady(this.deps.now());
      return;
    } finally {
      this.inFlush = false;
    }
    // Outcomes left for the next commit, or slots this one could not fill: the next turn.
    if (this.writes.length > 0 || this.claimsCut) this.commits.schedule(true);
    this.claimsCut = false;
    const claims = this.toLaunch.splice(0);
    // Requests leave, and outcomes count as recorded, once the commit is on disk: a power cut
    // before that loses nothing that was acted on (the same rule as a synced commit).
    const onDisk = () => {
      this.deps.lifecycle.changed(changed);
      for (const j of jobs) j.done();
      this.launchClaimed(claims);
      this.launchReady(this.deps.now());
    };
    // A flush that recorded and claimed nothing has nothing to wait for.
    const wrote = jobs.length > 0 || claims.length > 0;
    const syncing = deferred && wrote ? this.deps.repo.durable() : null;
    if (syncing === null) {
      onDisk();
      return;
    }
    this.commits.syncStarted();
    this.deps.track(
      syncing.then(
        () => {
          this.commits.syncEnded();
          onDisk();
        },
        (err: unknown) => {
          // Not known to be on disk: the claims do not leave (back to the queue through
          // onWriteFailed, same keys), and the outcomes' documents are recovered like a failed
          // commit's.
          this.commits.syncEnded();
          this.slots.unreserve(claims);
          const claimed = claims.flatMap(({ unit: u }) =>
            u.kind === 'single' ? [u.doc.id] : u.docs.map((d) => d.id),
          );
          this.writeFailed(jobs, [...ids, ...claimed], err);
        },
      ),
    );
  }

  private writeFailed(jobs: WriteJob[], ids: number[], err: unknown): void {
    process.emitWarning(`Peppol Desk could not record send outcomes: ${String(err)}`);
    this.queue.writeFailed(ids, err);
    this.deps.lifecycle.changed(ids);
    for (const j of jobs) j.done();
  }
}
