/**
 * A stand-in for a bug on the send path: every send request (single or batch) throws a TypeError
 * where it is handed to the connection pool. Undone by `vi.restoreAllMocks()`.
 */
import Pool from 'undici/lib/dispatcher/pool';
import { vi } from 'vitest';

/** Break sends from now on: `attempts` counts them; set `broken` false to let them through. */
export function breakSends(): { attempts: number; broken: boolean } {
  const state = { attempts: 0, broken: true };
  const dispatch = Pool.prototype.dispatch;
  vi.spyOn(Pool.prototype, 'dispatch').mockImplementation(function (
    this: InstanceType<typeof Pool>,
    opts,
    handler,
  ) {
    if (state.broken && String(opts.path).includes('/api/v1/send')) {
      state.attempts++;
      throw new TypeError("Cannot read properties of undefined (reading 'write')");
    }
    return dispatch.call(this, opts, handler);
  });
  return state;
}
