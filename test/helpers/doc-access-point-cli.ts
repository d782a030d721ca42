// Runs of the built CLI against the access point written from the docs alone
// (./doc-access-point.mjs), for test/integration/doc-access-point*.test.ts.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import {
  startDocAccessPoint,
  type DocAccessPoint,
  type DocAccessPointOptions,
} from './doc-access-point.mjs';
import { distFile } from './dist';
import { makeInvoice } from './invoices';

/** A receiver among the documented test receivers: it always accepts. */
export const RECEIVER = '9915:phase4-test-receiver';

/** What `peppol-desk send --json` prints last. */
export interface Summary {
  total: number;
  sent: number;
  failed: number;
  rejected: number;
  invalid: number;
  duplicates: number;
}

/**
 * Access points, invoice folders and CLI runs for the tests of one file. The cases run
 * concurrently (each mostly waits for its CLI), so folders and servers are cleaned up once all
 * have ended, not after each (useTempDirs would remove the folders of cases still running).
 */
export function useDocAccessPointRuns() {
  const root = mkdtempSync(join(tmpdir(), 'peppol-desk-doc-ap-'));
  let folders = 0;
  const tempDir = (): string => {
    const dir = join(root, String(++folders));
    mkdirSync(dir);
    return dir;
  };
  const servers: DocAccessPoint[] = [];
  afterAll(async () => {
    for (const s of servers.splice(0)) await s.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** An access point on a free port of 127.0.0.1, closed after the file's tests. */
  async function accessPoint(options: DocAccessPointOptions = {}): Promise<DocAccessPoint> {
    const ap = await startDocAccessPoint(options);
    servers.push(ap);
    return ap;
  }

  /** `n` valid invoices for `receiver` in a new folder; their numbers. */
  function invoices(
    n: number,
    prefix: string,
    receiver = RECEIVER,
  ): { dir: string; numbers: string[] } {
    const dir = join(tempDir(), 'in');
    mkdirSync(dir);
    const numbers = Array.from(
      { length: n },
      (_, i) => `${prefix}-${String(i + 1).padStart(4, '0')}`,
    );
    for (const number of numbers) {
      writeFileSync(join(dir, `${number}.xml`), makeInvoice(number, { receiver }));
    }
    return { dir, numbers };
  }

  /** `peppol-desk send <dir> --endpoint <ap> --json ...` on a new data folder, the key in the environment. */
  function send(
    ap: DocAccessPoint,
    dir: string,
    more: string[] = [],
  ): Promise<{ code: number; summary: Summary; stderr: string }> {
    const args = [distFile('cli.cjs'), 'send', dir, '--endpoint', ap.url];
    args.push('--data-dir', join(tempDir(), 'data'), '--json', ...more);
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        args,
        { env: { ...process.env, PEPPOL_DESK_API_KEY: ap.apiKey } },
        (err, stdout, stderr) => {
          const last = stdout.trim().split('\n').pop() ?? '';
          try {
            const summary = JSON.parse(last) as Summary;
            resolve({ code: err ? Number(err.code) : 0, summary, stderr });
          } catch {
            reject(new Error(`No JSON summary from send (stdout: ${stdout}; stderr: ${stderr})`));
          }
        },
      );
    });
  }

  return { accessPoint, invoices, send, tempDir };
}
