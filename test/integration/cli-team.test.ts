/**
 * The CLI on a team outbox (`--store`, PEPPOL_DESK_STORE): two `send` processes on one store and
 * one sandbox share the queue (each invoice accepted once; each run waits for ITS documents and
 * says which desk sent them), `list` reads the team's queue, and the store's password never
 * appears in what the CLI prints, whether the database answers or not.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { freePort } from '../helpers/free-port';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SandboxHandle } from '../../app/sandbox/server';
import { distFile, spawnCli } from '../helpers/dist';
import { makeInvoice, makeInvoices } from '../helpers/invoices';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.mjs';
import { useSandboxes } from '../helpers/sandboxes';
import { useTeamBackends } from '../helpers/team-backends';
import { useTempDirs } from '../helpers/temp';
import { waitFor } from '../helpers/wait';

const tempDir = useTempDirs();
const sandbox = useSandboxes();
const [SQLITE, POSTGRES] = useTeamBackends('cli-team', tempDir, 'cli');
const skipPostgres = POSTGRES.skip;

const PASSWORD = 's3cret-Team-PW';

/** Run the built CLI with extra environment; the exit code and output, whatever the code. */
function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [distFile('cli.cjs'), ...args],
      { env: { ...process.env, ...env }, timeout: 90_000 },
      (err, stdout, stderr) => {
        const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A new PostgreSQL database; its URL with a password (trust auth ignores it). */
async function newDatabase(): Promise<string> {
  return (await POSTGRES.newAddress()).replace('postgres@', `postgres:${PASSWORD}@`);
}

function folderOf(n: number, prefix: string): string {
  const dir = join(tempDir(), 'in');
  mkdirSync(dir);
  for (const f of makeInvoices(n, prefix)) writeFileSync(join(dir, f.name), f.bytes);
  return dir;
}

const BACKENDS = [
  { name: 'sqlite', skip: false, address: SQLITE.newAddress },
  { name: 'postgresql', skip: skipPostgres, address: newDatabase },
];

describe.each(BACKENDS)('peppol-desk send on a $name team outbox', (backend) => {
  it.skipIf(backend.skip)(
    'two desks sending the same folder: each invoice accepted once, each run ends when its documents are final',
    async () => {
      const store = await backend.address();
      const ap = await sandbox();
      const inbox = folderOf(40, 'CLI-TEAM');
      const run = (name: string) =>
        cli(['send', inbox, '--endpoint', ap.url, '--data-dir', join(tempDir(), name), '--json'], {
          PEPPOL_DESK_STORE: store,
          PEPPOL_DESK_NAME: name,
        });
      const [a, b] = await Promise.all([run('desk-a'), run('desk-b')]);
      for (const r of [a, b]) {
        expect(r.stderr).not.toContain(PASSWORD);
        expect(r.stdout).not.toContain(PASSWORD);
        // Its own words when it did not end well (seen once under load: exit 2, words not kept).
        expect(r.code, r.stderr).toBe(0);
      }
      const sa = JSON.parse(a.stdout.trim().split('\n').pop()!);
      const sb = JSON.parse(b.stdout.trim().split('\n').pop()!);
      expect(sa).toMatchObject({ total: 40, sent: 40, failed: 0 });
      expect(sb).toMatchObject({ total: 40, sent: 40, failed: 0 });
      // What one run says the other desk sent, the other sent itself: together, all 40.
      const byB = (sa.sentByOtherDesks['desk-b'] as number | undefined) ?? 0;
      const byA = (sb.sentByOtherDesks['desk-a'] as number | undefined) ?? 0;
      expect(byA + byB).toBe(40);
      expect(ap.stats().acceptedDocuments).toBe(40);
      expect(ap.stats().duplicateContentAccepts).toBe(0);

      const list = await cli(['list', '--store', store, '--data-dir', join(tempDir(), 'c')]);
      expect(list.code).toBe(0);
      // Every one sent: accepted, or delivered already when a desk polled it before `list` ran
      // (the sandbox delivers a moment after accepting).
      const counted = /^40 document\(s\): (.*)$/m.exec(list.stdout)?.[1] ?? '';
      const parts = counted.split(', ').map((p) => /^(\d+) (.*)$/.exec(p));
      expect(
        parts.every((m) => m && ['accepted by access point', 'delivered'].includes(m[2]!)),
      ).toBe(true);
      expect(parts.reduce((sum, m) => sum + Number(m?.[1] ?? 0), 0)).toBe(40);
      expect(list.stdout + list.stderr).not.toContain(PASSWORD);
    },
    120_000,
  );
});

describe('peppol-desk send on a desk set to another access point than its team', () => {
  it('adds the invoices, says it does not send and that no desk that does is online, and ends', async () => {
    const store = `sqlite:${join(tempDir(), 'team.sqlite')}`;
    const [apA, apB] = [await sandbox(), await sandbox()];
    const run = (folder: string, ap: SandboxHandle, name: string) =>
      cli(['send', folder, '--endpoint', ap.url, '--data-dir', join(tempDir(), name), '--json'], {
        PEPPOL_DESK_STORE: store,
        PEPPOL_DESK_NAME: name,
      });
    // The first desk sets the team's access point.
    const first = await run(folderOf(2, 'AP-FIRST'), apA, 'desk-a');
    expect(first.code).toBe(0);
    const labelA = `${new URL(apA.url).host} (Test)`;
    const inbox = folderOf(3, 'AP-OTHER');
    const other = await run(inbox, apB, 'desk-b');
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(
      `This desk does not send: the team sends through ${labelA}, and this desk is set to ${new URL(apB.url).host} (Test).`,
    );
    expect(other.stderr).toContain(
      `No desk that uses ${labelA} is online now: the invoices wait until one is.`,
    );
    expect(JSON.parse(other.stdout.trim().split('\n').pop()!)).toMatchObject({
      total: 3,
      sent: 0,
      failed: 0,
      waiting: 3,
    });
    expect(apB.stats().acceptedDocuments).toBe(0);
    // Nothing was lost: a desk on the team's access point sends them.
    const again = await run(inbox, apA, 'desk-a');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout.trim().split('\n').pop()!)).toMatchObject({ total: 3, sent: 3 });
    expect(apA.stats().acceptedDocuments).toBe(5);
  }, 120_000);
});

describe.each(BACKENDS)('peppol-desk send --wait-delivery on a $name team outbox', (backend) => {
  it.skipIf(backend.skip)(
    "waits for delivery and the buyer's answers, and counts them",
    async () => {
      const store = await backend.address();
      const ap = await sandbox();
      const inbox = join(tempDir(), 'in');
      mkdirSync(inbox);
      // Five buyers pay, one rejects: each answer is read back through the team's store.
      for (let i = 0; i < 6; i++) {
        const receiver = i === 5 ? '9915:respond-re' : '9915:respond-pd';
        writeFileSync(join(inbox, `w-${i}.xml`), makeInvoice(`CLI-WAIT-${i}`, { receiver }));
      }
      const r = await cli(
        [
          'send',
          inbox,
          '--endpoint',
          ap.url,
          '--data-dir',
          join(tempDir(), 'desk'),
          '--json',
          '--wait-delivery',
          '--wait-response',
          '30',
        ],
        { PEPPOL_DESK_STORE: store, PEPPOL_DESK_NAME: 'desk-w' },
      );
      expect(r.stderr).not.toContain('not available on a team outbox');
      // 1: one buyer rejected.
      expect(r.code).toBe(1);
      const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
      expect(summary).toMatchObject({ total: 6, sent: 5, rejected: 1, failed: 0 });
      expect(r.stderr).toContain('w-5.xml');
      expect(ap.stats().acceptedDocuments).toBe(6);
      const list = await cli(['list', '--store', store, '--data-dir', join(tempDir(), 'c')]);
      expect(list.stdout).toContain('paid');
    },
    120_000,
  );
});

describe.skipIf(skipPostgres)('the team database password', () => {
  it('is never printed: --store gets the process-list note, text output names the label', async () => {
    const store = await newDatabase();
    const ap = await sandbox();
    const inbox = folderOf(2, 'PW');
    const res = await cli([
      'send',
      inbox,
      '--endpoint',
      ap.url,
      '--store',
      store,
      '--data-dir',
      join(tempDir(), 'd'),
    ]);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('the password in --store is visible to other users');
    expect(res.stderr).toMatch(/on the team outbox postgres@127\.0\.0\.1:\d+\/cli_\d+ as desk /);
    expect(res.stdout).toMatch(/^2 sent/m);
    expect(res.stdout + res.stderr).not.toContain(PASSWORD);
  }, 60_000);

  it('is never printed when the database cannot be reached: a plain message instead', async () => {
    const port = await freePort();
    const store = `postgresql://clerk:${PASSWORD}@127.0.0.1:${port}/team`;
    const res = await cli(['list', '--data-dir', join(tempDir(), 'e')], {
      PEPPOL_DESK_STORE: store,
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      `The team database at clerk@127.0.0.1:${port}/team cannot be reached`,
    );
    expect(res.stdout + res.stderr).not.toContain(PASSWORD);
  }, 30_000);
});

/**
 * `send --json` spawned on `inbox` through `apUrl`, the team store in PEPPOL_DESK_STORE: its
 * output as it comes, and its exit code.
 */
function spawnSend(inbox: string, apUrl: string, dataDir: string, store: string) {
  const args = ['send', inbox, '--endpoint', apUrl, '--data-dir', dataDir, '--json'];
  return spawnCli(args, { PEPPOL_DESK_STORE: store });
}

describe.skipIf(skipPostgres)('peppol-desk send while the team database is down', () => {
  it('says so plainly, keeps the files and sends them once the database answers', async () => {
    const port = await freePort();
    const ap = await sandbox();
    const inbox = folderOf(3, 'WAIT');
    const { child, out, exited } = spawnSend(
      inbox,
      ap.url,
      join(tempDir(), 'w'),
      `postgresql://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    );
    let late: PostgresCluster | null = null;
    try {
      await waitFor('the plain message', () => out.stderr.includes('cannot be reached'), 30_000);
      expect(out.stderr).toContain(
        `The team database at postgres@127.0.0.1:${port}/postgres cannot be reached: the invoices of this run are kept in its data folder and handed over when it is back.`,
      );
      late = await startPostgres({ port });
      expect(await exited).toBe(0);
      expect(JSON.parse(out.stdout.trim().split('\n').pop()!)).toMatchObject({ total: 3, sent: 3 });
      expect(ap.stats().acceptedDocuments).toBe(3);
      expect(out.stdout + out.stderr).not.toContain(PASSWORD);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await late?.stop();
    }
  }, 90_000);
});

describe.skipIf(skipPostgres)(
  'peppol-desk send stopped while the team database is down (walk 20)',
  () => {
    it('says where it stopped and that the files wait in the data folder; never that the database answers', async () => {
      const port = await freePort();
      const ap = await sandbox();
      const inbox = folderOf(3, 'STOPD');
      const dataDir = join(tempDir(), 's');
      const { child, out, exited } = spawnSend(
        inbox,
        ap.url,
        dataDir,
        `postgresql://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
      );
      try {
        await waitFor('the plain message', () => out.stderr.includes('cannot be reached'), 30_000);
        // The files read and kept here meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        child.kill('SIGINT');
        expect(await exited).toBe(130);
        expect(out.stderr).not.toContain('answers again');
        expect(out.stderr).toContain(
          `Stopped: 0 of 3 invoice(s) were sent (accepted by the access point); 3 wait in this data folder (${dataDir}) because the team database cannot be reached: they go to the team's queue when a command runs again with it (the same command, watch or the app) and the database answers. Nothing is sent twice.`,
        );
        expect(JSON.parse(out.stdout.trim().split('\n').pop()!)).toEqual({
          interrupted: true,
          total: 3,
          sent: 0,
          onTheirWay: 3,
          needYou: 0,
          notRead: 0,
          keptHere: 3,
        });
        expect(ap.stats().acceptedDocuments).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }, 90_000);
  },
);

describe.skipIf(skipPostgres)(
  'peppol-desk send stopped after the team database went away mid-run (walk 20b)',
  () => {
    it('says it cannot read what went out, where the rest waits, and prints the --json line', async () => {
      const cluster = await startPostgres();
      // Slow answers: the run is still sending when the database goes.
      const ap = await sandbox({ latencyMs: 1_500 });
      const inbox = folderOf(20, 'MIDRUN');
      const dataDir = join(tempDir(), 'm');
      const { child, out, exited } = spawnSend(inbox, ap.url, dataDir, cluster.url);
      try {
        await waitFor('a first send', () => ap.stats().requests.total > 2, 30_000);
        await cluster.stop();
        await waitFor('the database lost', () => out.stderr.includes('cannot be reached'), 30_000);
        child.kill('SIGINT');
        expect(await exited).toBe(130);
        expect(out.stderr).not.toContain('answers again');
        expect(out.stderr).toContain(
          `Stopped: the team database cannot be reached, so what this run sent cannot be read now. Invoices not handed to the team yet wait in this data folder (${dataDir}).`,
        );
        expect(JSON.parse(out.stdout.trim().split('\n').pop()!)).toEqual({
          interrupted: true,
          total: 20,
          notRead: 0,
          teamDatabaseUnreachable: true,
        });
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await cluster.stop().catch(() => undefined);
      }
    }, 90_000);
  },
);

// Walk 24: on a team a copy under another name is the same document (its key is its bytes), and
// `send` said "copy-of-a.xml: the same file as a.xml (same name and content)".
describe('peppol-desk send on a team, a copy of a file under another name', () => {
  it('says it is the same content under another name, counted once', async () => {
    const ap = await sandbox();
    const dir = join(tempDir(), 'copies');
    mkdirSync(dir);
    const bytes = makeInvoice('COPY-1');
    writeFileSync(join(dir, 'a.xml'), bytes);
    writeFileSync(join(dir, 'copy-of-a.xml'), bytes);
    const r = await cli([
      'send',
      dir,
      '--endpoint',
      ap.url,
      '--data-dir',
      join(tempDir(), 'desk'),
      '--store',
      await SQLITE.newAddress(),
    ]);
    expect(r.stderr).toContain(
      'copy-of-a.xml: the same content as a.xml, under another name: counted once.',
    );
    expect(r.code).toBe(0);
    expect(ap.stats().acceptedDocuments).toBe(1);
  });

  // Walk 24: a later run's copy of a file the team already had was named by the team's first
  // name for it ("W24M3-notes.xml: …", not in this run's folder).
  it("a later run names the team's document by this run's file", async () => {
    const ap = await sandbox();
    const store = await SQLITE.newAddress();
    const run = async (name: string) => {
      const dir = join(tempDir(), name);
      mkdirSync(dir);
      writeFileSync(join(dir, `${name}-notes.xml`), 'Call the buyer on Monday.\n');
      const args = ['send', dir, '--endpoint', ap.url, '--data-dir', join(tempDir(), 'desk')];
      return cli([...args, '--store', store]);
    };
    expect((await run('first')).stderr).toMatch(/^first-notes\.xml \(document #\d+\): /m);
    const later = await run('later');
    expect(later.stderr).toMatch(/^later-notes\.xml \(document #\d+\): /m);
    expect(later.stderr).not.toContain('first-notes.xml (document');
  });
});

// Walk 24: `watch` on a team said nothing while the team's database was away (three outages of
// half a minute, files saved meanwhile), where the app's header and `send` say it.
describe.skipIf(skipPostgres)('peppol-desk watch on a team while its database goes away', () => {
  it('says so, and that files saved meanwhile are kept on this computer', async () => {
    const cluster = await startPostgres();
    const ap = await sandbox();
    const folder = join(tempDir(), 'hot');
    mkdirSync(folder);
    const args = ['watch', folder, '--endpoint', ap.url, '--data-dir', join(tempDir(), 'w')];
    const { child, out, exited } = spawnCli(args, { PEPPOL_DESK_STORE: cluster.url });
    try {
      await waitFor('watching', () => out.stdout.includes('Watching'), 30_000);
      await cluster.stop();
      await waitFor('the database lost', () => out.stderr.includes('cannot be reached'), 30_000);
      expect(out.stderr).toContain(
        'Files saved into the folder meanwhile are kept on this computer and handed over once it answers.',
      );
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(out.stderr).toContain(
        'Stopped. What was still waiting is sent when Peppol Desk starts again.',
      );
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await cluster.stop().catch(() => undefined);
    }
  }, 90_000);
});
