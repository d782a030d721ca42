import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain .mjs harness shared with `npm run test:crash`
import { runCrashHarness } from '../crash/harness.mjs';
import { distFile } from '../helpers/dist';

describe('crash harness (small; `npm run test:crash` runs 5,000 invoices and 20 kills)', () => {
  it('accepts every invoice exactly once through repeated SIGKILLs, and leaves every document final', async () => {
    distFile('cli.cjs');
    const lines: string[] = [];
    const kills = 6;
    const figures = await runCrashHarness({
      kills,
      seed: 20261125,
      documents: 300,
      maxKillDelayMs: 300,
      // Half the kills wait for documents in `sending`; single sends, two at a time, 20 ms each,
      // so runs last long enough for a kill to land mid-send.
      aimedKillShare: 0.5,
      latencyMs: 20,
      cliArgs: ['--concurrency', '2', '--batch', 'off'],
      log: (l: string) => lines.push(l),
    });
    console.log(lines.join('\n'));
    expect(figures.kills).toBeGreaterThanOrEqual(kills);
    expect(figures.killsWhileSending).toBeGreaterThanOrEqual(1);
    expect(figures.sandboxAccepted).toBe(300);
    expect(figures.duplicateContentAccepts).toBe(0);
    expect(figures.duplicateInvoiceNumbers).toBe(0);
    expect(figures.databaseRows).toBe(300);
    expect(figures.notFinal).toBe(0);
    expect(figures.ok).toBe(true);
  }, 120_000);
});
