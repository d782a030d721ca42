import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, memorySecretStore } from '../../app/engine';
import { toErrorValue } from '../../app/errors';
import { openDb } from '../../app/store/db';
import { useTempDirs } from '../helpers/temp';

const tempDir = useTempDirs();

describe('a database that cannot be used', () => {
  it('damaged: names the file and what to do, and keeps a copy aside first', () => {
    const dir = tempDir();
    const file = join(dir, 'peppol-desk.sqlite');
    writeFileSync(file, Buffer.alloc(8192, 0x41));
    let message = '';
    expect(() => {
      try {
        openDb({ dataDir: dir });
      } catch (err) {
        message = (err as Error).message;
        expect((err as { code: string }).code).toBe('DATABASE_DAMAGED');
        throw err;
      }
    }).toThrow();
    expect(message).toContain(file);
    expect(message).toContain('Restore the file from a backup');
    const copies = readdirSync(dir).filter((f) => f.startsWith('peppol-desk.sqlite.damaged-'));
    expect(copies).toHaveLength(1);
    expect(message).toContain(copies[0]);
  });

  it('unopenable: names the file and says what to check', () => {
    const dir = tempDir();
    // A folder where the database file should be: SQLite cannot open it.
    const file = join(dir, 'peppol-desk.sqlite');
    mkdirSync(file);
    expect(() => openDb({ dataDir: dir })).toThrow(
      new RegExp(`database ${file.replace(/[/\\]/g, '.')} cannot be opened.*free space`),
    );
  });

  it('a failed write reads as what to do, not as an SQLite message', () => {
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    expect(toErrorValue(full)).toEqual({
      code: 'DISK_FULL',
      message: 'The disk is full: free space, then Resume.',
    });
    const ro = Object.assign(new Error('attempt to write a readonly database'), {
      code: 'SQLITE_READONLY',
    });
    expect(toErrorValue(ro).message).toMatch(/^The data folder cannot be written/);
  });
});

describe('the data folder is private', () => {
  it('is 0700 and its files 0600, even when they existed wider', async () => {
    const dir = join(tempDir(), 'data');
    const private600 = () => {
      for (const f of readdirSync(dir)) {
        if (statSync(join(dir, f)).isFile())
          expect([f, statSync(join(dir, f)).mode & 0o777]).toEqual([f, 0o600]);
      }
    };
    const first = await createEngine({ dataDir: dir, secrets: memorySecretStore(), host: 'cli' });
    // On a new folder too (walk 15: the lock's journal, made before the folder was restricted,
    // was 0644 while the engine ran).
    expect(readdirSync(dir)).toContain('peppol-desk.lock-journal');
    private600();
    await first.stop();
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'peppol-desk.sqlite'), 0o644);
    const engine = await createEngine({ dataDir: dir, secrets: memorySecretStore(), host: 'cli' });
    try {
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      private600();
    } finally {
      await engine.stop();
    }
  });
});
