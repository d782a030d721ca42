import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createEngine } from '../../app/engine';
import { registerIpcBridge, ipcChannel, type IpcMainLike } from '../../main/ipc-bridge';
import {
  ENCRYPTED_EARLIER_KEYS_FILE_NAME,
  ENCRYPTED_KEY_FILE_NAME,
  safeStorageSecretStore,
  type SafeStorageLike,
} from '../../main/secrets';
import { useTempDirs } from '../helpers/temp';

vi.mock('electron', () => {
  throw new Error('main/secrets.ts takes safeStorage as a parameter and must not load electron');
});

const tempDir = useTempDirs();
const KEY = 'sk_test_4f9c2e7a1b3d5f60';

/** A stand-in for safeStorage: a reversible scramble that never leaves the key readable. */
function fakeSafeStorage(options: { available?: boolean; backend?: string } = {}) {
  const safe: SafeStorageLike & { encryptString: ReturnType<typeof vi.fn> } = {
    isEncryptionAvailable: () => options.available ?? true,
    encryptString: vi.fn((plain: string) =>
      Buffer.concat([Buffer.from('v10'), Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a)]),
    ),
    decryptString: (enc: Buffer) => {
      if (enc.subarray(0, 3).toString() !== 'v10') throw new Error('not ours');
      return Buffer.from(enc.subarray(3).map((b) => b ^ 0x5a)).toString('utf8');
    },
    ...(options.backend ? { getSelectedStorageBackend: () => options.backend! } : {}),
  };
  return safe;
}

/** Every file in the data folder, as bytes (the database, its WAL, anything else). */
function everyFileContaining(dir: string, needle: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((p) => readFileSync(p).includes(Buffer.from(needle)));
}

describe('API key in Electron (safeStorage)', () => {
  it('is encrypted through safeStorage into a user-only file that does not hold the key in plain text', () => {
    const dir = tempDir();
    const safe = fakeSafeStorage();
    const store = safeStorageSecretStore(dir, safe);
    expect(store.getApiKey()).toBeNull();
    store.setApiKey(KEY);
    expect(safe.encryptString).toHaveBeenCalledWith(KEY);
    const file = join(dir, ENCRYPTED_KEY_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file).includes(Buffer.from(KEY))).toBe(false);
    expect(everyFileContaining(dir, KEY)).toEqual([]);
    expect(store.getApiKey()).toBe(KEY);
    // Another instance (next start) reads it back.
    expect(safeStorageSecretStore(dir, safe).getApiKey()).toBe(KEY);

    store.setApiKey(null);
    expect(existsSync(file)).toBe(false);
    expect(store.getApiKey()).toBeNull();
  });

  it('keeps the key used at an earlier access point encrypted the same way, and forgets it on request', () => {
    const dir = tempDir();
    const store = safeStorageSecretStore(dir, fakeSafeStorage());
    store.setEarlierKey!('https://ap-one.example/api', KEY);
    const file = join(dir, ENCRYPTED_EARLIER_KEYS_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file).includes(Buffer.from(KEY))).toBe(false);
    expect(
      safeStorageSecretStore(dir, fakeSafeStorage()).getEarlierKey!('https://ap-one.example/api'),
    ).toBe(KEY);
    expect(store.getEarlierKey!('https://other.example')).toBeNull();
    store.setEarlierKey!('https://ap-one.example/api', null);
    expect(existsSync(file)).toBe(false);
  });

  it('reads an unreadable (foreign) encrypted file as no key', () => {
    const dir = tempDir();
    safeStorageSecretStore(dir, fakeSafeStorage()).setApiKey(KEY);
    const other = fakeSafeStorage();
    other.decryptString = () => {
      throw new Error('keychain changed');
    };
    expect(safeStorageSecretStore(dir, other).getApiKey()).toBeNull();
  });

  it('without a keychain (no encryption, or Linux basic_text) keeps the key only in the 0600 key file', () => {
    for (const safe of [
      fakeSafeStorage({ available: false }),
      fakeSafeStorage({ backend: 'basic_text' }),
    ]) {
      const dir = tempDir();
      const store = safeStorageSecretStore(dir, safe);
      store.setApiKey(KEY);
      expect(safe.encryptString).not.toHaveBeenCalled();
      expect(existsSync(join(dir, ENCRYPTED_KEY_FILE_NAME))).toBe(false);
      expect(statSync(join(dir, 'api-key')).mode & 0o777).toBe(0o600);
      expect(store.getApiKey()).toBe(KEY);
      store.setApiKey(null);
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('replaces a key-file copy once the keychain is there: one copy only, the encrypted one', () => {
    const dir = tempDir();
    safeStorageSecretStore(dir, fakeSafeStorage({ backend: 'basic_text' })).setApiKey('sk_old');
    const store = safeStorageSecretStore(dir, fakeSafeStorage({ backend: 'gnome_libsecret' }));
    expect(store.getApiKey()).toBe('sk_old');
    store.setApiKey(KEY);
    expect(readdirSync(dir)).toEqual([ENCRYPTED_KEY_FILE_NAME]);
    expect(store.getApiKey()).toBe(KEY);
  });

  it('is never sent to the renderer, written to SQLite or returned by any request', async () => {
    const dir = tempDir();
    const engine = await createEngine({
      dataDir: dir,
      secrets: safeStorageSecretStore(dir, fakeSafeStorage()),
      host: 'electron',
      autoStart: false,
    });
    try {
      const handlers = new Map<string, (e: unknown, arg: unknown) => unknown>();
      const ipc = {
        handle: (c: string, l: (e: unknown, arg: unknown) => unknown) => handlers.set(c, l),
        removeHandler: () => undefined,
        on: () => undefined,
        removeListener: () => undefined,
      } as unknown as IpcMainLike;
      const sent: unknown[] = [];
      const contents = { send: (...a: unknown[]) => sent.push(a), isDestroyed: () => false };
      const bridge = registerIpcBridge(ipc, engine, {
        contents: () => contents,
        isTrustedUrl: () => true,
      });
      const event = { sender: contents, senderFrame: { url: 'file:///index.html' } };
      const call = (channel: string, arg?: unknown) =>
        Promise.resolve(handlers.get(ipcChannel(channel))!(event, arg));

      const afterSet = await call('settings:set', { apiKey: KEY });
      const afterGet = await call('settings:get');
      expect(afterGet).toMatchObject({ ok: true, value: { apiKeySet: true } });
      for (const answer of [
        afterSet,
        afterGet,
        await call('app:info'),
        await call('connection:get'),
      ]) {
        expect(JSON.stringify(answer)).not.toContain(KEY);
      }
      expect(JSON.stringify(sent)).not.toContain(KEY);
      bridge.dispose();
    } finally {
      await engine.stop();
    }
    expect(everyFileContaining(dir, KEY)).toEqual([]);
  });
});
