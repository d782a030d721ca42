import { EVENT_NAMES, REQUEST_CHANNELS, type EventName, type Events } from '../app/contract';
import type { Engine } from '../app/engine';
import { invokeHandler } from '../app/errors';
import { EventGate } from './event-gate';
import { ipcChannel, RENDERER_READY_CHANNEL } from './ipc-channels';

export { ipcChannel } from './ipc-channels';

/** What the bridge reads of an IPC event: who sent it, and from which page. */
export interface IpcEventLike {
  sender: unknown;
  senderFrame: { url: string } | null;
}

/** The part of `ipcMain` the bridge uses (so it can be tested without Electron). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, arg: unknown) => unknown): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: IpcEventLike) => void): void;
  removeListener(channel: string, listener: (event: IpcEventLike) => void): void;
}

/** The part of a window's `webContents` the bridge sends events to. */
export interface EventSink {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

/** Where requests may come from: our window's webContents, showing our page. */
export interface TrustedRenderer {
  /** The webContents of our window, or null while there is none. */
  contents(): EventSink | null;
  /** True for the URL of our own page (the bundled index.html). */
  isTrustedUrl(url: string): boolean;
}

/** A registered bridge. */
export interface IpcBridge {
  /** The page is reloading: hold events until it listens again. */
  rendererReloading(): void;
  dispose(): void;
}

const FORBIDDEN = {
  ok: false,
  error: { code: 'FORBIDDEN', message: 'Request from an unknown page.' },
} as const;

/**
 * Register one handler per contract channel. Requests are answered only when they come from our
 * window's webContents showing our own page; anything else gets a FORBIDDEN error value. Errors
 * always come back as values. Events are held until the page says it listens.
 */
export function registerIpcBridge(
  ipc: IpcMainLike,
  engine: Engine,
  renderer: TrustedRenderer,
): IpcBridge {
  const isTrusted = (event: IpcEventLike): boolean => {
    const ours = renderer.contents();
    return (
      ours !== null && event.sender === ours && renderer.isTrustedUrl(event.senderFrame?.url ?? '')
    );
  };

  for (const channel of REQUEST_CHANNELS) {
    ipc.handle(ipcChannel(channel), (event, arg) =>
      isTrusted(event) ? invokeHandler(engine.handlers, channel, arg) : FORBIDDEN,
    );
  }

  const gate = new EventGate((name, payload) => {
    const target = renderer.contents();
    if (target && !target.isDestroyed()) target.send(ipcChannel(name), payload);
  });
  const onReady = (event: IpcEventLike) => {
    if (isTrusted(event)) gate.ready();
  };
  ipc.on(RENDERER_READY_CHANNEL, onReady);

  const unsubscribe = EVENT_NAMES.map((name: EventName) =>
    engine.on(name, (payload: Events[EventName]) => gate.push(name, payload)),
  );
  return {
    rendererReloading: () => gate.close(),
    dispose() {
      for (const channel of REQUEST_CHANNELS) ipc.removeHandler(ipcChannel(channel));
      ipc.removeListener(RENDERER_READY_CHANNEL, onReady);
      for (const u of unsubscribe) u();
    },
  };
}
