import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../app/contract';
import { createEngine, memorySecretStore } from '../../app/engine';
import { startSandbox } from '../../app/sandbox/server';
import { DocumentsRepo } from '../../app/store/documents-repo';
import { makeInvoices } from '../helpers/invoices';
import { until } from '../helpers/wait';
import { engineInternals } from '../../app/engine/internals';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A small tmpfs (we may be root in a container), or null when mounting is not allowed here. */
function smallDisk(): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'peppol-desk-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  cleanups.push(() => {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Fill the disk holding `dir` to the last byte; returns the filler's path. */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(16 * 1024);
  try {
    for (let i = 0; i < 10_000; i++) writeSync(fd, block);
  } catch (err) {
    expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
  } finally {
    closeSync(fd);
  }
  return path;
}

/** Polls (bounded) until `cond` holds. */

/** Fails the test on any unhandled rejection while it runs. */
function noUnhandledRejections(): unknown[] {
  const seen: unknown[] = [];
  const onRejection = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', onRejection);
  cleanups.push(() => {
    process.off('unhandledRejection', onRejection);
  });
  return seen;
}

/**
 * Runs `n` invoices through an engine on `dataDir`, calls `fault` while they are in flight,
 * waits for the pause and its message, then `clear` and Resume; every document must end sent
 * exactly once.
 */
async function pauseAndResume(
  dataDir: string,
  fault: (repo: DocumentsRepo) => void,
  clear: () => void,
  expected: RegExp,
) {
  const rejections = noUnhandledRejections();
  const sandbox = await startSandbox({ latencyMs: 150 });
  cleanups.push(() => sandbox.close());
  const engine = await createEngine({
    dataDir,
    secrets: memorySecretStore(),
    host: 'cli',
    endpoint: sandbox.url,
    trackDelivery: false,
    concurrency: 4,
    batching: false,
    coalesceMs: 20,
  });
  cleanups.push(() => engine.stop());
  const statuses: ConnectionStatus[] = [];
  engine.on('connection:changed', (s) => statuses.push(s));
  const added = await engine.handlers['documents:add']({ files: makeInvoices(30, 'FULL') });
  const ids = added.added.map((a) => a.id);
  expect(ids).toHaveLength(30);
  await until(
    () => ids.some((id) => engineInternals(engine).repo.get(id)?.state === 'sending'),
    'sends',
  );
  fault(engineInternals(engine).repo);
  await until(() => statuses.some((s) => s.paused && expected.test(s.message ?? '')), 'the pause');
  clear();
  const resumed = await engine.handlers['queue:resume'](undefined);
  expect(resumed.paused).toBe(false);
  await engine.waitUntilSettled(ids, { includeAccepted: true });
  for (const id of ids) expect(engineInternals(engine).repo.get(id)?.state).toBe('accepted');
  expect(sandbox.stats().acceptedDocuments).toBe(30);
  expect(sandbox.stats().duplicateContentAccepts).toBe(0);
  expect(rejections).toEqual([]);
}

describe('a failed write pauses the queue and loses nothing', () => {
  const disk = smallDisk();
  it.runIf(disk !== null)(
    'disk full (a real 8 MB tmpfs): pause with "The disk is full", free, Resume, all sent once',
    async () => {
      const dataDir = join(disk!, 'data');
      mkdirSync(dataDir);
      let filler = '';
      await pauseAndResume(
        dataDir,
        () => {
          filler = fill(disk!);
        },
        () => rmSync(filler),
        /^The disk is full: free space, then Resume\.$/,
      );
    },
  );

  it('an injected I/O error on the database: pause with words, Resume, all sent once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'peppol-desk-io-error-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    let broken = false;
    let failedCommits = 0;
    await pauseAndResume(
      dataDir,
      (repo) => {
        // At the connection's commits, not at one repository method: every transaction (tx,
        // txRedoable, nested or not) runs through DurableCommits' one transaction function, so
        // the next commit of any stage fails.
        const commits = (
          repo as unknown as { commits: { inTransaction: (fn: () => unknown) => unknown } }
        ).commits;
        const run = commits.inTransaction;
        commits.inTransaction = (fn) => {
          if (broken) {
            failedCommits++;
            throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
          }
          return run(fn);
        };
        broken = true;
      },
      () => {
        broken = false;
      },
      /read or write error: check that it is connected and healthy, then Resume/,
    );
    expect(failedCommits).toBeGreaterThan(0);
  });
});
