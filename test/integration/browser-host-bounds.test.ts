import { request as httpRequest } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ADD_CALL_BYTES } from '../../app/contract';
import { createEngine, memorySecretStore, type Engine } from '../../app/engine';
import { bodyLimitFor, startBrowserHost, type BrowserHost } from '../../app/host/browser-host';
import { HOST_PATHS, TOKEN_HEADER } from '../../app/host/wire';

let dir: string;
let engine: Engine;
let host: BrowserHost;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'peppol-desk-host-bounds-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Peppol Desk</title>');
  engine = await createEngine({
    dataDir: join(dir, 'data'),
    secrets: memorySecretStore(),
    host: 'browser',
  });
  host = await startBrowserHost({ engine, rendererDir });
  base = `http://127.0.0.1:${host.port}`;
});
afterAll(async () => {
  await host.close();
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Streams up to `total` bytes (chunked, no length announced) into `documents:add` and reports
 * the answer's status and how many bytes were written before the host cut the request off.
 */
function streamBody(total: number): Promise<{ status: number; written: number; text: string }> {
  return new Promise((done, fail) => {
    let written = 0;
    let finished = false;
    const req = httpRequest(`${base}${HOST_PATHS.invoke}/documents:add`, {
      method: 'POST',
      headers: { [TOKEN_HEADER]: host.token, 'content-type': 'application/json' },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        finished = true;
        done({ status: res.statusCode ?? 0, written, text });
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (finished) return;
      // The host cut the connection while we were still writing: that is the cut-off itself
      // (unread data makes the close a reset, which can beat the 413 to the client).
      if (err.code === 'EPIPE' || err.code === 'ECONNRESET') {
        finished = true;
        done({ status: 0, written, text: '' });
      } else fail(err);
    });
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const pump = () => {
      while (!finished && written < total) {
        written += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!finished) req.end();
    };
    req.write('{"files":[{"name":"a.xml","bytes":{"$bytes":"');
    pump();
  });
}

describe('browser host request bodies', () => {
  it('derives its limit from the largest add call the renderer sends', () => {
    expect(bodyLimitFor(MAX_ADD_CALL_BYTES)).toBeGreaterThan((MAX_ADD_CALL_BYTES * 4) / 3);
    expect(bodyLimitFor(MAX_ADD_CALL_BYTES)).toBeLessThan(MAX_ADD_CALL_BYTES * 2);
  });

  it('cuts a 600 MB body off near the limit instead of reading it to the end', async () => {
    const limit = bodyLimitFor(MAX_ADD_CALL_BYTES);
    const before = process.memoryUsage().rss;
    const res = await streamBody(600 * 1024 * 1024);
    // A 413 with the reason, or a reset that beat it to the client (the announced-size test below
    // reads the 413's words); either way the body was cut off, not read to its end.
    expect(res.status === 413 ? res.text : 'cut off').toMatch(/Too much at once|cut off/);
    // Socket buffers let some more through, never the whole body.
    expect(res.written).toBeLessThan(limit + 128 * 1024 * 1024);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('answers an announced oversize body at once', async () => {
    const res = await new Promise<{ status: number; text: string }>((done, fail) => {
      const req = httpRequest(`${base}${HOST_PATHS.invoke}/documents:add`, {
        method: 'POST',
        headers: { [TOKEN_HEADER]: host.token, 'content-length': String(536_870_900) },
      });
      req.on('response', (r) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString()));
        r.on('end', () => done({ status: r.statusCode ?? 0, text }));
      });
      req.on('error', fail);
      req.write('{');
    });
    expect(res.status).toBe(413);
    expect(res.text).toContain('Too much at once');
  });

  it('answers malformed escapes and bodies 400, with no exception text', async () => {
    for (const path of [`${HOST_PATHS.invoke}/%E0%A4%A`, `${HOST_PATHS.invoke}/docs%`]) {
      const res = await request(`${base}${path}`, {
        method: 'POST',
        headers: { [TOKEN_HEADER]: host.token },
        body: '{}',
      });
      const text = await res.body.text();
      expect(res.statusCode).toBe(400);
      expect(text).not.toMatch(/URIError|Error:|at /);
    }
    const page = await request(`${base}/%`);
    expect(page.statusCode).toBe(400);
    expect(await page.body.text()).not.toMatch(/URIError/);
    const junk = await request(`${base}${HOST_PATHS.invoke}/settings:get`, {
      method: 'POST',
      headers: { [TOKEN_HEADER]: host.token },
      body: '{"files": [',
    });
    expect(junk.statusCode).toBe(400);
    expect(await junk.body.text()).not.toMatch(/SyntaxError|JSON at position/);
  });
});
