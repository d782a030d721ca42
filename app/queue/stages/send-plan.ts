import { isUtf8 } from 'node:buffer';
import { batchItemJson } from '../../access-point/client';
import { BodyUnreadableError } from '../../store/body-files';
import type { ClaimableRecord, DocumentsRepo } from '../../store/documents-repo';
import { batchKeyFor, type Batcher } from '../../sender/batcher';
import type { RateGate, RequestKind } from '../../sender/rate-gate';

/**
 * Documents larger than this go singly even when batching: a batch saves a request's overhead,
 * which is nothing next to a file this size, and would hold it as JSON text besides its bytes.
 */
export const BATCH_ITEM_MAX_BYTES = 1024 * 1024;

/** One request about to leave: a single document, or a batch of them. */
export type Unit =
  | { kind: 'single'; doc: ClaimableRecord; body: Buffer; bytes: number }
  | { kind: 'batch'; docs: ClaimableRecord[]; items: string[]; key: string; bytes: number };

/** What one claim may take, and what it knows (see {@link planRequests}). */
export interface PlanInput {
  repo: DocumentsRepo;
  /** Due retries first, then queued documents: at most what the free slots can take. */
  docs: ClaimableRecord[];
  batching: boolean;
  now: number;
  /** Free request slots: single sends, single sends claimed ahead of a slot, batches. */
  slots: { singles: number; ahead: number; batches: number };
  /** Bytes of request bodies already held, and the most that may be. */
  heldBytes: number;
  maxInFlightBytes: number;
  gate: Pick<RateGate, 'waitMs' | 'take'>;
  /**
   * Whether new batches may be made now: false while the gate holds batches back (a quota of
   * batches met); new documents then go singly. Batches whose outcome is unknown still wait to
   * go again identical.
   */
  newBatches: boolean;
  batcher: Batcher;
  /** Documents a batch could not carry: sent singly. */
  singleOnly: ReadonlySet<number>;
  /** Documents answered 403 once (the send stage's `forbiddenOnce`): sent singly after the rest. */
  later: ReadonlySet<number>;
  /** Whether more documents are on their way to the queue (a lone one then waits the window). */
  moreComing(): boolean;
  /**
   * The kept copy of this document's file is gone (store/body-files.ts): it is failed here, in
   * the claim's transaction, and the plan goes on without it.
   */
  lost(doc: ClaimableRecord, what: string): void;
}

/** The requests to claim now, which of them are claimed ahead, and when to look again. */
export interface Plan {
  units: Unit[];
  ahead: Set<Unit>;
  /** Look again this many ms from now (a rate gate or a batch window); Infinity: no need. */
  waitMs: number;
}

/**
 * The documents a claim reads: due retries first, then queued ones, at most `want`. None while a
 * batch window is open and no full batch waits (`windowMs`: how long it stays open): the queued
 * documents are not read again meanwhile (that was up to 800 whole rows per commit, several
 * times per window); counts are trigger-kept (a few rows). Not with retries waiting or documents
 * that go singly: those are read and sent as before.
 */
export function docsToClaim(input: {
  repo: DocumentsRepo;
  batcher: Batcher;
  batching: boolean;
  singleOnly: ReadonlySet<number>;
  want: number;
  now: number;
}): { docs: ClaimableRecord[]; windowMs: number } {
  const { repo, batcher, batching, singleOnly, want, now } = input;
  // Trigger-kept counts (a few rows): with no document waiting for a retry, none is looked for.
  const c = repo.counts();
  if (batching && singleOnly.size === 0) {
    const left = c.retry_wait > 0 ? null : batcher.windowLeft(c.queued, now);
    if (left !== null && left > 0) return { docs: [], windowMs: left };
  }
  const due = c.retry_wait > 0 ? repo.claimableRetries(now, want) : [];
  const docs = due.length < want ? due.concat(repo.claimableQueued(want - due.length)) : due;
  // Nothing waiting: no window is open (the next document starts a new one).
  if (docs.length === 0) batcher.waitMs(0, now);
  return { docs, windowMs: 0 };
}

/**
 * Which requests leave next: batches whose outcome is unknown again, identical, before anything
 * new; then new batches once several documents are ready (after the window), otherwise single
 * sends. Bodies are read only while they fit the in-flight budget; the rate gate is asked for
 * each request (and taken).
 */
export function planRequests(input: PlanInput): Plan {
  const { repo, docs, batching, now, slots, heldBytes, maxInFlightBytes, gate, batcher } = input;
  const { singleOnly, moreComing, newBatches } = input;
  const units: Unit[] = [];
  const ahead = new Set<Unit>();
  // Bodies are read only while they fit the in-flight budget (one request always may leave).
  let claimedBytes = heldBytes;
  const fits = (bytes: number): boolean =>
    claimedBytes === 0 || claimedBytes + bytes <= maxInFlightBytes;
  let singles = slots.singles;
  let readyRoom = slots.ahead;
  let batches = slots.batches;
  let wait = Number.POSITIVE_INFINITY;
  const take = (kind: RequestKind): boolean => {
    if (kind === 'single' ? singles <= 0 : batches <= 0) return false;
    const w = gate.waitMs(kind);
    if (w > 0) {
      wait = Math.min(wait, w);
      return false;
    }
    gate.take(kind);
    if (kind === 'single') singles--;
    else batches--;
    return true;
  };

  // 1. Batches whose outcome is unknown go again, identical, before anything new.
  const fresh: ClaimableRecord[] = [];
  const seenKeys = new Set<string>();
  for (const d of docs) {
    if (!d.batch_key || !batching) {
      fresh.push(d);
      continue;
    }
    if (seenKeys.has(d.batch_key)) continue;
    seenKeys.add(d.batch_key);
    const group = repo.claimableBatch(d.batch_key);
    if (group.length === 0) continue;
    if (!fits(group.reduce((n, g) => n + g.size, 0))) break;
    const bodies = group.map((g) => bodyOf(input, g));
    // Its lost documents failed: the rest leave the batch, as when one moved on (send.ts claim).
    if (bodies.includes(null)) continue;
    if (!take('batch')) break;
    const items = group.map((g, k) =>
      batchItemJson({ id: g.idempotency_key, xml: bodies[k]!.toString('utf8') }),
    );
    const bytes = items.reduce((n, i) => n + i.length + 1, 0);
    claimedBytes += bytes;
    units.push({
      kind: 'batch',
      docs: group,
      items,
      key: batchKeyFor(group.map((g) => g.idempotency_key)),
      bytes,
    });
  }

  // 2. New work: batches when several are ready (after the window), otherwise single sends.
  // By id: a batch re-sent after an unknown outcome is rebuilt from the database in id order,
  // so the first send must use that order too (same items, same order, same key).
  const candidates = fresh.filter((d) => !singleOnly.has(d.id)).sort((a, b) => a.id - b.id);
  const loners = fresh.filter((d) => singleOnly.has(d.id));
  // A lone document with more on the way waits the window too: a drop trickling out of
  // validation would otherwise leave one request and two synced commits per document.
  if (
    batching &&
    newBatches &&
    (candidates.length > 1 || (candidates.length === 1 && moreComing()))
  ) {
    const w = batcher.waitMs(candidates.length, now);
    if (w > 0) wait = Math.min(wait, w);
    else {
      batcher.reset();
      const items: { doc: ClaimableRecord; json: string; bytes: number }[] = [];
      let planned = 0;
      for (const d of candidates) {
        if (d.size > BATCH_ITEM_MAX_BYTES) {
          loners.push(d);
          continue;
        }
        // The JSON text is a little longer than the file; the next pump takes the rest.
        const held = claimedBytes + planned;
        if (held > 0 && held + d.size > maxInFlightBytes) break;
        planned += d.size;
        const body = bodyOf(input, d);
        if (body === null) continue; // its kept copy is gone: failed
        // UTF-8 (a JSON string cannot carry other encodings unchanged; valid UTF-8 decodes and
        // encodes back byte for byte, checked natively), or singly.
        const xml = isUtf8(body) ? body.toString('utf8') : null;
        if (xml === null) {
          loners.push(d);
          continue;
        }
        const json = batchItemJson({ id: d.idempotency_key, xml });
        items.push({ doc: d, json, bytes: Buffer.byteLength(json) + 1 });
      }
      for (const chunk of batcher.split(items)) {
        if (chunk.length === 1) {
          loners.push(chunk[0]!.doc);
          continue;
        }
        if (!take('batch')) break;
        const group = chunk.map((c) => c.doc);
        const bytes = chunk.reduce((n, c) => n + c.bytes, 0);
        claimedBytes += bytes;
        units.push({
          kind: 'batch',
          docs: group,
          items: chunk.map((c) => c.json),
          key: batchKeyFor(group.map((g) => g.idempotency_key)),
          bytes,
        });
      }
    }
  } else {
    batcher.reset();
    loners.push(...candidates);
  }
  // By id, but one answered 403 once after the others: their buyers tell first whether the
  // account may not send (walk 20: 403s to three buyers in a row). Sent first again, two invoices
  // refused because the account could not send failed on their second 403 whenever they had
  // left alone before the hold (a drop still being checked, a paced start).
  const once = (d: ClaimableRecord): number => (input.later.has(d.id) ? 1 : 0);
  for (const d of loners.sort((a, b) => once(a) - once(b) || a.id - b.id)) {
    if (!fits(d.size)) break;
    const body = bodyOf(input, d);
    if (body === null) continue;
    if (take('single')) {
      claimedBytes += body.byteLength;
      units.push({ kind: 'single', doc: d, body, bytes: body.byteLength });
    } else if (readyRoom > 0) {
      // Claimed ahead: leaves the moment an answer frees a slot (the gate is asked then).
      readyRoom--;
      claimedBytes += body.byteLength;
      const u: Unit = { kind: 'single', doc: d, body, bytes: body.byteLength };
      units.push(u);
      ahead.add(u);
    } else break;
  }
  return { units, ahead, waitMs: wait };
}

/** The document's bytes, or null when its kept copy is gone (it is failed: `input.lost`). */
function bodyOf(input: PlanInput, doc: ClaimableRecord): Buffer | null {
  try {
    return input.repo.getBody(doc.id);
  } catch (err) {
    if (!(err instanceof BodyUnreadableError)) throw err;
    input.lost(doc, err.what);
    return null;
  }
}
