import { contextBridge, ipcRenderer } from 'electron';
import { EVENT_NAMES, REQUEST_CHANNELS, type Api } from '../app/contract';

const channel = (name: string): string => `peppol-desk:${name}`;

/** The one bridge: exactly `window.api`, built from the contract's channel lists. */
const api = {
  invoke(name, arg) {
    if (!REQUEST_CHANNELS.includes(name)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'UNKNOWN_CHANNEL', message: `Unknown request ${String(name)}.` },
      });
    }
    return ipcRenderer.invoke(channel(name), arg);
  },
  on(name, listener) {
    if (!EVENT_NAMES.includes(name)) return () => undefined;
    const wrapped = (_event: unknown, payload: unknown) => listener(payload as never);
    ipcRenderer.on(channel(name), wrapped);
    return () => {
      ipcRenderer.removeListener(channel(name), wrapped);
    };
  },
} satisfies Api;

contextBridge.exposeInMainWorld('api', api);
