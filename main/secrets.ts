import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretStore } from '../app/engine';

/** The part of Electron's `safeStorage` used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/**
 * The API key encrypted with the OS keychain (Electron safeStorage) in `api-key.enc`, never in
 * SQLite, logs or the renderer. Refuses to store it in plain text when encryption is unavailable.
 */
export function safeStorageSecretStore(dataDir: string, safe: SafeStorageLike): SecretStore {
  const file = join(dataDir, 'api-key.enc');
  return {
    getApiKey() {
      if (!existsSync(file) || !safe.isEncryptionAvailable()) return null;
      try {
        return safe.decryptString(readFileSync(file)) || null;
      } catch {
        return null;
      }
    },
    setApiKey(key) {
      if (!key) {
        rmSync(file, { force: true });
        return;
      }
      if (!safe.isEncryptionAvailable()) {
        throw new Error('This computer offers no secure storage for the API key.');
      }
      writeFileSync(file, safe.encryptString(key), { mode: 0o600 });
    },
  };
}
