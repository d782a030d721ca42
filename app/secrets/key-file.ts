import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretStore } from '../engine';

/**
 * The API key in a file readable only by the user (mode 0600), for the browser host and the CLI
 * where Electron's safeStorage is not available. Never in SQLite, never in logs.
 */
export function keyFileSecretStore(dataDir: string): SecretStore {
  const file = join(dataDir, 'api-key');
  return {
    getApiKey() {
      if (!existsSync(file)) return null;
      const key = readFileSync(file, 'utf8').trim();
      return key || null;
    },
    setApiKey(key) {
      if (!key) {
        rmSync(file, { force: true });
        return;
      }
      writeFileSync(file, key, { mode: 0o600 });
      chmodSync(file, 0o600);
    },
  };
}
