import { describe, expect, it } from 'vitest';
import { DOCUMENT_STATES, type DocumentState } from '../../app/contract';
import { ALLOWED_TRANSITIONS, isAllowedTransition } from '../../app/queue/states';

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
      ['cancelled', 'queued'],
      ['sending', 'cancelled'],
      ['retry_wait', 'cancelled'],
      ['accepted', 'cancelled'],
      ['accepted', 'queued'],
      ['invalid', 'queued'],
    ];
    for (const [from, to] of refused)
      expect(isAllowedTransition(from, to), `${from} → ${to}`).toBe(false);
    expect(ALLOWED_TRANSITIONS.delivered).toEqual([]);
    expect(ALLOWED_TRANSITIONS.cancelled).toEqual([]);
  });
});
