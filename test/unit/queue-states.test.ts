import { describe, expect, it } from 'vitest';
import {
  BUSINESS_RESPONSE_STATES,
  DOCUMENT_STATES,
  RESPONSE_STATES,
  type DocumentState,
} from '../../app/contract';
import { ALLOWED_TRANSITIONS, isAllowedTransition } from '../../app/domain/states';

describe('document state machine', () => {
  it('has an entry for every state and names only known states', () => {
    expect(Object.keys(ALLOWED_TRANSITIONS).sort()).toEqual([...DOCUMENT_STATES].sort());
    for (const targets of Object.values(ALLOWED_TRANSITIONS)) {
      for (const t of targets) expect(DOCUMENT_STATES).toContain(t);
    }
  });

  it('allows the happy path and every recovery and user action the engine uses', () => {
    const path: [DocumentState, DocumentState][] = [
      ['received', 'validating'],
      ['validating', 'ready'],
      ['ready', 'resolving'],
      ['resolving', 'queued'],
      ['queued', 'sending'],
      ['sending', 'accepted'],
      ['accepted', 'delivered'],
      // side exits
      ['validating', 'invalid'],
      ['validating', 'held'],
      ['resolving', 'unreachable'],
      ['resolving', 'held'],
      ['sending', 'retry_wait'],
      ['retry_wait', 'sending'],
      ['sending', 'failed'],
      ['sending', 'queued'],
      ['accepted', 'failed'],
      // crash recovery
      ['validating', 'received'],
      ['resolving', 'ready'],
      // user actions
      ['failed', 'queued'],
      ['retry_wait', 'queued'],
      ['unreachable', 'ready'],
      ['invalid', 'received'],
      ['held', 'ready'],
      ['held', 'queued'],
      ['queued', 'cancelled'],
      ['failed', 'cancelled'],
      ['held', 'cancelled'],
    ];
    for (const [from, to] of path)
      expect(isAllowedTransition(from, to), `${from} → ${to}`).toBe(true);
  });

  it('refuses skipping steps, leaving final states, and cancelling what may be at the access point', () => {
    const refused: [DocumentState, DocumentState][] = [
      ['received', 'sending'],
      ['received', 'accepted'],
      ['queued', 'accepted'],
      ['ready', 'sending'],
      ['delivered', 'queued'],
      ['delivered', 'failed'],
      ['cancelled', 'sending'],
      ['cancelled', 'delivered'],
      ['cancelled', 'validating'],
      ['sending', 'cancelled'],
      ['accepted', 'cancelled'],
      ['accepted', 'queued'],
      ['invalid', 'queued'],
    ];
    for (const [from, to] of refused)
      expect(isAllowedTransition(from, to), `${from} → ${to}`).toBe(false);
    // Issue 11: a delivered document moves on only with the buyer's business response.
    expect([...ALLOWED_TRANSITIONS.delivered].sort()).toEqual([...RESPONSE_STATES].sort());
    // Cancelled leads back only to where a cancel can come from (its Undo), never further on.
    expect([...ALLOWED_TRANSITIONS.cancelled].sort()).toEqual(
      [
        'failed',
        'held',
        'invalid',
        'queued',
        'ready',
        'received',
        'retry_wait',
        'unreachable',
      ].sort(),
    );
    for (const to of ALLOWED_TRANSITIONS.cancelled)
      expect(isAllowedTransition(to, 'cancelled'), `${to} → cancelled`).toBe(true);
    // A rejected invoice only makes way for its corrected file, or is marked handled by the clerk
    // (who may take that back); a handled one never goes back into the sending.
    expect(ALLOWED_TRANSITIONS.rejected).toEqual(['superseded', 'handled']);
    expect(isAllowedTransition('under_query', 'handled')).toBe(true);
    expect(isAllowedTransition('handled', 'rejected')).toBe(true);
    expect(isAllowedTransition('handled', 'buyer_accepted')).toBe(true);
    for (const to of ['queued', 'sending', 'received', 'cancelled'] as const)
      expect(isAllowedTransition('handled', to), `handled → ${to}`).toBe(false);
    for (const from of ['delivered', 'buyer_accepted', 'paid', 'failed'] as const)
      expect(isAllowedTransition(from, 'handled'), `${from} → handled`).toBe(false);
    expect(ALLOWED_TRANSITIONS.superseded).toEqual([]);
    expect(ALLOWED_TRANSITIONS.paid).toEqual([]);
  });

  it('moves a delivered document to the state of each business response, and on with a later one', () => {
    for (const state of Object.values(BUSINESS_RESPONSE_STATES)) {
      expect(isAllowedTransition('delivered', state), `delivered → ${state}`).toBe(true);
    }
    expect(isAllowedTransition('acknowledged', 'in_process')).toBe(true);
    expect(isAllowedTransition('in_process', 'buyer_accepted')).toBe(true);
    expect(isAllowedTransition('buyer_accepted', 'paid')).toBe(true);
    expect(isAllowedTransition('under_query', 'rejected')).toBe(true);
    expect(isAllowedTransition('rejected', 'buyer_accepted')).toBe(false);
    expect(isAllowedTransition('accepted', 'rejected')).toBe(false);
  });
});
