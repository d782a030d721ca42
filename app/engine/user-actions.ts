/**
 * The clerk's decisions on documents: retry, cancel (and its Undo), send anyway, reroute to the
 * access point in use. Each is recorded in the document's timeline with who decided.
 */
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import type { DocumentProblem, DocumentState, DocumentValidation, Handlers } from '../contract';
import { accessPointLabel, RESPONSE_STATES } from '../contract';
import { mayHaveReachedAccessPoint } from '../domain/states';
import { AppError } from '../errors';
import { ACCESS_POINT_CHANGED, CHECKS_DISAGREE, fatalRules, remoteRules } from '../queue/pipeline';
import type { DocumentRecord } from '../store/documents-repo';
import type { EngineContext } from './context';
import { requireIds, validationOf } from './documents';

/** Why a document whose last attempt went unanswered cannot be cancelled. */
export const CANCEL_UNSAFE_MESSAGE =
  'This invoice may already have reached the access point, so it cannot be cancelled. Retry to find out (it is sent with the same key, so it cannot arrive twice).';

/** How long a cancel can be undone (`documents:uncancel`); the screen offers Undo for less. */
export const UNDO_CANCEL_WINDOW_MS = 60_000;

type ActionChannels =
  | 'documents:retry'
  | 'documents:cancel'
  | 'documents:uncancel'
  | 'documents:sendAnyway'
  | 'documents:reroute';

/** The handlers of the clerk's decisions (the only moves of a document a person makes). */
export function userActionHandlers(ctx: EngineContext): Pick<Handlers, ActionChannels> {
  const { repo, connection, events, pipeline } = ctx;

  /**
   * The explicit step: a document queued for another access point is pinned to the one in use and
   * goes on from where it was (checked again if it never was, its receiver looked up there).
   */
  function reroute(r: DocumentRecord): boolean {
    const to = accessPointLabel(connection.accessPoint, connection.environment);
    return repo.transition(
      r.id,
      'held',
      r.summary_json ? 'ready' : 'received',
      {
        send_anyway: 1,
        access_point: connection.accessPoint,
        environment: connection.environment,
        problem_code: null,
        problem_message: null,
        problem_action: null,
      },
      `Sent through ${to}, decided by the user (was queued for ${accessPointLabel(r.access_point, r.environment)})`,
    );
  }

  // What each recent cancel changed, so that its Undo can put exactly those documents back.
  // In memory only: Undo is offered for seconds, and a restart ends the offer.
  interface CancelledDoc {
    id: number;
    from: DocumentState;
    next_attempt_at: number | null;
    problem_code: string | null;
    problem_message: string | null;
    problem_action: DocumentProblem['action'] | null;
  }
  const recentCancels = new Map<string, { until: number; docs: CancelledDoc[] }>();
  const forgetOldCancels = (now: number): void => {
    for (const [token, c] of recentCancels) if (c.until < now) recentCancels.delete(token);
  };

  return {
    'documents:retry': ({ ids, allFailed }) => {
      const targets = allFailed ? repo.idsInStates(['failed', 'unreachable']) : requireIds(ids);
      let retried = 0;
      repo.tx(() => {
        for (const id of targets) {
          const r = repo.get(id);
          if (!r) continue;
          const patch = {
            attempts: 0,
            next_attempt_at: null,
            problem_code: null,
            problem_message: null,
            problem_action: null,
          };
          let ok = false;
          if (r.state === 'failed' && r.problem_code === 'DELIVERY_FAILED') {
            // The access point accepted it and then could not deliver it: the same key would
            // only replay that failed transaction, so an explicit retry sends under a new key.
            const key = randomUUID();
            ok = repo.transition(
              id,
              r.state,
              'queued',
              {
                ...patch,
                idempotency_key: key,
                transaction_id: null,
                accepted_at: null,
                delivered_at: null,
                next_poll_at: null,
                business_response: null,
                business_response_note: null,
                business_response_at: null,
                send_outcome_unknown: 0,
                batch_key: null,
              },
              // The clerk reads the timeline: no idempotency key there (it stays on the row).
              `Retry requested after the delivery failed (transaction ${r.transaction_id ?? '?'}): sent again as a new submission`,
            );
          } else if (r.state === 'failed' || r.state === 'retry_wait') {
            // Same idempotency key: if an earlier attempt did reach the provider, it replays.
            ok = repo.transition(id, r.state, 'queued', patch, 'Retry requested');
          } else if (r.state === 'unreachable') {
            // The "not registered" answer is cached for minutes: ask the access point again.
            if (r.receiver_id) connection.participants.forget(r.receiver_id);
            ok = repo.transition(id, r.state, 'ready', patch, 'Retry requested (new lookup)');
          } else if (r.state === 'invalid') {
            ok = repo.transition(id, r.state, 'received', patch, 'Check again requested');
          }
          if (ok) retried++;
        }
      });
      events.changed(targets);
      // A retried document queued for another access point waits for the explicit reroute.
      pipeline.holdPinnedElsewhere();
      pipeline.kick();
      return { retried };
    },
    'documents:cancel': ({ ids }) => {
      let cancelled = 0;
      const refused: { id: number; message: string }[] = [];
      const list = requireIds(ids);
      const done: CancelledDoc[] = [];
      repo.tx(() => {
        for (const id of list) {
          const r = repo.get(id);
          if (
            !r ||
            ['sending', 'accepted', 'delivered', 'cancelled', ...RESPONSE_STATES].includes(r.state)
          )
            continue;
          // Held after a change of access point: the clerk checked the previous one.
          const checkedElsewhere = r.state === 'held' && r.problem_code === ACCESS_POINT_CHANGED;
          if (mayHaveReachedAccessPoint(r) && !checkedElsewhere) {
            refused.push({ id, message: CANCEL_UNSAFE_MESSAGE });
            continue;
          }
          if (
            repo.transition(
              id,
              r.state,
              'cancelled',
              {
                next_attempt_at: null,
                problem_code: null,
                problem_message: null,
                problem_action: null,
              },
              'Cancelled by the user',
            )
          ) {
            cancelled++;
            done.push({
              id,
              from: r.state,
              next_attempt_at: r.next_attempt_at,
              problem_code: r.problem_code,
              problem_message: r.problem_message,
              problem_action: r.problem_action,
            });
          }
        }
      });
      events.changed(list);
      pipeline.refreshConnection();
      if (cancelled === 0 && refused.length > 0) {
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
      };
    },
    'documents:uncancel': ({ undoToken }) => {
      const at = ctx.now();
      forgetOldCancels(at);
      const action = recentCancels.get(String(undoToken));
      if (!action)
        throw new AppError(
          'UNDO_EXPIRED',
          'It is too late to undo this cancel. Add the files again to send them.',
        );
      recentCancels.delete(String(undoToken));
      let restored = 0;
      const who = currentUser();
      repo.tx(() => {
        for (const c of action.docs) {
          const r = repo.get(c.id);
          // Only what is still cancelled: a cancelled document has no other way out than this
          // Undo, and each cancel's Undo is used once, so it was cancelled by this action.
          if (!r || r.state !== 'cancelled') continue;
          // Work that was in flight starts that step again.
          const to: DocumentState =
            c.from === 'validating' ? 'received' : c.from === 'resolving' ? 'ready' : c.from;
          if (
            repo.transition(
              c.id,
              'cancelled',
              to,
              {
                next_attempt_at: c.next_attempt_at,
                problem_code: c.problem_code,
                problem_message: c.problem_message,
                problem_action: c.problem_action,
              },
              `Cancel undone by ${who}`,
            )
          )
            restored++;
        }
      });
      const ids = action.docs.map((c) => c.id);
      events.changed(ids);
      pipeline.holdPinnedElsewhere();
      pipeline.refreshConnection();
      pipeline.kick();
      return { restored };
    },
    'documents:sendAnyway': ({ ids }) => {
      let released = 0;
      const stillHeld: { id: number; message: string }[] = [];
      const list = requireIds(ids);
      const who = currentUser();
      repo.tx(() => {
        for (const id of list) {
          const r = repo.get(id);
          if (!r || r.state !== 'held') continue;
          if (r.problem_code === ACCESS_POINT_CHANGED) {
            if (reroute(r)) released++;
            continue;
          }
          const duplicate =
            r.problem_code === 'DUPLICATE' || r.problem_code === 'DUPLICATE_CONTENT';
          const checks = validationOf(r.validation_json);
          if (duplicate && checks?.checksDisagree) {
            // Two questions, two decisions: "send the duplicate" does not answer "send although
            // the two checks disagree", so the document stays held for the second one.
            const message = checksDisagreeProblem(checks, r.doc_type);
            repo.patch(id, {
              problem_code: CHECKS_DISAGREE,
              problem_message: message,
              problem_action: 'decide',
            });
            repo.appendEvent(
              id,
              'held',
              `Send anyway as a possible duplicate, decided by ${who}; still held: our check and the access point's disagree`,
            );
            stillHeld.push({ id, message });
            continue;
          }
          const target =
            duplicate ||
            r.problem_code === ACCESS_POINT_CHANGED ||
            r.problem_code === CHECKS_DISAGREE
              ? 'ready' // looked up again (at the access point now in use)
              : 'queued';
          const detail =
            r.problem_code === CHECKS_DISAGREE && checks
              ? sentAlthough(checks, who)
              : `Send anyway, decided by ${who}`;
          if (
            repo.transition(
              id,
              'held',
              target,
              { send_anyway: 1, problem_code: null, problem_message: null, problem_action: null },
              detail,
            )
          )
            released++;
        }
      });
      events.changed(list);
      pipeline.holdPinnedElsewhere();
      pipeline.refreshConnection();
      pipeline.kick();
      return stillHeld.length ? { released, stillHeld } : { released };
    },
    'documents:reroute': ({ ids, all, from }) => {
      const list = all || from !== undefined ? repo.heldFor(from ?? null) : requireIds(ids);
      let rerouted = 0;
      repo.tx(() => {
        for (const id of list) {
          const r = repo.get(id);
          if (r && r.state === 'held' && r.problem_code === ACCESS_POINT_CHANGED && reroute(r))
            rerouted++;
        }
      });
      events.changed(list);
      pipeline.refreshConnection();
      pipeline.kick();
      return { rerouted };
    },
  };
}

/** Who decided, for the timeline: the account running Peppol Desk. */
function currentUser(): string {
  try {
    const name = userInfo().username;
    return name ? `the user (${name})` : 'the user';
  } catch {
    return 'the user';
  }
}

/** The timeline entry of a "Send anyway" over disagreeing checks: who, and against what. */
function sentAlthough(checks: DocumentValidation, who: string): string {
  const remote = checks.accessPoint;
  const oursValid = !checks.findings.some((f) => f.flag === 'fatal');
  if (!oursValid) {
    return `Sent anyway by ${who} although our check found ${fatalRules(checks)}; the access point's check accepted it`;
  }
  return `Sent anyway by ${who} although the access point's check rejected it (${remoteRules(remote ?? { errors: [] })}); our check found no error`;
}

/** The problem shown when a released duplicate still has disagreeing checks. */
function checksDisagreeProblem(checks: DocumentValidation, docType: string | null): string {
  const kind = docType === 'CreditNote' ? 'credit note' : 'invoice';
  const oursValid = !checks.findings.some((f) => f.flag === 'fatal');
  return oursValid
    ? `The access point's own check rejects this ${kind} (${remoteRules(checks.accessPoint ?? { errors: [] })}), but our check found no error. Compare both below, then cancel it or Send anyway.`
    : `Our check found ${fatalRules(checks)} in this ${kind}, but the access point's own check accepts it. Compare both below, then cancel it or Send anyway.`;
}
