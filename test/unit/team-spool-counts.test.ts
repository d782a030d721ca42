/**
 * The team spool's count of kept files (issue 9 point 1: no work that grows with the data on a
 * per-event path): a desk's status, read on every change while the team database is away, says
 * how many files are kept. Counted once, then kept up to date: no `count(*)` over the kept files
 * per read, and the figure stays true through adds, hand-overs and a reopen.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TeamSpool } from '../../app/team/spool';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pd-spool-'));
  dirs.push(d);
  return d;
}

const bytes = new TextEncoder().encode('<Invoice/>');

describe('team spool counts', () => {
  it('counts the kept files once, then follows adds and hand-overs without counting again', () => {
    const dir = freshDir();
    const spool = new TeamSpool(dir);
    const ids = Array.from({ length: 50 }, (_, i) => spool.addFile(`f-${i}.xml`, bytes));
    const prepare = vi.spyOn(Database.prototype, 'prepare');
    const countQueries = () =>
      prepare.mock.calls.filter(([sql]) => /count\(\*\) FROM spool_files/i.test(String(sql)))
        .length;

    expect(spool.counts().files).toBe(50);
    expect(countQueries()).toBe(1);
    for (let i = 0; i < 100; i++) spool.counts();
    spool.addFile('late.xml', bytes);
    expect(spool.counts().files).toBe(51);
    spool.handedOver(ids.slice(0, 20).map((spoolId, k) => ({ spoolId, docId: 1000 + k })));
    // The same file handed over twice (a retried hand-over) is removed once.
    spool.handedOver([{ spoolId: ids[0]!, docId: 1000 }]);
    expect(spool.counts().files).toBe(31);
    expect(countQueries()).toBe(1);
    spool.close();

    // A reopened spool counts what is really there.
    const again = new TeamSpool(dir);
    expect(again.counts().files).toBe(31);
    again.close();
  });
});
