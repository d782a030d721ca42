/**
 * The clerk's other moves on the SQLite team store (undo a cancel, "send anyway", a receiver
 * found again; the list and the export are in ./sqlite-list). Each move is one immediate
 * transaction: only rows still in the state the move starts from move (a claimed row is in
 * `sending` and never matches), each with its timeline row naming the desk; the other desks see
 * the commit through the file's change counter.
 */
import type Database from 'better-sqlite3';
import type { DocumentState } from '../../contract';
import { CLERK_CANCEL_FROM, CLERK_SEND_ANYWAY_FROM } from '../store-rows';
import type { CancelledTeamDoc } from '../store';
import { NOW } from './statements';

/** How the store's prepared statements are reached. */
type Prepare = (sql: string) => Database.Statement;

const EVENT = `INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail)
  VALUES (?, ${NOW}, ?, ?, ?, ?)`;

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
  const event = stmt(EVENT);
  return db
    .transaction(() => {
      let n = 0;
      const seen = new Set<number>();
      for (const d of docs) {
        if (seen.has(d.id) || !CLERK_CANCEL_FROM.includes(d.from)) continue;
        seen.add(d.id);
        if (!back.get(d.from, d.from, d.id)) continue;
        event.run(d.id, deskId, 'cancelled', d.from, detail);
        n++;
      }
      return n;
    })
    .immediate();
}

/** Ids (from `states`, passing `guard` on `?` parameters `extra`) → queued in their place. */
function requeue(
  db: Database.Database,
  stmt: Prepare,
  deskId: string,
  ids: readonly number[],
  states: readonly DocumentState[],
  guard: string,
  extra: unknown[],
  detail: string,
): number[] {
  const before = stmt(`SELECT state FROM team_documents
    WHERE id = ? AND state IN (${states.map(() => '?').join(', ')}) ${guard}`);
  const move = stmt(`UPDATE team_documents SET state = 'queued', updated_at = ${NOW},
      next_attempt_at = NULL, due_at = created_at,
      problem_code = NULL, problem_message = NULL, problem_action = NULL
    WHERE id = ? RETURNING id`);
  const event = stmt(EVENT);
  return db
    .transaction(() => {
      const moved: number[] = [];
      for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
        const was = before.get(id, ...states, ...extra) as { state: DocumentState } | undefined;
        if (!was || !move.get(id)) continue;
        event.run(id, deskId, was.state, 'queued', detail);
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
  return requeue(db, stmt, deskId, ids, CLERK_SEND_ANYWAY_FROM, '', [], detail).length;
}

/** See TeamStore.requeueUnreachable. */
export function requeueUnreachable(
  db: Database.Database,
  stmt: Prepare,
  deskId: string,
  receiverId: string,
  ids: readonly number[],
  detail: string,
): number[] {
  const states: DocumentState[] = ['unreachable'];
  return requeue(db, stmt, deskId, ids, states, 'AND receiver_id = ?', [receiverId], detail);
}
