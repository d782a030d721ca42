import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Repo root. */
export const ROOT = join(__dirname, '..', '..');

/** Path of a built bundle in dist/; fails with a clear message when the build is missing. */
export function distFile(name: string): string {
  const p = join(ROOT, 'dist', name);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run build\` first.`);
  return p;
}
