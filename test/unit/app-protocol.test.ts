/**
 * The app:// protocol that serves the Electron page (main/app-protocol.ts) and the file resolution
 * it shares with the browser host (app/host/renderer-files.ts): only files of the renderer build,
 * whatever the request spells.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../app/host/csp';
import { resolveRendererFile } from '../../app/host/renderer-files';
import {
  APP_INDEX_URL,
  appProtocolHandler,
  registerAppScheme,
  serveAppProtocol,
} from '../../main/app-protocol';
import { useTempDirs } from '../helpers/temp';

vi.mock('electron', () => {
  throw new Error('main/app-protocol.ts takes Electron objects as parameters');
});

const tempDir = useTempDirs();

/** A renderer build beside a secret file, with links pointing in and out. */
function buildFixture() {
  const root = tempDir();
  const dir = join(root, 'renderer');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>ok</title>');
  writeFileSync(join(dir, 'assets', 'index-1.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'index-1.css'), 'body{}');
  writeFileSync(join(dir, 'assets', 'logo.svg'), '<svg/>');
  writeFileSync(join(dir, 'assets', 'blob.bin'), 'x');
  writeFileSync(join(root, 'secret.txt'), 'SECRET');
  mkdirSync(join(root, 'renderer-evil'));
  writeFileSync(join(root, 'renderer-evil', 'x.js'), 'SECRET');
  symlinkSync(join(root, 'secret.txt'), join(dir, 'assets', 'out.txt'));
  symlinkSync(root, join(dir, 'up'));
  symlinkSync(join(dir, 'assets', 'index-1.js'), join(dir, 'inside.js'));
  return { root, dir };
}

describe('renderer file resolution', () => {
  it('serves the build with the right MIME types, index.html for /', () => {
    const { dir } = buildFixture();
    expect(resolveRendererFile(dir, '/')).toMatchObject({
      status: 200,
      path: join(dir, 'index.html'),
      mime: 'text/html; charset=utf-8',
    });
    expect(resolveRendererFile(dir, '/index.html')).toMatchObject({ status: 200 });
    expect(resolveRendererFile(dir, '/assets/index-1.js').status).toBe(200);
    expect(resolveRendererFile(dir, '/assets/index-1.js')).toMatchObject({
      mime: 'text/javascript; charset=utf-8',
    });
    expect(resolveRendererFile(dir, '/assets/index-1.css')).toMatchObject({
      mime: 'text/css; charset=utf-8',
    });
    expect(resolveRendererFile(dir, '/assets/logo.svg')).toMatchObject({ mime: 'image/svg+xml' });
    expect(resolveRendererFile(dir, '/assets/blob.bin')).toMatchObject({
      mime: 'application/octet-stream',
    });
    // A link that stays inside the build is fine.
    expect(resolveRendererFile(dir, '/inside.js')).toMatchObject({
      status: 200,
      path: join(dir, 'assets', 'index-1.js'),
    });
  });

  it('never reaches outside the folder, in any spelling', () => {
    const { root, dir } = buildFixture();
    const escapes = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/..%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%5csecret.txt',
      `/${encodeURIComponent(join(root, 'secret.txt'))}`,
      `//${join(root, 'secret.txt')}`,
      '/C:%5cWindows%5cwin.ini',
      '/../renderer-evil/x.js',
      '/assets/out.txt',
      '/up/secret.txt',
      '/index.html%00.js',
    ];
    for (const path of escapes) {
      expect({ path, status: resolveRendererFile(dir, path).status }).toEqual({
        path,
        status: 404,
      });
    }
  });

  it('answers 404 for unknown files and folders, 400 for a malformed escape', () => {
    const { dir } = buildFixture();
    expect(resolveRendererFile(dir, '/missing.js').status).toBe(404);
    expect(resolveRendererFile(dir, '/assets').status).toBe(404);
    expect(resolveRendererFile(dir, '/assets/').status).toBe(404);
    expect(resolveRendererFile(dir, '/%E0%A4%A').status).toBe(400);
    expect(resolveRendererFile(dir, '/%').status).toBe(400);
  });
});

describe('app:// protocol', () => {
  it('is declared standard and secure, and served on the app scheme', () => {
    const registered: unknown[] = [];
    registerAppScheme({ registerSchemesAsPrivileged: (s) => registered.push(...s) });
    expect(registered).toEqual([
      {
        scheme: 'app',
        privileges: expect.objectContaining({ standard: true, secure: true }),
      },
    ]);
    // No privilege that would weaken the page's CSP or its isolation.
    expect(registered[0]).not.toHaveProperty('privileges.bypassCSP', true);

    const handle = vi.fn();
    serveAppProtocol({ handle }, '/nowhere');
    expect(handle).toHaveBeenCalledWith('app', expect.any(Function));
    expect(APP_INDEX_URL).toBe('app://peppol-desk/index.html');
  });

  it('answers our files with their MIME type and the CSP, and nothing else', async () => {
    const { dir } = buildFixture();
    const serve = appProtocolHandler(dir);

    const page = await serve(new Request(APP_INDEX_URL));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toBe('<!doctype html><title>ok</title>');

    const script = await serve(new Request('app://peppol-desk/assets/index-1.js?v=1#x'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log(1)');

    const head = await serve(new Request(APP_INDEX_URL, { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');

    const refused: [string, number, string?][] = [
      ['app://peppol-desk/%2e%2e/secret.txt', 404],
      ['app://peppol-desk/..%2f..%2fsecret.txt', 404],
      ['app://peppol-desk/assets/out.txt', 404],
      ['app://peppol-desk/up/secret.txt', 404],
      ['app://peppol-desk/missing.js', 404],
      ['app://other-host/index.html', 404],
      ['app://peppol-desk/%', 400],
      [APP_INDEX_URL, 405, 'POST'],
    ];
    for (const [url, status, method] of refused) {
      const res = await serve(new Request(url, { method: method ?? 'GET' }));
      const body = await res.text();
      expect({ url, status: res.status }).toEqual({ url, status });
      expect(body).not.toContain('SECRET');
    }
  });
});
