import { describe, expect, it } from 'vitest';
import { distFile } from '../helpers/dist';
import { runTeamCrashHarness } from '../team/harness.mjs';
import { skipWithoutPostgres } from '../helpers/team-backends';

// Under CI a missing PostgreSQL fails; elsewhere the file skips, saying why.
const skip = skipWithoutPostgres('team-crash');

describe.skipIf(skip)(
  'team crash harness (small; `npm run test:team-crash` runs 5,000 invoices and 30 kills)',
  () => {
    it('three desks through 30 SIGKILLs, a SIGSTOP past the lease and a PostgreSQL restart: every invoice accepted exactly once, every document final', async () => {
      distFile('cli.cjs');
      distFile('sandbox.cjs');
      const lines: string[] = [];
      const documents = 400;
      const kills = 30;
      const figures = await runTeamCrashHarness({
        documents,
        kills,
        seed: 20261202,
        // Slow enough answers and few requests at a time that a kill often lands with claims out.
        latencyMs: 50,
        leaseMs: 2000,
        minKillGapMs: 100,
        maxKillGapMs: 600,
        aimedKillShare: 0.5,
        cliArgs: ['--concurrency', '2'],
        deadlineMs: 200_000,
        log: (l: string) => lines.push(l),
      });
      console.log(lines.join('\n'));
      if (!figures.ok) console.log(JSON.stringify(figures, null, 2));
      expect(figures.deadlineHit).toBe(false);
      // No desk ended by an error of its own (a PostgreSQL restart must not crash one).
      expect(figures.failedExits).toEqual([]);
      expect(figures.kills).toBeGreaterThanOrEqual(kills);
      // Some kills left claims behind: the case that matters for exactly-once.
      expect(figures.killsWhileClaiming).toBeGreaterThanOrEqual(1);
      // The suspended desk held claims and lost them to the others while it slept.
      expect(figures.stop?.heldWhenStopped).toBeGreaterThan(0);
      expect(figures.stop?.heldAfterLease).toBe(0);
      expect(figures.postgresRestart).not.toBeNull();
      // The sandbox's own records: each invoice once, under the key its bytes give.
      expect(figures.acceptance.acceptedOnce).toBe(documents);
      expect(figures.acceptance.acceptedMoreThanOnce).toBe(0);
      expect(figures.acceptance.neverAccepted).toBe(0);
      expect(figures.acceptance.wrongKey).toBe(0);
      expect(figures.sandbox.duplicateContentAccepts).toBe(0);
      // Every document a killed desk left in `sending` was claimed again in doubt.
      expect(figures.documentsOrphanedByKills).toBeGreaterThanOrEqual(1);
      expect(figures.orphanedNotClaimedInDoubt).toBe(0);
      expect(figures.teamRows).toBe(documents);
      expect(figures.notFinal).toBe(0);
      expect(figures.desksStillRunning).toBe(0);
      expect(figures.perDesk.every((d) => d.finished)).toBe(true);
      expect(figures.ok).toBe(true);
    }, 240_000);
  },
);
