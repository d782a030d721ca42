import { BUSINESS_RESPONSE_STATES, type DocumentState } from '../../contract';
import * as problems from '../../domain/problems';
import { isFinalResponse } from '../../domain/states';
import { problemPatch, type Note, type Step } from './steps';

// The steps after acceptance, as plain data (recorded by ./index.ts): delivery, the buyer's
// business responses, and the end of the asking.

/** Delivered at `deliveredAt`; the buyer's answer is asked for at `nextPollAt`. */
export function delivered(deliveredAt: number, nextPollAt: number | null): Step {
  return {
    from: 'accepted',
    to: 'delivered',
    patch: { delivered_at: deliveredAt, next_poll_at: nextPollAt },
    detail: "Delivered to the buyer's access point",
  };
}

/** Accepted, then not delivered. */
export function deliveryFailed(errorCode: string | null, error: string | null): Step {
  return {
    from: 'accepted',
    to: 'failed',
    patch: { next_poll_at: null, ...problemPatch(problems.deliveryFailed(errorCode, error)) },
    detail: problems.deliveryFailedWords(errorCode, error),
    technical: `Delivery failed: ${errorCode ? `${errorCode}: ` : ''}${error ?? 'no reason given'}`,
  };
}

/** A buyer's answer, as the step to its state, or as a note when Peppol Desk does not know it. */
export function response(
  from: DocumentState,
  answer: { code: string; note: string | null; at: number },
  nextPollAt: number | null,
  /** The document's type, for the words ("this credit note"); an invoice when not known. */
  docType: string | null = null,
): { step: Step } | { note: Note } {
  const { code, note, at } = answer;
  if (!problems.isBusinessResponseCode(code)) {
    return {
      note: {
        state: from,
        patch: {
          business_response: code,
          business_response_note: note,
          business_response_at: at,
          next_poll_at: null,
        },
        detail: `The buyer sent an answer Peppol Desk does not know${note ? `: "${note}"` : ''}`,
        technical: `Business response code "${code}"`,
      },
    };
  }
  const to = BUSINESS_RESPONSE_STATES[code];
  return {
    step: {
      from,
      to,
      patch: {
        business_response: code,
        business_response_note: note,
        business_response_at: at,
        next_poll_at: isFinalResponse(to) ? null : nextPollAt,
        ...problemPatch(problems.buyerResponseProblem(code, note, docType)),
      },
      detail: `${problems.RESPONSE_WORDS[code]}${note ? `: ${note}` : ''}`,
      technical: `Business response ${code}`,
    },
  };
}

/**
 * The access point answers that it does not know the transaction (404): stop asking. The built-in
 * Sandbox (`sandbox`) forgets its practice transactions when the app restarts.
 */
export function transactionUnknown(
  transactionId: string | null,
  /** `team-sandbox`: a team desk on the built-in Sandbox (each desk's knows only its own). */
  where: 'provider' | 'sandbox' | 'team-sandbox',
): Note {
  const tx = transactionId ?? '?';
  const sandbox = where !== 'provider';
  const forgets =
    where === 'team-sandbox'
      ? "on a team, each desk's Sandbox knows only what that desk sent, and forgets it when Peppol Desk restarts"
      : 'it forgets what it was sent when Peppol Desk restarts';
  const message = sandbox
    ? `The built-in Sandbox no longer knows this practice invoice (transaction ${tx}): ${forgets}. Nothing was really sent. Add the file again to practise with it once more.`
    : `Your access point accepted this invoice but now answers that it does not know its transaction (${tx}), so its delivery cannot be followed. Ask your provider whether it was delivered before sending it again.`;
  return {
    state: 'accepted',
    patch: {
      next_poll_at: null,
      ...problemPatch({ code: 'DELIVERY_UNCONFIRMED', message, action: 'none' }),
    },
    detail: sandbox
      ? 'The built-in Sandbox no longer knows this invoice; stopped asking'
      : 'The access point does not know this transaction; stopped asking',
    technical: `404 for transaction ${tx}`,
  };
}

/**
 * Delivered or answered (`state`), and the access point no longer knows the transaction (404):
 * stop asking for the buyer's answer; the state stays.
 */
export function responsesForgotten(state: DocumentState, transactionId: string | null): Note {
  return {
    state,
    patch: { next_poll_at: null },
    detail:
      "The access point no longer knows this transaction; stopped asking for the buyer's answer",
    technical: `404 for transaction ${transactionId ?? '?'}`,
  };
}

/** Delivery unconfirmed after `timeoutMs` (`lastStatus`: what was said last): stop asking. */
export function stoppedTracking(
  transactionId: string | null,
  timeoutMs: number,
  lastStatus: string | null,
): Note {
  const span = problems.unconfirmedSpan(timeoutMs);
  return {
    state: 'accepted',
    patch: {
      next_poll_at: null,
      ...problemPatch(problems.deliveryUnconfirmed(span, transactionId)),
    },
    detail: `Delivery not confirmed after ${span}; stopped asking`,
    technical: `Last status: ${lastStatus ?? 'unknown'} (transaction ${transactionId ?? '?'})`,
  };
}
