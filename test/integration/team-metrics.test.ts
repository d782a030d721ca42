/**
 * The team's charts on a team outbox: two desks on one SQLite team store send to one sandbox,
 * and `metrics:snapshot` / `metrics:tick` name both desks with what each had accepted.
 */
import { describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../app/contract';
import { sendAll, useTeamDesks } from '../helpers/team-desks';
import { waitFor } from '../helpers/wait';

const { desk, sandbox, sqliteStore } = useTeamDesks();

/** Documents accepted per desk name in a snapshot's team figures. */
function totals(s: MetricsSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of s.team?.desks ?? []) {
    out[d.name] = d.throughput.reduce((n, p) => n + p.accepted, 0);
  }
  return out;
}

describe('team charts', () => {
  it('name both desks with what each sent, in the snapshot and in the ticks', async () => {
    const store = sqliteStore();
    const ap = await sandbox();
    // One desk at a time, so which desk sends which document is certain.
    const anna = await desk(store, ap, 'Anna');
    await sendAll(anna, 7, 'ANNA');
    await anna.stop();
    const ben = await desk(store, ap, 'Ben');
    await sendAll(ben, 5, 'BEN');
    expect(ap.stats().acceptedDocuments).toBe(12);

    const snapshot = await ben.handlers['metrics:snapshot'](undefined);
    expect(totals(snapshot)).toEqual({ Anna: 7, Ben: 5 });
    expect(snapshot.team!.desks.map((d) => d.name)).toEqual(['Anna', 'Ben']);
    expect(snapshot.team!.from).toBeLessThanOrEqual(snapshot.at - 3_599_000);
    for (const d of snapshot.team!.desks) {
      for (const p of d.throughput) {
        expect(p.t).toBeGreaterThanOrEqual(snapshot.team!.from);
        expect(p.t).toBeLessThanOrEqual(Date.now() + 1000);
      }
    }
    // This desk's own series still counts this desk only.
    expect(snapshot.throughput.reduce((n, p) => n + p.accepted, 0)).toBe(5);

    // The ticks carry the same team figures (the last 10 minutes).
    const ticks: MetricsSnapshot[] = [];
    const off = ben.on('metrics:tick', (s) => ticks.push(s));
    await waitFor('a metrics tick', () => ticks.length >= 1, 5000);
    off();
    expect(totals(ticks[0]!)).toEqual({ Anna: 7, Ben: 5 });
    expect(ticks[0]!.team!.from).toBeGreaterThan(ticks[0]!.at - 601_000);
  });
});
