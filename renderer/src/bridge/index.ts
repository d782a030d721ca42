import type { Api } from '../../../app/contract';
import {
  createHttpBridge,
  takeSessionToken,
  type HttpBridge,
  type LinkListener,
  type LinkState,
} from './http-bridge';

// No global `Window` augmentation: the preload's typings own `window.api`, we only read it.
type WindowWithApi = { api?: Api };

/** Set when this page runs in the browser host and we installed the HTTP bridge. */
let httpBridge: HttpBridge | null = null;

/**
 * The one bridge to the engine. Electron's preload provides `window.api`; in the browser host we
 * install the HTTP bridge there on first use, so the rest of the renderer never knows which it is.
 */
export function getApi(): Api {
  const w = window as unknown as WindowWithApi;
  if (!w.api) {
    httpBridge = createHttpBridge(takeSessionToken());
    w.api = httpBridge;
  }
  return w.api;
}

/**
 * Hear when the event stream drops and comes back (browser host only: Electron's IPC does not
 * drop, so there the listener is never called). Events sent meanwhile are lost: refetch on return.
 */
export function onEngineLink(listener: LinkListener): () => void {
  getApi();
  return httpBridge ? httpBridge.onLink(listener) : () => undefined;
}

export type { LinkListener, LinkState };
