/**
 * Team desks and sandbox access points for the tests of one file: each desk is a
 * `createTeamEngine` on its own temp data folder with a memory key store, short timings and the
 * file's and the call's overrides; every desk is stopped, then every sandbox closed, after its
 * test (before the temp folders are removed).
 */
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import type { Engine, EngineOptions } from '../../app/engine';
import { memorySecretStore } from '../../app/engine/options';
import type { SandboxHandle, SandboxOptions } from '../../app/sandbox/server';
import { accessPointRef, type AccessPointRef } from '../../app/team/access-point';
import { createTeamEngine, type TeamEngineDeps } from '../../app/team/engine';
import type { TeamStore } from '../../app/team/store';
import { makeInvoices } from './invoices';
import { useSandboxes } from './sandboxes';
import { useTempDirs } from './temp';

/** What a test may set on a desk: engine options; `timings` and `team` merge key by key. */
export type TeamDeskOptions = Partial<Omit<EngineOptions, 'store'>>;

/** The timings every team desk starts from (a file's and a call's options win, key by key). */
const BASE_TIMINGS: NonNullable<EngineOptions['timings']> = {
  retryBaseMs: 20,
  retryMaxMs: 100,
  settleBackstopMs: 100,
};
const BASE_TEAM: NonNullable<EngineOptions['team']> = { pollMs: 30, heartbeatMs: 100 };

/** The desks and sandboxes of one test file; see {@link useTeamDesks}. */
export interface TeamDesks {
  /**
   * A desk named `name` on the team store `store` (an address, or a store object handed in as
   * `memory:`), sending to `ap` (null: the endpoint from its settings), stopped after the test.
   */
  desk(
    store: string | TeamStore,
    ap: SandboxHandle | null,
    name: string,
    options?: TeamDeskOptions,
    deps?: TeamEngineDeps,
  ): Promise<Engine>;
  /** A sandbox access point on loopback, closed after the test (after the desks stopped). */
  sandbox(options?: SandboxOptions): Promise<SandboxHandle>;
  /** A fresh temp folder, removed after the test. */
  tempDir(): string;
  /** The address of a new SQLite team store in a fresh temp folder. */
  sqliteStore(): string;
}

/**
 * Team desks for the tests of one file: `defaults` (the file's timings, team settings, …) go
 * over the base options (memory key store, `host: 'cli'`, `coalesceMs: 10`, retries 20-100 ms,
 * settle backstop 100 ms, team poll 30 ms and heartbeat 100 ms) and each call's options over
 * them; `timings` and `team` merge key by key. Clean-up is registered here: after each test the
 * desks stop (in the order they were made), then the sandboxes close.
 */
export function useTeamDesks(defaults: TeamDeskOptions = {}): TeamDesks {
  const tempDir = useTempDirs();
  const sandbox = useSandboxes();
  const engines: Engine[] = [];
  // Registered after the temp folders' and the sandboxes' hooks, so it runs first (hooks run as
  // a stack): the desks stop, then the sandboxes close, then the folders go.
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.stop();
  });

  async function desk(
    store: string | TeamStore,
    ap: SandboxHandle | null,
    name: string,
    options: TeamDeskOptions = {},
    deps: TeamEngineDeps = {},
  ): Promise<Engine> {
    const engine = await createTeamEngine(
      {
        secrets: memorySecretStore(),
        host: 'cli',
        coalesceMs: 10,
        ...defaults,
        ...options,
        dataDir: options.dataDir ?? defaults.dataDir ?? tempDir(),
        endpoint: ap?.url ?? null,
        store: typeof store === 'string' ? store : 'memory:',
        timings: { ...BASE_TIMINGS, ...defaults.timings, ...options.timings },
        team: { deskName: name, ...BASE_TEAM, ...defaults.team, ...options.team },
      },
      typeof store === 'string' ? deps : { openStore: () => store, ...deps },
    );
    engines.push(engine);
    return engine;
  }

  return {
    desk,
    sandbox,
    tempDir,
    sqliteStore: () => `sqlite:${join(tempDir(), 'team.sqlite')}`,
  };
}

/** Add `count` invoices `<prefix>-…` on `engine`, wait until they settle, and expect each accepted. */
export async function sendAll(engine: Engine, count: number, prefix: string): Promise<void> {
  const r = await engine.handlers['documents:add']({ files: makeInvoices(count, prefix) });
  const ids = r.added.map((x) => x.id);
  expect(ids).toHaveLength(count);
  await engine.waitUntilSettled(ids);
  const { rows } = await engine.handlers['documents:briefs']({ ids });
  expect(rows.map((x) => x.state)).toEqual(Array(count).fill('accepted'));
}

/** Send requests a sandbox access point has had (single sends). */
export const sendsTo = (ap: SandboxHandle): number =>
  ap.stats().requests.byEndpoint['POST /api/v1/send']?.total ?? 0;

/** A sandbox access point as the team compares it (Test environment, no key). */
export const refOf = (ap: SandboxHandle): AccessPointRef =>
  accessPointRef({ accessPoint: ap.url, environment: 'test', apiKey: null });

/** Whether a desk's header says it sends for the team (undefined until the team has said). */
export async function teamSends(e: Engine): Promise<boolean | undefined> {
  return (await e.handlers['connection:get'](undefined)).team?.sends;
}
