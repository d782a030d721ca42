import { expect } from 'vitest';
import type { DocumentState } from '../../app/contract';
import type { DocumentPatch, DocumentsRepo } from '../../app/store/documents-repo';

let seq = 0;

/**
 * A new document walked through the state machine to `path`'s last state straight through the
 * repository (test set-up only: every step must be allowed), then patched; returns its id.
 */
export function docInState(
  repo: DocumentsRepo,
  path: readonly DocumentState[],
  patch: DocumentPatch = {},
): number {
  seq++;
  const id = repo.insert({
    fileName: `d${seq}.xml`,
    sha256: `sha-${seq}`,
    size: 1,
    body: new Uint8Array([60]),
    idempotencyKey: `key-${seq}`,
  });
  let from: DocumentState = 'received';
  for (const to of path) {
    expect(repo.transition(id, from, to)).toBe(true);
    from = to;
  }
  repo.patch(id, patch);
  return id;
}
