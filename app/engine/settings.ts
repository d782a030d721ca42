/**
 * The engine's stored settings: ONE typed schema of keys, defaults and bounds, used by
 * `settings:get` / `settings:set` and by everything in the engine that reads a setting.
 */
import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { SettingsPatch } from '../contract';
import { DEFAULT_LOOKUP_TTL, type LookupTtl } from '../caches/participant-cache';
import { DEFAULT_RETRY_POLICY } from '../domain/retry-policy';
import { AppError } from '../errors';
import { hotFolderRefusal } from '../hot-folder-refusal';
import type { SettingsRepo } from '../store/settings-repo';
// Not through ../validation (its index loads the rules) nor its intake (the XML parser): both
// run in the validation workers.
import { DEFAULT_MAX_BYTES } from '../validation/too-large';

/** Bounds of the `maxDocumentBytes` setting: 1 KB to 100 MB. */
const MIN_DOCUMENT_BYTES = 1024;
const MAX_DOCUMENT_BYTES = 100 * 1024 * 1024;
/** Upper bound of the lookup TTL settings: 7 days. */
const MAX_LOOKUP_TTL_MS = 7 * 24 * 60 * 60_000;

/** What a check of a new value may need besides the value. */
interface CheckContext {
  dataDir: string;
}

/** One stored setting: its default, and how a new value is checked and normalised. */
interface SettingSpec<T> {
  default: T;
  /** The value to store, or an AppError('BAD_SETTING') in a clerk's words. */
  check(value: unknown, ctx: CheckContext): T;
}

const bad = (message: string) => new AppError('BAD_SETTING', message);
const isWhole = (n: unknown): n is number => Number.isInteger(n);
const flag = (fallback: boolean): SettingSpec<boolean> => ({
  default: fallback,
  check: (v) => Boolean(v),
});
const ttl = (fallback: number, what: string): SettingSpec<number> => ({
  default: fallback,
  check(v) {
    if (!isWhole(v) || v < 0 || v > MAX_LOOKUP_TTL_MS) {
      throw bad(
        `How long a "${what}" receiver answer is reused must be a whole number of milliseconds from 0 (always ask) to 7 days.`,
      );
    }
    return v;
  },
});

function isExistingFolder(path: string): boolean {
  try {
    return isAbsolute(path) && statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Every stored setting, in the order `settings:set` applies a patch (a bad value stops the
 * patch there, as it always did). `paused` is set by `queue:pause` / `queue:resume` only.
 */
export const SETTINGS_SCHEMA = {
  endpoint: {
    default: null as string | null,
    check(v): string | null {
      if (v === null) return null;
      let url: URL;
      try {
        url = new URL(String(v));
      } catch {
        throw bad(
          'The provider URL is not a web address. It looks like https://app.goroute.ai/peppol-api.',
        );
      }
      if (url.protocol !== 'https:' && url.hostname !== '127.0.0.1' && url.hostname !== 'localhost')
        throw bad('The provider URL must start with https://.');
      return String(v);
    },
  },
  concurrency: {
    default: 'auto' as number | 'auto',
    check(v): number | 'auto' {
      if (v !== 'auto' && (!isWhole(v) || v < 1 || v > 256))
        throw bad('Concurrency is "auto" or a whole number from 1 to 256.');
      return v;
    },
  },
  batching: flag(true),
  metricsPort: {
    default: null as number | null,
    check(v): number | null {
      if (v !== null && (!isWhole(v) || v < 1 || v > 65535)) {
        throw bad(
          'The metrics port is a whole number from 1 to 65535, or empty to turn the endpoint off.',
        );
      }
      return v;
    },
  },
  gzip: flag(false),
  maxAttempts: {
    default: DEFAULT_RETRY_POLICY.maxAttempts,
    check(v): number {
      if (!isWhole(v) || v < 1 || v > 100)
        throw bad('Attempts must be a whole number from 1 to 100.');
      return v;
    },
  },
  remoteValidation: flag(false),
  hotFolder: {
    default: null as string | null,
    check(v, { dataDir }): string | null {
      const folder = (typeof v === 'string' ? v.trim() : v === null ? '' : v) || null;
      if (folder !== null && (typeof folder !== 'string' || !isExistingFolder(folder))) {
        throw bad(
          'The hot folder must be an existing folder, written in full (for example /home/you/invoices-out or C:\\Invoices\\Out).',
        );
      }
      const refusal = folder === null ? null : hotFolderRefusal(folder, dataDir);
      if (refusal !== null) throw bad(refusal);
      return folder;
    },
  },
  hotFolderMove: flag(true),
  hotFolderSubfolders: flag(false),
  maxDocumentBytes: {
    default: DEFAULT_MAX_BYTES,
    check(v): number {
      if (!isWhole(v) || v < MIN_DOCUMENT_BYTES || v > MAX_DOCUMENT_BYTES) {
        throw bad(
          'The largest file size must be a whole number of bytes from 1 KB to 100 MB (the provider takes up to 15 MB per invoice).',
        );
      }
      return v;
    },
  },
  lookupFoundTtlMs: ttl(DEFAULT_LOOKUP_TTL.foundMs, 'found'),
  lookupNotFoundTtlMs: ttl(DEFAULT_LOOKUP_TTL.notFoundMs, 'not found'),
  paused: flag(false),
} satisfies Record<string, SettingSpec<unknown>>;

/** The name of a stored setting. */
export type SettingKey = keyof typeof SETTINGS_SCHEMA;
/** The type of a stored setting's value. */
export type SettingValue<K extends SettingKey> = (typeof SETTINGS_SCHEMA)[K]['default'];

/** The keys of a `settings:set` patch that are stored settings, in the schema's order. */
export const PATCH_KEYS = (Object.keys(SETTINGS_SCHEMA) as SettingKey[]).filter(
  (k): k is SettingKey & keyof SettingsPatch => k !== 'paused',
);

/** The stored row of EngineSettings.ledNowhere (no setting of the schema has this name). */
const LED_NOWHERE = 'accessPointLedNowhere';

/** An address that led nowhere, with the environment it was used in. */
type NowherePlace = { accessPoint: string; environment: string };

/** Typed reads and checked writes of the stored settings. */
export class EngineSettings {
  constructor(
    private readonly repo: SettingsRepo,
    private readonly ctx: CheckContext,
  ) {}

  /** The stored value of `key`, or its default. */
  get<K extends SettingKey>(key: K): SettingValue<K> {
    return this.repo.get<SettingValue<K>>(key, SETTINGS_SCHEMA[key].default as SettingValue<K>);
  }

  /** Check `value` against the schema (throws BAD_SETTING) and store it; the stored value. */
  set<K extends SettingKey>(key: K, value: unknown): SettingValue<K> {
    const spec = SETTINGS_SCHEMA[key] as SettingSpec<SettingValue<K>>;
    const checked = spec.check(value, this.ctx);
    // A null value is stored as "no value": the default (null) is read back.
    this.repo.set(key, checked ?? undefined);
    return checked;
  }

  /**
   * The provider URL last in use that answered "no such address" and never as an access point,
   * with its environment (not a setting: kept for the next start, see EngineConnection.open).
   */
  ledNowhere(): NowherePlace | null {
    return this.repo.get<NowherePlace | null>(LED_NOWHERE, null);
  }

  /** Remember (or, null, forget) the address that led nowhere. */
  setLedNowhere(place: NowherePlace | null): void {
    this.repo.set(LED_NOWHERE, place ?? undefined);
  }

  /** The lookup cache's lifetimes, from the two TTL settings. */
  lookupTtl(): LookupTtl {
    return { foundMs: this.get('lookupFoundTtlMs'), notFoundMs: this.get('lookupNotFoundTtlMs') };
  }
}
