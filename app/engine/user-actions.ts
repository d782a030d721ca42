/**
 * The clerk's decisions on documents: retry, cancel (and its Undo), send anyway, reroute to the
 * access point in use. Each is recorded in the document's timeline with who decided.
 */
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import type { Handlers, RequestArg, RequestResult, Stopped } from '../contract';
import {
  NOTHING_TO_CANCEL,
  isAllowedTransition,
  mayHaveReachedAccessPoint,
} from '../domain/states';
import { AppError, toErrorValue } from '../errors';
import { ACCESS_POINT_CHANGED } from '../domain/problems';
import type { CancelledDoc, RerouteTo } from '../queue/lifecycle';
import type { EngineContext } from './context';
import { requireIds } from './documents';

/** Why a document whose last attempt went unanswered cannot be cancelled. */
export const CANCEL_UNSAFE_MESSAGE =
  'This invoice may already have reached the access point, so it cannot be cancelled. Retry to find out (it is sent with the same key, so it cannot arrive twice).';

/** How long a cancel can be undone (`documents:uncancel`); the screen offers Undo for less. */
export const UNDO_CANCEL_WINDOW_MS = 60_000;

/** Documents retried per transaction by one `documents:retry` (see the handler). */
export const RETRY_SLICE = 500;
/**
 * Documents moved per transaction by Cancel, its Undo, Send anyway and Reroute (each is read
 * whole and moved): cancelling what a month-end still has waiting, or sending on the tens of
 * thousands held by a change of access point, held the engine's thread for seconds in one
 * transaction, and the window's lists and the sending waited behind it (issue 9 point 5).
 */
export const ACTION_SLICE = 200;

/**
 * `work` on `ids` a slice of `size` per transaction, the engine's thread given back in between;
 * once a slice is committed its result goes to `committed` (so that what the action answers
 * counts only what was written), its documents are told as changed and the queue looks for work.
 *
 * A slice that fails (a full disk, say) is rolled back and the action stops there. If it was the
 * first, nothing was done and the error is the answer, as for any failed request; otherwise the
 * earlier slices stay done, and the answer says so: what was done, and how many documents were
 * not reached and why ({@link Stopped}), never an error that would hide the part already done.
 */
async function inSlices<T>(
  ctx: EngineContext,
  ids: readonly number[],
  size: number,
  work: (slice: readonly number[]) => T,
  committed: (result: T) => void,
): Promise<Stopped | undefined> {
  for (let i = 0; i < ids.length; i += size) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    const slice = ids.slice(i, i + size);
    let result: T;
    try {
      result = ctx.repo.tx(() => work(slice));
    } catch (err) {
      if (i === 0) throw err;
      return { left: ids.length - i, ...toErrorValue(err) };
    }
    committed(result);
    ctx.events.changed(slice);
    ctx.pipeline.kick();
  }
  return undefined;
}

/** `stopped` in an answer when it has one (see inSlices). */
const withStopped = (stopped: Stopped | undefined): { stopped?: Stopped } =>
  stopped ? { stopped } : {};

type ActionChannels =
  | 'documents:retry'
  | 'documents:cancel'
  | 'documents:uncancel'
  | 'documents:sendAnyway'
  | 'documents:reroute'
  | 'documents:markHandled';

/**
 * Failed documents Retry is not offered for (the file itself must be fixed, or added again).
 * Migration 024 counts them by these same values in SQL: a change here needs a migration there.
 */
export const NOT_RETRIED_ACTIONS: ReadonlySet<string | null> = new Set(['fix-file', 'add-again']);

/**
 * The handlers of the clerk's decisions. Each document moves through a named move of the queue's
 * lifecycle (retry, cancel, undoCancel, sendAnyway, reroute), which records the timeline, tells
 * the engine and wakes the stage; these handlers choose the documents, refuse what is unsafe and
 * say what happened.
 */
export function userActionHandlers(ctx: EngineContext): Pick<Handlers, ActionChannels> {
  const { repo, connection, pipeline } = ctx;
  // The pipeline's own lifecycle: one instance tells the engine and wakes the stages.
  const { lifecycle } = pipeline;

  // What each recent cancel changed, so that its Undo can put exactly those documents back.
  // In memory only: Undo is offered for seconds, and a restart ends the offer.
  const recentCancels = new Map<string, { until: number; docs: CancelledDoc[] }>();
  const forgetOldCancels = (now: number): void => {
    for (const [token, c] of recentCancels) if (c.until < now) recentCancels.delete(token);
  };

  return {
    'documents:retry': async ({ ids, allFailed }) => {
      const targets = allFailed ? repo.idsInStates(['failed', 'unreachable']) : requireIds(ids);
      let retried = 0;
      let rechecked = 0;
      // Left as they are, the details offering no Retry for them (see NOT_RETRIED_ACTIONS), and
      // those of them sent again all the same because the clerk chose them.
      const leftToFix: number[] = [];
      const copyGone: number[] = [];
      const resentToFix: number[] = [];
      let held = false;
      // Held instead of retried: another version of the number went on meanwhile.
      const heldAsDuplicate: { id: number; message: string }[] = [];
      // A slice per transaction, the engine's thread given back in between: "Retry all" on a
      // month-end's failures neither holds the thread for seconds nor waits for the last slice
      // before the first documents go out (issue 9).
      const stopped = await inSlices(
        ctx,
        targets,
        RETRY_SLICE,
        (slice) => {
          const moved: number[] = [];
          for (const id of slice) {
            const r = repo.get(id);
            if (!r) continue;
            // "Retry all" leaves what the details offer no Retry for (walk 16: five files the
            // access point refused were sent again and refused again): fix the file, or add it
            // again. Chosen, a file the access point refused is sent again as the clerk asks (its
            // refusal may have been the access point's mistake: a "validation backend glitch"),
            // and the answer names it (walk 23b: `retry 300` did so without a word); one whose
            // copy is gone cannot be.
            const toFix = r.state === 'failed' && NOT_RETRIED_ACTIONS.has(r.problem_action);
            if (toFix && (allFailed || r.problem_action === 'add-again')) {
              leftToFix.push(id);
              if (r.problem_action === 'add-again') copyGone.push(id);
              continue;
            }
            // The "not registered" answer is cached for minutes: ask the access point again.
            if (
              (r.state === 'unreachable' || r.problem_code === 'RECEIVER_DOES_NOT_ACCEPT') &&
              r.receiver_id
            )
              connection.participants.forget(r.receiver_id);
            // A failed delivery or a refusal for good goes under a new key (the old one would only
            // replay it).
            const done = lifecycle.retry(r, randomUUID, connection.environment !== 'sandbox');
            if (done.moved) {
              moved.push(id);
              if (toFix) resentToFix.push(id);
              if (r.state === 'invalid') rechecked++;
            } else if (done.heldBecause) heldAsDuplicate.push({ id, message: done.heldBecause });
          }
          // Queued for another access point: held for the explicit reroute in the same
          // transaction, before the pipeline can claim it (recovery's rule, one statement).
          return { moved: moved.length, held: pipeline.holdPinnedElsewhereAmong(moved).length };
        },
        (r) => {
          retried += r.moved;
          if (r.held > 0) held = true;
        },
      );
      // Anything else waiting for another access point, as before (one query).
      pipeline.holdPinnedElsewhere();
      if (held) pipeline.refreshConnection();
      return {
        retried,
        ...(rechecked > 0 ? { rechecked } : {}),
        ...(heldAsDuplicate.length > 0 ? { held: heldAsDuplicate } : {}),
        ...(leftToFix.length > 0 ? { leftToFix: leftToFix.length, leftToFixIds: leftToFix } : {}),
        ...(copyGone.length > 0 ? { leftCopyGoneIds: copyGone } : {}),
        ...(resentToFix.length > 0 ? { resentToFixIds: resentToFix } : {}),
        ...withStopped(stopped),
      };
    },
    'documents:cancel': async ({ ids }) => {
      let cancelled = 0;
      const refused: { id: number; message: string }[] = [];
      const list = requireIds(ids);
      const done: CancelledDoc[] = [];
      let stopped: Stopped | undefined;
      // No new send leaves while the slices go: what the clerk cancels is not sent meanwhile.
      pipeline.cancelsUnderWay++;
      try {
        stopped = await inSlices(
          ctx,
          list,
          ACTION_SLICE,
          (slice) => {
            const undos: CancelledDoc[] = [];
            const unsafe: number[] = [];
            for (const id of slice) {
              const r = repo.get(id);
              if (!r || NOTHING_TO_CANCEL.has(r.state)) continue;
              // Held after a change of access point: the clerk checked the previous one.
              const checkedElsewhere =
                r.state === 'held' && r.problem_code === ACCESS_POINT_CHANGED;
              if (mayHaveReachedAccessPoint(r) && !checkedElsewhere) {
                unsafe.push(id);
                continue;
              }
              // Any other state the table gives no cancel: left as it is, and the rest of the
              // selection is cancelled (the whole cancel used to fail on one such document).
              if (!isAllowedTransition(r.state, 'cancelled')) continue;
              const undo = lifecycle.cancel(r);
              if (undo) undos.push(undo);
            }
            return { undos, unsafe };
          },
          ({ undos, unsafe }) => {
            cancelled += undos.length;
            done.push(...undos);
            for (const id of unsafe) refused.push({ id, message: CANCEL_UNSAFE_MESSAGE });
          },
        );
      } finally {
        pipeline.cancelsUnderWay--;
        pipeline.kick();
      }
      pipeline.refreshConnection();
      if (cancelled === 0 && refused.length > 0 && !stopped) {
        throw new AppError('CANCEL_UNSAFE', CANCEL_UNSAFE_MESSAGE);
      }
      const at = ctx.now();
      forgetOldCancels(at);
      let undoToken: string | undefined;
      if (done.length > 0) {
        undoToken = randomUUID();
        recentCancels.set(undoToken, { until: at + UNDO_CANCEL_WINDOW_MS, docs: done });
      }
      return {
        cancelled,
        ...(refused.length ? { refused } : {}),
        ...(undoToken ? { undoToken } : {}),
        ...withStopped(stopped),
      };
    },
    'documents:uncancel': async ({ undoToken }) => {
      const at = ctx.now();
      forgetOldCancels(at);
      const action = recentCancels.get(String(undoToken));
      if (!action)
        throw new AppError(
          'UNDO_EXPIRED',
          'It is too late to undo this cancel. To send a cancelled invoice after all, open it and choose Retry.',
        );
      recentCancels.delete(String(undoToken));
      let restored = 0;
      const who = currentUser();
      const docs = new Map(action.docs.map((c) => [c.id, c]));
      const put = new Set<number>();
      let stopped: Stopped | undefined;
      try {
        stopped = await inSlices(
          ctx,
          [...docs.keys()],
          ACTION_SLICE,
          (slice) => {
            let n = 0;
            for (const id of slice) {
              const r = repo.get(id);
              // Only what is still cancelled: a cancelled document has no other way out than
              // this Undo, and each cancel's Undo is used once, so it was cancelled by this action.
              if (!r || r.state !== 'cancelled') continue;
              // Work that was in flight starts that step again (the move knows which).
              if (lifecycle.undoCancel(docs.get(id)!, who)) n++;
            }
            return { n, slice };
          },
          (r) => {
            restored += r.n;
            for (const id of r.slice) put.add(id);
          },
        );
      } catch (err) {
        // Nothing was put back: the same Undo can be tried again while its window lasts.
        recentCancels.set(String(undoToken), action);
        throw err;
      }
      // What was not reached can be put back by the same Undo, tried again.
      if (stopped) {
        recentCancels.set(String(undoToken), {
          until: action.until,
          docs: action.docs.filter((c) => !put.has(c.id)),
        });
      }
      pipeline.holdPinnedElsewhere();
      pipeline.refreshConnection();
      pipeline.kick();
      return { restored, ...withStopped(stopped) };
    },
    'documents:sendAnyway': async ({ ids }) => {
      let released = 0;
      const stillHeld: { id: number; message: string }[] = [];
      const list = requireIds(ids);
      const who = currentUser();
      const stopped = await inSlices(
        ctx,
        list,
        ACTION_SLICE,
        (slice) => {
          let n = 0;
          const held: { id: number; message: string }[] = [];
          for (const id of slice) {
            const r = repo.get(id);
            if (!r || r.state !== 'held') continue;
            if (r.problem_code === ACCESS_POINT_CHANGED) {
              if (lifecycle.reroute(r, rerouteHere(connection))) n++;
              continue;
            }
            // Two questions, two decisions: "send the duplicate" does not answer "send although
            // the two checks disagree", so such a document stays held for the second one.
            const outcome = lifecycle.sendAnyway(r, who);
            if (outcome.released) n++;
            else if (outcome.stillHeld !== undefined) held.push({ id, message: outcome.stillHeld });
          }
          return { n, held };
        },
        (r) => {
          released += r.n;
          stillHeld.push(...r.held);
        },
      );
      pipeline.holdPinnedElsewhere();
      pipeline.refreshConnection();
      pipeline.kick();
      return {
        released,
        ...(stillHeld.length ? { stillHeld } : {}),
        ...withStopped(stopped),
      };
    },
    'documents:reroute': (arg) => rerouteHeld(ctx, arg),
    'documents:markHandled': async ({ ids, handled }) => {
      const who = currentUser();
      let changed = 0;
      const stopped = await inSlices(
        ctx,
        requireIds(ids),
        ACTION_SLICE,
        (slice) =>
          slice.filter((id) => {
            const r = repo.get(id);
            return !!r && lifecycle.markHandled(r, handled === true, who);
          }).length,
        (n) => {
          changed += n;
        },
      );
      return { changed, ...withStopped(stopped) };
    },
  };
}

/** Who decided, for the timeline: the account running Peppol Desk. */
export function currentUser(): string {
  try {
    const name = userInfo().username;
    return name ? `the user (${name})` : 'the user';
  } catch {
    return 'the user';
  }
}

/** Through the access point in use now, and why when it is not the clerk's decision. */
function rerouteHere(connection: EngineContext['connection'], why?: string): RerouteTo {
  return { accessPoint: connection.accessPoint, environment: connection.environment, why };
}

/**
 * Held documents queued for another access point go on through the one in use (`ids`; all of
 * them; or those queued for `from`), each buyer looked up again there; `why` when it is not the
 * clerk's decision (the timeline's words: see URL_CORRECTED_WHY).
 */
export async function rerouteHeld(
  ctx: EngineContext,
  { ids, all, from }: RequestArg<'documents:reroute'>,
  why?: string,
): Promise<RequestResult<'documents:reroute'>> {
  const { repo, connection, pipeline } = ctx;
  const { lifecycle } = pipeline;
  const to = rerouteHere(connection, why);
  const bulk = all || from !== undefined;
  const list = bulk ? repo.heldFor(from ?? null) : requireIds(ids);
  let rerouted = 0;
  // All of them at once leaves those whose last attempt may have reached the access point
  // they were queued for: sent elsewhere, they could be delivered twice (walk 10: the
  // banner's one click re-sent five invoices held "may already have reached it"). Each waits
  // for the clerk's own decision, named: its id, or Send anyway.
  const inDoubt: number[] = [];
  const stopped = await inSlices(
    ctx,
    list,
    ACTION_SLICE,
    (slice) => {
      let n = 0;
      const doubt: number[] = [];
      for (const id of slice) {
        const r = repo.get(id);
        if (!r || r.state !== 'held' || r.problem_code !== ACCESS_POINT_CHANGED) continue;
        if (bulk && mayHaveReachedAccessPoint(r)) doubt.push(id);
        else if (lifecycle.reroute(r, to)) n++;
      }
      return { n, doubt };
    },
    (r) => {
      rerouted += r.n;
      inDoubt.push(...r.doubt);
    },
  );
  pipeline.refreshConnection();
  pipeline.kick();
  return { rerouted, ...(inDoubt.length ? { inDoubt } : {}), ...withStopped(stopped) };
}
