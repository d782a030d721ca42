import { describe, expect, it } from 'vitest';
import type { TeamAcceptedSeries } from '../../app/team/store';
import { TeamMetricsReader } from '../../app/team/team-metrics';

/** A store whose clock is `db` ms and whose answers are the accepted events it holds. */
function fakeStore(events: { desk: string; at: number }[]) {
  const calls: number[] = [];
  const store = {
    db: 1_700_000_000_000,
    down: false,
    calls,
    async acceptedPerSecond(withinMs: number): Promise<TeamAcceptedSeries> {
      calls.push(withinMs);
      if (store.down) throw new Error('connection refused');
      const per = new Map<string, { desk: string; name: string; t: number; accepted: number }>();
      for (const e of events) {
        if (e.at < store.db - withinMs) continue;
        const t = Math.floor(e.at / 1000) * 1000;
        const b = per.get(`${e.desk}${t}`) ?? {
          desk: e.desk,
          name: e.desk.toUpperCase(),
          t,
          accepted: 0,
        };
        b.accepted++;
        per.set(`${e.desk}${t}`, b);
      }
      return { now: store.db, buckets: [...per.values()] };
    },
  };
  return store;
}

const sum = (r: TeamMetricsReader, seconds = 3600) =>
  Object.fromEntries(
    r
      .snapshot(seconds)
      .desks.map((d) => [d.name, d.throughput.reduce((n, p) => n + p.accepted, 0)]),
  );

describe('TeamMetricsReader', () => {
  it('reads the hour first, then only the seconds since (with overlap), at most every 5 s', async () => {
    const events: { desk: string; at: number }[] = [];
    const store = fakeStore(events);
    // This machine's clock is 2 s behind the database's.
    let local = store.db - 2000;
    const reader = new TeamMetricsReader(store, () => local);
    events.push({ desk: 'a', at: store.db - 3_000_000 }, { desk: 'b', at: store.db - 1000 });
    await reader.refresh();
    expect(store.calls).toEqual([3_600_000]);
    expect(sum(reader)).toEqual({ A: 1, B: 1 });
    // Shown on this machine's clock.
    const b = reader.snapshot(3600).desks.find((d) => d.id === 'b')!;
    expect(b.throughput[0]!.t).toBe(Math.floor((store.db - 1000) / 1000) * 1000 - 2000);

    // Within 5 s: no query.
    local += 4000;
    store.db += 4000;
    await reader.refresh();
    expect(store.calls).toHaveLength(1);

    // Later: a short range; a second read twice is not counted twice.
    local += 2000;
    store.db += 2000;
    events.push({ desk: 'a', at: store.db - 500 }, { desk: 'a', at: store.db - 400 });
    await reader.refresh();
    expect(store.calls[1]).toBe(6000 + 15_000);
    expect(sum(reader)).toEqual({ A: 3, B: 1 });
    local += 6000;
    store.db += 6000;
    await reader.refresh();
    expect(sum(reader)).toEqual({ A: 3, B: 1 });
    // The 10-minute view leaves out desk a's acceptance of 50 minutes ago.
    expect(sum(reader, 600)).toEqual({ A: 2, B: 1 });
  });

  it('keeps its figures when the team database cannot be reached, and drops those over an hour old', async () => {
    const store = fakeStore([{ desk: 'a', at: 1_700_000_000_000 - 1000 }]);
    let local = store.db;
    const reader = new TeamMetricsReader(store, () => local);
    await reader.refresh();
    store.down = true;
    local += 10_000;
    store.db += 10_000;
    await expect(reader.refresh()).resolves.toBeUndefined();
    expect(sum(reader)).toEqual({ A: 1 });
    store.down = false;
    local += 3_600_000;
    store.db += 3_600_000;
    await reader.refresh();
    expect(reader.snapshot(3600).desks).toEqual([]);
  });
});
