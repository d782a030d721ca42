/** `settings:get` and `settings:set`: the schema's checks, and what a saved setting changes. */
import type { Handlers, Settings, SettingsPatch } from '../contract';
import { AppError } from '../errors';
import type { Pipeline } from '../queue/pipeline';
import type { EngineContext } from './context';
import { PATCH_KEYS, type SettingKey, type SettingValue } from './settings';

/**
 * What the settings handlers read and change: the stored settings, the connection, the options,
 * and the queue that applies a saved setting at once (the pipeline, or a team desk).
 */
export type SettingsContext = Pick<EngineContext, 'settings' | 'connection' | 'options'> & {
  pipeline: Pick<
    Pipeline,
    'setConcurrency' | 'setBatching' | 'setMaxAttempts' | 'setRemoteValidation'
  >;
};

/** Why a provider address given on the command line is not changed in Settings. */
export const ENDPOINT_FIXED_WORDS =
  'The provider address was given on the command line (--endpoint) when Peppol Desk was started, so it cannot be changed here. Start Peppol Desk without --endpoint to set it in Settings; nothing was saved.';

/** The settings as the screen sees them (the API key only as "set or not"). */
export function currentSettings(ctx: SettingsContext): Settings {
  const { settings, connection, options } = ctx;
  return {
    endpoint: connection.endpointSetting,
    ...(options.endpoint ? { endpointFixed: true } : {}),
    apiKeySet: Boolean(options.secrets.getApiKey()),
    environment: connection.environment,
    concurrency: settings.get('concurrency'),
    batching: settings.get('batching'),
    gzip: settings.get('gzip'),
    metricsPort: settings.get('metricsPort'),
    maxAttempts: settings.get('maxAttempts'),
    remoteValidation: settings.get('remoteValidation'),
    hotFolder: settings.get('hotFolder'),
    hotFolderMove: settings.get('hotFolderMove'),
    hotFolderSubfolders: settings.get('hotFolderSubfolders'),
    maxDocumentBytes: settings.get('maxDocumentBytes'),
    lookupFoundTtlMs: settings.get('lookupFoundTtlMs'),
    lookupNotFoundTtlMs: settings.get('lookupNotFoundTtlMs'),
    dataDir: options.dataDir,
  };
}

/** What a saved setting changes at once besides the stored value. */
export interface SettingsEffects {
  setMetricsPort(port: number | null): Promise<void>;
  applyHotFolder(): Promise<void>;
  applyConnection(): Promise<void>;
}

/** `settings:get` and `settings:set`: checked against the schema, in use once saved. */
export function settingsHandlers(
  ctx: SettingsContext,
  effects: SettingsEffects,
): Pick<Handlers, 'settings:get' | 'settings:set'> {
  const { settings, pipeline } = ctx;
  /** What each saved key changes in the running queue (the rest is read where it is used). */
  const live: Partial<{ [K in SettingKey]: (v: SettingValue<K>) => void }> = {
    concurrency: (c) => pipeline.setConcurrency(c),
    batching: (b) => pipeline.setBatching(b),
    metricsPort: (port) => void effects.setMetricsPort(port).catch(() => undefined),
    maxAttempts: (n) => pipeline.setMaxAttempts(n),
    remoteValidation: (on) => pipeline.setRemoteValidation(on),
  };
  return {
    'settings:get': () => currentSettings(ctx),
    'settings:set': (patch: SettingsPatch) => {
      const fixed = ctx.options.endpoint;
      if (fixed && patch.endpoint !== undefined && patch.endpoint !== fixed)
        throw new AppError('ENDPOINT_FIXED', ENDPOINT_FIXED_WORDS);
      for (const key of PATCH_KEYS) {
        if (patch[key] !== undefined) {
          const value = settings.set(key, patch[key]);
          (live[key] as ((v: unknown) => void) | undefined)?.(value);
        }
        // The key is kept by the secret store, never in the settings (checked first, as before).
        if (key === 'endpoint' && patch.apiKey !== undefined)
          ctx.options.secrets.setApiKey(patch.apiKey || null);
      }
      if (patch.lookupFoundTtlMs !== undefined || patch.lookupNotFoundTtlMs !== undefined) {
        ctx.connection.participants.setTtl(settings.lookupTtl());
      }
      if (
        patch.hotFolder !== undefined ||
        patch.hotFolderMove !== undefined ||
        patch.hotFolderSubfolders !== undefined
      ) {
        void effects.applyHotFolder();
      }
      if (patch.endpoint !== undefined || patch.apiKey !== undefined || patch.gzip !== undefined) {
        // Saved means in use: new sends go to the new access point once this resolves.
        return effects.applyConnection().then(() => currentSettings(ctx));
      }
      return currentSettings(ctx);
    },
  };
}
