import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain .mjs harness shared with `npm run test:crash`
import { runCrashHarness } from '../crash/harness.mjs';
import { distFile } from '../helpers/dist';

describe('crash harness (small; `npm run test:crash` runs 5,000 invoices and 20 kills)', () => {
  it('accepts every invoice exactly once through repeated SIGKILLs, and leaves every document final', async () => {
    distFile('cli.cjs');
    const lines: string[] = [];
    const figures = await runCrashHarness({
      documents: 400,
      kills: 6,
      seed: 20261125,
      maxKillDelayMs: 400,
      log: (l: string) => lines.push(l),
    });
    console.log(lines.join('\n'));
    expect(figures.kills).toBeGreaterThanOrEqual(3);
    expect(figures.sandboxAccepted).toBe(400);
    expect(figures.duplicateContentAccepts).toBe(0);
    expect(figures.duplicateInvoiceNumbers).toBe(0);
    expect(figures.databaseRows).toBe(400);
    expect(figures.notFinal).toBe(0);
    expect(figures.ok).toBe(true);
  }, 120_000);
});
