import { afterEach } from 'vitest';
import { startSandbox, type SandboxHandle, type SandboxOptions } from '../../app/sandbox/server';

/** Starts sandbox access points for the tests of one file; see {@link useSandboxes}. */
export type TestSandboxes = (options?: SandboxOptions) => Promise<SandboxHandle>;

/**
 * Sandbox access points on loopback for the tests of one file, each closed after its test. Call
 * it before the helpers whose engines send to them (`useEngines`, `useTeamDesks`): hooks run as
 * a stack, so the engines stop before their sandboxes close.
 */
export function useSandboxes(): TestSandboxes {
  const sandboxes: SandboxHandle[] = [];
  afterEach(async () => {
    for (const s of sandboxes.splice(0)) await s.close();
  });
  return async (options: SandboxOptions = {}) => {
    const s = await startSandbox(options);
    sandboxes.push(s);
    return s;
  };
}
