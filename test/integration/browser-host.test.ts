import { request } from 'undici';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, memorySecretStore, type Engine } from '../../app/engine';
import { startBrowserHost, type BrowserHost } from '../../app/host/browser-host';
import { CONTENT_SECURITY_POLICY } from '../../app/host/csp';
import {
  decodeWire,
  encodeWire,
  encodeWireParts,
  HOST_PATHS,
  TOKEN_HEADER,
  WIRE_PARTS_TYPE,
} from '../../app/host/wire';
import { makeInvoices } from '../helpers/invoices';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

let dir: string;
let engine: Engine;
let host: BrowserHost;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'peppol-desk-host-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Peppol Desk</title>');
  engine = await createEngine({
    dataDir: join(dir, 'data'),
    secrets: memorySecretStore(),
    host: 'browser',
    coalesceMs: 20,
  });
  host = await startBrowserHost({ engine, rendererDir });
  base = `http://127.0.0.1:${host.port}`;
});
afterAll(async () => {
  await host.close();
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function invoke(channel: string, arg: unknown, token: string | null = host.token) {
  const res = await request(`${base}${HOST_PATHS.invoke}/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { [TOKEN_HEADER]: token } : {}) },
    body: encodeWire(arg),
  });
  return {
    status: res.statusCode,
    timing: res.headers['server-timing'],
    body: res.statusCode === 200 ? decodeWire(await res.body.text()) : await res.body.text(),
  };
}

describe('browser host', () => {
  it('serves the page and prints a URL with the session token, on 127.0.0.1 only', async () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
    const res = await request(`${base}/`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(await res.body.text()).toContain('Peppol Desk');
    const escape = await request(`${base}/..%2f..%2fetc%2fpasswd`);
    expect(escape.statusCode).toBe(404);
    await escape.body.dump();
  });

  it('refuses API calls without the token or with a foreign Host header', async () => {
    expect((await invoke('settings:get', undefined, null)).status).toBe(401);
    expect((await invoke('settings:get', undefined, 'wrong-token-wrong-token-wrong')).status).toBe(
      401,
    );
    const rebinding = await request(`${base}${HOST_PATHS.invoke}/settings:get`, {
      method: 'POST',
      headers: { host: 'evil.example:80', [TOKEN_HEADER]: host.token },
      body: '',
    });
    expect(rebinding.statusCode).toBe(421);
    await rebinding.body.dump();
  });

  it('carries requests, bytes and errors as values, and streams coalesced events', async () => {
    const events = await request(`${base}${HOST_PATHS.events}?token=${host.token}`);
    expect(events.headers['content-type']).toBe('text/event-stream');
    const files = makeInvoices(3, 'HOST');
    const add = await invoke('documents:add', { files });
    expect(add.status).toBe(200);
    expect(add.body).toMatchObject({ ok: true });
    const ids = (add.body as { value: { added: { id: number }[] } }).value.added.map((a) => a.id);
    expect(ids).toHaveLength(3);
    let text = '';
    for await (const chunk of events.body) {
      text += chunk.toString();
      if (text.includes('event: documents:changed')) break;
    }
    expect(text).toContain('"counts"');
    const missing = await invoke('documents:get', { id: 424242 });
    expect(missing.body).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const unknown = await invoke('nope:nope', {});
    expect(unknown.body).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    // Every answer says how long the engine took to make it (what a slow round trip waited for).
    const list = await invoke('documents:list', { limit: 10 });
    expect(list.timing).toMatch(/^engine;dur=\d+\.\d\d, encode;dur=\d+\.\d\d$/);
  });

  it('takes file bytes as raw parts (as the page sends them), byte for byte; a malformed body is a 400', async () => {
    const files = makeInvoices(2, 'PARTS');
    // A name with a newline and non-ASCII: the header is one JSON line whatever the names.
    files[1]!.name = 'Facture\nété.xml';
    const { header, parts } = encodeWireParts({ files })!;
    const post = (body: Buffer) =>
      request(`${base}${HOST_PATHS.invoke}/documents:add`, {
        method: 'POST',
        headers: { 'content-type': WIRE_PARTS_TYPE, [TOKEN_HEADER]: host.token },
        body,
      });
    const res = await post(Buffer.concat([Buffer.from(`${header}\n`), ...parts]));
    expect(res.statusCode).toBe(200);
    const add = decodeWire(await res.body.text()) as {
      ok: true;
      value: { added: { id: number; fileName: string }[] };
    };
    expect(add.value.added.map((a) => a.fileName)).toEqual([files[0]!.name, files[1]!.name]);
    const original = await invoke('documents:original', { id: add.value.added[1]!.id });
    const bytes = (original.body as { value: { bytes: Uint8Array } }).value.bytes;
    expect(Buffer.from(bytes).equals(Buffer.from(files[1]!.bytes))).toBe(true);

    for (const bad of [
      Buffer.from('{"files":[]}'), // no header line
      Buffer.from('{"files":[{"name":"x.xml","bytes":{"$part":[0,99]}}]}\nshort'),
      Buffer.from('{"files":[{"name":"x.xml","bytes":{"$part":[-1,2]}}]}\nab'),
      Buffer.from('not json\n'),
    ]) {
      const r = await post(bad);
      expect(r.statusCode).toBe(400);
      expect(decodeWire(await r.body.text())).toMatchObject({
        ok: false,
        error: { code: 'BAD_REQUEST' },
      });
    }
    expect(encodeWireParts({ search: 'no bytes' })).toBeNull();
  });
});
