import { realpathSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** MIME types of the files the renderer build holds (anything else is served as bytes). */
export const RENDERER_MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** What a request path names inside the renderer folder. */
export type RendererFile =
  { status: 200; path: string; mime: string } | { status: 400 } | { status: 404 };

/**
 * Resolve a URL path (still percent-encoded, as in `new URL(...).pathname`) to a file inside
 * `rendererDir`, for the browser host and Electron's app:// protocol alike. Only regular files
 * whose real location (symlinks resolved) is inside the folder are served: `..` in any spelling,
 * absolute paths, NUL bytes and links pointing out answer 404; a malformed `%` escape answers 400.
 */
export function resolveRendererFile(rendererDir: string, pathname: string): RendererFile {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname.replace(/^\/+/, ''));
  } catch {
    return { status: 400 };
  }
  if (rel === '') rel = 'index.html';
  // NUL makes fs throw; a drive or UNC prefix must never be joined.
  if (rel.includes('\0') || isAbsolute(rel) || /^[a-zA-Z]:/.test(rel)) return { status: 404 };
  const root = resolve(rendererDir);
  const file = resolve(join(root, rel));
  if (!inside(root, file)) return { status: 404 };
  try {
    // Compare real paths: a link inside the folder must not reach a file outside it.
    const real = realpathSync(file);
    if (!inside(realpathSync(root), real) || !statSync(real).isFile()) return { status: 404 };
    return {
      status: 200,
      path: real,
      mime: RENDERER_MIME_TYPES[extname(real)] ?? 'application/octet-stream',
    };
  } catch {
    return { status: 404 };
  }
}

function inside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}
