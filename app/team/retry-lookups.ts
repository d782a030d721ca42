/**
 * A team desk's lookups for the clerk's Retry and "ask again": the buyers of the documents a
 * Retry takes are asked about again (each once per Retry), as on a single desk, and the answer
 * moves the team's documents (found: back to the queue; not on Peppol: left, or moved, to
 * "Receiver not on Peppol"). Also this desk's check of a team document's file, which the
 * capabilities of a lookup are matched against.
 */
import { failureReason } from '../access-point/client';
import type { ReceiverLookup } from '../contract';
import { groupBy } from '../domain/group-by';
import { receiverDoesNotAccept, receiverNotOnPeppol, type Problem } from '../domain/problems';
import { lookUpAgain as lookUpAgainOn } from '../engine/documents';
import { RETRY_SLICE, currentUser } from '../engine/user-actions';
import { BUYER_NOT_CHECKED_DETAIL } from '../domain/lookup-words';
import { lookupUnavailableTechnical } from '../queue/lifecycle/checking';
import { capabilityAccepts, wantedFor } from '../queue/stages/resolve';
import type { CheckResult } from '../validation/types';
import { teamProblem } from './desk-intake';
import type { TeamHandlerContext } from './engine-context';
import { OLDEST_FIRST } from './list-order';
import type { TeamDocument } from './store';

/** Checks kept per team id (a document's bytes never change): the detail re-reads often. */
const CHECKS_KEPT = 200;
const checks = new WeakMap<TeamHandlerContext, Map<number, CheckResult>>();

/**
 * This desk's check of the file (its verdicts are cached by content), or null when it cannot be
 * read now. The last few are kept by id, so a detail refreshed while open reads no body again.
 */
export async function checked(
  ctx: TeamHandlerContext,
  d: TeamDocument,
): Promise<CheckResult | null> {
  let kept = checks.get(ctx);
  if (!kept) checks.set(ctx, (kept = new Map()));
  const hit = kept.get(d.id);
  if (hit) return hit;
  try {
    const result = await ctx.check(await ctx.store.body(d.id));
    if (kept.size >= CHECKS_KEPT) kept.delete(kept.keys().next().value!);
    kept.set(d.id, result);
    return result;
  } catch {
    return null;
  }
}

/**
 * This desk asks the access point about `receiver` again (its cache bypassed); the answer (or its
 * absence) tells the header, as the intake's lookups do.
 */
export function lookUpAgain(ctx: TeamHandlerContext, receiver: string): Promise<ReceiverLookup> {
  return lookUpAgainOn(ctx.connection, receiver, (o) => ctx.health.noteOutcome(o));
}

/**
 * The receiver is on Peppol: the team's `unreachable` documents to it go back to the queue (all
 * of them: pages of the team's unreachable documents, oldest first, bounded statements).
 */
export async function requeueReceiver(
  ctx: TeamHandlerContext,
  receiver: string,
  lookup: ReceiverLookup,
): Promise<void> {
  const docs: TeamDocument[] = [];
  for (let offset = 0; ; offset += 1000) {
    const { rows } = await ctx.store.list({
      states: ['unreachable'],
      offset,
      limit: 1000,
      sort: OLDEST_FIRST,
    });
    docs.push(...rows.filter((d) => d.receiverId === receiver));
    if (rows.length < 1000) break;
  }
  await requeueFound(ctx, receiver, lookup, docs, 'asked again', { moved: 0 });
}

/**
 * Retry of `unreachable` documents (the single desk looks their receiver up again): each
 * receiver is asked about once; the documents of those found go back to the queue. When the
 * lookup cannot be made (the access point unreachable or failing), they are queued anyway with
 * the single desk's words and technical line (the access point looks the buyer up itself when it
 * is sent); a receiver still not on Peppol leaves them as they are. A receiver in `asked` (an
 * earlier page of the same Retry) is not asked again. `tally.moved` counts what moved as each
 * slice is written, so that a Retry stopped part way by an error still says what it did.
 */
export async function retryUnreachable(
  ctx: TeamHandlerContext,
  docs: readonly TeamDocument[],
  asked: RetryLookups,
  tally: { moved: number; notFound?: number },
): Promise<void> {
  const byReceiver = groupBy(docs, (d) =>
    d.state === 'unreachable' && d.receiverId ? d.receiverId : null,
  );
  for (const [receiver, list] of byReceiver) {
    const answer = asked.get(receiver) ?? (await askAgain(ctx, receiver));
    asked.set(receiver, answer);
    const { lookup, why } = answer;
    if (lookup?.found) await requeueFound(ctx, receiver, lookup, list, 'retry requested', tally);
    // Still not on Peppol: left as they are, and said, in the answer (walk 20: Retry all counted
    // 326, moved 90, and said nothing of the other 236) and on each one's timeline (walk 24 B15:
    // a single desk's Retry says it looked the buyer up again; a team's said nothing).
    else if (lookup) {
      const words = `Retry requested by ${currentUser()} (new lookup): looked up ${receiver}: still not registered on the Peppol network`;
      await noteSlices(ctx, receiver, list, words);
      tally.notFound = (tally.notFound ?? 0) + list.length;
    } else if (!lookup) {
      const technical = lookupUnavailableTechnical(why);
      const ids = list.map((d) => d.id);
      await requeueSlices(ctx, receiver, ids, BUYER_NOT_CHECKED_DETAIL, technical, tally);
    }
  }
}

/**
 * Receivers already asked about during one Retry (documents are read a page at a time): the
 * answer, null when the lookup could not be made, and why not.
 */
export type RetryLookups = Map<string, { lookup: ReceiverLookup | null; why: string }>;

/** Ask about `receiver` again for a Retry, telling the header what the answer said. */
async function askAgain(
  ctx: TeamHandlerContext,
  receiver: string,
): Promise<{ lookup: ReceiverLookup | null; why: string }> {
  let why = '';
  const lookup = await lookUpAgainOn(ctx.connection, receiver, (o) => {
    ctx.health.noteOutcome(o);
    // The same reason as a single desk's lookup, for the timeline's technical line.
    why = failureReason(o);
  }).catch(() => null);
  return { lookup, why };
}

/**
 * `receiver` is on Peppol: those of `docs` it accepts (its capabilities, when the lookup lists
 * any, cover the document's type) go back to the queue, still unreachable and still to it.
 */
async function requeueFound(
  ctx: TeamHandlerContext,
  receiver: string,
  lookup: ReceiverLookup,
  docs: readonly TeamDocument[],
  why: string,
  tally: { moved: number },
): Promise<void> {
  const ids: number[] = [];
  const refused: TeamDocument[] = [];
  for (const d of docs)
    if (await takes(ctx, lookup, d)) ids.push(d.id);
    else refused.push(d);
  const detail = `${receiver} is on Peppol after all (${why} by ${currentUser()}): back in the queue`;
  await requeueSlices(ctx, receiver, ids, detail, null, tally);
  // Those it does not take stay, and their timeline says why (as a single desk's lookup would).
  const words = `${receiver} is on Peppol (${why} by ${currentUser()}), but does not take this kind of document there: not sent`;
  await noteSlices(ctx, receiver, refused, words);
}

/** A timeline row saying `detail` on `docs` still unreachable to `receiver`, a slice at a time. */
async function noteSlices(
  ctx: TeamHandlerContext,
  receiver: string,
  docs: readonly TeamDocument[],
  detail: string,
): Promise<void> {
  for (let i = 0; i < docs.length; i += RETRY_SLICE) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    const slice = docs.slice(i, i + RETRY_SLICE).map((d) => d.id);
    await ctx.store.noteUnreachable(ctx.desk.id, receiver, slice, detail);
  }
}

/**
 * `ids` still `unreachable` to `receiver` go back to the queue with these timeline words and
 * technical line: a slice per transaction, the thread given back in between (see
 * documents:retry). `tally.moved` counts what moved, slice by slice.
 */
async function requeueSlices(
  ctx: TeamHandlerContext,
  receiver: string,
  ids: readonly number[],
  detail: string,
  technical: string | null,
  tally: { moved: number },
): Promise<void> {
  for (let i = 0; i < ids.length; i += RETRY_SLICE) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    const slice = ids.slice(i, i + RETRY_SLICE);
    const done = await ctx.store.requeueUnreachable(
      ctx.desk.id,
      receiver,
      slice,
      detail,
      technical,
    );
    tally.moved += done.length;
    ctx.teamDesk.sender.pump();
  }
}

/**
 * Whether a receiver found on Peppol takes `d`: its capabilities, when the lookup lists any,
 * cover the document's type (read from this desk's check of the file).
 */
async function takes(
  ctx: TeamHandlerContext,
  lookup: ReceiverLookup,
  d: TeamDocument,
): Promise<boolean> {
  const caps = Array.isArray(lookup.capabilities) ? lookup.capabilities : [];
  if (caps.length === 0) return true;
  const c = await checked(ctx, d);
  const wanted = wantedFor(d.docType, c?.ok ? c.summary : {});
  return caps.some((cap) => capabilityAccepts(cap, wanted));
}

/**
 * A Retry of failed deliveries looks their buyers up first, as a single desk does since walk 19
 * (walk 19b, N2: a team's Retry sent again to a buyer the access point had just found not
 * registered, and it failed again). Of `docs`, each one whose delivery failed after the access
 * point accepted it has its buyer asked about again (each buyer once per Retry, in `asked`). Not
 * on Peppol, or not taking this kind of document: it goes to "Receiver not on Peppol" with that
 * problem instead of being sent (TeamStore.retryNotOnPeppol), and it is returned, for the Retry
 * to leave out. Found, or the lookup could not be made (the access point checks the buyer itself
 * when it is sent): left to the Retry, which sends it again. `tally.notFound` counts those not sent.
 */
export async function lookUpFailedDeliveries(
  ctx: TeamHandlerContext,
  docs: readonly TeamDocument[],
  asked: RetryLookups,
  tally: { moved: number; notFound?: number },
): Promise<Set<number>> {
  const byReceiver = groupBy(docs, (d) =>
    d.state === 'failed' && d.problem?.code === 'DELIVERY_FAILED' && d.receiverId
      ? d.receiverId
      : null,
  );
  const moved = new Set<number>();
  for (const [receiver, list] of byReceiver) {
    const answer = asked.get(receiver) ?? (await askAgain(ctx, receiver));
    asked.set(receiver, answer);
    const { lookup } = answer;
    if (!lookup) continue;
    // Grouped by the problem's words (they name the kind of document).
    const refused = new Map<string, { problem: Problem; ids: number[] }>();
    for (const d of list) {
      const problem = !lookup.found
        ? receiverNotOnPeppol(receiver, d.docType)
        : (await takes(ctx, lookup, d))
          ? null
          : receiverDoesNotAccept(receiver, d.docType);
      if (!problem) continue;
      const group = refused.get(problem.message) ?? { problem, ids: [] };
      group.ids.push(d.id);
      refused.set(problem.message, group);
    }
    const why = lookup.found
      ? 'the buyer was looked up again: it does not take this kind of document on Peppol'
      : 'the buyer was looked up again: not registered on the Peppol network';
    for (const { problem, ids } of refused.values()) {
      for (let i = 0; i < ids.length; i += RETRY_SLICE) {
        const slice = ids.slice(i, i + RETRY_SLICE);
        const done = await ctx.store.retryNotOnPeppol(
          ctx.desk.id,
          receiver,
          slice,
          teamProblem(problem),
          `${why}, so it is not sent again`,
        );
        for (const id of done) moved.add(id);
        // Not sent: counted apart from those tried again (walk 20b: "1 document will be tried
        // again", and nothing went).
        tally.notFound = (tally.notFound ?? 0) + done.length;
      }
    }
  }
  return moved;
}
