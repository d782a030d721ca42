/**
 * The team's access point: every desk of a team must send through the same one, with the same
 * API key. A document claimed again after a desk was lost mid-send is in doubt and is sent again
 * under the same idempotency key; only the access point (and the API key: the provider keeps
 * keys per API key) that saw the first attempt can answer that key with the first result. A
 * desk set to another access point would make a second submission.
 *
 * So the team database records the access point the team sends through (`team_settings`, as a
 * fingerprint and a label, never the API key), the first desk to connect sets it, and a desk
 * whose own connection differs claims nothing (no sends, no delivery polls): it still adds
 * invoices to the team's queue and says plainly why it does not send. Claims name the desk's
 * access point, and the store refuses them when it is not the team's (see `TeamStore.claim`), so
 * a desk that has not heard of a change yet cannot send a document somewhere else either.
 */
import { createHash } from 'node:crypto';
import {
  accessPointLabel,
  isBuiltInSandboxLabel,
  type DocumentState,
  type Environment,
} from '../contract';
import { sentBeforeTeamMoved } from '../domain/problems';
import { WENT_OUT_STATES } from '../domain/states';

/** What a desk sends through, as the team compares it: a fingerprint and words for people. */
export interface AccessPointRef {
  /** sha256 of the access point's address, environment and API key (never the key itself). */
  id: string;
  /** "app.goroute.ai (Production)", or "the built-in Sandbox of Anna's desk". */
  label: string;
}

/** The team's access point as recorded in its database. */
export interface TeamAccessPoint extends AccessPointRef {
  /** The desk that set it, and when (database clock, ms). */
  setBy: string | null;
  setAt: number;
}

/** The answer to `TeamStore.adoptAccessPoint`. */
export type AdoptAccessPointResult =
  /** `notFollowed`: documents accepted at the old one whose delivery is not asked about any more. */
  | { ok: true; accessPoint: TeamAccessPoint; notFollowed?: number }
  /**
   * The team sends through another access point. `unfinished`: with `replace`, how many of the
   * team's documents are in doubt there (being sent, or to be sent again after an attempt that
   * may have reached it), which keep the team on it; 0 without `replace`.
   */
  | { ok: false; accessPoint: TeamAccessPoint; unfinished: number };

/** The `team_settings` keys. */
export const ACCESS_POINT_SETTING = 'access_point';
export const ACCESS_POINT_LABEL_SETTING = 'access_point_label';
/**
 * The access point the team sent through before its current one, written by a change: its label
 * and since when it was the team's (JSON `{ label, since }`, database clock), so a Retry held
 * after the change can name it.
 */
export const ACCESS_POINT_BEFORE_SETTING = 'access_point_before';

/** The value of ACCESS_POINT_BEFORE_SETTING when the team leaves `current`. */
export function accessPointBeforeValue(current: TeamAccessPoint): string {
  return JSON.stringify({ label: current.label, since: current.setAt });
}

/**
 * How a clerk's Retry treats a failed document that may be at an earlier access point (see
 * `retryHoldOf`): every such document that failed at or before `setAt` is held with `words`,
 * or `wordsUnnamed` when it failed before `since` (before the one access point still named).
 */
export interface RetryHold {
  setAt: number;
  since: number | null;
  words: string;
  wordsUnnamed: string;
}

/**
 * What a Retry holds, from the `team_settings` rows of the three access point keys (null while
 * the team has no access point: nothing is held).
 *
 * A failed document with `reached_maybe` may be at the access point its last attempt went to,
 * which only knows its key. It is at the team's current one unless it failed at or before the
 * time the team's access point was last set (both on the database's clock): a change is refused
 * while any document is in doubt (sending, or to be sent again after an attempt that may have
 * reached it; IN_DOUBT_AT_ACCESS_POINT), so a document whose attempts straddle a change can only
 * have been `failed` during it, and the change, made after its failure was committed, is dated
 * later (PostgreSQL's clock_timestamp() after the count that saw it failed; SQLite's writes one
 * after the other on one machine's clock). A document claimed after the change failed after it.
 * Equal times are held: holding asks the clerk, sending could deliver twice.
 */
export function retryHoldOf(
  rows: readonly { key: string; value: string; updated_by: string | null; updated_at: unknown }[],
): RetryHold | null {
  const now = teamAccessPointOf(rows);
  if (!now) return null;
  let before: { label: string; since: number } | null = null;
  const row = rows.find((r) => r.key === ACCESS_POINT_BEFORE_SETTING);
  try {
    const v = row ? (JSON.parse(row.value) as { label?: unknown; since?: unknown }) : null;
    if (v && typeof v.label === 'string' && typeof v.since === 'number')
      before = { label: v.label, since: v.since };
  } catch {
    // Unreadable: the earlier access point is not named.
  }
  return {
    setAt: now.setAt,
    since: before?.since ?? null,
    words: sentBeforeTeamMoved(before?.label ?? null, now.label).message,
    wordsUnnamed: sentBeforeTeamMoved(null, now.label).message,
  };
}

/**
 * A team document in doubt at the team's access point: being sent, or waiting to be sent again
 * after an attempt that may have reached it (at its retry time, or queued: a claim of it given
 * back unsent, by a pause, a stop or a change of a desk's access point, keeps `reached_maybe`).
 * Each is sent again under its key, which only that access point knows: while any is, the
 * team's access point cannot change. Counted only when it would change (no index finds queued
 * rows in doubt: ~40 ms on PostgreSQL, ~55 ms on SQLite at 100,000 queued documents).
 */
export const IN_DOUBT_AT_ACCESS_POINT = `state = 'sending' OR (state IN ('retry_wait', 'queued') AND reached_maybe)`;

/**
 * The timeline's words for a document accepted at the old access point when the team moves to
 * another one: its delivery is not asked about any more (the new one does not know it).
 */
export function deliveryNotFollowedWords(from: string, to: string): string {
  // Practice: nothing to check anywhere (walk 17: "Check its delivery … with the built-in
  // Sandbox", which lived inside another desk's process).
  if (isBuiltInSandboxLabel(from))
    return `Delivery is no longer followed here: the team now sends through ${to}. This invoice was sent in practice to ${from}, where nothing reaches Peppol or a buyer: there is nothing to check.`;
  // The same address under another API key (walk 17b: "…through X, and X, which accepted this
  // invoice, is not asked any more").
  if (from === to)
    return `Delivery and the buyer's answer are no longer followed here: the team now sends through ${to} with another API key, and the key this invoice was sent with is not used any more. Check its delivery and the buyer's answer (a rejection too) with the provider of that key.`;
  return `Delivery and the buyer's answer are no longer followed here: the team now sends through ${to}, and ${from}, which accepted this invoice, is not asked any more. Check its delivery and the buyer's answer (a rejection too) with ${from}.`;
}

/**
 * The fingerprint of what a desk sends through. Every desk's built-in Sandbox counts as one: on
 * it nothing reaches Peppol, and a built-in Sandbox forgets its keys and transactions when its
 * desk stops anyway (as on a single desk), so a team trying Peppol Desk out on the Sandbox sends
 * from every desk.
 */
export function accessPointRef(o: {
  /** `sandbox` for the built-in one, else the provider's URL (as documents are pinned). */
  accessPoint: string;
  environment: Environment;
  apiKey: string | null;
}): AccessPointRef {
  const sandbox = o.accessPoint === 'sandbox';
  const parts = sandbox
    ? ['pd-ap1', 'sandbox']
    : ['pd-ap1', o.accessPoint.replace(/\/+$/, ''), o.environment, o.apiKey ?? ''];
  return {
    id: createHash('sha256').update(parts.join('\n')).digest('hex'),
    label: accessPointLabel(o.accessPoint, o.environment),
  };
}

/**
 * Whether `id` is the fingerprint of the access point at `where` without an API key (in any
 * environment: a key's prefix may name another one than no key did).
 */
export function keylessRefOf(where: { accessPoint: string } | undefined, id: string): boolean {
  if (!where || where.accessPoint === 'sandbox') return false;
  const environments: Environment[] = ['test', 'production', 'sandbox'];
  return environments.some(
    (environment) =>
      accessPointRef({ accessPoint: where.accessPoint, environment, apiKey: null }).id === id,
  );
}

/**
 * No document of the team went out (accepted, whatever came after): a team access point recorded
 * without a key may then give way to one with a key (app/team/desk.ts). Reads the state counts.
 */
export async function nothingWentOut(store: {
  counts(): Promise<Partial<Record<DocumentState, number>>>;
}): Promise<boolean> {
  const counts = await store.counts();
  return ![...WENT_OUT_STATES, 'failed' as const].some((s) => (counts[s] ?? 0) > 0);
}

/** The built-in Sandbox's fingerprint (every desk's counts as one). */
export const BUILT_IN_SANDBOX_REF = accessPointRef({
  accessPoint: 'sandbox',
  environment: 'sandbox',
  apiKey: null,
});

/** The settings rows read back as the team's access point (null when none is set). */
export function teamAccessPointOf(
  rows: readonly { key: string; value: string; updated_by: string | null; updated_at: unknown }[],
): TeamAccessPoint | null {
  const id = rows.find((r) => r.key === ACCESS_POINT_SETTING);
  if (!id) return null;
  const label = rows.find((r) => r.key === ACCESS_POINT_LABEL_SETTING);
  return {
    id: id.value,
    label: label?.value ?? 'another access point',
    setBy: id.updated_by,
    setAt: Number(id.updated_at),
  };
}
