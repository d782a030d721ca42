/**
 * The Settings form's draft: made from the engine's settings, turned back into a patch of only
 * what changed, and brought up to date when the settings change elsewhere (another window) while
 * the form is open, keeping every field the clerk edited.
 */
import type { Settings, SettingsPatch } from '../../../../app/contract';

export interface Draft {
  endpoint: string;
  apiKey: string;
  removeKey: boolean;
  concurrencyAuto: boolean;
  concurrency: string;
  batching: boolean;
  gzip: boolean;
  maxAttempts: string;
  maxFileMb: string;
  lookupFoundMinutes: string;
  lookupNotFoundMinutes: string;
  remoteValidation: boolean;
  hotFolder: string;
  hotFolderMove: boolean;
  hotFolderSubfolders: boolean;
}

export function draftOf(s: Settings): Draft {
  return {
    endpoint: s.endpoint ?? '',
    apiKey: '',
    removeKey: false,
    concurrencyAuto: s.concurrency === 'auto',
    concurrency: s.concurrency === 'auto' ? '8' : String(s.concurrency),
    batching: s.batching,
    gzip: s.gzip,
    maxAttempts: String(s.maxAttempts),
    maxFileMb: String(round2(s.maxDocumentBytes / MB)),
    lookupFoundMinutes: String(round2(s.lookupFoundTtlMs / MINUTE)),
    lookupNotFoundMinutes: String(round2(s.lookupNotFoundTtlMs / MINUTE)),
    remoteValidation: s.remoteValidation,
    hotFolder: s.hotFolder ?? '',
    hotFolderMove: s.hotFolderMove,
    hotFolderSubfolders: s.hotFolderSubfolders,
  };
}

const MB = 1024 * 1024;
const MINUTE = 60_000;
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Only what changed; the API key is sent only when typed (or removed), never read back. */
export function patchOf(d: Draft, s: Settings): SettingsPatch | string {
  const patch: SettingsPatch = {};
  const endpoint = d.endpoint.trim() || null;
  if (endpoint !== null) {
    try {
      const url = new URL(endpoint);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error();
    } catch {
      return 'The provider address must be a web address starting with https://';
    }
  }
  if (endpoint !== s.endpoint) patch.endpoint = endpoint;
  if (d.removeKey) patch.apiKey = null;
  else if (d.apiKey.trim()) patch.apiKey = d.apiKey.trim();
  const concurrency = d.concurrencyAuto ? 'auto' : Number(d.concurrency);
  if (
    concurrency !== 'auto' &&
    (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
  ) {
    return 'The number of invoices sent at once must be a whole number from 1 to 256, or Automatic.';
  }
  if (concurrency !== s.concurrency) patch.concurrency = concurrency;
  if (d.batching !== s.batching) patch.batching = d.batching;
  if (d.gzip !== s.gzip) patch.gzip = d.gzip;
  const maxAttempts = Number(d.maxAttempts);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
    return 'Tries must be a whole number from 1 to 100.';
  }
  if (maxAttempts !== s.maxAttempts) patch.maxAttempts = maxAttempts;
  const maxFileMb = Number(d.maxFileMb);
  if (!Number.isFinite(maxFileMb) || maxFileMb < 0.001 || maxFileMb > 100) {
    return 'The largest file must be between 0.001 and 100 MB.';
  }
  const maxDocumentBytes = Math.round(maxFileMb * MB);
  if (maxDocumentBytes !== s.maxDocumentBytes) patch.maxDocumentBytes = maxDocumentBytes;
  for (const [field, key, current] of [
    [d.lookupFoundMinutes, 'lookupFoundTtlMs', s.lookupFoundTtlMs],
    [d.lookupNotFoundMinutes, 'lookupNotFoundTtlMs', s.lookupNotFoundTtlMs],
  ] as const) {
    const minutes = Number(field);
    if (!Number.isFinite(minutes) || minutes < 0 || minutes > 7 * 24 * 60) {
      return "How long a provider's answer about a buyer is remembered must be between 0 minutes and 7 days.";
    }
    const ms = Math.round(minutes * MINUTE);
    if (ms !== current) patch[key] = ms;
  }
  if (d.remoteValidation !== s.remoteValidation) patch.remoteValidation = d.remoteValidation;
  const hotFolder = d.hotFolder.trim() || null;
  if (hotFolder !== s.hotFolder) patch.hotFolder = hotFolder;
  if (d.hotFolderMove !== s.hotFolderMove) patch.hotFolderMove = d.hotFolderMove;
  if (d.hotFolderSubfolders !== s.hotFolderSubfolders)
    patch.hotFolderSubfolders = d.hotFolderSubfolders;
  return patch;
}

/**
 * `draft` moved from the settings it was made from (`was`) to `now`: a field the clerk has not
 * edited (still as `was` made it) takes its value from `now`; an edited one stays. Also says
 * whether any field the clerk sees changed.
 */
export function rebaseDraft(
  draft: Draft,
  was: Settings,
  now: Settings,
): { draft: Draft; changed: boolean } {
  const before = draftOf(was);
  const after = draftOf(now);
  const next = { ...draft };
  let changed = false;
  for (const k of Object.keys(after) as (keyof Draft)[]) {
    if (before[k] === after[k] || draft[k] !== before[k]) continue;
    (next as Record<keyof Draft, unknown>)[k] = after[k];
    changed = true;
  }
  return { draft: next, changed };
}
