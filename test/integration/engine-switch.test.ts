/**
 * The engine a host holds (app/host/engine-switch.ts): the local outbox, or a team outbox whose
 * URL is kept like the API key; joining checks the database first and says plainly why it
 * cannot be used; listeners keep hearing events across a switch; leaving goes back to the local
 * outbox with its own documents. On the SQLite team store and on a real PostgreSQL.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConnectionStatus, Events } from '../../app/contract';
import { invokeHandler } from '../../app/errors';
import { openEngineSwitch, type EngineSwitch } from '../../app/host/engine-switch';
import { keyFileSecretStore, TEAM_STORE_FILE_NAME } from '../../app/secrets/key-file';
import { TeamSpool } from '../../app/team/spool';
import { makeInvoices } from '../helpers/invoices';
import {
  hasPostgres,
  MISSING_POSTGRES,
  startPostgres,
  type PostgresCluster,
} from '../helpers/postgres.mjs';
import { useTempDirs } from '../helpers/temp';

const tempDir = useTempDirs();
const running: EngineSwitch[] = [];
afterEach(async () => {
  for (const e of running.splice(0)) await e.stop();
});

async function openSwitch(dataDir: string, deskName = 'desk-a'): Promise<EngineSwitch> {
  const engine = await openEngineSwitch({
    dataDir,
    secrets: keyFileSecretStore(dataDir),
    host: 'browser',
    coalesceMs: 20,
    team: { deskName, heartbeatMs: 200, pollMs: 50 },
  });
  running.push(engine);
  return engine;
}

/** Add `n` invoices and wait until each is settled; returns their ids. */
async function addAndSettle(engine: EngineSwitch, n: number, prefix: string): Promise<number[]> {
  const { added, rejected } = await engine.handlers['documents:add']({
    files: makeInvoices(n, prefix),
  });
  expect(rejected).toEqual([]);
  expect(added).toHaveLength(n);
  const ids = added.map((a) => a.id);
  await engine.waitUntilSettled(ids);
  return ids;
}

/** Every file in the folder whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((p) => readFileSync(p).includes(Buffer.from(needle)));
}

describe('engine switch on the SQLite team store', () => {
  it('joins a team, sends there, keeps listeners across both switches and leaves back to the local outbox', async () => {
    const dataDir = tempDir();
    const teamFile = join(tempDir(), 'team.sqlite');
    const engine = await openSwitch(dataDir);
    expect(engine.teamLabel).toBeNull();
    expect((await engine.handlers['settings:get'](undefined)).teamStore).toBeNull();

    // A document in this computer's own outbox, before joining.
    const [localId] = await addAndSettle(engine, 1, 'LOCAL');
    const statuses: ConnectionStatus[] = [];
    const changes: Events['documents:changed'][] = [];
    engine.on('connection:changed', (s) => statuses.push(s));
    engine.on('documents:changed', (c) => changes.push(c));

    const joined = await engine.handlers['settings:set']({ teamStore: `sqlite:${teamFile}` });
    expect(joined.teamStore).toEqual({ label: teamFile });
    expect(engine.teamLabel).toBe(teamFile);
    // The switch is announced: the status now names the team.
    expect(statuses.at(-1)?.team).toMatchObject({ label: teamFile, deskName: 'desk-a' });
    const status = await engine.handlers['connection:get'](undefined);
    expect(status.team?.reachable).toBe(true);

    // The team's queue is empty (the local document is not in it); documents sent there.
    const before = changes.length;
    const teamIds = await addAndSettle(engine, 3, 'TEAM');
    const teamList = await engine.handlers['documents:list']({ limit: 10 });
    expect(teamList.total).toBe(3);
    expect(teamList.rows.map((r) => r.state)).toEqual(['accepted', 'accepted', 'accepted']);
    // Listeners registered before the switch hear the team engine's events.
    expect(changes.slice(before).some((c) => c.ids.some((id) => teamIds.includes(id)))).toBe(true);
    const detail = await engine.handlers['documents:get']({ id: teamIds[0]! });
    expect(detail.timeline.map((t) => t.desk)).toContain('desk-a');

    // Leave: back to the local outbox, which still has its own document.
    const left = await engine.handlers['settings:set']({ teamStore: null });
    expect(left.teamStore).toBeNull();
    expect(statuses.at(-1)?.team).toBeUndefined();
    const local = await engine.handlers['documents:list']({ limit: 10 });
    expect(local.rows.map((r) => r.id)).toEqual([localId]);
    expect(readdirSync(dataDir)).not.toContain(TEAM_STORE_FILE_NAME);
  });

  it('two desks joining one team see each other online and the same queue', async () => {
    const teamStore = `sqlite:${join(tempDir(), 'team.sqlite')}`;
    const a = await openSwitch(tempDir(), 'desk-a');
    const b = await openSwitch(tempDir(), 'desk-b');
    await a.handlers['settings:set']({ teamStore });
    await b.handlers['settings:set']({ teamStore });
    await vi.waitFor(
      async () => {
        expect((await a.handlers['connection:get'](undefined)).team?.desksOnline).toBe(2);
      },
      { timeout: 10_000, interval: 50 },
    );
    const [id] = await addAndSettle(a, 1, 'SHARED');
    const onB = await b.handlers['documents:list']({ limit: 10 });
    expect(onB.rows.map((r) => [r.id, r.state])).toEqual([[id, 'accepted']]);
  });

  it('opens the team outbox the secret store keeps at the next start', async () => {
    const dataDir = tempDir();
    const teamFile = join(tempDir(), 'team.sqlite');
    const first = await openSwitch(dataDir);
    await first.handlers['settings:set']({ teamStore: `sqlite:${teamFile}` });
    await first.stop();
    running.splice(running.indexOf(first), 1);

    const again = await openSwitch(dataDir);
    expect(again.teamLabel).toBe(teamFile);
    expect((await again.handlers['connection:get'](undefined)).team?.label).toBe(teamFile);
  });

  it('uses a team outbox given on the command line as given: the page cannot change it', async () => {
    const dataDir = tempDir();
    const teamFile = join(tempDir(), 'team.sqlite');
    const engine = await openEngineSwitch({
      dataDir,
      secrets: keyFileSecretStore(dataDir),
      host: 'browser',
      store: `sqlite:${teamFile}`,
    });
    running.push(engine);
    expect((await engine.handlers['settings:get'](undefined)).teamStore).toEqual({
      label: teamFile,
    });
    await expect(
      Promise.resolve(engine.handlers['settings:set']({ teamStore: null })),
    ).rejects.toThrow(/started on the team outbox given on the command line/);
    expect(engine.teamLabel).toBe(teamFile);
    // Nothing was kept: the next start without --store is this computer's own outbox.
    expect(readdirSync(dataDir)).not.toContain(TEAM_STORE_FILE_NAME);
  });

  it('refuses to join while invoices are on their way in its own outbox, saying why; joins once they are sent', async () => {
    // A walk: two queued invoices (paused) were frozen, unsent and not shown, while on the team.
    const engine = await openSwitch(tempDir());
    await engine.handlers['queue:pause'](undefined);
    const { added } = await engine.handlers['documents:add']({ files: makeInvoices(2, 'WAIT') });
    const ids = added.map((a) => a.id);
    const teamStore = `sqlite:${join(tempDir(), 'team.sqlite')}`;
    const res = await invokeHandler(engine.handlers, 'settings:set', { teamStore });
    expect(!res.ok && res.error.code).toBe('LOCAL_OUTBOX_BUSY');
    expect(!res.ok && res.error.message).toMatch(
      /^2 invoices are still on their way in this computer's own outbox: on the team they would wait, unsent and not shown, until you leave it\. /,
    );
    expect(engine.teamLabel).toBeNull();
    await engine.handlers['queue:resume'](undefined);
    await engine.waitUntilSettled(ids, { includeAccepted: true });
    await engine.handlers['settings:set']({ teamStore });
    expect(engine.teamLabel).not.toBeNull();
  });

  it('refuses to leave while files added during an outage wait in the spool, saying why; leaves once they are gone', async () => {
    // A walk: "3 added" while the database was down, then Leave team: in neither outbox, never sent.
    const dataDir = tempDir();
    const teamStore = `sqlite:${join(tempDir(), 'team.sqlite')}`;
    const engine = await openSwitch(dataDir);
    await engine.handlers['settings:set']({ teamStore });
    expect(engine.teamLabel).not.toBeNull();
    // As the desk keeps a file while the database cannot be reached.
    const spool = new TeamSpool(dataDir);
    const kept = spool.addFile('kept.xml', makeInvoices(1, 'KEPT')[0]!.bytes);
    const res = await invokeHandler(engine.handlers, 'settings:set', { teamStore: null });
    expect(res.ok).toBe(false);
    expect(!res.ok && res.error.code).toBe('TEAM_SPOOL_WAITING');
    expect(!res.ok && res.error.message).toMatch(
      /^This desk still keeps 1 invoice added while the team database could not be reached: they go to the team as soon as it answers\. Leave the team once they have been handed over/,
    );
    expect(engine.teamLabel).not.toBeNull();
    spool.handedOver([{ spoolId: kept, docId: 1 }]);
    spool.close();
    await engine.handlers['settings:set']({ teamStore: null });
    expect(engine.teamLabel).toBeNull();
  });

  it('refuses an address that is not a team database, saying what it must look like, and stays local', async () => {
    const engine = await openSwitch(tempDir());
    await expect(
      engine.handlers['settings:set']({ teamStore: 'https://example.invalid/db' }),
    ).rejects.toThrow(/It must look like postgresql:\/\/user@host:5432\/database/);
    await expect(engine.handlers['settings:set']({ teamStore: '   ' })).rejects.toThrow(
      /Type the team database address/,
    );
    expect(engine.teamLabel).toBeNull();
    expect((await engine.handlers['connection:get'](undefined)).team).toBeUndefined();
  });
});

const skipPostgres = !hasPostgres() && process.env.CI !== 'true';
if (skipPostgres) console.warn(`engine-switch (postgresql): skipped. ${MISSING_POSTGRES}`);

describe.skipIf(skipPostgres)('engine switch on PostgreSQL', () => {
  let cluster: PostgresCluster;
  let dbNumber = 0;
  let http: Server;
  beforeAll(async () => {
    cluster = await startPostgres();
    // A role with a password, checked by scram on loopback (the rest stays trust).
    await rawPg(cluster.url, `CREATE ROLE clerk LOGIN PASSWORD 's3cret-Pw'`);
    await rawPg(cluster.url, `CREATE DATABASE clerks OWNER clerk`);
    const hba = join(cluster.dir, 'data', 'pg_hba.conf');
    writeFileSync(hba, `host all clerk 127.0.0.1/32 scram-sha-256\n${readFileSync(hba, 'utf8')}`);
    await rawPg(cluster.url, 'SELECT pg_reload_conf()');
    http = createServer((_req, res) => res.end('hello')).listen(0, '127.0.0.1');
  }, 60_000);
  afterAll(async () => {
    http?.close();
    await cluster?.stop();
  });

  const newDatabase = async () => {
    const name = `switch_${++dbNumber}`;
    await rawPg(cluster.url, `CREATE DATABASE ${name}`);
    return cluster.url.replace(/\/postgres$/, `/${name}`);
  };

  it('joins the team database, shows the desks online and sends there; the URL stays out of the database and the screen', async () => {
    const dataDir = tempDir();
    const engine = await openSwitch(dataDir);
    const url = `postgresql://clerk:s3cret-Pw@127.0.0.1:${cluster.port}/clerks`;
    const settings = await engine.handlers['settings:set']({ teamStore: url });
    expect(settings.teamStore).toEqual({ label: `clerk@127.0.0.1:${cluster.port}/clerks` });
    expect(JSON.stringify(settings)).not.toContain('s3cret-Pw');
    const status = await engine.handlers['connection:get'](undefined);
    expect(status.team).toMatchObject({ reachable: true, deskName: 'desk-a' });
    expect(status.team!.desksOnline).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(status)).not.toContain('s3cret-Pw');

    const ids = await addAndSettle(engine, 2, 'PG');
    const { rows } = await engine.handlers['documents:list']({ limit: 10 });
    expect(rows.map((r) => [r.id, r.state])).toEqual(
      [...ids].reverse().map((id) => [id, 'accepted']),
    );
    // Kept only in the user-only secret file; nowhere in the data folder's databases.
    expect(filesContaining(dataDir, 's3cret-Pw')).toEqual([join(dataDir, TEAM_STORE_FILE_NAME)]);
    const inDb = await rawPg(
      url,
      `SELECT count(*)::int AS n FROM team_desks WHERE name = 'desk-a'`,
    );
    expect(inDb[0]?.n).toBe(1);
  });

  it.each([
    [
      'a wrong password',
      () => `postgresql://clerk:wrong@127.0.0.1:${cluster.port}/clerks`,
      /user name or password was refused/,
    ],
    [
      'a database that does not exist',
      () => `postgresql://postgres@127.0.0.1:${cluster.port}/nothing_here`,
      /no such database/,
    ],
    [
      'a port where nothing listens',
      () => `postgresql://clerk:wrong@127.0.0.1:${freePortAfterClose()}/clerks`,
      /connection refused/,
    ],
    [
      'a server that is not PostgreSQL',
      () => `postgresql://clerk:wrong@127.0.0.1:${(http.address() as AddressInfo).port}/clerks`,
      /does not answer like a PostgreSQL database/,
    ],
  ])(
    'refuses %s with a plain error, keeps nothing and stays local',
    async (_what, url, words) => {
      const dataDir = tempDir();
      const engine = await openSwitch(dataDir);
      const [localId] = await addAndSettle(engine, 1, 'STAY');
      const error = await Promise.resolve(
        engine.handlers['settings:set']({ teamStore: url() }),
      ).then(
        () => null,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(/^Could not connect to the team database at /);
      expect(error?.message).toMatch(words);
      expect(error?.message).not.toContain('wrong');
      expect(engine.teamLabel).toBeNull();
      expect(readdirSync(dataDir)).not.toContain(TEAM_STORE_FILE_NAME);
      const { rows } = await engine.handlers['documents:list']({ limit: 10 });
      expect(rows.map((r) => r.id)).toEqual([localId]);
    },
    30_000,
  );

  it('while the team database is away, requests answer its plain message (not "something went wrong")', async () => {
    const engine = await openSwitch(tempDir());
    await engine.handlers['settings:set']({ teamStore: await newDatabase() });
    const restarted = cluster.restart({ downMs: 3000 });
    try {
      // Bounded: the server stops within a second or two of the call.
      let answer: Awaited<ReturnType<typeof invokeHandler>> | null = null;
      for (let i = 0; i < 200; i++) {
        answer = await invokeHandler(engine.handlers, 'documents:list', { limit: 1 });
        if (!answer.ok) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(answer?.ok).toBe(false);
      const error = (answer as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('TEAM_STORE_UNAVAILABLE');
      expect(error.message).toMatch(
        /^The team database at postgres@127\.0\.0\.1:\d+\/switch_\d+ cannot be reached/,
      );
    } finally {
      await restarted;
    }
  }, 30_000);

  it('a desk on a fresh database migrates it when it joins', async () => {
    const engine = await openSwitch(tempDir());
    const url = await newDatabase();
    await engine.handlers['settings:set']({ teamStore: url });
    const tables = await rawPg(
      url,
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'team_desks'`,
    );
    expect(tables[0]?.n).toBe(1);
  });
});

/** A loopback port that was free a moment ago (nothing listens on it now). */
function freePortAfterClose(): number {
  const out = execFileSync(
    process.execPath,
    [
      '-e',
      `const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})`,
    ],
    { encoding: 'utf8' },
  );
  return Number(out.trim());
}

async function rawPg(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await c.end();
  }
}
