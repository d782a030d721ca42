/**
 * The clerk's other moves on the SQLite team store (undo a cancel, "send anyway", a receiver
 * found again; the list and the export are in ./sqlite-list). Each move is one immediate
 * transaction: only rows still in the state the move starts from move (a claimed row is in
 * `sending` and never matches), each with its timeline row naming the desk; the other desks see
 * the commit through the file's change counter.
 */
import type Database from 'better-sqlite3';
import type { DocumentState } from '../../contract';
import { ACCESS_POINT_CHANGED } from '../../domain/problems';
import {
  ACCESS_POINT_BEFORE_SETTING,
  ACCESS_POINT_LABEL_SETTING,
  ACCESS_POINT_SETTING,
  retryHoldOf,
} from '../access-point';
import {
  cancelledToSendSql,
  CLERK_CANCEL_FROM,
  CLERK_SEND_ANYWAY_FROM,
  PRACTICE_FORGOTTEN_SQL,
  PRACTICE_SENT_FROM,
  PRACTICE_SENT_SQL,
  undoStateOf,
} from '../store-rows';
import { REFUSED_FOR_GOOD_SQL, REFUSED_RETRY_WORDS } from '../../domain/retry-policy';
import { handledFrom, handledTo } from '../../domain/states';
import type { CancelledTeamDoc, TeamProblem, TeamRetryResult } from '../store';
import {
  numberLiveSql,
  numberOfRow,
  retryDuplicates,
  type NumberTaken,
  type RetriedNumber,
} from '../number-guard';
import { INSERT_EVENT, NOW } from './statements';

/** How the store's prepared statements are reached. */
type Prepare = (sql: string) => Database.Statement;

/** See TeamStore.uncancel. */
export function uncancel(
  db: Database.Database,
  stmt: Prepare,
  deskId: string,
  docs: readonly CancelledTeamDoc[],
  detail: string,
): number {
  const back = stmt(`UPDATE team_documents SET state = ?, updated_at = ${NOW},
      next_attempt_at = NULL, due_at = CASE WHEN ? = 'queued' THEN created_at END
    WHERE id = ? AND state = 'cancelled' RETURNING id`);
  const event = stmt(INSERT_EVENT);
  return db
    .transaction(() => {
      let n = 0;
      const seen = new Set<number>();
      for (const d of docs) {
        if (seen.has(d.id) || !CLERK_CANCEL_FROM.includes(d.from)) continue;
        seen.add(d.id);
        if (!back.get(d.from, d.from, d.id)) continue;
        event.run(d.id, deskId, 'cancelled', d.from, detail, null);
        n++;
      }
      return n;
    })
    .immediate();
}

/** See TeamStore.cancel: never a document that may have reached the access point. */
export function cancel(
  db: Database.Database,
  stmt: Prepare,
  deskId: string,
  ids: readonly number[],
): CancelledTeamDoc[] {
  const from = CLERK_CANCEL_FROM;
  const move = stmt(`UPDATE team_documents SET state = 'cancelled', updated_at = ${NOW},
      next_attempt_at = NULL, due_at = NULL
    WHERE id = ? AND state IN (${from.map(() => '?').join(', ')}) AND NOT reached_maybe
    RETURNING id`);
  const before = stmt('SELECT state FROM team_documents WHERE id = ?');
  const event = stmt(INSERT_EVENT);
  return db
    .transaction(() => {
      const moved: CancelledTeamDoc[] = [];
      for (const id of new Set(ids)) {
        const was = before.get(id) as { state: DocumentState } | undefined;
        if (!was || !move.get(id, ...from)) continue;
        event.run(id, deskId, was.state, 'cancelled', 'cancelled', null);
        moved.push({ id, from: undoStateOf(was.state) });
      }
      return moved;
    })
    .immediate();
}

/** A row a Retry reads: what its move needs, and the number it is guarded by. */
interface Before {
  id: number;
  key: string;
  sender_id: string | null;
  invoice_number: string | null;
  doc_type: string | null;
  anew: number | null;
  refused: number;
  transaction_id: string | null;
  in_doubt: number | null;
  updated_at: number;
  state: 'failed' | 'retry_wait' | 'cancelled';
}

/**
 * See TeamStore.retry (and the PostgreSQL store's RETRY_FAILED): failed or waiting to retry (or
 * cancelled on its way out: cancelledToSendSql) → queued in its place (sent now),
 * attempts and problem cleared; a failed delivery, or a refusal for good (refusedForGood),
 * becomes a new submission (a new key round);
 * one whose last attempt may have reached an earlier access point of the team (retryHoldOf) is
 * held instead, `reached_maybe` cleared, its timeline saying "Retry requested" and then why. The
 * team's access point is read inside the same immediate transaction: a change is either before
 * it (and seen) or after it (and counts what it queued in doubt).
 */
export function retryFailed(
  db: Database.Database,
  stmt: Prepare,
  deskId: string,
  ids: readonly number[],
  real: boolean,
): TeamRetryResult {
  const live = stmt(`SELECT id, key, state FROM team_documents
    WHERE sender_id = ? AND invoice_number = ? AND doc_type = ? AND ${numberLiveSql('?')}
    ORDER BY id`);
  const settings = stmt(`SELECT key, value, updated_by, updated_at FROM team_settings
    WHERE key IN ('${ACCESS_POINT_SETTING}', '${ACCESS_POINT_LABEL_SETTING}',
      '${ACCESS_POINT_BEFORE_SETTING}')`);
  const before = stmt(`SELECT problem_code = 'DELIVERY_FAILED' AS anew, transaction_id,
      (state IN ('failed', 'cancelled') AND ${REFUSED_FOR_GOOD_SQL}) AS refused,
      reached_maybe AND problem_code IS NOT 'DELIVERY_FAILED' AND NOT ${REFUSED_FOR_GOOD_SQL}
        AS in_doubt, updated_at, state, id, key, sender_id, invoice_number, doc_type
    FROM team_documents
    WHERE id = ? AND (state IN ('failed', 'retry_wait') OR ${cancelledToSendSql()})`);
  const move =
    stmt(`UPDATE team_documents SET state = CASE WHEN @hold THEN 'held' ELSE 'queued' END,
      updated_at = ${NOW}, next_attempt_at = NULL,
      due_at = CASE WHEN @hold THEN NULL ELSE created_at END, attempts = 0,
      problem_code = CASE WHEN @apHold THEN '${ACCESS_POINT_CHANGED}' WHEN @hold THEN 'DUPLICATE' END,
      problem_message = CASE WHEN @hold THEN @why END,
      problem_action = CASE WHEN @hold THEN 'decide' END,
      duplicate_of = CASE WHEN @hold AND NOT @apHold THEN @dupOf ELSE duplicate_of END,
      key_round = key_round + (@anew OR @refused),
      reached_maybe = reached_maybe AND NOT @anew AND NOT @refused AND NOT @apHold,
      transaction_id = CASE WHEN @anew THEN NULL ELSE transaction_id END,
      accepted_at = CASE WHEN @anew THEN NULL ELSE accepted_at END,
      delivered_at = CASE WHEN @anew THEN NULL ELSE delivered_at END,
      business_response = CASE WHEN @anew THEN NULL ELSE business_response END,
      business_response_note = CASE WHEN @anew THEN NULL ELSE business_response_note END,
      business_response_at = CASE WHEN @anew THEN NULL ELSE business_response_at END,
      next_poll_at = NULL
    WHERE id = @id AND state = @was RETURNING id`);
  const event = stmt(INSERT_EVENT);
  return db
    .transaction((): TeamRetryResult => {
      const hold = retryHoldOf(settings.all() as Parameters<typeof retryHoldOf>[0]);
      let queued = 0;
      const held: TeamRetryResult['held'] = [];
      const unique = new Set(ids);
      // Each row read once: what the move needs, and its number.
      const rows = [...unique]
        .map((id) => before.get(id) as Before | undefined)
        .filter((r): r is Before => r !== undefined);
      // Second versions (../number-guard retryDuplicates): writes are one at a time here.
      const retried = rows.filter(
        (r): r is Before & RetriedNumber =>
          r.sender_id !== null && r.invoice_number !== null && r.doc_type !== null,
      );
      const taken = new Map<string, NumberTaken>();
      const asked = new Set<string>();
      for (const r of retried) {
        const n = numberOfRow(r);
        if (asked.has(n)) continue;
        asked.add(n);
        const found = live.all(r.sender_id, r.invoice_number, r.doc_type, real ? 1 : 0);
        const t = (found as NumberTaken[]).find((x) => !unique.has(x.id));
        if (t) taken.set(n, t);
      }
      const dups = retryDuplicates(retried, taken);
      for (const was of rows) {
        const { id } = was;
        const anew = was.anew ? 1 : 0;
        const atEarlier = hold !== null && Boolean(was.in_doubt) && was.updated_at <= hold.setAt;
        const why = !hold
          ? null
          : // Named only when it failed after that access point became the team's: in the same
            // millisecond it may have failed at the one before (the unnamed words are true either way).
            hold.since !== null && was.updated_at > hold.since
            ? hold.words
            : hold.wordsUnnamed;
        const dup = atEarlier ? undefined : dups.get(id);
        const moved = move.get({
          anew,
          refused: was.refused,
          id,
          hold: atEarlier || dup ? 1 : 0,
          apHold: atEarlier ? 1 : 0,
          why: dup ? dup.message : why,
          dupOf: dup?.of ?? null,
          was: was.state,
        });
        if (!moved) continue;
        const words = anew
          ? `Retry requested after the delivery failed (transaction ${was.transaction_id ?? '?'}): sent again as a new submission`
          : was.refused
            ? REFUSED_RETRY_WORDS
            : 'Retry requested';
        event.run(id, deskId, was.state, 'queued', words, null);
        if (atEarlier) {
          event.run(id, deskId, 'queued', 'held', why, null);
          held.push({ id, message: why! });
        } else if (dup) {
          event.run(id, deskId, 'queued', 'held', dup.detail, null);
          held.push({ id, message: dup.message });
        } else queued++;
      }
      return { queued, held };
    })
    .immediate();
}

/**
 * Ids (from `states`, passing `guard` on `?` parameters `extra`) → queued in their place; with
 * `newRound`, one held after the team moved gets a new key round (see sendAnyway), as does one
 * the access point refused for good (an `unreachable` one refused 404).
 */
function requeue(
  db: Database.Database,
  stmt: Prepare,
  deskId: string,
  ids: readonly number[],
  states: readonly DocumentState[],
  guard: string,
  extra: unknown[],
  detail: string,
  technical: string | null = null,
  newRound = false,
): number[] {
  // A refusal for good goes as a new submission too (refusedForGood: a 404's "not on Peppol").
  const anew = `${newRound ? `problem_code = '${ACCESS_POINT_CHANGED}' OR ` : ''}${REFUSED_FOR_GOOD_SQL}`;
  const before = stmt(`SELECT state, ${anew} AS anew FROM team_documents
    WHERE id = ? AND state IN (${states.map(() => '?').join(', ')}) ${guard}`);
  const move = stmt(`UPDATE team_documents SET state = 'queued', updated_at = ${NOW},
      next_attempt_at = NULL, due_at = created_at,
      problem_code = NULL, problem_message = NULL, problem_action = NULL,
      key_round = key_round + ?
    WHERE id = ? RETURNING id`);
  const event = stmt(INSERT_EVENT);
  return db
    .transaction(() => {
      const moved: number[] = [];
      for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
        const was = before.get(id, ...states, ...extra) as
          { state: DocumentState; anew: number | null } | undefined;
        if (!was || !move.get(was.anew ? 1 : 0, id)) continue;
        event.run(id, deskId, was.state, 'queued', detail, technical);
        moved.push(id);
      }
      return moved;
    })
    .immediate();
}

/** See TeamStore.sendAnyway. */
export function sendAnyway(
  db: Database.Database,
  stmt: Prepare,
  deskId: string,
  ids: readonly number[],
  detail: string,
): number {
  // One a Retry held after the team moved (sentBeforeTeamMoved) goes as a new submission.
  return requeue(db, stmt, deskId, ids, CLERK_SEND_ANYWAY_FROM, '', [], detail, null, true).length;
}

/** See TeamStore.requeueUnreachable. */
export function requeueUnreachable(
  db: Database.Database,
  stmt: Prepare,
  deskId: string,
  receiverId: string,
  ids: readonly number[],
  detail: string,
  technical: string | null = null,
): number[] {
  const states: DocumentState[] = ['unreachable'];
  const guard = 'AND receiver_id = ?';
  return requeue(db, stmt, deskId, ids, states, guard, [receiverId], detail, technical);
}

/** See TeamStore.noteUnreachable (the PostgreSQL store's NOTE_UNREACHABLE). */
export function noteUnreachable(
  db: Database.Database,
  stmt: Prepare,
  deskId: string,
  receiverId: string,
  ids: readonly number[],
  detail: string,
): number[] {
  const still = stmt(`SELECT 1 FROM team_documents
    WHERE id = ? AND state = 'unreachable' AND receiver_id = ?`);
  const event = stmt(INSERT_EVENT);
  return db
    .transaction(() => {
      const noted: number[] = [];
      for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
        if (!still.get(id, receiverId)) continue;
        event.run(id, deskId, 'unreachable', 'unreachable', detail, null);
        noted.push(id);
      }
      return noted;
    })
    .immediate();
}

/** See TeamStore.retryNotOnPeppol (the PostgreSQL store's RETRY_NOT_ON_PEPPOL). */
export function retryNotOnPeppol(
  db: Database.Database,
  stmt: Prepare,
  deskId: string,
  receiverId: string,
  ids: readonly number[],
  problem: TeamProblem,
  detail: string,
): number[] {
  const move = stmt(`UPDATE team_documents SET state = 'unreachable', updated_at = ${NOW},
      next_attempt_at = NULL, due_at = NULL, attempts = 0,
      problem_code = ?, problem_message = ?, problem_action = ?,
      key_round = key_round + 1, reached_maybe = 0, transaction_id = NULL,
      accepted_at = NULL, delivered_at = NULL, business_response = NULL,
      business_response_note = NULL, business_response_at = NULL, next_poll_at = NULL
    WHERE id = ? AND state = 'failed' AND problem_code = 'DELIVERY_FAILED' AND receiver_id = ?
    RETURNING id`);
  const before = stmt('SELECT transaction_id FROM team_documents WHERE id = ?');
  const event = stmt(INSERT_EVENT);
  return db
    .transaction(() => {
      const moved: number[] = [];
      for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
        const was = before.get(id) as { transaction_id: string | null } | undefined;
        if (!was || !move.get(problem.code, problem.message, problem.action, id, receiverId)) {
          continue;
        }
        const words = `Retry requested after the delivery failed (transaction ${was.transaction_id ?? '?'}): ${detail}`;
        event.run(id, deskId, 'failed', 'unreachable', words, null);
        moved.push(id);
      }
      return moved;
    })
    .immediate();
}

/** See TeamStore.markHandled. */
export function markHandled(
  db: Database.Database,
  stmt: Prepare,
  deskId: string,
  ids: readonly number[],
  handled: boolean,
  detail: string,
): number {
  const from = handledFrom(handled);
  const before = stmt(`SELECT state, business_response FROM team_documents
    WHERE id = ? AND state IN (${from.map(() => '?').join(', ')})`);
  const move = stmt(`UPDATE team_documents SET state = ?, problem_action = ?,
    updated_at = ${NOW} WHERE id = ? AND state = ? RETURNING id`);
  const event = stmt(INSERT_EVENT);
  return db
    .transaction(() => {
      let n = 0;
      for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
        const was = before.get(id, ...from) as
          { state: DocumentState; business_response: string | null } | undefined;
        if (!was) continue;
        const to = handledTo(handled, was.business_response);
        if (!move.get(to.state, to.action, id, was.state)) continue;
        event.run(id, deskId, was.state, to.state, detail, null);
        n++;
      }
      return n;
    })
    .immediate();
}

/** See TeamStore.sendPracticeForReal. */
export function sendPracticeForReal(
  db: Database.Database,
  stmt: Prepare,
  deskId: string,
  ids: readonly number[],
  detail: string,
): number[] {
  const before = stmt(`SELECT state FROM team_documents WHERE id = ?
    AND state IN (${PRACTICE_SENT_FROM.map(() => '?').join(', ')}) AND ${PRACTICE_SENT_SQL}`);
  const move = stmt(`UPDATE team_documents SET state = 'queued', updated_at = ${NOW},
      due_at = created_at, reached_maybe = 0, ${PRACTICE_FORGOTTEN_SQL}
    WHERE id = ? AND state = ? RETURNING id`);
  const event = stmt(INSERT_EVENT);
  return db
    .transaction(() => {
      const moved: number[] = [];
      for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
        const was = before.get(id, ...PRACTICE_SENT_FROM) as { state: DocumentState } | undefined;
        if (!was || !move.get(id, was.state)) continue;
        event.run(id, deskId, was.state, 'queued', detail, null);
        moved.push(id);
      }
      return moved;
    })
    .immediate();
}
