/**
 * LISTEN on the team's change channel with a dedicated connection that comes back by itself:
 * when the connection is lost it reconnects with backoff and reports `[]` ("re-read"), since
 * notices sent while it was away are gone.
 */
import pg from 'pg';
import type { ChangeNotice } from '../store';
import { TEAM_NOTIFY_CHANNEL, parseNotice } from '../store-rows';
import { asStoreError, clientConfig } from './connection';

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

/**
 * Listen until the returned function is called. Resolves once listening; throws
 * TeamStoreUnavailableError when the first connection cannot be made.
 */
export async function listenForChanges(
  url: string,
  label: string,
  onChange: (ids: readonly number[], notice?: ChangeNotice) => void,
): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | null = null;
  let timer: NodeJS.Timeout | null = null;
  let delay = FIRST_RETRY_MS;

  const connect = async (): Promise<pg.Client> => {
    const c = new pg.Client(clientConfig(url));
    c.on('error', () => lost(c));
    c.on('end', () => lost(c));
    c.on('notification', (n) => {
      if (n.channel !== TEAM_NOTIFY_CHANNEL) return;
      const { ids, notice } = parseNotice(n.payload);
      onChange(ids, notice);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${TEAM_NOTIFY_CHANNEL}`);
    } catch (err) {
      c.removeAllListeners('end');
      await c.end().catch(() => {});
      throw err;
    }
    return c;
  };

  const lost = (c: pg.Client): void => {
    if (stopped || c !== client) return;
    client = null;
    c.end().catch(() => {});
    schedule();
  };

  const schedule = (): void => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = null;
      connect().then(
        (c) => {
          if (stopped) {
            c.end().catch(() => {});
            return;
          }
          client = c;
          delay = FIRST_RETRY_MS;
          onChange([]);
        },
        () => {
          delay = Math.min(delay * 2, MAX_RETRY_MS);
          schedule();
        },
      );
    }, delay);
    timer.unref();
  };

  try {
    client = await connect();
  } catch (err) {
    throw asStoreError(err, label);
  }
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    const c = client;
    client = null;
    await c?.end().catch(() => {});
  };
}
