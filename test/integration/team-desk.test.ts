/**
 * Desks on a team outbox (createTeamEngine), two in one process on one store and one sandbox
 * access point: one queue, every invoice accepted exactly once, a lost claim never overwrites
 * the new owner, an in-doubt document is resent with the same key, and a database that cannot be
 * reached keeps dropped files and outcomes on the desk until it is back.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../app/engine';
import { invokeHandler } from '../../app/errors';
import { makeInvoice, makeInvoices } from '../helpers/invoices';
import { useTeamDesks } from '../helpers/team-desks';
import { waitFor } from '../helpers/wait';
import { MemoryTeamStore } from '../helpers/team-memory-store';

// Desks on a store handed in (a MemoryTeamStore), with short timings; a null access point:
// the endpoint from the settings (the built-in sandbox until one is saved).
const { desk, sandbox, tempDir } = useTeamDesks({
  team: { reconnectInitialMs: 30, reconnectMaxMs: 100 },
});

async function states(engine: Engine, ids: number[]) {
  const { rows } = await engine.handlers['documents:briefs']({ ids });
  return rows;
}

describe('two desks on one team outbox', () => {
  it('share one queue: every invoice is accepted exactly once, whichever desk it was dropped on', async () => {
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    const a = await desk(store, ap, 'desk A');
    const b = await desk(store, ap, 'desk B');
    const files = makeInvoices(30, 'TEAM');
    // Every file dropped on both desks, at once.
    const [ra, rb] = await Promise.all([
      a.handlers['documents:add']({ files }),
      b.handlers['documents:add']({ files }),
    ]);
    const idsA = [...ra.added, ...ra.known].map((x) => x.id);
    const idsB = [...rb.added, ...rb.known].map((x) => x.id);
    expect(new Set(idsA).size).toBe(30);
    expect(new Set([...idsA, ...idsB]).size).toBe(30);
    expect(ra.added.length + rb.added.length).toBe(30);
    await Promise.all([a.waitUntilSettled(idsA), b.waitUntilSettled(idsB)]);
    const rows = await states(a, idsA);
    expect(rows.map((r) => r.state)).toEqual(Array(30).fill('accepted'));
    expect(rows.every((r) => r.sentBy === 'desk A' || r.sentBy === 'desk B')).toBe(true);
    const stats = ap.stats();
    expect(stats.acceptedDocuments).toBe(30);
    expect(stats.duplicateContentAccepts).toBe(0);
    const status = await a.handlers['connection:get'](undefined);
    expect(status.team).toMatchObject({
      label: 'memory-team',
      deskName: 'desk A',
      reachable: true,
    });
    expect(status.team!.desksOnline).toBe(2);
  });

  it('the same file dropped on both desks at once is one document', async () => {
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    const a = await desk(store, ap, 'desk A');
    const b = await desk(store, ap, 'desk B');
    const [file] = makeInvoices(1, 'ONE');
    const [ra, rb] = await Promise.all([
      a.handlers['documents:add']({ files: [file!] }),
      b.handlers['documents:add']({ files: [file!] }),
    ]);
    const idA = [...ra.added, ...ra.known][0]!.id;
    const idB = [...rb.added, ...rb.known][0]!.id;
    expect(idA).toBe(idB);
    expect(ra.added.length + rb.added.length).toBe(1);
    await a.waitUntilSettled([idA]);
    expect(ap.stats().acceptedDocuments).toBe(1);
    const detail = await b.handlers['documents:get']({ id: idA });
    expect(detail.timeline[0]!.desk).toMatch(/^desk [AB]$/);
    // Each desk's id is kept in its data folder, readable by its user only.
    const { dataDir } = await a.handlers['app:info'](undefined);
    expect(statSync(join(dataDir, 'desk-id')).mode & 0o777).toBe(0o600);
    // And so is its spool (walk 10: team-spool.sqlite was 0644).
    for (const f of ['team-spool.sqlite', 'team-spool.sqlite-wal'])
      expect(statSync(join(dataDir, f)).mode & 0o777).toBe(0o600);
  });

  it('a desk whose claim was lost does not overwrite the new owner; the document is resent with the same key', async () => {
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    // The first answer is late: the document is accepted, the desk does not know it yet.
    ap.setFaults({ stallMs: { every: 1, max: 1, ms: 1500, when: 'after' } });
    const a = await desk(store, ap, 'desk A', { team: { leaseMs: 60_000 } });
    const res = await a.handlers['documents:add']({ files: makeInvoices(1, 'LOST') });
    const id = res.added[0]!.id;
    await waitFor('the first accept', () => ap.stats().acceptedDocuments === 1, 5000);
    await a.handlers['queue:pause'](undefined);
    // A's lease ends (as `UPDATE … SET lease_until = now()` would): B claims it, in doubt.
    store.expireLease(id);
    const b = await desk(store, ap, 'desk B');
    await b.waitUntilSettled([id]);
    const [row] = await states(b, [id]);
    expect(row).toMatchObject({ state: 'accepted', sentBy: 'desk B' });
    // A's late answer comes back and is dropped: nothing changes.
    await new Promise((r) => setTimeout(r, 1700));
    const detail = await a.handlers['documents:get']({ id });
    expect(detail.state).toBe('accepted');
    expect(detail.timeline.filter((e) => e.to === 'accepted').map((e) => e.desk)).toEqual([
      'desk B',
    ]);
    const stats = ap.stats();
    expect(stats.acceptedDocuments).toBe(1);
    expect(stats.idempotentReplays).toBe(1);
  });
});

describe('pausing a desk of the team', () => {
  it('a paused desk is not counted among those that send: when every desk is paused, none is', async () => {
    // A walk: every desk paused, each header said "the team's other desks still send".
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    const a = await desk(store, ap, 'desk A');
    const b = await desk(store, ap, 'desk B');
    const senders = async (e: Engine) =>
      (await e.handlers['connection:get'](undefined)).team?.sendersOnline;
    await waitFor('both send', async () =>
      (await senders(a)) === 2 && (await senders(b)) === 2 ? true : null,
    );
    await b.handlers['queue:pause'](undefined);
    await waitFor('A alone sends', async () =>
      (await senders(a)) === 1 && (await senders(b)) === 1 ? true : null,
    );
    await a.handlers['queue:pause'](undefined);
    await waitFor('nobody sends', async () =>
      (await senders(a)) === 0 && (await senders(b)) === 0 ? true : null,
    );
    await b.handlers['queue:resume'](undefined);
    await waitFor('B sends again', async () => ((await senders(a)) === 1 ? true : null));
  });
});

describe('presence', () => {
  it('a desk that joins, pauses, resumes or stops is counted by the others at once, not at their next heartbeat', async () => {
    // Walk 10: a paused desk was still counted as sending by the others for seconds. Heartbeats
    // here come once a minute: only the notices can tell.
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    const slow = { team: { heartbeatMs: 60_000 } };
    const a = await desk(store, ap, 'desk A', slow);
    const b = await desk(store, ap, 'desk B', slow);
    const senders = async (e: Engine) =>
      (await e.handlers['connection:get'](undefined)).team?.sendersOnline;
    await waitFor(
      'A counts B, which joined after it',
      async () => ((await senders(a)) === 2 ? true : null),
      3000,
    );
    await b.handlers['queue:pause'](undefined);
    await waitFor('A sees B paused', async () => ((await senders(a)) === 1 ? true : null), 3000);
    await b.handlers['queue:resume'](undefined);
    await waitFor('A sees B back', async () => ((await senders(a)) === 2 ? true : null), 3000);
    await b.stop();
    await waitFor('A sees B gone', async () => ((await senders(a)) === 1 ? true : null), 3000);
  });
});

describe('the team database cannot be reached', () => {
  it('at start: dropped files are kept on the desk, said plainly, and handed over when it is back', async () => {
    const store = new MemoryTeamStore();
    store.down = true;
    const ap = await sandbox();
    const a = await desk(store, ap, 'desk A');
    const status = await a.handlers['connection:get'](undefined);
    expect(status.state).toBe('offline');
    expect(status.message).toBe(
      'The team database at memory-team cannot be reached: documents dropped here are kept on this computer and handed over when it is back.',
    );
    const res = await a.handlers['documents:add']({ files: makeInvoices(5, 'DOWN') });
    const ids = res.added.map((x) => x.id);
    expect(ids).toHaveLength(5);
    expect(ids.every((id) => id < 0)).toBe(true);
    expect((await states(a, ids)).map((r) => r.state)).toEqual(Array(5).fill('received'));
    const enqueue = vi.spyOn(store, 'enqueue');
    store.down = false;
    await a.waitUntilSettled(ids);
    expect((await states(a, ids)).map((r) => r.state)).toEqual(Array(5).fill('accepted'));
    // Handed over with how long each was kept: its first timeline line says so (walk 24 B7).
    const handed = enqueue.mock.calls.flatMap(([, docs]) => docs);
    expect(handed.map((d) => d.fileName).sort()).toEqual(res.added.map((x) => x.fileName).sort());
    expect(handed.every((d) => typeof d.keptMs === 'number' && d.keptMs >= 0)).toBe(true);
    expect(ap.stats().acceptedDocuments).toBe(5);
    expect((await a.handlers['connection:get'](undefined)).team!.reachable).toBe(true);
  });

  it('mid-run: an outcome that could not be written is kept and applied under its fence', async () => {
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    ap.setFaults({ stallMs: { every: 1, max: 1, ms: 600, when: 'after' } });
    const a = await desk(store, ap, 'desk A', { team: { leaseMs: 60_000 } });
    const res = await a.handlers['documents:add']({ files: makeInvoices(1, 'MID') });
    const id = res.added[0]!.id;
    await waitFor('the first accept', () => ap.stats().acceptedDocuments === 1, 5000);
    store.down = true;
    const downAt = Date.now();
    // The answer arrives while the database is down (600 ms later); more files are dropped.
    await new Promise((r) => setTimeout(r, 1500));
    const more = await a.handlers['documents:add']({ files: makeInvoices(3, 'MEANWHILE') });
    expect(more.added.every((x) => x.id < 0)).toBe(true);
    expect((await store.states([id]).catch(() => null)) ?? 'down').toBe('down');
    const upAt = Date.now();
    store.down = false;
    const all = [id, ...more.added.map((x) => x.id)];
    await a.waitUntilSettled(all);
    expect((await states(a, all)).map((r) => r.state)).toEqual(Array(4).fill('accepted'));
    expect(ap.stats().acceptedDocuments).toBe(4);
    expect(ap.stats().duplicateContentAccepts).toBe(0);
    // Dated when the access point answered, not when the kept outcome was written (a walk: 92 s
    // late after an outage, and "Delivered (access point's time)" followed it).
    const acceptedAt = (await a.handlers['documents:get']({ id })).acceptedAt!;
    expect(acceptedAt).toBeGreaterThanOrEqual(downAt);
    expect(acceptedAt).toBeLessThan(upAt - 300);
  });
});

describe('a desk on a team outbox, as the hosts see it', () => {
  it('checks before it enqueues: an invalid file and an unknown receiver get the plain problems the team sees', async () => {
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    const a = await desk(store, ap, 'desk A');
    const broken = new TextEncoder().encode('<Invoice>not an invoice');
    const res = await a.handlers['documents:add']({
      files: [
        { name: 'broken.xml', bytes: broken },
        { name: 'nobody.xml', bytes: makeInvoice('NOBODY-1', { receiver: '9915:not-registered' }) },
        { name: 'empty.xml', bytes: new Uint8Array() },
      ],
    });
    expect(res.rejected).toEqual([
      {
        fileName: 'empty.xml',
        message: 'The file is empty. Export the invoice again from your accounting system.',
      },
    ]);
    const ids = res.added.map((x) => x.id);
    await a.waitUntilSettled(ids);
    const [bad, nobody] = await Promise.all(ids.map((id) => a.handlers['documents:get']({ id })));
    expect(bad!.state).toBe('invalid');
    expect(bad!.problem!.message.length).toBeGreaterThan(20);
    expect(nobody!.state).toBe('unreachable');
    expect(nobody!.problem!.message).toContain('9915:not-registered');
    expect(ap.stats().acceptedDocuments).toBe(0);
  });

  it("cancel and retry are the team store's moves; a document sent cannot be cancelled", async () => {
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    const a = await desk(store, ap, 'desk A');
    await a.handlers['queue:pause'](undefined);
    const { added } = await a.handlers['documents:add']({ files: makeInvoices(3, 'CLERK') });
    const [one, two, three] = added.map((x) => x.id);
    expect((await a.handlers['documents:cancel']({ ids: [one!] })).cancelled).toBe(1);
    // The access point refuses the next send: failed, then retried by the clerk.
    ap.setFaults({ status: { every: 1, max: 1, status: 400 } });
    await a.handlers['queue:resume'](undefined);
    await a.waitUntilSettled([two!, three!]);
    const states = Object.fromEntries(
      (await states2(a, [one!, two!, three!])).map((r) => [r.id, r.state]),
    );
    expect(states[one!]).toBe('cancelled');
    const failed = [two!, three!].filter((id) => states[id] === 'failed');
    expect(failed).toHaveLength(1);
    // Refused by the access point itself (a 400): "Retry all" leaves it; chosen, it is sent
    // again as the clerk asks, and the answer names it (walk 23b).
    expect(await a.handlers['documents:retry']({ allFailed: true })).toEqual({
      retried: 0,
      leftToFix: 1,
      leftToFixIds: failed,
    });
    expect(await a.handlers['documents:retry']({ ids: failed })).toEqual({
      retried: 1,
      resentToFixIds: failed,
    });
    await a.waitUntilSettled(failed);
    expect((await states2(a, failed))[0]!.state).toBe('accepted');
    const refused = await a.handlers['documents:cancel']({ ids: [two!] });
    expect(refused.cancelled).toBe(0);
    expect(refused.refused![0]!.message).toContain('Not cancelled');
  });

  it("answers reroute, which a team outbox does not offer, with why; metrics are this desk's", async () => {
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    const a = await desk(store, ap, 'desk A');
    const res = await invokeHandler(a.handlers, 'documents:reroute', { all: true });
    expect(res).toEqual({
      ok: false,
      error: {
        code: 'NOT_ON_TEAM',
        message:
          'Rerouting is not needed on a team outbox: team documents are not tied to one access point, so none waits for another. Each desk sends through the access point set in its own Settings.',
      },
    });
    const { added } = await a.handlers['documents:add']({ files: makeInvoices(2, 'METRIC') });
    await a.waitUntilSettled(added.map((x) => x.id));
    const snap = await a.handlers['metrics:snapshot'](undefined);
    expect(snap.throughput.reduce((n, b) => n + b.accepted, 0)).toBe(2);
    expect(snap.latency.send.count).toBe(2);
  });
});

async function states2(engine: Engine, ids: number[]) {
  return (await engine.handlers['documents:briefs']({ ids })).rows;
}

describe('settings on a team desk', () => {
  it('a saved provider URL is in use at once; the Prometheus endpoint follows the setting', async () => {
    const store = new MemoryTeamStore();
    const [first, second] = [await sandbox(), await sandbox()];
    const a = await desk(store, null, 'desk A');
    await a.handlers['settings:set']({ endpoint: first.url });
    expect(a.endpoint).toBe(first.url);
    const before = await a.handlers['documents:add']({ files: makeInvoices(1, 'FIRST') });
    await a.waitUntilSettled(before.added.map((x) => x.id));
    await a.handlers['settings:set']({ endpoint: second.url });
    expect(a.endpoint).toBe(second.url);
    const after = await a.handlers['documents:add']({ files: makeInvoices(1, 'SECOND') });
    await a.waitUntilSettled(after.added.map((x) => x.id));
    expect([first.stats().acceptedDocuments, second.stats().acceptedDocuments]).toEqual([1, 1]);
    expect(a.metricsUrl()).toBeNull();
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = srv.address() as { port: number };
        srv.close(() => resolve(p));
      });
    });
    await a.handlers['settings:set']({ metricsPort: port });
    // Started once saved (not awaited by the handler, as on a single desk).
    const url = await waitFor('the metrics endpoint', () => a.metricsUrl());
    expect(url).toBe(`http://127.0.0.1:${port}/metrics`);
    expect(await (await fetch(url!)).text()).toContain('peppol_desk');
  });
});

describe('the hot folder of a team desk', () => {
  it('files an invoice whose delivery failed in failed/ with the reason, never in sent/ (walk 17)', async () => {
    // A team desk follows deliveries: an accepted file stays in the folder until delivered, and
    // goes to failed/ when the delivery fails, as on a single desk (it went to sent/ at acceptance
    // and stayed there).
    const store = new MemoryTeamStore();
    const ap = await sandbox({ latencyMs: 0, faults: { deliveryFails: { every: 1 } } });
    const folder = tempDir();
    await desk(store, ap, 'desk A', {
      hotFolder: folder,
      hotFolderStabilityMs: 50,
      timings: { pollInitialMs: 50 },
    });
    writeFileSync(join(folder, 'df.xml'), makeInvoice('TEAM-DF-1'));
    await waitFor(
      'the file in failed/',
      () => existsSync(join(folder, 'failed', 'df.xml')) || undefined,
    );
    expect(ap.stats().acceptedDocuments).toBe(1);
    expect(existsSync(join(folder, 'sent', 'df.xml'))).toBe(false);
    const reason = readdirSync(join(folder, 'failed')).find(
      (n) => n.startsWith('df.xml') && n !== 'df.xml',
    );
    expect(readFileSync(join(folder, 'failed', reason!), 'utf8')).toMatch(
      /^The buyer's access point could not b/,
    );
  });

  it('adds what is saved into it and moves each file to sent/ once the team accepted it', async () => {
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    const folder = tempDir();
    await desk(store, ap, 'desk A', { hotFolder: folder, hotFolderStabilityMs: 50 });
    for (const f of makeInvoices(3, 'HOT')) writeFileSync(join(folder, f.name), f.bytes);
    await waitFor('three files in sent/', () => {
      const sent = join(folder, 'sent');
      return existsSync(sent) && readdirSync(sent).length === 3;
    });
    expect(readdirSync(folder).filter((n) => n.endsWith('.xml'))).toEqual([]);
    expect(ap.stats().acceptedDocuments).toBe(3);
  });

  it('a file saved again with other content while its first version waits replaces it: only the correction is sent', async () => {
    // As on a single desk (store findReplaceableWaiting): before, a team sent the old content and
    // held the correction.
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    const folder = tempDir();
    const a = await desk(store, ap, 'desk A', { hotFolder: folder, hotFolderStabilityMs: 300 });
    await a.handlers['queue:pause'](undefined);
    const path = join(folder, 'fix.xml');
    const first = makeInvoice('TEAM-FIX-1');
    writeFileSync(path, first);
    await waitFor('the first version on the queue', async () => {
      const { rows } = await a.handlers['documents:list']({ limit: 10 });
      return rows.length === 1 ? rows[0] : undefined;
    });
    const second = new TextDecoder()
      .decode(first)
      .replace('</cbc:Note>', ' (corrected)</cbc:Note>');
    writeFileSync(path, second);
    const states = await waitFor('the correction taken, the first replaced', async () => {
      const { rows } = await a.handlers['documents:list']({ limit: 10 });
      const s = rows.map((r) => r.state).sort();
      return s.length === 2 && s[1] === 'superseded' ? s : undefined;
    });
    expect(states).toEqual(['queued', 'superseded']);
    await a.handlers['queue:resume'](undefined);
    await waitFor(
      'the corrected file in sent/',
      () => existsSync(join(folder, 'sent', 'fix.xml')) || undefined,
    );
    expect(readFileSync(join(folder, 'sent', 'fix.xml'), 'utf8')).toBe(second);
    expect(ap.stats().acceptedDocuments).toBe(1);
  });

  it('a file saved again with other content just before its first version went out is not moved as sent', async () => {
    // Walk 13, on a team desk: the corrected file was filed in sent/ as the first version sent.
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    const folder = tempDir();
    const a = await desk(store, ap, 'desk A', { hotFolder: folder, hotFolderStabilityMs: 1_500 });
    await a.handlers['queue:pause'](undefined);
    const path = join(folder, 'rw.xml');
    const first = makeInvoice('TEAM-RW-1');
    writeFileSync(path, first);
    await waitFor('the first version on the queue', async () => {
      const { rows } = await a.handlers['documents:list']({ limit: 10 });
      return rows.length === 1 ? rows[0] : undefined;
    });
    const second = new TextDecoder()
      .decode(first)
      .replace('</cbc:Note>', ' (corrected)</cbc:Note>');
    writeFileSync(path, second);
    await a.handlers['queue:resume'](undefined);
    await waitFor(
      'the first version accepted',
      () => ap.stats().acceptedDocuments === 1 || undefined,
    );
    const corrected = await waitFor(
      'the corrected file taken as a document of its own',
      async () => {
        const { rows } = await a.handlers['documents:list']({ limit: 10 });
        return rows.length === 2
          ? rows.find((r) => r.fileName === 'rw.xml' && r.state === 'held')
          : undefined;
      },
      10_000,
    );
    // Held for the clerk as a correction of an invoice already sent, as on a single desk (before
    // the team's number guard it went out as a submission of its own); its file stays in the
    // folder, as it is, and nothing is filed as sent.
    expect(corrected.problem?.message).toContain(
      'Invoice TEAM-RW-1 from this seller was already sent (document #1) with different content',
    );
    expect(readFileSync(path, 'utf8')).toBe(second);
    expect(existsSync(join(folder, 'sent', 'rw.xml'))).toBe(false);
    expect(ap.stats().acceptedDocuments).toBe(1);
  });

  it('follows the setting as it is saved: a folder set is watched at once, "Not used" stops it', async () => {
    // A walk: a team desk kept the folder it started with until restarted.
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    const folder = tempDir();
    const a = await desk(store, ap, 'desk A', { hotFolderStabilityMs: 50 });
    await a.handlers['settings:set']({ hotFolder: folder });
    for (const f of makeInvoices(2, 'HOTSET')) writeFileSync(join(folder, f.name), f.bytes);
    await waitFor('two files in sent/', () => {
      const sent = join(folder, 'sent');
      return existsSync(sent) && readdirSync(sent).length === 2;
    });
    expect((await a.handlers['connection:get'](undefined)).hotFolder).toMatchObject({ folder });
    await a.handlers['settings:set']({ hotFolder: null });
    await waitFor('no folder watched', async () =>
      (await a.handlers['connection:get'](undefined)).hotFolder === undefined ? true : null,
    );
    for (const f of makeInvoices(2, 'HOTOFF')) writeFileSync(join(folder, f.name), f.bytes);
    // Not taken: the files stay, nothing more is added (a bounded wait well past stability).
    await new Promise((r) => setTimeout(r, 500));
    expect(
      readdirSync(folder)
        .filter((n) => n.endsWith('.xml'))
        .sort(),
    ).toEqual(makeInvoices(2, 'HOTOFF').map((f) => f.name));
    expect(ap.stats().acceptedDocuments).toBe(2);
  });
});

describe("a run's summary", () => {
  it('reads its documents in one statement per chunk of briefs, not one per document', async () => {
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    // Delivery is not asked about here: every document stays accepted.
    const timings = {
      retryBaseMs: 20,
      retryMaxMs: 100,
      settleBackstopMs: 100,
      pollInitialMs: 600_000,
    };
    const a = await desk(store, ap, 'desk A', { timings });
    const { added } = await a.handlers['documents:add']({ files: makeInvoices(40, 'BRIEF') });
    const ids = added.map((x) => x.id);
    await a.waitUntilSettled(ids);
    const get = vi.spyOn(store, 'get');
    const getMany = vi.spyOn(store, 'getMany');
    const rows = await states(a, ids);
    expect(rows.map((r) => r.id)).toEqual(ids);
    expect(rows.every((r) => r.state === 'accepted' && r.sentBy === 'desk A')).toBe(true);
    expect(getMany).toHaveBeenCalledTimes(1);
    expect(get).not.toHaveBeenCalled();
  });
});

describe('a desk that stops', () => {
  it('gives back the claims still waiting to leave (nothing reached the access point) and finishes the rest', async () => {
    const store = new MemoryTeamStore();
    const ap = await sandbox();
    // One request every two seconds: most claims wait for the rate gate when the desk stops.
    const a = await desk(store, ap, 'desk A', { requestsPerSecond: 0.5 });
    const { added } = await a.handlers['documents:add']({ files: makeInvoices(5, 'STOP') });
    const ids = added.map((x) => x.id);
    await waitFor('the first accept', () => ap.stats().acceptedDocuments >= 1);
    await a.stop();
    const after = await store.states(ids);
    const sent = ap.stats().acceptedDocuments;
    expect([...after.values()].filter((s) => s === 'accepted')).toHaveLength(sent);
    expect([...after.values()].filter((s) => s === 'queued')).toHaveLength(5 - sent);
    expect(sent).toBeLessThan(5);
    // Another desk sends the rest as ordinary claims: nothing was in doubt.
    const b = await desk(store, ap, 'desk B');
    await b.waitUntilSettled(ids);
    expect(ap.stats()).toMatchObject({ acceptedDocuments: 5, idempotentReplays: 0 });
  });
});
