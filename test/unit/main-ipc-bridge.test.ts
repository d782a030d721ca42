import { describe, expect, it, vi } from 'vitest';
import { REQUEST_CHANNELS, emptyCounts, type EventName, type Handlers } from '../../app/contract';
import type { Engine } from '../../app/engine';
import { AppError } from '../../app/errors';
import {
  ipcChannel,
  registerIpcBridge,
  type IpcEventLike,
  type IpcMainLike,
} from '../../main/ipc-bridge';
import { RENDERER_READY_CHANNEL } from '../../main/ipc-channels';

// The bridge must never need Electron itself.
vi.mock('electron', () => {
  throw new Error('main/ipc-bridge.ts must not load electron');
});

const OUR_URL = 'app://peppol-desk/index.html';

function fakeIpc() {
  const handlers = new Map<string, (event: IpcEventLike, arg: unknown) => unknown>();
  const listeners = new Map<string, Set<(event: IpcEventLike) => void>>();
  const ipc: IpcMainLike = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => handlers.delete(channel),
    on: (channel, listener) => {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
    },
    removeListener: (channel, listener) => listeners.get(channel)?.delete(listener),
  };
  return {
    ipc,
    handlers,
    invoke: (channel: string, event: IpcEventLike, arg?: unknown) =>
      Promise.resolve(handlers.get(ipcChannel(channel))!(event, arg)),
    emitIpc: (channel: string, event: IpcEventLike) => {
      for (const l of listeners.get(channel) ?? []) l(event);
    },
    ipcListeners: (channel: string) => listeners.get(channel)?.size ?? 0,
  };
}

function fakeEngine() {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const handlers = {
    'app:info': () => ({ version: '1.0.0', host: 'electron', dataDir: '/data' }),
    'settings:get': () => {
      throw new AppError('BROKEN', 'The settings could not be read. Restart Peppol Desk.');
    },
    'metrics:snapshot': () => {
      throw new Error('disk on fire');
    },
  } as unknown as Handlers;
  const engine = {
    handlers,
    on(event: EventName, listener: (payload: unknown) => void) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
  } as unknown as Engine;
  const emit = (event: EventName, payload: unknown) => {
    for (const l of listeners.get(event) ?? []) l(payload);
  };
  return {
    engine,
    emit,
    engineListeners: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
  };
}

function setup() {
  const ipc = fakeIpc();
  const eng = fakeEngine();
  const sent: { channel: string; payload: unknown }[] = [];
  const contents = {
    send: (channel: string, payload: unknown) => sent.push({ channel, payload }),
    isDestroyed: () => false,
  };
  let windowOpen = true;
  const bridge = registerIpcBridge(ipc.ipc, eng.engine, {
    contents: () => (windowOpen ? contents : null),
    isTrustedUrl: (url) => url.split('#')[0]!.split('?')[0] === OUR_URL,
  });
  const fromUs: IpcEventLike = { sender: contents, senderFrame: { url: `${OUR_URL}#/documents` } };
  return {
    ...ipc,
    ...eng,
    contents,
    sent,
    bridge,
    fromUs,
    closeWindow: () => (windowOpen = false),
  };
}

describe('IPC bridge', () => {
  it('registers exactly one handler per contract request channel, and removes them on dispose', () => {
    const t = setup();
    expect([...t.handlers.keys()].sort()).toEqual(REQUEST_CHANNELS.map(ipcChannel).sort());
    expect(t.ipcListeners(RENDERER_READY_CHANNEL)).toBe(1);
    t.bridge.dispose();
    expect(t.handlers.size).toBe(0);
    expect(t.ipcListeners(RENDERER_READY_CHANNEL)).toBe(0);
    expect(t.engineListeners()).toBe(0);
  });

  it('answers our window, with results and errors as values', async () => {
    const t = setup();
    await expect(t.invoke('app:info', t.fromUs)).resolves.toEqual({
      ok: true,
      value: { version: '1.0.0', host: 'electron', dataDir: '/data' },
    });
    await expect(t.invoke('settings:get', t.fromUs)).resolves.toEqual({
      ok: false,
      error: { code: 'BROKEN', message: 'The settings could not be read. Restart Peppol Desk.' },
    });
    const unexpected = (await t.invoke('metrics:snapshot', t.fromUs)) as {
      ok: boolean;
      error: { code: string; message: string };
    };
    expect(unexpected.ok).toBe(false);
    expect(unexpected.error.code).toBe('INTERNAL');
  });

  it('refuses other webContents, other pages, missing frames and a closed window', async () => {
    const t = setup();
    const forbidden = {
      ok: false,
      error: { code: 'FORBIDDEN', message: 'Request from an unknown page.' },
    };
    const otherContents = { send: () => undefined, isDestroyed: () => false };
    const cases: IpcEventLike[] = [
      // Another window (e.g. one opened by a bug) showing our very page.
      { sender: otherContents, senderFrame: { url: OUR_URL } },
      // Our window, navigated elsewhere or with a foreign frame.
      { sender: t.contents, senderFrame: { url: 'https://evil.example/index.html' } },
      { sender: t.contents, senderFrame: { url: 'file:///tmp/other/index.html' } },
      { sender: t.contents, senderFrame: null },
    ];
    for (const event of cases) {
      await expect(t.invoke('app:info', event)).resolves.toEqual(forbidden);
    }
    t.closeWindow();
    await expect(t.invoke('app:info', t.fromUs)).resolves.toEqual(forbidden);
  });

  it('has no handler for channels outside the contract', () => {
    const t = setup();
    expect(t.handlers.has(ipcChannel('fs:readFile'))).toBe(false);
    expect(t.handlers.has('app:info')).toBe(false); // only the prefixed names
  });

  it('holds events (coalesced) until our page says it listens, then streams them', () => {
    const t = setup();
    const counts1 = { ...emptyCounts(), queued: 2 };
    const counts2 = { ...emptyCounts(), accepted: 2 };
    t.emit('documents:changed', { ids: [1, 2], counts: counts1 });
    t.emit('documents:changed', { ids: [2, 3], counts: counts2 });
    t.emit('connection:changed', { state: 'connecting' });
    t.emit('connection:changed', { state: 'online' });
    expect(t.sent).toEqual([]);

    // A "ready" from anyone else opens nothing.
    t.emitIpc(RENDERER_READY_CHANNEL, { sender: {}, senderFrame: { url: OUR_URL } });
    expect(t.sent).toEqual([]);

    t.emitIpc(RENDERER_READY_CHANNEL, t.fromUs);
    expect(t.sent).toEqual([
      {
        channel: ipcChannel('documents:changed'),
        payload: { ids: [1, 2, 3], counts: counts2 },
      },
      { channel: ipcChannel('connection:changed'), payload: { state: 'online' } },
    ]);

    t.emit('metrics:tick', { at: 1 });
    expect(t.sent.at(-1)).toEqual({ channel: ipcChannel('metrics:tick'), payload: { at: 1 } });

    // A reload holds events again until the new page listens.
    t.bridge.rendererReloading();
    t.emit('metrics:tick', { at: 2 });
    t.emit('metrics:tick', { at: 3 });
    expect(t.sent).toHaveLength(3);
    t.emitIpc(RENDERER_READY_CHANNEL, t.fromUs);
    expect(t.sent.at(-1)).toEqual({ channel: ipcChannel('metrics:tick'), payload: { at: 3 } });
    expect(t.sent).toHaveLength(4);
  });
});
