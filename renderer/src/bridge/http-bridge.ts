import type {
  Api,
  ErrorValue,
  EventName,
  Events,
  RequestArg,
  RequestChannel,
  RequestResult,
  Result,
} from '../../../app/contract';
import {
  ALIVE_EVENT,
  ALIVE_EVERY_MS,
  decodeWire,
  encodeWire,
  encodeWireParts,
  HOST_PATHS,
  TOKEN_HEADER,
  WIRE_PARTS_TYPE,
} from '../../../app/host/wire';

const TOKEN_STORAGE_KEY = 'peppol-desk-token';

/**
 * Reads the session token the browser host put in the address (`?token=`), keeps it in
 * sessionStorage so a reload still works, and removes it from the address bar so it does not end
 * up in bookmarks, screenshots or the history.
 */
export function takeSessionToken(): string | null {
  const url = new URL(window.location.href);
  const fromAddress = url.searchParams.get('token');
  if (fromAddress) {
    try {
      window.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromAddress);
    } catch {
      // Storage can be disabled; the token then lives only for this page load.
    }
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
    return fromAddress;
  }
  try {
    return window.sessionStorage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    return null;
  }
}

function failure(code: string, message: string): { ok: false; error: ErrorValue } {
  return { ok: false, error: { code, message } };
}

function isResult(value: unknown): value is Result<unknown> {
  if (!value || typeof value !== 'object') return false;
  const ok = (value as { ok?: unknown }).ok;
  // A channel with no result (`drops:end`, `drops:forget`) answers `{ ok: true }`: its
  // `undefined` value is left out by JSON (it read as "an unexpected reply").
  if (ok === true) return true;
  if (ok === false) {
    const error = (value as { error?: unknown }).error;
    return !!error && typeof error === 'object' && typeof (error as ErrorValue).code === 'string';
  }
  return false;
}

/**
 * The event stream to Peppol Desk: `open`; `lost` (the browser is trying again); `unanswered`
 * (lost for {@link UNANSWERED_AFTER_MS}: Peppol Desk is probably no longer running, and a new run
 * has a new address and session key, which this page cannot know); `ended` (the address answered
 * but refused this page's session: Peppol Desk was started again, or another program has the
 * port; the browser does not try again).
 */
export type LinkState = 'open' | 'lost' | 'unanswered' | 'ended';

/** How long the stream may be lost before the page says Peppol Desk is not answering. */
export const UNANSWERED_AFTER_MS = 15_000;

/**
 * An open stream with no word from Peppol Desk for this long (it says it is alive every
 * ALIVE_EVERY_MS): it is frozen or stuck, and the page says it is not answering.
 */
export const SILENT_AFTER_MS = ALIVE_EVERY_MS * 4;

/** Whether the event stream is connected; `reconnected` is true on every open after the first. */
export type LinkListener = (state: LinkState, info: { reconnected: boolean }) => void;

/** The HTTP bridge: the contract's `Api`, plus word of the event stream dropping and returning. */
export interface HttpBridge extends Api {
  onLink(listener: LinkListener): () => void;
}

/** The `Api` over the browser host's HTTP endpoints: POST for requests, Server-Sent Events for events. */
export function createHttpBridge(token: string | null): HttpBridge {
  let source: EventSource | null = null;
  const linkListeners = new Set<LinkListener>();
  let opened = false;
  let lost = false;
  let unanswered: ReturnType<typeof setTimeout> | null = null;
  /** When Peppol Desk last said anything on the stream; `silent`: said "unanswered" for it. */
  let heardAt = 0;
  let silent = false;
  let watchdog: ReturnType<typeof setInterval> | null = null;
  const heard = (): void => {
    heardAt = Date.now();
    if (!silent) return;
    silent = false;
    // Back from a freeze: events of the silence may be missing, so listeners read state again.
    tell('open', true);
  };
  const tell = (state: LinkState, reconnected = false): void => {
    for (const l of linkListeners) l(state, { reconnected });
  };

  function eventSource(): EventSource {
    if (!source) {
      const query = token ? `?token=${encodeURIComponent(token)}` : '';
      // EventSource reconnects by itself when the host restarts or the network blips. Events sent
      // while it was away are gone, so listeners hear of the reconnect and fetch state again.
      const es = new EventSource(`${HOST_PATHS.events}${query}`);
      es.addEventListener('open', () => {
        const reconnected = opened;
        opened = true;
        lost = false;
        silent = false;
        heardAt = Date.now();
        if (unanswered !== null) clearTimeout(unanswered);
        unanswered = null;
        tell('open', reconnected);
      });
      es.addEventListener('error', () => {
        // Closed: the host answered but refused the stream (401: not this session), and the
        // browser gives up; only opening Peppol Desk again helps.
        if (es.readyState === EventSource.CLOSED) {
          if (unanswered !== null) clearTimeout(unanswered);
          unanswered = null;
          lost = true;
          tell('ended');
          return;
        }
        if (lost || !opened) return;
        lost = true;
        tell('lost');
        unanswered = setTimeout(() => {
          unanswered = null;
          if (lost) tell('unanswered');
        }, UNANSWERED_AFTER_MS);
      });
      es.addEventListener(ALIVE_EVENT, heard);
      watchdog ??= setInterval(() => {
        if (!opened || lost || silent || Date.now() - heardAt < SILENT_AFTER_MS) return;
        silent = true;
        tell('unanswered');
      }, ALIVE_EVERY_MS);
      source = es;
    }
    return source;
  }

  async function invoke<C extends RequestChannel>(
    channel: C,
    arg: RequestArg<C>,
  ): Promise<Result<RequestResult<C>>> {
    if (!token) {
      return failure(
        'NO_SESSION',
        'This page was opened without its session key. Open Peppol Desk again from the app or the command line.',
      );
    }
    // File bytes go as they are, in a Blob the browser assembles and sends natively: no
    // JavaScript copy or base64 of a 200-file add (that made long tasks of 50-300 ms).
    const parts = encodeWireParts(arg ?? null);
    const request: { type: string; body: string | Blob } = parts
      ? {
          type: WIRE_PARTS_TYPE,
          body: new Blob([parts.header, '\n', ...(parts.parts as BlobPart[])]),
        }
      : { type: 'application/json', body: encodeWire(arg ?? null) };
    let response: Response;
    try {
      response = await fetch(`${HOST_PATHS.invoke}/${encodeURIComponent(channel)}`, {
        method: 'POST',
        headers: { 'content-type': request.type, [TOKEN_HEADER]: token },
        body: request.body,
      });
    } catch {
      return failure(
        'HOST_UNREACHABLE',
        'Peppol Desk is not answering. Check that it is still running, then try again.',
      );
    }
    let body: unknown;
    try {
      body = decodeWire(await response.text());
    } catch {
      body = undefined;
    }
    if (isResult(body)) return body as Result<RequestResult<C>>;
    if (response.status === 401 || response.status === 403) {
      return failure(
        'SESSION_EXPIRED',
        'This page’s session has ended. Open Peppol Desk again from the app or the command line.',
      );
    }
    return failure(
      'HOST_ERROR',
      `Peppol Desk answered with an unexpected reply (HTTP ${response.status}). Try again; if it keeps happening, restart the app.`,
    );
  }

  function on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    const handler = (message: MessageEvent<string>): void => {
      let payload: Events[E];
      try {
        payload = decodeWire(message.data) as Events[E];
      } catch {
        return;
      }
      listener(payload);
    };
    const es = eventSource();
    es.addEventListener(event, handler);
    return () => es.removeEventListener(event, handler);
  }

  function onLink(listener: LinkListener): () => void {
    linkListeners.add(listener);
    eventSource();
    return () => linkListeners.delete(listener);
  }

  return { invoke, on, onLink };
}
