import { describe, expect, it } from 'vitest';
import type { Settings } from '../../app/contract';
import { draftOf, patchOf, rebaseDraft } from '../../renderer/src/features/settings/settings-draft';

const BASE: Settings = {
  endpoint: null,
  apiKeySet: false,
  environment: 'sandbox',
  concurrency: 'auto',
  batching: true,
  gzip: false,
  metricsPort: null,
  maxAttempts: 8,
  remoteValidation: false,
  hotFolder: null,
  hotFolderMove: true,
  hotFolderSubfolders: false,
  maxDocumentBytes: 15 * 1024 * 1024,
  lookupFoundTtlMs: 3_600_000,
  lookupNotFoundTtlMs: 300_000,
  dataDir: '/data',
};

describe('an open Settings form when the settings change in another window', () => {
  it('shows the new values in the fields the clerk has not edited, and keeps the edited ones', () => {
    const typed = { ...draftOf(BASE), maxAttempts: '3', apiKey: 'sk_test_typed' };
    const elsewhere: Settings = {
      ...BASE,
      endpoint: 'https://ap.example/peppol-api',
      environment: 'test',
      maxAttempts: 5,
      gzip: true,
    };
    const { draft, changed } = rebaseDraft(typed, BASE, elsewhere);
    expect(changed).toBe(true);
    expect(draft.endpoint).toBe('https://ap.example/peppol-api');
    expect(draft.gzip).toBe(true);
    // Edited here: the clerk's value stays.
    expect(draft.maxAttempts).toBe('3');
    expect(draft.apiKey).toBe('sk_test_typed');
    // Saving then writes only what the clerk changed against the settings now held: the address
    // set elsewhere is not written back (nor cleared).
    expect(patchOf(draft, elsewhere)).toEqual({ maxAttempts: 3, apiKey: 'sk_test_typed' });
  });

  it('a read that changes nothing the form shows is not a change', () => {
    const d = draftOf(BASE);
    expect(rebaseDraft(d, BASE, { ...BASE }).changed).toBe(false);
    // The key set elsewhere is never read back: the field stays empty (its placeholder says so).
    const keySet = rebaseDraft(d, BASE, { ...BASE, apiKeySet: true, environment: 'test' });
    expect(keySet.draft.apiKey).toBe('');
  });

  it('the draft and the settings it is compared with move together (else the old address would be written back)', () => {
    // The form made from BASE with nothing edited, saved against the settings of now.
    const stale = draftOf(BASE);
    const now: Settings = { ...BASE, endpoint: 'https://ap.example/peppol-api' };
    expect(patchOf(stale, now)).toEqual({ endpoint: null });
    expect(patchOf(rebaseDraft(stale, BASE, now).draft, now)).toEqual({});
  });
});
