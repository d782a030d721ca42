import { describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../app/contract';
import { heldReason, waitReason } from '../../renderer/src/features/documents/wait-reason';
import { ADDRESS_NOT_FOUND_WORDS, sendsRefusedWords } from '../../app/access-point/reachability';

// Issue 11 point 6: every waiting row says why it waits.

const online: ConnectionStatus = {
  state: 'online',
  environment: 'sandbox',
  endpoint: 'http://127.0.0.1:1',
  paused: false,
  waiting: 1,
  message: null,
};
const soon = Date.now() + 60_000;
const row = (state: 'queued' | 'retry_wait' | 'ready' | 'accepted' | 'failed', attempts = 0) => ({
  state,
  attempts,
  nextAttemptAt: state === 'retry_wait' ? soon : null,
});

describe('why a row waits', () => {
  it('paused: since when, and by whom', () => {
    expect(waitReason(row('queued'), { ...online, paused: true, pausedAt: soon }, 8)).toMatch(
      /^Paused by you since \S+/,
    );
  });

  it('a team desk: the team database away, or paused here while other desks send (walk 7)', () => {
    const team = {
      label: 'team',
      desksOnline: 2,
      deskName: 'Anna',
      reachable: true,
      accessPoint: null,
      sendersOnline: 1,
    };
    expect(
      waitReason(
        row('queued'),
        { ...online, state: 'offline', team: { ...team, reachable: false } },
        8,
      ),
    ).toBe('Waits for the team database — sent once it answers');
    // Paused here, but another desk sends: nothing held, the row's own reason.
    expect(heldReason(row('queued'), { ...online, paused: true, team })).toBeNull();
    expect(
      heldReason(row('queued'), { ...online, paused: true, team: { ...team, sendersOnline: 0 } }),
    ).toBe('Paused by you');
  });

  it('offline: the next try', () => {
    expect(waitReason(row('ready'), { ...online, state: 'offline', nextTryAt: soon }, 8)).toMatch(
      /^Access point offline, next try at \S+/,
    );
  });

  it('held (the key checked or refused, the access point failing): what it waits for, never its own next attempt', () => {
    const cases: [ConnectionStatus['state'], string][] = [
      ['checking', 'Waits for the API key check'],
      ['refused', 'Waits for the API key to be accepted — check it in Settings'],
      ['trouble', 'Waits for the access point to work again — then sent automatically'],
    ];
    for (const [state, words] of cases) {
      const held = { ...online, state, nextTryAt: soon };
      for (const r of [row('queued'), row('retry_wait', 2), row('ready')]) {
        expect(waitReason(r, held, 8)).toBe(words);
        expect(heldReason(r, held)).toBe(words);
      }
      // Not about invoices that do not wait to be sent.
      expect(heldReason(row('accepted'), held)).toBeNull();
    }
  });

  it('sends refused for the account: the rows say to ask the provider, not to check the key (walk 20b)', () => {
    const held: ConnectionStatus = {
      ...online,
      state: 'refused',
      message: sendsRefusedWords('This API key may not send documents'),
    };
    expect(waitReason(row('queued'), held, 8)).toBe(
      'Waits for the access point to take invoices again — ask your provider',
    );
  });

  // Walk 24: with a provider URL that leads to no access point, every row said "Waits for the API
  // key to be accepted" beside a banner saying the URL was wrong; the key was fine.
  it('the provider URL leads to no access point: the rows say the URL, not the key', () => {
    const held: ConnectionStatus = {
      ...online,
      state: 'refused',
      apiKeySet: true,
      message: ADDRESS_NOT_FOUND_WORDS,
    };
    expect(waitReason(row('queued'), held, 8)).toBe(
      'Waits for the provider URL to be corrected — check it in Settings',
    );
    expect(waitReason(row('queued'), { ...held, apiKeySet: false }, 8)).toBe(
      'Waits for the provider URL to be corrected — check it in Settings',
    );
  });

  it('once the hold ends, a retry waiting says its attempt and its own next time again', () => {
    const r = row('retry_wait', 2);
    expect(waitReason(r, { ...online, state: 'refused' }, 8)).not.toMatch(/next at/);
    expect(waitReason(r, online, 8)).toMatch(/^Attempt 2 of 8 did not go through, next at \S+/);
    expect(heldReason(r, online)).toBeNull();
  });

  it('retry waiting: attempt n of m, and when the next one is', () => {
    expect(waitReason(row('retry_wait', 3), online, 8)).toMatch(
      /^Attempt 3 of 8 did not go through, next at \S+/,
    );
  });

  it('a time already past is not shown (walk 8: "next try at 9:04:14 AM" at 9:04:20)', () => {
    const past = Date.now() - 6_000;
    expect(waitReason(row('queued'), { ...online, state: 'throttled', nextTryAt: past }, 8)).toBe(
      'The access point asked to slow down',
    );
    expect(waitReason({ ...row('retry_wait', 2), nextAttemptAt: past }, online, 8)).toBe(
      'Attempt 2 of 8 did not go through',
    );
    expect(waitReason(row('queued'), { ...online, state: 'offline', nextTryAt: past }, 8)).toBe(
      'Access point offline',
    );
    expect(waitReason(row('queued'), { ...online, state: 'offline', nextTryAt: soon }, 8)).toMatch(
      /^Access point offline, next try at \S+/,
    );
  });

  it('no attempt counted yet (only 429s or 503s came): not "Attempt 0 of 8"', () => {
    expect(waitReason(row('retry_wait', 0), online, 8)).toMatch(/^Next try at \S+/);
  });

  it('throttled: the access point asked to slow down, next try', () => {
    expect(
      waitReason(row('queued'), { ...online, state: 'throttled', nextTryAt: soon }, 8),
    ).toMatch(/^The access point asked to slow down, next try at \S+/);
  });

  it('says nothing for a row that does not wait (sent, or needing the clerk)', () => {
    expect(waitReason(row('accepted'), { ...online, paused: true }, 8)).toBeNull();
    expect(waitReason(row('failed'), { ...online, state: 'offline' }, 8)).toBeNull();
  });
});
