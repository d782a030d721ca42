import type { Protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { CONTENT_SECURITY_POLICY } from '../app/host/csp';
import { resolveRendererFile } from '../app/host/renderer-files';

/**
 * The page loads from app://peppol-desk/, not file://: a file:// page shares its origin with every
 * file on the disk, while this origin holds only the renderer build (app/host/renderer-files.ts).
 */
export const APP_SCHEME = 'app';
/** The one host the protocol answers for. */
export const APP_HOST = 'peppol-desk';
/** The origin of our page. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The URL the main window loads. */
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * Declare the scheme standard (relative URLs, an origin of its own) and secure (like https: no
 * mixed-content downgrade); must run before the app is ready. No other privilege: it does not
 * bypass the CSP.
 */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
    },
  ]);
}

/**
 * The request handler: GET/HEAD of a file of `rendererDir` on our host, with its MIME type and the
 * app's CSP; anything else 404 (or 400 for a malformed escape, 405 for another method).
 */
export function appProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return plain(400, 'Bad request');
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return plain(404, 'Not found');
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Not allowed');
    const found = resolveRendererFile(rendererDir, url.pathname);
    if (found.status === 400) return plain(400, 'Bad request');
    if (found.status === 404) return plain(404, 'Not found');
    let body: Buffer;
    try {
      body = await readFile(found.path);
    } catch {
      return plain(404, 'Not found');
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        'content-type': found.mime,
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
      },
    });
  };
}

/** Serve the renderer build on app://peppol-desk/ (after the app is ready). */
export function serveAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, appProtocolHandler(rendererDir));
}

function plain(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
  });
}
