import { describe, expect, it } from 'vitest';
import type { DocumentState } from '../../app/contract';
import {
  attemptsExhausted,
  buyerResponseProblem,
  deliveryFailed,
  problemFromApError,
  lookupFailed,
  validationFailed,
  receiverDoesNotAccept,
  receiverNotOnPeppol,
} from '../../app/domain/problems';
import { BODY_LOST, BodyUnreadableError } from '../../app/store/body-files';
import { actionHint, actionsFor } from '../../renderer/src/features/detail/offered-actions';

// The line under a problem in the details panel: what the clerk can do, and only what is true.

const certificateFailure = deliveryFailed('CERTIFICATE_ERROR', 'PKIX path validation failed');
const attemptsUsedUp = attemptsExhausted(8, 'The access point did not answer');

describe('actionHint', () => {
  it('promises no automatic retry to a failed document (nothing is scheduled)', () => {
    for (const problem of [certificateFailure, attemptsUsedUp]) {
      const hint = actionHint({ problem, nextAttemptAt: null });
      expect(hint, problem.code).toBe(
        'Peppol Desk will not try again by itself: choose Retry when you are ready.',
      );
    }
  });

  it('mentions the automatic retry only when one is scheduled', () => {
    expect(actionHint({ problem: certificateFailure, nextAttemptAt: Date.now() + 60_000 })).toMatch(
      /wait for the automatic retry/,
    );
  });

  it("adds nothing to a buyer's rejection: its message says what to agree and send (walk 10)", () => {
    const problem = buyerResponseProblem('RE', 'Wrong price on line 2', 'Invoice');
    expect(problem?.code).toBe('BUYER_REJECTED');
    expect(actionHint({ problem: problem!, nextAttemptAt: null })).toBeNull();
  });

  it('adds nothing to a problem about the buyer: its message says what to do, once', () => {
    // Walk 22: the message and the line under it both said to check the Peppol ID or send it
    // another way, in two wordings.
    const notFound = receiverNotOnPeppol('9915:not-registered');
    expect(notFound.message).toMatch(/Ask the buyer for their Peppol ID .*another way\.$/);
    // Found on Peppol, so the ID is right; the message says to contact the buyer or cancel.
    const refusesType = receiverDoesNotAccept('9915:credit-note-only', 'Invoice');
    // The message says to use Send anyway or cancel.
    const lookupWentWrong = lookupFailed('0208:0987654394');
    for (const problem of [notFound, refusesType, lookupWentWrong]) {
      expect(actionHint({ problem, nextAttemptAt: null }), problem.code).toBeNull();
    }
  });

  it("adds nothing to the check's own advice (it says to fix the invoice and drop it again)", () => {
    const problem = validationFailed([
      { rule: 'PEPPOL-EN16931-R003', message: 'A buyer reference (BT-10) … must be provided.' },
    ]);
    expect(problem.message).toMatch(/Fix the invoice in your accounting system and drop it again/);
    expect(actionHint({ problem, nextAttemptAt: null })).toBeNull();
  });

  it('a lost kept copy: no hint beside its message, and no Retry (the bytes are gone)', () => {
    const problem = {
      code: BODY_LOST,
      message: new BodyUnreadableError('is incomplete (bodies/000001.bodies)').message,
      action: 'add-again' as const,
    };
    expect(problem.message).toMatch(/Add the invoice file again\.$/);
    expect(actionHint({ problem, nextAttemptAt: null })).toBeNull();
    const { offered, unavailable } = actionsFor({
      problem,
      state: 'failed',
      mayHaveReachedAccessPoint: false,
    });
    expect(offered).toEqual(['cancel']);
    expect(unavailable).toEqual([
      {
        action: 'retry',
        reason:
          'Retry is not offered: Peppol Desk no longer has a whole copy of this file. Add the invoice file again.',
      },
    ]);
  });

  it('says nothing without a problem', () => {
    expect(actionHint({ problem: null, nextAttemptAt: null })).toBeNull();
  });
});

describe('actionHint for a file the access point refused', () => {
  // Walk 3: "… Fix the file in your accounting system and drop it again." and under it "Fix the
  // file in your invoicing software, then drop the corrected file again."
  it('does not repeat the advice its message already gives', () => {
    const refused = problemFromApError({
      status: 422,
      code: 'VALIDATION_FAILED',
      message: 'Buyer reference missing',
    });
    expect(refused.message).toMatch(/drop it again\.$/);
    expect(actionHint({ problem: refused, nextAttemptAt: null })).toBeNull();
  });
});

describe('actionsFor an invoice still waiting to go', () => {
  // Walk 3: a clerk paused sending to stop one invoice; its panel offered no Cancel (only the
  // row's checkbox did).
  it('offers Cancel while nothing has sent it', () => {
    for (const state of ['received', 'validating', 'ready', 'resolving', 'queued'] as const) {
      const { offered, unavailable } = actionsFor({
        problem: null,
        state,
        mayHaveReachedAccessPoint: false,
      });
      expect(offered, state).toEqual(['cancel']);
      expect(unavailable, state).toEqual([]);
    }
  });

  it('says why not when an earlier try may have reached the access point', () => {
    const { offered, unavailable } = actionsFor({
      problem: null,
      state: 'queued',
      mayHaveReachedAccessPoint: true,
    });
    expect(offered).toEqual([]);
    expect(unavailable).toEqual([
      {
        action: 'cancel',
        reason:
          'Cancel is not offered: an earlier try may already have reached the access point. Peppol Desk sends it again to find out (it cannot arrive twice).',
      },
    ]);
  });

  it('offers nothing once it is sending or sent', () => {
    for (const state of ['sending', 'accepted', 'delivered'] as const) {
      const r = actionsFor({ problem: null, state, mayHaveReachedAccessPoint: false });
      expect(r, state).toEqual({ offered: [], unavailable: [] });
    }
  });

  it('offers Retry on a cancelled one, to send it after all; on a team, one cancelled on its way out (walk 18)', () => {
    const cancelledFrom = (from: DocumentState) => ({
      problem: null,
      state: 'cancelled' as const,
      mayHaveReachedAccessPoint: false,
      timeline: [
        { at: 1, from: null, to: 'received' as const, detail: null, technical: null },
        { at: 2, from, to: 'cancelled' as const, detail: 'Cancelled', technical: null },
      ],
    });
    for (const from of ['queued', 'retry_wait', 'failed', 'invalid', 'held'] as const)
      expect(actionsFor(cancelledFrom(from)), from).toEqual({
        offered: ['retry'],
        unavailable: [],
      });
    for (const from of ['queued', 'retry_wait', 'failed'] as const)
      expect(actionsFor(cancelledFrom(from), true), from).toEqual({
        offered: ['retry'],
        unavailable: [],
      });
    // Invalid, not on Peppol or held when cancelled: a team's Retry would not check it again.
    for (const from of ['invalid', 'unreachable', 'held'] as const)
      expect(actionsFor(cancelledFrom(from), true), from).toEqual({ offered: [], unavailable: [] });
  });
});

describe('actionsFor a buyer that does not take this type of document', () => {
  // Walk 13: "Needs your decision" offered Cancel alone; once the buyer takes invoices, Retry asks
  // about them again. Send anyway stays unavailable, saying why.
  it('offers Retry and Cancel, and says why not Send anyway', () => {
    const problem = receiverDoesNotAccept('9915:credit-note-only', 'Invoice');
    expect(problem.message).toContain('once they accept invoices on Peppol, choose Retry');
    const { offered, unavailable } = actionsFor({
      problem,
      state: 'held',
      mayHaveReachedAccessPoint: false,
    });
    expect(offered).toEqual(['retry', 'cancel']);
    expect(unavailable.map((u) => u.action)).toEqual(['sendAnyway']);
    expect(actionHint({ problem, nextAttemptAt: null })).toBeNull();
  });
});
