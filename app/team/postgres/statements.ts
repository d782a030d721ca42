/** The PostgreSQL team store's statements, named for what they do (its SQL in one place). */
import {
  FAILED_TO_FIX_WHERE,
  MAX_NOTIFY_IDS,
  IN_DOUBT_DETAIL,
  TEAM_DOCUMENT_COLUMNS,
  TEAM_NOTIFY_CHANNEL,
  sendKeySql,
} from '../store-rows';
import { ACCESS_POINT_SETTING } from '../access-point';
import type { SentVia } from '../store';

/**
 * A CTE `notified` that tells the other desks which rows of CTE `from` changed, as one notice
 * `<kind>:<desk>:<ids>` (see parseNotice; `desk` and `kind` are SQL, `kind` may aggregate over
 * `from`): read it in the final SELECT so it runs; with no rows there is nothing to tell.
 */
export function NOTIFY_CTE(from: string, desk: string, kind = `'d'`): string {
  return `notified AS (
    SELECT pg_notify('${TEAM_NOTIFY_CHANNEL}', ${kind} || ':' || ${desk} || ':' ||
      CASE WHEN count(*) > ${MAX_NOTIFY_IDS} THEN '*' ELSE string_agg(id::text, ',') END)
    FROM ${from} HAVING count(*) > 0
  )`;
}

/** The documents of ids $1 (whole rows without their bodies). */
export const READ_DOCUMENTS = `SELECT ${TEAM_DOCUMENT_COLUMNS} FROM team_documents WHERE id = ANY($1::bigint[])`;

/** Insert a batch (columns as unnest arrays $1..$17, desk $18) in the given order; keys already present are skipped. */
export const INSERT_DOCUMENTS = `INSERT INTO team_documents (key, file_name, size, state, doc_type, invoice_number,
           sender_id, receiver_id, buyer_name, amount, currency, issue_date, problem_code,
           problem_message, problem_action, seller_name, duplicate_of, added_by, created_at,
           updated_at, due_at)
         SELECT key, file_name, size, state, doc_type, invoice_number, sender_id, receiver_id,
           buyer_name, amount, currency, issue_date, problem_code, problem_message,
           problem_action, seller_name, duplicate_of, $18, team_now_ms(), team_now_ms(),
           CASE WHEN state = 'queued' THEN team_now_ms() END
         FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[],
           $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
           $13::text[], $14::text[], $15::text[], $16::text[], $17::bigint[])
           WITH ORDINALITY AS t(key, file_name, size, state, doc_type, invoice_number,
             sender_id, receiver_id, buyer_name, amount, currency, issue_date, problem_code,
             problem_message, problem_action, seller_name, duplicate_of, ord)
         ORDER BY ord
         ON CONFLICT (key) DO NOTHING RETURNING id, key, state`;

/**
 * Claim due documents (queued, due retry_wait, sending with an ended lease) for desk $1: at most
 * $2, lease $3 ms, in-doubt words $4, recording where it goes ($6 access point, $7 environment,
 * when given); only while the team's access point is $5 (when given),
 * whose setting row the claim holds FOR KEY SHARE until it commits, so that a change of the
 * team's access point waits for it and counts it (app/team/postgres/access-point.ts).
 * `(SELECT team_now_ms())` is read once per statement, so the due index's range stops at now.
 */
export function claimParams(
  deskId: string,
  limit: number,
  leaseMs: number,
  ap: string | undefined,
  via: SentVia | undefined,
): unknown[] {
  const where = [via?.accessPoint ?? null, via?.environment ?? null];
  return [deskId, limit, leaseMs, IN_DOUBT_DETAIL, ap ?? null, ...where];
}
/** The claim (its parameters: `claimParams`). */
export const CLAIM_DUE_DOCUMENTS = `WITH ap AS MATERIALIZED (
         SELECT 1 FROM team_settings WHERE key = '${ACCESS_POINT_SETTING}' AND value = $5::text
         FOR KEY SHARE
       ), due AS (
         SELECT id, state, due_at FROM team_documents
         WHERE due_at <= (SELECT team_now_ms()) AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM ap))
         ORDER BY due_at, id LIMIT $2
         FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE team_documents d SET state = 'sending', lease_owner = $1,
           lease_until = (SELECT team_now_ms()) + $3::bigint,
           due_at = (SELECT team_now_ms()) + $3::bigint, fence = d.fence + 1,
           attempts = d.attempts + 1, updated_at = team_now_ms(), next_attempt_at = NULL,
           reached_maybe = d.reached_maybe OR due.state = 'sending',
           sent_via = COALESCE($6::text, d.sent_via),
           sent_environment = COALESCE($7::text, d.sent_environment)
         FROM due WHERE d.id = due.id
         RETURNING d.id, ${sendKeySql('d.')} AS key, d.fence, d.file_name, d.receiver_id, d.doc_type,
           d.attempts,
           due.state AS was, due.due_at AS was_due
       ), logged AS (
         INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail)
         SELECT id, team_now_ms(), $1, was, 'sending',
           CASE WHEN was = 'sending' THEN $4::text END FROM claimed
       ), ${NOTIFY_CTE('claimed', '$1', `'n'`)}
       SELECT claimed.*, b.body, (SELECT count(*) FROM notified) AS notified
       FROM claimed LEFT JOIN team_document_bodies b ON b.document_id = claimed.id
       ORDER BY was_due, id`;

/**
 * Write outcomes of many claims of desk $1 at once, each under its own claim's fence (no row
 * back when the fence moved): one row per outcome in the arrays
 * $2..$16 (id, fence, to, transaction id, sent, delay ms, problem code / message / action,
 * reached maybe, uncount, timeline words, first poll in ms, accepted ms ago, settles); each row
 * fenced on its own, ids written returned.
 */
export const FINISH_MANY_UNDER_FENCE = `WITH o AS (
         SELECT * FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::boolean[],
           $7::bigint[], $8::text[], $9::text[], $10::text[], $11::boolean[], $12::boolean[],
           $13::text[], $14::bigint[], $15::bigint[], $16::boolean[]) AS o(id, fence, to_state,
             transaction_id, sent, delay_ms, problem_code, problem_message, problem_action,
             reached_maybe, uncount, detail, first_poll_ms, accepted_ago_ms, settles)
       ), moved AS (
         UPDATE team_documents d SET state = o.to_state, lease_owner = NULL, lease_until = NULL,
           updated_at = team_now_ms(),
           transaction_id = COALESCE(o.transaction_id, d.transaction_id),
           sent_by = CASE WHEN o.sent THEN $1 ELSE d.sent_by END,
           next_attempt_at = CASE WHEN o.delay_ms IS NULL THEN NULL
                                  ELSE (SELECT team_now_ms()) + o.delay_ms END,
           due_at = CASE o.to_state WHEN 'queued' THEN d.created_at
                                    WHEN 'retry_wait' THEN (SELECT team_now_ms()) + o.delay_ms END,
           problem_code = o.problem_code, problem_message = o.problem_message,
           problem_action = o.problem_action,
           reached_maybe = CASE WHEN o.settles THEN false
                                ELSE d.reached_maybe OR o.reached_maybe END,
           attempts = CASE WHEN o.uncount THEN GREATEST(d.attempts - 1, 0) ELSE d.attempts END,
           next_poll_at = (SELECT team_now_ms()) + o.first_poll_ms,
           accepted_at = CASE WHEN o.accepted_ago_ms IS NULL THEN d.accepted_at
                              ELSE team_now_ms() - o.accepted_ago_ms END
         FROM o
         WHERE d.id = o.id AND d.fence = o.fence AND d.state = 'sending' AND d.lease_owner = $1
         RETURNING d.id, o.to_state, o.detail
       ), logged AS (
         INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail)
         SELECT id, team_now_ms(), $1, 'sending', to_state, detail FROM moved ORDER BY id
       ), ${NOTIFY_CTE('moved', '$1', `CASE WHEN bool_or(to_state = 'queued') THEN 'd' ELSE 'n' END`)}
       SELECT moved.id, (SELECT count(*) FROM notified) AS notified FROM moved`;

/** Fold the per-state deltas into the counts, in state order (two desks folding at once cannot deadlock). */
export const FOLD_STATE_DELTAS = `WITH folded AS (DELETE FROM team_state_deltas RETURNING state, delta)
         INSERT INTO team_state_counts (state, n)
         SELECT state, SUM(delta) FROM folded GROUP BY state ORDER BY state
         ON CONFLICT (state) DO UPDATE SET n = team_state_counts.n + excluded.n`;

/** Documents per state: the folded counts plus the deltas written since. */
export const READ_STATE_COUNTS = `SELECT state, SUM(n)::bigint AS n FROM (
           SELECT state, n FROM team_state_counts
           UNION ALL SELECT state, delta FROM team_state_deltas
         ) all_counts GROUP BY state HAVING SUM(n) > 0`;

/** The failed documents "Retry all" leaves (their partial index: migration 013). */
export const READ_FAILED_TO_FIX = `SELECT COUNT(*)::bigint AS n FROM team_documents
         WHERE ${FAILED_TO_FIX_WHERE}`;

/** The clerk's move of ids $3 from states $4 to $2 (only rows passing `guard`), logged for desk $1 with words $5; returns each row moved with its state before. */
export function clerkMoveSql(guard: string): string {
  return `WITH old AS (
         SELECT id, state FROM team_documents
         WHERE id = ANY($3::bigint[]) AND state = ANY($4::text[]) ${guard}
         ORDER BY id FOR UPDATE
       ), moved AS (
         UPDATE team_documents d SET state = $2, updated_at = team_now_ms(),
           next_attempt_at = NULL, due_at = CASE WHEN $2 = 'queued' THEN d.created_at END
         FROM old WHERE d.id = old.id RETURNING d.id, old.state AS was
       ), logged AS (
         INSERT INTO team_events (document_id, at, desk, from_state, to_state, detail)
         SELECT id, team_now_ms(), $1, was, $2, $5 FROM moved
       ), ${NOTIFY_CTE('moved', '$1')}
       SELECT moved.id, moved.was, (SELECT count(*) FROM notified) AS notified FROM moved`;
}

/** Announce desk $1 (name $2, host $3, access point $4) or note that it is still there (database clock). */
export const UPSERT_DESK = `INSERT INTO team_desks (id, name, host, started_at, last_seen, access_point)
       VALUES ($1, $2, $3, team_now_ms(), team_now_ms(), $4)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, host = excluded.host,
         last_seen = excluded.last_seen, access_point = excluded.access_point`;

/** The team's desks, online when seen within $1 ms. */
export const READ_DESKS = `SELECT id, name, host, last_seen, access_point,
         last_seen >= team_now_ms() - $1::bigint AS online
       FROM team_desks ORDER BY name, id`;

/** Extend by $2 ms the leases of desk $1 on ids $3 with fences $4 (still held ones only). */
export const RENEW_LEASES = `UPDATE team_documents d SET lease_until = (SELECT team_now_ms()) + $2::bigint,
         due_at = (SELECT team_now_ms()) + $2::bigint
       FROM unnest($3::bigint[], $4::bigint[]) AS c(id, fence)
       WHERE d.id = c.id AND d.fence = c.fence AND d.state = 'sending' AND d.lease_owner = $1
       RETURNING d.id`;

/** Accepts per desk per second over the last $1 ms, with the clock they were read at (one statement). */
export const ACCEPTED_PER_SECOND = `WITH clock AS (SELECT team_now_ms() AS now),
       s AS (SELECT desk, (at / 1000) * 1000 AS t, COUNT(*)::int AS accepted
               FROM team_events, clock
               WHERE to_state = 'accepted' AND at >= clock.now - $1::bigint AND desk IS NOT NULL
                 AND from_state IS DISTINCT FROM 'accepted'
               GROUP BY desk, t)
       SELECT clock.now, s.desk, COALESCE(d.name, s.desk) AS name, s.t, s.accepted
       FROM clock LEFT JOIN s ON true LEFT JOIN team_desks d ON d.id = s.desk
       ORDER BY s.t, s.desk`;

/** Document $1's timeline, oldest first, with the name of each step's desk. */
export const READ_TIMELINE = `SELECT e.at, COALESCE(d.name, e.desk) AS desk, e.from_state, e.to_state, e.detail,
              e.technical
       FROM team_events e LEFT JOIN team_desks d ON d.id = e.desk
       WHERE e.document_id = $1 ORDER BY e.seq`;
