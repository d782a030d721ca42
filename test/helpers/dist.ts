import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Repo root. */
export const ROOT = join(__dirname, '..', '..');

/** Path of a built bundle in dist/; fails with a clear message when the build is missing. */
export function distFile(name: string): string {
  const p = join(ROOT, 'dist', name);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run build\` first.`);
  return p;
}

const execFileAsync = promisify(execFile);

/** Run the built CLI; resolves with the exit code and output whatever the code. */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // Room for a listing of thousands of documents (the default is 1 MB).
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      [distFile('cli.cjs'), ...args],
      { maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/**
 * Start the built CLI and keep its output as it comes (a command that runs until stopped:
 * `watch`, `send` interrupted): `out` fills in, `exited` resolves with the exit code (-1 when
 * killed by a signal).
 */
export function spawnCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [distFile('cli.cjs'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return { child, out, exited };
}
