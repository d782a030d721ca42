/**
 * Per-desk send latency in the team's charts, on SQLite and on a real PostgreSQL: two desks send,
 * each publishes its send latency per 10-second interval to the team database, and a third desk's
 * `metrics:snapshot` shows both desks' latency (counts adding up to what each sent), from a few
 * small rows: one per desk and interval, not one per document.
 */
import { describe, expect, it } from 'vitest';
import { useTeamBackends } from '../helpers/team-backends';
import { sendAll, useTeamDesks } from '../helpers/team-desks';

const { desk, sandbox, tempDir } = useTeamDesks({ timings: { pollInitialMs: 600_000 } });
const BACKENDS = useTeamBackends('team-latency', tempDir, 'latency');

describe.each(BACKENDS)('per-desk latency on the $name team store', (backend) => {
  it.skipIf(backend.skip)(
    "every desk's charts show every desk's send latency",
    async () => {
      const address = await backend.newAddress();
      const ap = await sandbox({ latencyMs: 20 });
      // One desk at a time, so which desk sends which document is certain; each publishes its
      // latency when it stops (and every 10 s while it runs).
      const anna = await desk(address, ap, 'Anna');
      await sendAll(anna, 7, 'ANNA');
      await anna.stop();
      const ben = await desk(address, ap, 'Ben');
      await sendAll(ben, 5, 'BEN');
      await ben.stop();

      const viewer = await desk(address, ap, 'Viewer');
      const snapshot = await viewer.handlers['metrics:snapshot'](undefined);
      const latency = snapshot.team!.sendLatency!;
      expect(latency.map((d) => d.name)).toEqual(['Anna', 'Ben']);
      const sent = Object.fromEntries(
        latency.map((d) => [d.name, d.points.reduce((n, p) => n + p.count, 0)]),
      );
      expect(sent).toEqual({ Anna: 7, Ben: 5 });
      for (const d of latency) {
        for (const p of d.points) {
          // The sandbox answers after 20 ms: no send is faster.
          expect(p.p50).toBeGreaterThanOrEqual(20);
          expect(p.p95).toBeGreaterThanOrEqual(p.p50);
          expect(p.p99).toBeGreaterThanOrEqual(p.p95);
          expect(p.t).toBeGreaterThanOrEqual(snapshot.team!.from - 10_000);
          expect(p.t).toBeLessThanOrEqual(Date.now() + 1000);
        }
      }
      // One row per desk and interval, never per document.
      const rows = await backend.raw(address, 'SELECT desk FROM team_desk_latency');
      const points = latency.reduce((n, d) => n + d.points.length, 0);
      expect(rows).toHaveLength(points);
      expect(rows.length).toBeLessThan(12);
      // The viewer itself sent nothing: it has no latency of its own to show.
      expect(snapshot.latency.send.count).toBe(0);
    },
    60_000,
  );
});
