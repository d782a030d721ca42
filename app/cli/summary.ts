/**
 * A run's figures and the lines that explain them (send, retry, reroute, send-anyway), read
 * through the hosts' handlers: `documents:briefs` (state and problem by id, in bounded chunks)
 * and `documents:get` for the few documents named in a line.
 */
import type { Engine } from '../engine';
import {
  accessPointLabel,
  MAX_BRIEF_IDS,
  RESPONSE_STATES,
  type DocumentBriefRow,
  type DocumentDetail,
  type Environment,
} from '../contract';
import { ACCESS_POINT_CHANGED } from '../domain/problems';
import { groupBy } from '../domain/group-by';
import { visibleText } from '../domain/visible-text';

/** What a document counts as in a run's summary. */
export type Counted =
  | 'sent'
  | 'failed'
  | 'notOnPeppol'
  | 'cancelled'
  | 'rejected'
  | 'invalid'
  | 'duplicate'
  | 'held'
  | 'replaced'
  | 'waiting'
  | 'unconfirmed';

/**
 * What a document counts as in a summary, from its last known state. With `delivered` (the run
 * waited for delivery) only documents delivered to the buyer and not rejected count as sent.
 */
function countAs(r: Pick<DocumentBriefRow, 'state' | 'problemCode'>, delivered: boolean): Counted {
  if (r.state === 'rejected') return 'rejected';
  // Marked handled by the clerk: what the buyer answered still counts (a query was sent).
  if (r.state === 'handled') return r.problemCode === 'BUYER_REJECTED' ? 'rejected' : 'sent';
  if (r.state === 'superseded') return 'replaced';
  if (r.state === 'invalid') return 'invalid';
  // The buyer is not on Peppol: nothing failed, the clerk asks the buyer (walk 18: "4 failed").
  if (r.state === 'unreachable') return 'notOnPeppol';
  // Cancelled by the clerk (a file of the run added before and cancelled): not sent, not failed.
  if (r.state === 'cancelled') return 'cancelled';
  // Held as a possible duplicate: the same number with other content, or the same content.
  if (
    r.state === 'held' &&
    (r.problemCode === 'DUPLICATE' || r.problemCode === 'DUPLICATE_CONTENT')
  )
    return 'duplicate';
  // Held for another decision of the clerk's (the buyer takes no such document, the two checks
  // disagree, queued for another access point): not a failure `retry` could act on (a walk: "4
  // failed" matched no list; walk 24b: "0 sent, 20 failed" of 20 named as left alone).
  if (r.state === 'held') return 'held';
  // The run waited for delivery and none came (tracking gave up, a team no longer asks the
  // access point that accepted it): accepted, not failed (walk 10: "1 failed" of an accepted one).
  if (r.state === 'accepted') return delivered ? 'unconfirmed' : 'sent';
  if (r.state === 'delivered' || (RESPONSE_STATES as string[]).includes(r.state)) return 'sent';
  // Only when the run did not wait (a team desk that does not send, no desk that does online).
  if (r.state === 'queued' || r.state === 'retry_wait' || r.state === 'sending') return 'waiting';
  return 'failed';
}

/**
 * Sent, and the buyer asked a question about it or accepted it on a condition, not marked handled
 * yet: counted as sent (the access point accepted it), listed under Needs attention in the app
 * (walk 8: `send` said only "sent" of them).
 */
export function buyerWaits(r: Pick<DocumentBriefRow, 'state'>): boolean {
  return r.state === 'under_query' || r.state === 'conditionally_accepted';
}

/**
 * Counted as sent, and accepted before `at` (a run's start): sent by an earlier run, not this
 * one, by its acceptance time, not its state when added again (`send` and `retry` say so).
 */
export function sentBefore(r: DocumentBriefRow, counted: Counted, at: number): boolean {
  return counted === 'sent' && r.acceptedAt != null && r.acceptedAt < at;
}

/**
 * Says on stderr why a document did not end as sent (its file and the row's words), or what the
 * buyer asks of one sent ({@link buyerWaits}); those held for another access point are said once
 * for all (see reportPinnedElsewhere).
 */
export function sayWhyNotSent(r: DocumentBriefRow, counted: Counted): void {
  if (r.problemCode === ACCESS_POINT_CHANGED) return;
  // The id people and commands know it by (a team's, for a file kept here meanwhile: walk 24).
  const id = r.shownId ?? r.id;
  if (r.problemMessage && (counted !== 'sent' || buyerWaits(r))) {
    // Each names its document: the commands that act on it need the id (`retry <id>`,
    // `send-anyway <id>`, `cancel <id>`; walk 14, walk 23).
    process.stderr.write(
      `${visibleText(r.fileName)} (document #${id}): ${cliWords(r.problemMessage, id)}\n`,
    );
  } else if (counted === 'cancelled') {
    process.stderr.write(`${visibleText(r.fileName)} (document #${id}): cancelled, so not sent.\n`);
  } else if (counted === 'unconfirmed') {
    process.stderr.write(`${visibleText(r.fileName)} (document #${id}): ${UNCONFIRMED_WORDS}\n`);
  }
}

/**
 * A row's words as the command line says them: the app's "drop it again" is "send it again" here
 * (walk 13: `send` told a command-line user to drop the file), and its buttons are the commands
 * for document `id` (walk 23: "choose Retry", with no Retry to choose and no id given).
 */
export function cliWords(message: string, id?: number): string {
  // The app's details list every finding; here `validate` does (walk 25b N6: "The details list
  // them all." where the command line has no details).
  const words = message
    .replace(/\bdrop it again\b/g, 'send it again')
    .replace(/\bThe details list them all\./g, '`peppol-desk validate <the file>` lists them all.');
  if (id === undefined) return words;
  const commands = words
    .replace(/\b(open it and )?choose Retry\b/g, `run \`peppol-desk retry ${id}\``)
    .replace(/\bchoose Send anyway\b/g, `run \`peppol-desk send-anyway ${id}\``)
    .replace(/\bcancel it here\b/g, `cancel it (\`peppol-desk cancel ${id}\`)`);
  // A held one's decision in the app's words ("Send it anyway only if …; otherwise cancel it"):
  // its two commands after it (walk 23b).
  if (/\bSend (it )?anyway\b/.test(commands) && /\bcancel it\b/.test(commands))
    return `${commands} Send it anyway: \`peppol-desk send-anyway ${id}\`; cancel it: \`peppol-desk cancel ${id}\`.`;
  return commands;
}

/** A document accepted by the access point whose delivery the run could not confirm. */
export const UNCONFIRMED_WORDS =
  'accepted by the access point; its delivery to the buyer is not confirmed here (see its timeline: peppol-desk list, or the app).';

/** ", 2 accepted but delivery not confirmed": said when a run that waited for delivery has some. */
export function unconfirmedWords(n: number): string {
  return n > 0 ? `, ${n} accepted but delivery not confirmed` : '';
}

/** The brief rows of `ids`, MAX_BRIEF_IDS at a time: each chunk of ids with the rows found. */
export async function* briefChunks(
  engine: Engine,
  ids: readonly number[],
): AsyncGenerator<{ ids: number[]; rows: DocumentBriefRow[] }> {
  for (let i = 0; i < ids.length; i += MAX_BRIEF_IDS) {
    const chunk = ids.slice(i, i + MAX_BRIEF_IDS);
    const { rows } = await engine.handlers['documents:briefs']({ ids: chunk });
    yield { ids: chunk, rows };
  }
}

/**
 * Files of a run that never became documents: refused ones (too large, empty, not an invoice
 * file) are `invalid`, files to fix; those that could not be read `failed`.
 */
export interface NotAdded {
  failed: number;
  invalid: number;
}

/** Nothing left out (runs on documents already added). */
export const NONE_LEFT_OUT: NotAdded = { failed: 0, invalid: 0 };

/**
 * The run's figures from each document's last known state, with the files that never became
 * documents (`notAdded`). Reads each document once, in chunks and without its big columns; `each`
 * sees every row with what it counted as (problem lines).
 */
export async function summarize(
  engine: Engine,
  ids: number[],
  notAdded: NotAdded,
  seconds: number,
  delivered = false,
  each?: (r: DocumentBriefRow, counted: Counted) => void,
) {
  const n = {
    sent: 0,
    failed: notAdded.failed,
    notOnPeppol: 0,
    cancelled: 0,
    rejected: 0,
    invalid: notAdded.invalid,
    duplicate: 0,
    held: 0,
    replaced: 0,
    waiting: 0,
    unconfirmed: 0,
    needsAttention: 0,
  };
  for await (const { ids: chunk, rows } of briefChunks(engine, ids)) {
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const id of chunk) {
      const r = byId.get(id);
      if (!r) continue;
      const counted = countAs(r, delivered);
      n[counted]++;
      if (counted === 'sent' && buyerWaits(r)) n.needsAttention++;
      each?.(r, counted);
    }
  }
  return {
    total: ids.length + notAdded.failed + notAdded.invalid,
    sent: n.sent,
    failed: n.failed,
    /** The buyer is not on Peppol (its lookup said so, or the access point answered 404). */
    notOnPeppol: n.notOnPeppol,
    /** Cancelled by the clerk, so not sent. */
    cancelled: n.cancelled,
    rejected: n.rejected,
    invalid: n.invalid,
    duplicates: n.duplicate,
    /** Held for the clerk's decision for another reason than a possible duplicate. */
    held: n.held,
    /** Replaced by a corrected file added later (a fix supersedes its failure). */
    replaced: n.replaced,
    /** Still on the team's queue: sent later by the team's other desks. */
    waiting: n.waiting,
    /**
     * Waited for delivery (`delivered`): accepted by the access point, delivery not confirmed
     * (tracking gave up, or it is no longer followed here). Not failed, not sent.
     */
    deliveryUnconfirmed: n.unconfirmed,
    /** Of `sent`: the buyer asked a question or set a condition (see buyerWaits). */
    needsAttention: n.needsAttention,
    seconds: Math.round(seconds * 1000) / 1000,
  };
}

/** What {@link summarize} returns. */
export type RunSummary = Awaited<ReturnType<typeof summarize>>;

/**
 * Every outcome besides sent and failed that is not nought, in words (", 1 rejected by the buyer,
 * 2 invalid"): walk 9, an invalid one read "0 sent, 0 failed". For retry, reroute, send-anyway.
 */
export function otherOutcomesWords(s: RunSummary): string {
  const outcomes = [
    [s.notOnPeppol, 'whose buyer is not on Peppol'],
    [s.cancelled, 'cancelled (not sent)'],
    [s.rejected, 'rejected by the buyer'],
    [s.invalid, 'invalid'],
    [s.duplicates, 'held as duplicates'],
    [s.held, 'held for your decision'],
    [s.deliveryUnconfirmed, 'accepted but delivery not confirmed'],
    [s.waiting, 'still waiting in the queue'],
  ] as const;
  return outcomes
    .filter(([n]) => n > 0)
    .map(([n, what]) => `, ${n} ${what}`)
    .join('');
}

/** How many documents of a run did not end sent (any: the command exits with 1). */
export function notSentCount(s: RunSummary): number {
  return (
    s.failed +
    s.notOnPeppol +
    s.cancelled +
    s.rejected +
    s.invalid +
    s.duplicates +
    s.held +
    s.deliveryUnconfirmed +
    s.waiting
  );
}

/** The access point this engine sends through, in words. */
export function accessPointHere(engine: Engine): string {
  return accessPointLabel(hereOf(engine).accessPoint, engine.environment);
}

/** The access point this engine sends through and its environment. */
function hereOf(engine: Engine): { accessPoint: string; environment: Environment } {
  return {
    accessPoint: engine.usesBuiltInSandbox ? 'sandbox' : engine.endpoint,
    environment: engine.environment,
  };
}

/**
 * Documents among `ids` queued for another access point than this run's: they were left alone.
 * Names them (stderr) with how to send them through this one; returns how many.
 */
export async function reportPinnedElsewhere(engine: Engine, ids: number[]): Promise<number> {
  // A team's documents are not pinned (rerouting is not on a team): one a team's Retry held
  // says why itself (see `retry`).
  if ((await engine.handlers['connection:get'](undefined)).team) return 0;
  // Brief rows first (small columns, in chunks); whole rows only for the few held here.
  const heldIds: number[] = [];
  for await (const { rows } of briefChunks(engine, ids))
    for (const b of rows)
      if (b.state === 'held' && b.problemCode === ACCESS_POINT_CHANGED) heldIds.push(b.id);
  const held: DocumentDetail[] = [];
  for (const id of heldIds) held.push(await engine.handlers['documents:get']({ id }));
  if (held.length === 0) return 0;
  const here = accessPointHere(engine);
  const now = hereOf(engine);
  const groups = groupBy(held, (r) => accessPointLabel(r.accessPoint, r.environment, now));
  for (const [where, list] of groups) {
    const hereApart = accessPointLabel(now.accessPoint, now.environment, list[0]);
    process.stderr.write(
      `${list.length} document(s) were queued for ${where}, not ${hereApart}, and were left alone: ${list
        .map((r) => `#${r.id} ${visibleText(r.fileName)}`)
        .join(', ')}\n`,
    );
  }
  // Walk 10: reroute is the decision; for one that may be there already, checking comes first.
  const doubt = held.filter((r) => r.heldInDoubt).map((r) => `#${r.id}`);
  if (doubt.length > 0)
    process.stderr.write(
      `${doubt.join(', ')} may already have reached the access point ${doubt.length === 1 ? 'it was' : 'they were'} queued for: ask that provider first whether ${doubt.length === 1 ? 'it' : 'they'} arrived, and send only what did not (sending one that did would deliver it twice).\n`,
    );
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
    let waiting = false;
    for await (const { rows } of briefChunks(engine, ids)) {
      if (rows.some((r) => r.state === 'delivered')) waiting = true;
    }
    if (!waiting) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
