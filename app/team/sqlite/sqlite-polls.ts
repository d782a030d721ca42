/**
 * Delivery poll claims on the SQLite team store (see TeamStore.claimPolls): immediate
 * transactions, so one desk picks at a time; the lease is the row's next_poll_at, read from the
 * machine's clock inside SQL.
 */
import type Database from 'better-sqlite3';
import { CLAIM_GUARD } from './sqlite-access-point';
import type { DocumentState } from '../../contract';
import { LIMIT_PARAM } from '../../store/document-record';
import {
  POLL_CLAIM_COLUMNS,
  pollEvents,
  pollSets,
  toPollClaim,
  type PollClaimRow,
} from '../poll-rows';
import type { PollClaim, PollKind, PollRef, PollResult } from '../store';
import { INSERT_EVENT, NOW } from './statements';

/** How the store's prepared statements are reached. */
type Prepare = (sql: string) => Database.Statement;

/**
 * Due polls in the order they fell due, by kind, each read only over its due range:
 * team_documents_poll for any and for the buyer-response polls (skipping the few accepted ones
 * due), team_documents_delivery_poll (migration 009: the accepted documents only) for delivery
 * polls, so that they never walk through a month-end's response backlog.
 */
export const DUE_POLLS: Record<PollKind | 'any', string> = {
  any: `SELECT id FROM team_documents INDEXED BY team_documents_poll
      WHERE next_poll_at <= ${NOW} ORDER BY next_poll_at, id ${LIMIT_PARAM}`,
  response: `SELECT id FROM team_documents INDEXED BY team_documents_poll
      WHERE next_poll_at <= ${NOW} AND state <> 'accepted' ORDER BY next_poll_at, id ${LIMIT_PARAM}`,
  delivery: `SELECT id FROM team_documents INDEXED BY team_documents_delivery_poll
      WHERE state = 'accepted' AND next_poll_at IS NOT NULL AND next_poll_at <= ${NOW}
      ORDER BY next_poll_at, id ${LIMIT_PARAM}`,
};

/** Claim due polls for `deskId` (see TeamStore.claimPolls). */
export function claimPolls(
  db: Database.Database,
  stmt: Prepare,
  deskId: string,
  limit: number,
  leaseMs: number,
  accessPoint?: string,
  kind?: PollKind,
): PollClaim[] {
  const due = stmt(DUE_POLLS[kind ?? 'any']);
  const take = stmt(`UPDATE team_documents SET poll_owner = ?, poll_fence = poll_fence + 1,
      next_poll_at = ${NOW} + ? WHERE id = ? RETURNING ${POLL_CLAIM_COLUMNS}`);
  return db
    .transaction(() => {
      // Only while the team's access point is the desk's: its transactions are known there only.
      if (accessPoint !== undefined && !stmt(`SELECT ${CLAIM_GUARD}`).pluck().get(accessPoint))
        return [];
      const ids = due.all(Math.max(0, Math.floor(limit))) as { id: number }[];
      return ids.map((r) =>
        toPollClaim(take.get(deskId, Math.round(leaseMs), r.id) as PollClaimRow),
      );
    })
    .immediate();
}

/** Write a poll's result under its fence (see TeamStore.finishPoll). */
export function finishPoll(
  db: Database.Database,
  stmt: Prepare,
  deskId: string,
  claim: PollRef,
  result: PollResult,
): boolean {
  const held = stmt(
    'SELECT state FROM team_documents WHERE id = ? AND poll_fence = ? AND poll_owner = ?',
  );
  // The last change moves only when something the clerk sees changed (not at every quiet poll).
  const write = stmt(`UPDATE team_documents SET state = @to, poll_owner = NULL,
      updated_at = CASE WHEN state <> @to OR @r OR @p OR @delivered IS NOT NULL
        THEN ${NOW} ELSE updated_at END,
      next_poll_at = ${NOW} + @next,
      delivered_at = COALESCE(@delivered, delivered_at),
      business_response = CASE WHEN @r THEN @code ELSE business_response END,
      business_response_note = CASE WHEN @r THEN @note ELSE business_response_note END,
      business_response_at = CASE WHEN @r THEN @at ELSE business_response_at END,
      problem_code = CASE WHEN @p THEN @pcode ELSE problem_code END,
      problem_message = CASE WHEN @p THEN @pmessage ELSE problem_message END,
      problem_action = CASE WHEN @p THEN @paction ELSE problem_action END
    WHERE id = @id`);
  const event = stmt(INSERT_EVENT);
  return db
    .transaction(() => {
      const row = held.get(claim.id, claim.pollFence, deskId) as
        { state: DocumentState } | undefined;
      if (!row) return false;
      const { to, events } = pollEvents(row.state, result);
      const s = pollSets(result);
      const r = s.response ? 1 : 0;
      const p = s.setProblem ? 1 : 0;
      write.run({
        to,
        next: s.nextPollInMs,
        delivered: s.deliveredAt,
        r,
        code: s.response?.code ?? null,
        note: s.response?.note ?? null,
        at: s.response?.at ?? null,
        p,
        pcode: s.problem?.code ?? null,
        pmessage: s.problem?.message ?? null,
        paction: s.problem?.action ?? null,
        id: claim.id,
      });
      for (const e of events) event.run(claim.id, deskId, e.from, e.to, e.detail, null);
      return true;
    })
    .immediate();
}

/** Give poll claims back, due at once (see TeamStore.releasePolls). */
export function releasePolls(
  db: Database.Database,
  stmt: Prepare,
  deskId: string,
  claims: readonly PollRef[],
): number {
  const release = stmt(`UPDATE team_documents SET poll_owner = NULL, next_poll_at = ${NOW}
      WHERE id = ? AND poll_fence = ? AND poll_owner = ? AND next_poll_at IS NOT NULL`);
  return db
    .transaction(() =>
      claims.reduce((n, c) => n + release.run(c.id, c.pollFence, deskId).changes, 0),
    )
    .immediate();
}
