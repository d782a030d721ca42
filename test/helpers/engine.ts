import { afterEach } from 'vitest';
import { createEngine, memorySecretStore, type Engine, type EngineOptions } from '../../app/engine';
import { useTempDirs } from './temp';

/** Options of a test engine: everything optional (a temp data folder and a memory key store). */
export type TestEngineOptions = Partial<EngineOptions>;

/** Opens engines for the tests of one file; see {@link useEngines}. */
export interface TestEngines {
  /** An engine on its own temp data folder (or `dataDir`), stopped after the test. */
  (options?: TestEngineOptions): Promise<Engine>;
  /** A fresh temp folder, removed after the test (e.g. to reopen an engine on the same data). */
  tempDir(): string;
  /** Stop this engine now (a restart in the middle of a test); it is not stopped again after. */
  stop(engine: Engine): Promise<void>;
}

/**
 * "An engine on a sandbox" for the tests of one file: each engine gets a temp data folder, the
 * in-process sandbox (no API key, no endpoint), a memory key store and fast coalescing, merged
 * with the file's `defaults` and each call's options; every engine is stopped (once, even when
 * the test stopped it) after its test, before its folder is removed.
 */
export function useEngines(defaults: TestEngineOptions = {}): TestEngines {
  const tempDir = useTempDirs();
  const running: Engine[] = [];
  // Registered after the temp folders' hook, so it runs first (hooks run as a stack).
  afterEach(async () => {
    for (const e of running.splice(0)) await e.stop();
  });
  const open = async (options: TestEngineOptions = {}): Promise<Engine> => {
    const engine = await createEngine({
      secrets: memorySecretStore(),
      host: 'cli',
      coalesceMs: 20,
      ...defaults,
      ...options,
      dataDir: options.dataDir ?? defaults.dataDir ?? tempDir(),
    });
    // Stopped once, whether the test or the clean-up gets there first.
    const stopOnce = engine.stop.bind(engine);
    let stopping: Promise<void> | null = null;
    engine.stop = () => (stopping ??= stopOnce());
    running.push(engine);
    return engine;
  };
  return Object.assign(open, {
    tempDir,
    async stop(engine: Engine) {
      const i = running.indexOf(engine);
      if (i >= 0) running.splice(i, 1);
      await engine.stop();
    },
  });
}
