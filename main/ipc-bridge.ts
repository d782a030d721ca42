import { EVENT_NAMES, REQUEST_CHANNELS, type EventName, type Events } from '../app/contract';
import type { Engine } from '../app/engine';
import { invokeHandler } from '../app/errors';

/** The part of `ipcMain` the bridge uses (so it can be tested without Electron). */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: { senderFrame: { url: string } | null }, arg: unknown) => unknown,
  ): void;
  removeHandler(channel: string): void;
}

/** The part of a window's `webContents` the bridge sends events to. */
export interface EventSink {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

/** IPC channel names are prefixed so they never clash with Electron's own. */
export const ipcChannel = (name: string): string => `peppol-desk:${name}`;

/**
 * Register one handler per contract channel. Requests are accepted only from our own page
 * (`isTrustedUrl`); errors come back as values.
 */
export function registerIpcBridge(
  ipc: IpcMainLike,
  engine: Engine,
  isTrustedUrl: (url: string) => boolean,
  sink: () => EventSink | null,
): () => void {
  for (const channel of REQUEST_CHANNELS) {
    ipc.handle(ipcChannel(channel), (event, arg) => {
      const url = event.senderFrame?.url ?? '';
      if (!isTrustedUrl(url)) {
        return {
          ok: false,
          error: { code: 'FORBIDDEN', message: 'Request from an unknown page.' },
        };
      }
      return invokeHandler(engine.handlers, channel, arg);
    });
  }
  const unsubscribe = EVENT_NAMES.map((name: EventName) =>
    engine.on(name, (payload: Events[EventName]) => {
      const target = sink();
      if (target && !target.isDestroyed()) target.send(ipcChannel(name), payload);
    }),
  );
  return () => {
    for (const channel of REQUEST_CHANNELS) ipc.removeHandler(ipcChannel(channel));
    for (const u of unsubscribe) u();
  };
}
