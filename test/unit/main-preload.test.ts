import { beforeAll, describe, expect, it, vi } from 'vitest';
import { EVENT_NAMES, REQUEST_CHANNELS, type Api } from '../../app/contract';
import { RENDERER_READY_CHANNEL } from '../../main/ipc-channels';

const electron = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoke: vi.fn((..._args: unknown[]) => Promise.resolve({ ok: true, value: 'answer' })),
  on: vi.fn(),
  removeListener: vi.fn(),
  send: vi.fn(),
}));

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, value: unknown) => electron.exposed.set(key, value),
  },
  ipcRenderer: {
    invoke: electron.invoke,
    on: electron.on,
    removeListener: electron.removeListener,
    send: electron.send,
  },
}));

let api: Api;
beforeAll(async () => {
  await import('../../main/preload');
  api = electron.exposed.get('api') as Api;
});

describe('preload', () => {
  it('exposes exactly window.api with invoke and on', () => {
    expect([...electron.exposed.keys()]).toEqual(['api']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
    expect(typeof api.invoke).toBe('function');
    expect(typeof api.on).toBe('function');
  });

  it('forwards contract requests and refuses anything else without touching IPC', async () => {
    await expect(api.invoke('app:info', undefined)).resolves.toEqual({ ok: true, value: 'answer' });
    expect(electron.invoke).toHaveBeenLastCalledWith('peppol-desk:app:info', undefined);
    expect(REQUEST_CHANNELS.length).toBeGreaterThan(0);

    electron.invoke.mockClear();
    const res = await api.invoke('shell:openExternal' as never, 'file:///etc/passwd' as never);
    expect(res).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(electron.invoke).not.toHaveBeenCalled();
  });

  it('subscribes to contract events, passes only the payload, says ready once, and unsubscribes', () => {
    const seen: unknown[] = [];
    const off = api.on('documents:changed', (p) => seen.push(p));
    const [channel, wrapped] = electron.on.mock.calls.at(-1) as [
      string,
      (event: unknown, payload: unknown) => void,
    ];
    expect(channel).toBe('peppol-desk:documents:changed');
    wrapped({ sender: 'the IPC event object' }, { ids: [1] });
    expect(seen).toEqual([{ ids: [1] }]);
    api.on('metrics:tick', () => undefined);
    expect(electron.send.mock.calls).toEqual([[RENDERER_READY_CHANNEL]]);
    off();
    expect(electron.removeListener).toHaveBeenCalledWith('peppol-desk:documents:changed', wrapped);

    const callsBefore = electron.on.mock.calls.length;
    const noop = api.on('fs:changed' as never, () => undefined);
    expect(electron.on.mock.calls.length).toBe(callsBefore);
    expect(noop()).toBeUndefined();
    expect(EVENT_NAMES).toContain('documents:changed');
  });
});
