/**
 * The team outbox's URL (its password inside) is kept like the API key: a user-only file for the
 * browser host and the CLI, encrypted with the OS keychain in Electron, one copy only.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { keyFileSecretStore, TEAM_STORE_FILE_NAME } from '../../app/secrets/key-file';
import {
  ENCRYPTED_TEAM_STORE_FILE_NAME,
  safeStorageSecretStore,
  type SafeStorageLike,
} from '../../main/secrets';
import { useTempDirs } from '../helpers/temp';

vi.mock('electron', () => {
  throw new Error('main/secrets.ts takes safeStorage as a parameter and must not load electron');
});

const tempDir = useTempDirs();
const URL_WITH_PASSWORD = 'postgresql://clerk:Very-Secret-9@db.example:5432/team';

/** A stand-in for safeStorage: a reversible scramble that never leaves the text readable. */
function fakeSafeStorage(available = true): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (plain) =>
      Buffer.concat([Buffer.from('v10'), Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a)]),
    decryptString: (enc) => {
      if (enc.subarray(0, 3).toString() !== 'v10') throw new Error('not ours');
      return Buffer.from(enc.subarray(3).map((b) => b ^ 0x5a)).toString('utf8');
    },
  };
}

function filesContaining(dir: string, needle: string): string[] {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((p) => readFileSync(p).includes(Buffer.from(needle)));
}

describe('team outbox URL kept like the API key', () => {
  it('in a user-only (0600) file for the browser host, read back at the next start, removed on leave', () => {
    const dir = tempDir();
    const before = process.umask(0);
    try {
      keyFileSecretStore(dir).setTeamStore!(URL_WITH_PASSWORD);
    } finally {
      process.umask(before);
    }
    const file = join(dir, TEAM_STORE_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(keyFileSecretStore(dir).getTeamStore!()).toBe(URL_WITH_PASSWORD);
    keyFileSecretStore(dir).setTeamStore!(null);
    expect(existsSync(file)).toBe(false);
    expect(keyFileSecretStore(dir).getTeamStore!()).toBeNull();
  });

  it('encrypted through safeStorage in Electron: no plain copy anywhere in the data folder', () => {
    const dir = tempDir();
    const safe = fakeSafeStorage();
    // A plain copy from before the keychain was there is replaced by the encrypted one.
    keyFileSecretStore(dir).setTeamStore!(URL_WITH_PASSWORD);
    safeStorageSecretStore(dir, safe).setTeamStore!(URL_WITH_PASSWORD);
    expect(statSync(join(dir, ENCRYPTED_TEAM_STORE_FILE_NAME)).mode & 0o777).toBe(0o600);
    expect(filesContaining(dir, 'Very-Secret-9')).toEqual([]);
    expect(safeStorageSecretStore(dir, safe).getTeamStore!()).toBe(URL_WITH_PASSWORD);
    safeStorageSecretStore(dir, safe).setTeamStore!(null);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('without a keychain, falls back to the user-only file (never weaker than the browser host)', () => {
    const dir = tempDir();
    const store = safeStorageSecretStore(dir, fakeSafeStorage(false));
    store.setTeamStore!(URL_WITH_PASSWORD);
    expect(readdirSync(dir)).toEqual([TEAM_STORE_FILE_NAME]);
    expect(store.getTeamStore!()).toBe(URL_WITH_PASSWORD);
  });
});
