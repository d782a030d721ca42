import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startPostgres } from '../helpers/postgres.mjs';
import { skipWithoutPostgres } from '../helpers/team-backends';

// Under CI a missing PostgreSQL fails; elsewhere the file skips, saying why.
const skip = skipWithoutPostgres('team-store-postgres-helper');

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

      // A crash (immediate stop) keeps committed data: recovery replays the WAL.
      const writer = new pg.Client({ connectionString: cluster.url });
      await writer.connect();
      await writer.query('CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
      await writer.end();
      await cluster.restart({ mode: 'immediate' });
      const reader = new pg.Client({ connectionString: cluster.url });
      await reader.connect();
      expect((await reader.query('SELECT n FROM kept')).rows).toEqual([{ n: 42 }]);
      await reader.end();
    } finally {
      await cluster.stop();
    }
    expect(existsSync(cluster.dir)).toBe(false);
    await cluster.stop();
    await expect(selectOne(cluster.url)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe.skipIf(skip)('startPostgres: clusters left running', () => {
  it('are stopped and removed when the process exits', async () => {
    const helper = new URL('../helpers/postgres.mjs', import.meta.url).href;
    const script = `import(${JSON.stringify(helper)}).then(async (m) => {
      const c = await m.startPostgres();
      process.stdout.write(JSON.stringify({ dir: c.dir, url: c.url }));
      process.exit(0);
    });`;
    const out = execFileSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const { dir, url } = JSON.parse(out) as { dir: string; url: string };
    expect(url).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    expect(existsSync(dir)).toBe(false);
    await expect(selectOne(url)).rejects.toThrow(/ECONNREFUSED/);
  });
});
