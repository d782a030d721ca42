/**
 * A team desk meets a mistake in the program on its send path (here: a TypeError thrown where
 * the request is handed to the connection pool): it stops sending with a plain fault, as a single
 * desk's queue does, instead of logging it and leaving the claim to be sent again and again. The
 * document stays on the team's queue; Resume tries again.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../app/engine';
import { memorySecretStore } from '../../app/engine/options';
import { startSandbox, type SandboxHandle } from '../../app/sandbox/server';
import { TEAM_FAULT_WORDS } from '../../app/team/desk';
import { createTeamEngine } from '../../app/team/engine';
import { breakSends } from '../helpers/break-sends';
import { makeInvoice } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';

const tempDir = useTempDirs();
const engines: Engine[] = [];
const sandboxes: SandboxHandle[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const e of engines.splice(0)) await e.stop();
  for (const s of sandboxes.splice(0)) await s.close();
});

describe('a programming error on a team desk', () => {
  it('stops this desk with a plain fault; Resume sends the document once', async () => {
    const ap = await startSandbox({});
    sandboxes.push(ap);
    const sends = breakSends();
    const engine = await createTeamEngine({
      dataDir: tempDir(),
      secrets: memorySecretStore(),
      host: 'cli',
      endpoint: ap.url,
      coalesceMs: 10,
      store: `sqlite:${join(tempDir(), 'team.sqlite')}`,
      timings: { retryBaseMs: 10, retryMaxMs: 20, settleBackstopMs: 100 },
      // A short lease: the broken send's claim is free again quickly.
      team: { deskName: 'Anna', pollMs: 20, heartbeatMs: 100, leaseMs: 300 },
    });
    engines.push(engine);
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
