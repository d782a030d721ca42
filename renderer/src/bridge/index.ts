import type { Api } from '../../../app/contract';
import { createHttpBridge, takeSessionToken } from './http-bridge';

// No global `Window` augmentation: the preload's typings own `window.api`, we only read it.
type WindowWithApi = { api?: Api };

/**
 * The one bridge to the engine. Electron's preload provides `window.api`; in the browser host we
 * install the HTTP bridge there on first use, so the rest of the renderer never knows which it is.
 */
export function getApi(): Api {
  const w = window as unknown as WindowWithApi;
  if (!w.api) w.api = createHttpBridge(takeSessionToken());
  return w.api;
}
