/**
 * Where the hot folder puts a final document's file (`sent/` or `failed/`), and the reason file
 * written beside one that failed.
 */
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import type { DocumentState } from './contract';
import { isFinalResponse } from './domain/states';

/** Where a final document's file goes. */
export type HotFolderOutcome = 'sent' | 'failed';

/** Subfolders the hot folder moves files into (never watched themselves). */
export const HOT_FOLDER_SUBFOLDERS: readonly HotFolderOutcome[] = ['sent', 'failed'];

// Delivered, and not rejected by the buyer (a rejection moves the file to failed/, even later).
const SENT_STATES = new Set<DocumentState>([
  'delivered',
  'acknowledged',
  'in_process',
  'under_query',
  'conditionally_accepted',
  'buyer_accepted',
  'paid',
]);
// `held` is not here: a held duplicate waits for the clerk (Send anyway or Cancel), so its file
// stays in the watched folder until then and goes to sent/ or failed/ with the decision.
const FAILED_STATES = new Set<DocumentState>([
  'invalid',
  'failed',
  'unreachable',
  'cancelled',
  'rejected',
  'superseded',
]);
// After these a buyer's answer may still come (and may be a rejection): every sent state but a
// final answer (paid).
export const ANSWER_MAY_FOLLOW = new Set([...SENT_STATES].filter((s) => !isFinalResponse(s)));
/**
 * `sent` / `failed` for a final state, null while the document still has work ahead (or, when
 * held, waits for a decision in the app). With delivery tracked, an accepted document is not sent
 * yet: its delivery may still fail.
 */
export function outcomeFor(state: DocumentState, tracksDelivery = true): HotFolderOutcome | null {
  if (SENT_STATES.has(state) || (state === 'accepted' && !tracksDelivery)) return 'sent';
  if (FAILED_STATES.has(state)) return 'failed';
  return null;
}

/** What the hot folder needs to know about a document. */
export interface HotFolderDocumentStatus {
  state: DocumentState;
  /** The plain-language problem, when there is one. */
  reason: string | null;
  /** Extra lines for the reason file (e.g. the broken rules of an invalid invoice). */
  details: string[];
}

/** Reason text written beside a file moved to `failed/`. */
export function reasonText(status: HotFolderDocumentStatus): string {
  const fallback: Partial<Record<DocumentState, string>> = {
    cancelled: 'The invoice was cancelled in Peppol Desk and was not sent.',
    invalid:
      'The invoice breaks the Peppol rules. Fix it in your accounting system and save it again.',
    unreachable: 'The receiver could not be found on the Peppol network.',
    failed: 'The invoice could not be sent.',
  };
  const lines = [status.reason ?? fallback[status.state] ?? `Not sent (${status.state}).`];
  if (status.details.length) lines.push('', ...status.details);
  return lines.join('\n') + '\n';
}

/** A free path for `target`: `name.xml`, else `name (2).xml`, `name (3).xml`, … */
export function freePath(target: string): string {
  if (!existsSync(target)) return target;
  const ext = extname(target);
  const stem = target.slice(0, target.length - ext.length);
  for (let i = 2; ; i++) {
    const candidate = `${stem} (${i})${ext}`;
    if (!existsSync(candidate)) return candidate;
  }
}
