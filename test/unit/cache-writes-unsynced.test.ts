// The lookup and remote-validation caches write their answers without a sync of their own (issue 9
// point 2): at the connection's FULL level an autocommit fsynced the write-ahead log on the
// engine's thread between the lookup's answer and the first claim of `send` (tens of ms while the
// first add's sync was running). A cached answer lost to a power cut is only asked for again; the
// next synced commit (a claim) takes the row along, as the log is written in order.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LookupAnswer, RemoteVerdict } from '../../app/access-point/client';
import { ParticipantCache } from '../../app/caches/participant-cache';
import { RemoteValidationCache } from '../../app/caches/remote-validation-cache';
import { openDb, type Db } from '../../app/store/db';
import { useTempDirs } from '../helpers/temp';

const tempDir = useTempDirs();
const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

const FULL = 2;
const NORMAL = 1;

/**
 * A data folder's database whose writes to `table` record the synchronous level and whether a
 * transaction was open when they ran (an autocommit at FULL syncs the log itself).
 */
function watchedDb(table: string) {
  const dir = tempDir();
  const db = openDb({ dataDir: dir });
  open.push(db);
  const writes: { level: number; inTransaction: boolean }[] = [];
  const prepare = db.prepare.bind(db);
  vi.spyOn(db, 'prepare').mockImplementation(((sql: string) => {
    const stmt = prepare(sql);
    if (new RegExp(`INSERT OR REPLACE INTO ${table}\\b`).test(sql)) {
      const run = stmt.run.bind(stmt);
      stmt.run = ((...args: unknown[]) => {
        writes.push({
          level: Number(db.pragma('synchronous', { simple: true })),
          inTransaction: db.inTransaction,
        });
        return run(...args);
      }) as typeof stmt.run;
    }
    return stmt;
  }) as typeof db.prepare);
  /** What another connection reads from `table` (the write was committed). */
  const rowsElsewhere = (): number => {
    const other = new Database(join(dir, 'peppol-desk.sqlite'), { readonly: true });
    try {
      return other.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
    } finally {
      other.close();
    }
  };
  return { db, writes, rowsElsewhere };
}

const found: LookupAnswer = {
  found: true,
  participantId: '0208:0987654394',
  name: 'Buyer',
  capabilities: null,
  raw: null,
};

describe('cache writes', () => {
  it('a lookup answer (fetched or seeded) is committed without a sync of its own', async () => {
    const { db, writes, rowsElsewhere } = watchedDb('participant_cache');
    expect(Number(db.pragma('synchronous', { simple: true }))).toBe(FULL);
    const cache = new ParticipantCache(db, 'ap');
    await cache.get('0208:0987654394', async () => found);
    cache.seed('0208:0123456749', found, 60_000);
    expect(writes).toEqual([
      { level: NORMAL, inTransaction: true },
      { level: NORMAL, inTransaction: true },
    ]);
    // Committed, and the connection's own level is back for every other commit.
    expect(rowsElsewhere()).toBe(2);
    expect(Number(db.pragma('synchronous', { simple: true }))).toBe(FULL);
    expect(new ParticipantCache(db, 'ap').peek('0208:0987654394')?.answer).toEqual(found);
  });

  it("the access point's verdict is committed without a sync of its own", () => {
    const { db, writes, rowsElsewhere } = watchedDb('remote_validation_cache');
    const cache = new RemoteValidationCache(db, 'ap');
    const verdict: RemoteVerdict = { valid: true, errors: [], warnings: [] };
    cache.put('sha-1', verdict);
    expect(writes).toEqual([{ level: NORMAL, inTransaction: true }]);
    expect(rowsElsewhere()).toBe(1);
    expect(Number(db.pragma('synchronous', { simple: true }))).toBe(FULL);
    expect(cache.get('sha-1')).toEqual(verdict);
  });
});
