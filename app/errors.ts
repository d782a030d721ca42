import type { ErrorValue, Handlers, RequestChannel, Result } from './contract';
import { isRequestChannel } from './contract';
import { writeFault } from './store/write-fault';

/** An error with a stable code and a message a finance clerk understands. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Turn anything thrown into an error value for the bridge. */
export function toErrorValue(err: unknown): ErrorValue {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  const fault = writeFault(err);
  if (fault !== null) return { code: fault.code, message: fault.message };
  const e = err as { code?: unknown; message?: unknown };
  // The team database being away is not "something went wrong inside Peppol Desk": its own
  // plain message (the database named by label, never the password) is the answer.
  if (e?.code === 'TEAM_STORE_UNAVAILABLE' && typeof e.message === 'string')
    return { code: e.code, message: e.message };
  return {
    code: typeof e?.code === 'string' ? e.code : 'INTERNAL',
    message:
      typeof e?.message === 'string'
        ? `Something went wrong inside Peppol Desk: ${e.message}`
        : 'Something went wrong inside Peppol Desk.',
  };
}

/**
 * Call the handler for `channel` and return its answer as a value: every host (Electron IPC, the
 * browser host, the CLI) goes through here, so errors never cross a bridge as exceptions.
 */
export async function invokeHandler(
  handlers: Handlers,
  channel: unknown,
  arg: unknown,
): Promise<Result<unknown>> {
  if (!isRequestChannel(channel)) {
    return {
      ok: false,
      error: { code: 'UNKNOWN_CHANNEL', message: `Unknown request ${String(channel)}.` },
    };
  }
  try {
    const handler = handlers[channel as RequestChannel] as (a: unknown) => unknown;
    return { ok: true, value: await handler(arg) };
  } catch (err) {
    return { ok: false, error: toErrorValue(err) };
  }
}
