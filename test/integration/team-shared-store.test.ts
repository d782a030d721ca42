/**
 * The team store's shared part (TeamStore.shared) on SQLite and on a real PostgreSQL: lookup
 * answers live as long as the database's clock says, verdicts are kept per cache key, each
 * desk's latency rows are replaced per interval and pruned by age; many keys in one call.
 */
import { describe, expect, it } from 'vitest';
import { useTeamBackends, useTeamStores, type TeamBackend } from '../helpers/team-backends';
import { useTempDirs } from '../helpers/temp';

const BACKENDS = useTeamBackends('team-shared-store', useTempDirs(), 'shared');

/** The database's clock in SQL, per dialect. */
const nowSql = (b: TeamBackend) =>
  b.name === 'sqlite' ? `CAST(unixepoch('subsec') * 1000 AS INTEGER)` : 'team_now_ms()';
const p = (b: TeamBackend, n: number) => (b.name === 'sqlite' ? '?' : `$${n}`);

const answer = (id: string, found: boolean) =>
  JSON.stringify({
    found,
    participantId: id,
    name: found ? 'Buyer' : null,
    capabilities: null,
    raw: null,
  });

describe.each(BACKENDS)('the $name team store shares caches and latency', (backend) => {
  const stores = useTeamStores(backend);

  it.skipIf(backend.skip)(
    'lookup answers: many in one call, per access point, dated and expired by the database clock',
    async () => {
      const store = await stores.fresh();
      const address = stores.address;
      const ids = Array.from({ length: 300 }, (_, i) => `0208:${String(i).padStart(10, '0')}`);
      await store.shared.putLookups(
        'ap-1',
        ids.map((id, i) => ({
          participantId: id,
          found: i % 2 === 0,
          answerJson: answer(id, i % 2 === 0),
          ttlMs: i % 2 === 0 ? 3_600_000 : 300_000,
        })),
      );
      const hits = await store.shared.lookups('ap-1', [...ids, '0208:unknown']);
      expect(hits.size).toBe(300);
      const first = hits.get(ids[0]!)!;
      expect(JSON.parse(first.answerJson)).toMatchObject({ found: true, participantId: ids[0] });
      expect(first.remainingMs).toBeGreaterThan(3_500_000);
      expect(first.remainingMs).toBeLessThanOrEqual(3_600_000);
      expect(hits.get(ids[1]!)!.remainingMs).toBeLessThanOrEqual(300_000);
      // Another access point's answers are its own.
      expect((await store.shared.lookups('ap-2', ids)).size).toBe(0);
      // The store dated them: the time to live asked for, on the database's clock.
      const rows = await backend.raw(
        address,
        `SELECT participant_id, expires_at - fetched_at AS ttl, found FROM team_lookup_cache
         WHERE participant_id IN (${p(backend, 1)}, ${p(backend, 2)}) ORDER BY participant_id`,
        [ids[0], ids[1]],
      );
      expect(rows.map((r) => Number(r.ttl))).toEqual([3_600_000, 300_000]);
      // Expired by the database's clock (one millisecond ago): no longer an answer.
      await backend.raw(
        address,
        `UPDATE team_lookup_cache SET expires_at = ${nowSql(backend)} - 1
         WHERE participant_id = ${p(backend, 1)}`,
        [ids[1]],
      );
      const after = await store.shared.lookups('ap-1', [ids[0]!, ids[1]!]);
      expect([...after.keys()]).toEqual([ids[0]]);
      // A new answer replaces the old one, and the next write prunes the expired ones.
      await store.shared.putLookups('ap-1', [
        { participantId: ids[0]!, found: false, answerJson: answer(ids[0]!, false), ttlMs: 1000 },
      ]);
      expect(
        JSON.parse((await store.shared.lookups('ap-1', [ids[0]!])).get(ids[0]!)!.answerJson),
      ).toMatchObject({ found: false });
      const left = await backend.raw(
        address,
        `SELECT COUNT(*) AS n FROM team_lookup_cache WHERE participant_id = ${p(backend, 1)}`,
        [ids[1]],
      );
      expect(Number(left[0]!.n)).toBe(0);
    },
  );

  it.skipIf(backend.skip)('verdicts: many in one call, per cache key', async () => {
    const store = await stores.fresh();
    const shas = Array.from({ length: 200 }, (_, i) => i.toString(16).padStart(64, '0'));
    await store.shared.putVerdicts(
      'rules-1',
      shas.map((s) => ({
        sha256: s,
        json: JSON.stringify({ verdict: { valid: true }, summary: { n: s } }),
      })),
    );
    const hits = await store.shared.verdicts('rules-1', [...shas, 'f'.repeat(64)]);
    expect(hits.size).toBe(200);
    expect(JSON.parse(hits.get(shas[7]!)!)).toEqual({
      verdict: { valid: true },
      summary: { n: shas[7] },
    });
    // A new rules revision does not see the old verdicts.
    expect((await store.shared.verdicts('rules-2', shas)).size).toBe(0);
  });

  it.skipIf(backend.skip)(
    'desk latency: one row per desk and interval, replaced when published again, pruned by age',
    async () => {
      const store = await stores.fresh();
      const address = stores.address;
      await store.heartbeat({ id: 'desk-a', name: 'Anna', host: 'pc-1' });
      const row = (interval: number, count: number) => ({
        interval,
        ageMs: 20_000 - (interval - 1_000_000),
        count,
        p50: 50.5,
        p95: 80.25,
        p99: 99,
      });
      await store.shared.publishLatency('desk-a', [row(1_000_000, 3), row(1_010_000, 4)]);
      await store.shared.publishLatency('desk-a', [row(1_010_000, 9)]);
      await store.shared.publishLatency('desk-b', [row(1_000_000, 1)]);
      const series = await store.shared.latency(60_000);
      expect(series.rows.map((r) => [r.name, r.interval, r.count])).toEqual(
        expect.arrayContaining([
          ['Anna', 1_000_000, 3],
          ['Anna', 1_010_000, 9],
          ['desk-b', 1_000_000, 1],
        ]),
      );
      expect(series.rows).toHaveLength(3);
      const anna = series.rows.find((r) => r.name === 'Anna' && r.interval === 1_000_000)!;
      expect(anna).toMatchObject({ p50: 50.5, p95: 80.25, p99: 99 });
      // Dated on the database's clock: the interval began its age before the write.
      expect(anna.t).toBeLessThanOrEqual(series.now - 20_000);
      expect(anna.t).toBeGreaterThan(series.now - 60_000);
      // A row not written for over an hour is pruned by the next publish.
      await backend.raw(
        address,
        `UPDATE team_desk_latency SET updated_at = ${nowSql(backend)} - 3700000
         WHERE desk = 'desk-b'`,
      );
      await store.shared.publishLatency('desk-a', [row(1_020_000, 2)]);
      const all = await backend.raw(address, 'SELECT desk, interval_start FROM team_desk_latency');
      expect(all.map((r) => r.desk).sort()).toEqual(['desk-a', 'desk-a', 'desk-a']);
      // Only rows written within the asked span are read.
      await backend.raw(
        address,
        `UPDATE team_desk_latency SET updated_at = ${nowSql(backend)} - 120000
         WHERE interval_start = 1000000`,
      );
      expect((await store.shared.latency(60_000)).rows.map((r) => r.interval).sort()).toEqual([
        1_010_000, 1_020_000,
      ]);
    },
  );
});
