/**
 * A run's figures and the lines that explain them (send, retry, reroute, send-anyway).
 * Around the contract: these read `engine.repo` (brief rows by id, in chunks) because no handler
 * reads a given list of documents without their big columns; `documents:list` pages by filter.
 */
import type { Engine } from '../engine';
import { accessPointLabel, RESPONSE_STATES } from '../contract';
import { ACCESS_POINT_CHANGED } from '../queue/problems';
import type { DocumentBrief, DocumentRecord } from '../store/documents-repo';

/** What a document counts as in a run's summary. */
export type Counted = 'sent' | 'failed' | 'rejected' | 'invalid' | 'duplicate' | 'replaced';

/**
 * What a document counts as in a summary, from its last known state. With `delivered` (the run
 * waited for delivery) only documents delivered to the buyer and not rejected count as sent.
 */
function countAs(r: Pick<DocumentBrief, 'state' | 'problem_code'>, delivered: boolean): Counted {
  if (r.state === 'rejected') return 'rejected';
  if (r.state === 'superseded') return 'replaced';
  if (r.state === 'invalid') return 'invalid';
  if (r.state === 'held' && r.problem_code === 'DUPLICATE') return 'duplicate';
  if (r.state === 'accepted') return delivered ? 'failed' : 'sent';
  if (r.state === 'delivered' || (RESPONSE_STATES as string[]).includes(r.state)) return 'sent';
  return 'failed';
}

/**
 * The run's figures from each document's last known state; `notAdded` files (missing, unreadable,
 * empty) count as failed. Reads each document once, in chunks and without its big columns; `each`
 * sees every row with what it counted as (problem lines).
 */
export function summarize(
  engine: Engine,
  ids: number[],
  notAdded: number,
  seconds: number,
  delivered = false,
  each?: (r: DocumentBrief, counted: Counted) => void,
) {
  const n = { sent: 0, failed: notAdded, rejected: 0, invalid: 0, duplicate: 0, replaced: 0 };
  for (const { ids: chunk, rows } of engine.repo.briefChunks(ids)) {
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const id of chunk) {
      const r = byId.get(id);
      if (!r) continue;
      const counted = countAs(r, delivered);
      n[counted]++;
      each?.(r, counted);
    }
  }
  return {
    total: ids.length + notAdded,
    sent: n.sent,
    failed: n.failed,
    rejected: n.rejected,
    invalid: n.invalid,
    duplicates: n.duplicate,
    /** Replaced by a corrected file added later (a fix supersedes its failure). */
    replaced: n.replaced,
    seconds: Math.round(seconds * 1000) / 1000,
  };
}

/** The access point this engine sends through, in words. */
export function accessPointHere(engine: Engine): string {
  return accessPointLabel(engine.sandbox ? 'sandbox' : engine.endpoint, engine.environment);
}

/**
 * Documents among `ids` queued for another access point than this run's: they were left alone.
 * Names them (stderr) with how to send them through this one; returns how many.
 */
export function reportPinnedElsewhere(engine: Engine, ids: number[]): number {
  // Brief rows first (small columns, in chunks); whole rows only for the few held here.
  const heldIds: number[] = [];
  for (const { rows } of engine.repo.briefChunks(ids))
    for (const b of rows)
      if (b.state === 'held' && b.problem_code === ACCESS_POINT_CHANGED) heldIds.push(b.id);
  const held = heldIds
    .map((id) => engine.repo.get(id))
    .filter((r): r is DocumentRecord => r !== undefined);
  if (held.length === 0) return 0;
  const here = accessPointHere(engine);
  const groups = new Map<string, DocumentRecord[]>();
  for (const r of held) {
    const where = accessPointLabel(r.access_point, r.environment);
    groups.set(where, [...(groups.get(where) ?? []), r]);
  }
  for (const [where, list] of groups) {
    process.stderr.write(
      `${list.length} document(s) were queued for ${where}, not ${here}, and were left alone: ${list
        .map((r) => `#${r.id} ${r.file_name}`)
        .join(', ')}\n`,
    );
  }
  process.stderr.write(
    `To send them through ${here}: peppol-desk reroute ${held.map((r) => r.id).join(' ')} (with the same --endpoint / --api-key)\n`,
  );
  return held.length;
}

/**
 * Wait (bounded) until every delivered document has the buyer's business response: a rejection
 * that arrives a moment after delivery is then counted as one, not as sent.
 */
export async function waitForResponses(
  engine: Engine,
  ids: number[],
  seconds: number,
): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const waiting = ids.some((id) => engine.repo.get(id)?.state === 'delivered');
    if (!waiting) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
