import { vi } from 'vitest';

// One way for tests to wait for the engine: vi.waitFor polling a condition, bounded by a timeout,
// failing with what was awaited. (Tests had ten hand-written polling loops.)

const DEFAULT_TIMEOUT_MS = 40_000;
const INTERVAL_MS = 20;

/**
 * Resolve once `check` returns (or resolves to) a value other than undefined, null or false,
 * with that value; fail after `timeoutMs` naming `what`. An async `check` is awaited: its
 * promise is not taken for the value (it would always count as done).
 */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<Exclude<T, undefined | null | false>> {
  return vi.waitFor(
    async () => {
      const value = await check();
      if (value === undefined || value === null || value === false) {
        throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
      }
      return value as Exclude<T, undefined | null | false>;
    },
    { timeout: timeoutMs, interval: INTERVAL_MS },
  );
}

/** Resolve once `cond` is true; fail after `timeoutMs` naming `what` (by default, the condition's code). */
export async function until(
  cond: () => boolean,
  what: string = String(cond),
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<void> {
  await waitFor(what, cond, timeoutMs);
}
