import { contextBridge, ipcRenderer } from 'electron';
import { EVENT_NAMES, REQUEST_CHANNELS, type Api } from '../app/contract';
import { ipcChannel, RENDERER_READY_CHANNEL } from './ipc-channels';

let announcedReady = false;

/** The one bridge: exactly `window.api`, built from the contract's channel lists. */
const api = {
  invoke(name, arg) {
    if (!REQUEST_CHANNELS.includes(name)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'UNKNOWN_CHANNEL', message: `Unknown request ${String(name)}.` },
      });
    }
    return ipcRenderer.invoke(ipcChannel(name), arg);
  },
  on(name, listener) {
    if (!EVENT_NAMES.includes(name)) return () => undefined;
    // Only the payload crosses: the page never sees Electron's event object.
    const wrapped = (_event: unknown, payload: unknown) => listener(payload as never);
    ipcRenderer.on(ipcChannel(name), wrapped);
    if (!announcedReady) {
      // The page listens now: the main process may deliver the events it held back.
      announcedReady = true;
      ipcRenderer.send(RENDERER_READY_CHANNEL);
    }
    return () => {
      ipcRenderer.removeListener(ipcChannel(name), wrapped);
    };
  },
} satisfies Api;

contextBridge.exposeInMainWorld('api', api);
