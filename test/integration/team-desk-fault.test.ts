/**
 * A team desk meets a mistake in the program on its send path (here: a TypeError thrown where
 * the request is handed to the connection pool): it stops sending with a plain fault, as a single
 * desk's queue does, instead of logging it and leaving the claim to be sent again and again. The
 * document stays on the team's queue; Resume tries again.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TEAM_FAULT_WORDS } from '../../app/team/desk';
import { breakSends } from '../helpers/break-sends';
import { makeInvoice } from '../helpers/invoices';
import { useTeamDesks } from '../helpers/team-desks';

const { desk, sandbox, sqliteStore } = useTeamDesks();
// Registered last, so it runs first: the sends are mended before the desks stop.
afterEach(() => {
  vi.restoreAllMocks();
});

describe('a programming error on a team desk', () => {
  it('stops this desk with a plain fault; Resume sends the document once', async () => {
    const ap = await sandbox();
    const sends = breakSends();
    const engine = await desk(sqliteStore(), ap, 'Anna', {
      timings: { retryBaseMs: 10, retryMaxMs: 20 },
      // A short lease: the broken send's claim is free again quickly.
      team: { pollMs: 20, leaseMs: 300 },
    });
    const { added } = await engine.handlers['documents:add']({
      files: [{ name: 'a.xml', bytes: makeInvoice('TEAM-BUG-1') }],
    });
    const status = await vi.waitFor(
      async () => {
        const s = await engine.handlers['connection:get'](undefined);
        if (s.message !== TEAM_FAULT_WORDS) throw new Error('no fault yet');
        return s;
      },
      { timeout: 10_000, interval: 25 },
    );
    expect(status.paused).toBe(true);
    // Several leases long: the claim fell free, and this desk did not send it again.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(sends.attempts).toBe(1);
    sends.broken = false;
    await engine.handlers['queue:resume'](undefined);
    await engine.waitUntilSettled([added[0]!.id]);
    const { rows } = await engine.handlers['documents:briefs']({ ids: [added[0]!.id] });
    expect(rows.map((r) => r.state)).toEqual([expect.stringMatching(/^(accepted|delivered)$/)]);
    expect(ap.stats().acceptedDocuments).toBe(1);
    expect((await engine.handlers['connection:get'](undefined)).message).toBeNull();
  });
});
