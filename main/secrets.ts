import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretStore } from '../app/engine';
import { keyFileSecretStore, readKeyMap } from '../app/secrets/key-file';

/** The part of Electron's `safeStorage` used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: which keyring encrypts ('basic_text' means none, only a fixed password). */
  getSelectedStorageBackend?(): string;
}

/** Name of the encrypted key file in the data folder. */
export const ENCRYPTED_KEY_FILE_NAME = 'api-key.enc';

/** Keys used at earlier access points (a JSON object URL → key), encrypted like the API key. */
export const ENCRYPTED_EARLIER_KEYS_FILE_NAME = 'access-point-keys.enc';

/** The team outbox's URL (its password inside), encrypted like the API key. */
export const ENCRYPTED_TEAM_STORE_FILE_NAME = 'team-store-url.enc';

/** True when safeStorage really encrypts with the OS keychain. */
export function keychainAvailable(safe: SafeStorageLike): boolean {
  if (!safe.isEncryptionAvailable()) return false;
  // Without a keyring, Linux "encrypts" with a password built into Chromium: no better than a
  // user-only file, and misleading to call encrypted.
  return safe.getSelectedStorageBackend?.() !== 'basic_text';
}

/**
 * The API key encrypted with the OS keychain (Electron safeStorage) in `api-key.enc`, never in
 * SQLite, logs or the renderer. Where the computer offers no keychain (a Linux desktop without a
 * keyring), it falls back to the user-only key file of the browser host (mode 0600), so the key
 * is never stored in a weaker way than there.
 */
export function safeStorageSecretStore(dataDir: string, safe: SafeStorageLike): SecretStore {
  const file = join(dataDir, ENCRYPTED_KEY_FILE_NAME);
  const earlierFile = join(dataDir, ENCRYPTED_EARLIER_KEYS_FILE_NAME);
  const fallback = keyFileSecretStore(dataDir);
  const readEarlier = (): Record<string, string> => {
    if (!existsSync(earlierFile) || !keychainAvailable(safe)) return {};
    try {
      return readKeyMap(safe.decryptString(readFileSync(earlierFile)));
    } catch {
      return {};
    }
  };
  const teamFile = join(dataDir, ENCRYPTED_TEAM_STORE_FILE_NAME);
  return {
    getTeamStore() {
      if (existsSync(teamFile) && keychainAvailable(safe)) {
        try {
          return safe.decryptString(readFileSync(teamFile)) || null;
        } catch {
          // Encrypted by another user or keychain: as if no team were set (the local outbox).
          return null;
        }
      }
      return fallback.getTeamStore!();
    },
    setTeamStore(url) {
      if (!url || !keychainAvailable(safe)) {
        rmSync(teamFile, { force: true });
        fallback.setTeamStore!(url);
        return;
      }
      const temp = `${teamFile}.${process.pid}.tmp`;
      writeFileSync(temp, safe.encryptString(url), { mode: 0o600 });
      renameSync(temp, teamFile);
      // Only one copy of the URL, the encrypted one.
      fallback.setTeamStore!(null);
    },
    getEarlierKey(accessPoint) {
      if (!keychainAvailable(safe)) return fallback.getEarlierKey!(accessPoint);
      return readEarlier()[accessPoint] ?? null;
    },
    setEarlierKey(accessPoint, key) {
      if (!keychainAvailable(safe)) {
        fallback.setEarlierKey!(accessPoint, key);
        return;
      }
      const map = readEarlier();
      if (key) map[accessPoint] = key;
      else delete map[accessPoint];
      if (Object.keys(map).length === 0) {
        rmSync(earlierFile, { force: true });
        return;
      }
      const temp = `${earlierFile}.${process.pid}.tmp`;
      writeFileSync(temp, safe.encryptString(JSON.stringify(map)), { mode: 0o600 });
      renameSync(temp, earlierFile);
    },
    getApiKey() {
      if (existsSync(file) && keychainAvailable(safe)) {
        try {
          return safe.decryptString(readFileSync(file)) || null;
        } catch {
          // Encrypted by another user or keychain: unreadable here, as if none were set.
          return null;
        }
      }
      return fallback.getApiKey();
    },
    setApiKey(key) {
      if (!key) {
        rmSync(file, { force: true });
        fallback.setApiKey(null);
        return;
      }
      if (!keychainAvailable(safe)) {
        fallback.setApiKey(key);
        return;
      }
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, safe.encryptString(key), { mode: 0o600 });
      renameSync(temp, file);
      // Only one copy of the key, the encrypted one.
      fallback.setApiKey(null);
    },
  };
}
