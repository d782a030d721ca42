/**
 * Packs the app with electron-builder exactly as `npm run dist` would (same electron-builder.yml),
 * except that the Electron binary cannot be downloaded here: a stub Electron directory stands in
 * (`electronDist`), the target is the unpacked Linux `dir`, and the rebuild of native modules
 * against Electron's headers is skipped (`npmRebuild: false`; it would download them).
 */
import { createRequire } from 'node:module';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerRequest, WorkerResponse } from '../../app/validation/worker';
import { distFile, ROOT } from '../helpers/dist';
import { makeInvoice } from '../helpers/invoices';

interface Builder {
  build(options: Record<string, unknown>): Promise<string[]>;
  Platform: { LINUX: { createTarget(types: string[]): unknown } };
}
interface Asar {
  listPackage(archive: string, options: { isPack: boolean }): string[];
  extractFile(archive: string, file: string): Buffer;
}

function loadBuilder(): { builder: Builder; asar: Asar } | null {
  const load = createRequire(join(ROOT, 'package.json'));
  try {
    return {
      builder: load('electron-builder') as Builder,
      asar: load('@electron/asar') as Asar,
    };
  } catch {
    return null;
  }
}
const tools = loadBuilder();
if (!tools) {
  // On CI the packing tools are installed: a missing one is a broken setup, not a reason to skip.
  if (process.env.CI === 'true') {
    throw new Error(
      'installer test: electron-builder or @electron/asar cannot be loaded, but CI=true requires this test to run',
    );
  }
  console.warn('installer test skipped: electron-builder or @electron/asar cannot be loaded here');
}

/** Start the worker script in a worker thread and have it check one document. */
function checkInWorker(script: string, bytes: Uint8Array): Promise<WorkerResponse> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script);
    const done = (fn: () => void) => {
      void worker.terminate();
      fn();
    };
    worker.on('error', (err) => done(() => reject(err)));
    worker.on('exit', (code) => reject(new Error(`worker exited with code ${code}`)));
    worker.on('message', (msg: WorkerResponse) => {
      if (msg.ready) {
        const request: WorkerRequest = { id: 1, bytes };
        worker.postMessage(request);
      } else done(() => resolve(msg));
    });
  });
}

/** A stand-in for the Electron distribution: just the executable electron-builder renames. */
function makeStubElectron(dir: string): string {
  const stub = join(dir, 'electron-stub');
  mkdirSync(join(stub, 'resources'), { recursive: true });
  writeFileSync(join(stub, 'electron'), '#!/bin/sh\necho "stub Electron: not runnable"\nexit 1\n');
  chmodSync(join(stub, 'electron'), 0o755);
  writeFileSync(join(stub, 'LICENSE'), 'stub');
  return stub;
}

describe.skipIf(!tools)('installer (electron-builder with a stub Electron)', () => {
  // One pack for all the checks below (a per-test temp dir would be gone after the first test).
  const work = mkdtempSync(join(tmpdir(), 'peppol-desk-installer-'));
  let appDir = '';
  let entries: string[] = [];
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    // The packed app is the built app: fail clearly if dist/ is missing.
    for (const f of [
      'main.cjs',
      'preload.cjs',
      'validation-worker.cjs',
      'sandbox-worker.cjs',
      'renderer/index.html',
    ]) {
      distFile(f);
    }
    const out = join(work, 'release');
    await tools!.builder.build({
      projectDir: ROOT,
      targets: tools!.builder.Platform.LINUX.createTarget(['dir']),
      publish: 'never',
      // Merged over electron-builder.yml, which electron-builder loads from the project folder.
      config: {
        electronDist: makeStubElectron(work),
        npmRebuild: false,
        // The stub has no fuse wire to flip (test/unit/electron-fuses.test.ts checks the config).
        electronFuses: null,
        directories: { output: out, buildResources: 'build' },
        publish: null,
      },
    });
    appDir = join(out, 'linux-unpacked');
    entries = tools!.asar
      .listPackage(join(appDir, 'resources', 'app.asar'), { isPack: false })
      .map((p) => p.replaceAll('\\', '/').replace(/^\//, ''));
  }, 120_000);

  it('names the executable peppol-desk', () => {
    const exe = join(appDir, 'peppol-desk');
    expect(existsSync(exe)).toBe(true);
    expect(statSync(exe).mode & 0o111).not.toBe(0);
    expect(existsSync(join(appDir, 'electron'))).toBe(false);
  });

  it('puts the built app and package.json in the asar, and nothing of the sources or dev tools', () => {
    for (const f of [
      'dist/main.cjs',
      'dist/preload.cjs',
      'dist/renderer/index.html',
      'dist/validation-worker.cjs',
      'build/tray-icon.png',
      'package.json',
    ]) {
      expect(entries, f).toContain(f);
    }
    const pkg = JSON.parse(
      tools!.asar.extractFile(join(appDir, 'resources', 'app.asar'), 'package.json').toString(),
    ) as { main: string };
    expect(pkg.main).toBe('dist/main.cjs');
    expect(entries).toContain('node_modules/better-sqlite3/package.json');
    // better-sqlite3's C sources (several MB) stay out.
    expect(entries.some((e) => e.includes('better-sqlite3/deps/'))).toBe(false);
    expect(entries.some((e) => e.endsWith('sqlite3.c'))).toBe(false);
    expect(entries.some((e) => e.endsWith('.map'))).toBe(false);
    expect(entries).not.toContain('dist/cli.cjs');
    expect(entries).not.toContain('dist/sandbox.cjs');
    expect(entries).not.toContain('dist/bench-sender.cjs');
    expect(entries.some((e) => /^(app|main|renderer|test|scripts)\//.test(e))).toBe(false);
    for (const dev of ['electron', 'electron-builder', 'vitest', 'react', 'typescript']) {
      expect(entries, dev).not.toContain(`node_modules/${dev}`);
    }
  });

  it('unpacks the better-sqlite3 native module and the validation worker from the asar', () => {
    const unpacked = join(appDir, 'resources', 'app.asar.unpacked');
    const native = join(
      unpacked,
      'node_modules',
      'better-sqlite3',
      'build',
      'Release',
      'better_sqlite3.node',
    );
    expect(existsSync(native)).toBe(true);
    // A real shared library (ELF), not a placeholder. Built for Node here: the rebuild against
    // Electron's ABI needs Electron's headers and is what `npm run dist` adds (npmRebuild: true).
    expect(readFileSync(native).subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    // main.ts starts workers from app.asar.unpacked: worker threads cannot read inside an asar.
    expect(existsSync(join(unpacked, 'dist', 'validation-worker.cjs'))).toBe(true);
    // The built-in sandbox's thread too (main.ts).
    expect(existsSync(join(unpacked, 'dist', 'sandbox-worker.cjs'))).toBe(true);
  });

  it('runs the unpacked validation worker on its own: it needs nothing from inside the asar', async () => {
    const script = join(appDir, 'resources', 'app.asar.unpacked', 'dist', 'validation-worker.cjs');
    const source = readFileSync(script, 'utf8');
    // Only Node built-ins: packages such as saxes exist only inside app.asar.
    const required = [...source.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((r) => !r.startsWith('node:'))).toEqual([]);
    // Loaded from the packed app's folder, outside the project (no node_modules up the tree).
    const reply = await checkInWorker(script, makeInvoice('PACKED-WORKER-1'));
    expect(reply.error).toBeUndefined();
    expect(reply.result?.ok).toBe(true);
    if (reply.result?.ok) expect(reply.result.verdict.valid).toBe(true);
  });
});
