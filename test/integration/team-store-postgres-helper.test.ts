import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { hasPostgres, MISSING_POSTGRES, startPostgres } from '../helpers/postgres.mjs';

// Under CI a missing PostgreSQL fails (startPostgres throws); elsewhere the file skips, saying why.
const skip = !hasPostgres() && process.env.CI !== 'true';
if (skip) console.warn(`team-store-postgres-helper: skipped. ${MISSING_POSTGRES}`);

async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ n: number }>('SELECT 1::int AS n');
    return r.rows[0]!.n;
  } finally {
    await client.end();
  }
}

describe.skipIf(skip)('startPostgres: a throwaway cluster for tests', () => {
  it('starts on a loopback port, survives a restart, and stop removes it (twice is fine)', async () => {
    const cluster = await startPostgres();
    try {
      expect(cluster.url).toBe(`postgresql://postgres@127.0.0.1:${cluster.port}/postgres`);
      expect(existsSync(cluster.dir)).toBe(true);
      expect(await selectOne(cluster.url)).toBe(1);

      // The Unix socket works too.
      const viaSocket = new pg.Client({ host: cluster.host, port: cluster.port, user: 'postgres' });
      await viaSocket.connect();
      await viaSocket.end();

      // A connection open across a restart is cut; a new one works.
      const held = new pg.Client({ connectionString: cluster.url });
      held.on('error', () => {});
      await held.connect();
      await cluster.restart({ downMs: 50 });
      await expect(held.query('SELECT 1')).rejects.toThrow();
      expect(await selectOne(cluster.url)).toBe(1);
    } finally {
      await cluster.stop();
    }
    expect(existsSync(cluster.dir)).toBe(false);
    await cluster.stop();
    await expect(selectOne(cluster.url)).rejects.toThrow(/ECONNREFUSED/);
  });
});
