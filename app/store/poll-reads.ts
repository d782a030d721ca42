/**
 * The delivery tracking's reads of the documents table (DocumentsRepo delegates to them): which
 * documents are due for a status poll, when the next one is, and which access points still owe
 * news. Apart from documents-repo.ts to keep each file to one concern and under 500 lines.
 */
import { NEWS_MAY_FOLLOW_STATES } from '../domain/states';
import type { Db } from './db';
import type { DocumentRecord } from './document-record';

/** Delivery polls (accepted: is it delivered yet?) or buyer-response polls (after delivery). */
export type PollKind = 'delivery' | 'response';

/**
 * Where a transaction is known, so where it is asked about: the access point that accepted it
 * and the environment its key selected. One provider URL serves Test and Production and the key
 * chooses: a Test transaction asked about with the Production key is not found there.
 */
export interface PollPlace {
  accessPoint: string;
  /** Null: any (documents pinned before environments were kept). */
  environment: string | null;
}

/** One string for a place (maps, the kept keys): `<access point> (<environment>)`. */
export function pollPlaceId(place: PollPlace): string {
  return place.environment ? `${place.accessPoint} (${place.environment})` : place.accessPoint;
}

/**
 * States whose document is still asked about at its access point: accepted (delivery), delivered
 * or answered with a response that may be followed by another (rejected and paid are final); a
 * query marked handled by the clerk too (a handled rejection has no poll due).
 */
const POLLED_STATES = NEWS_MAY_FOLLOW_STATES;
const POLLED_SQL = `state IN (${POLLED_STATES.map((s) => `'${s}'`).join(', ')})`;
/** Polled states after delivery: waiting for the buyer's next business response. */
const RESPONSE_STATES = POLLED_STATES.filter((s) => s !== 'accepted');
const RESPONSE_SQL = `state IN (${RESPONSE_STATES.map((s) => `'${s}'`).join(', ')})`;
const AT_AP_SQL =
  '(access_point IS NULL OR @ap IS NULL OR access_point = @ap)' +
  ' AND (environment IS NULL OR @env IS NULL OR environment = @env)';

/** The statements' parameters of a place (null: every place). */
function placeParams(place: PollPlace | null): { ap: string | null; env: string | null } {
  return { ap: place?.accessPoint ?? null, env: place?.environment ?? null };
}

/**
 * Due polls of `states`, at most @limit: one walk of the (state, next_poll_at) index per state,
 * each stopping at the limit, then the first @limit of those in the order they fell due.
 */
function duePollsSql(states: readonly string[], order: string): string {
  return `SELECT * FROM (${states
    .map(
      (state) => `SELECT * FROM (SELECT * FROM documents
               WHERE state = '${state}' AND next_poll_at <= @now AND ${AT_AP_SQL}
               ORDER BY next_poll_at LIMIT @limit + 0)`,
    )
    .join(' UNION ALL ')})
         ORDER BY ${order} LIMIT @limit + 0`;
}

/** The prepared poll reads of one connection. */
export class PollReads {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      // One index walk per state, each stopping at the limit: with `state IN (...)` SQLite read
      // and sorted every due row on each pump (a backlog of N due polls cost O(N) per event).
      // Deliveries first (accepted), then the buyers' responses: with a large drop, documents
      // delivered earlier are asked about their response every minute for an hour, so the polls
      // they are due for grow with the drop, and taken in time order they held back the news of
      // the newest deliveries (issue 9: `watch` moved files to sent/ slower and slower).
      duePolls: db.prepare(duePollsSql(POLLED_STATES, "state <> 'accepted', next_poll_at, id")),
      // The two kinds apart: delivery polls keep up with the sends, the buyer-response polls go
      // within the access point's poll budget (app/queue/stages/delivery.ts).
      dueDeliveryPolls: db.prepare(duePollsSql(['accepted'], 'next_poll_at, id')),
      dueResponsePolls: db.prepare(duePollsSql(RESPONSE_STATES, 'next_poll_at, id')),
      // Start-up only: which access points (and environments) still owe us delivery news.
      pollPlaces: db.prepare(
        `SELECT DISTINCT access_point AS accessPoint, environment FROM documents
         WHERE ${POLLED_SQL} AND next_poll_at IS NOT NULL AND access_point IS NOT NULL
         ORDER BY access_point, environment`,
      ),
      nextPollAt: db
        .prepare(`SELECT MIN(next_poll_at) FROM documents WHERE ${POLLED_SQL} AND ${AT_AP_SQL}`)
        .pluck(),
      nextDeliveryPollAt: db
        .prepare(
          `SELECT MIN(next_poll_at) FROM documents WHERE state = 'accepted' AND ${AT_AP_SQL}`,
        )
        .pluck(),
      nextResponsePollAt: db
        .prepare(`SELECT MIN(next_poll_at) FROM documents WHERE ${RESPONSE_SQL} AND ${AT_AP_SQL}`)
        .pluck(),
    };
  }

  /**
   * Documents due for a status poll, at most `limit`: accepted ones (delivery) first, then those
   * delivered and awaiting a business response; each group in the order they fell due.
   */
  duePolls(now: number, limit: number, place: PollPlace | null = null): DocumentRecord[] {
    return this.stmts.duePolls.all({ now, limit, ...placeParams(place) }) as DocumentRecord[];
  }

  /**
   * Due polls of one kind, at most `limit`, in the order they fell due: `delivery` the accepted
   * documents (is it delivered yet?), `response` those delivered or answered, waiting for the
   * buyer's next business response.
   */
  duePollsOf(
    kind: PollKind,
    now: number,
    limit: number,
    place: PollPlace | null = null,
  ): DocumentRecord[] {
    const stmt = kind === 'delivery' ? this.stmts.dueDeliveryPolls : this.stmts.dueResponsePolls;
    return stmt.all({ now, limit, ...placeParams(place) }) as DocumentRecord[];
  }

  /** Earliest poll time of one kind (see {@link duePollsOf}), or null. */
  nextPollAtOf(kind: PollKind, place: PollPlace | null = null): number | null {
    const stmt =
      kind === 'delivery' ? this.stmts.nextDeliveryPollAt : this.stmts.nextResponsePollAt;
    return (stmt.get(placeParams(place)) as number | null) ?? null;
  }

  /**
   * Earliest delivery poll time, or null. With `place`, only documents sent there: a
   * transaction is asked about only at the access point (and environment) that accepted it.
   */
  nextPollAt(place: PollPlace | null = null): number | null {
    return (this.stmts.nextPollAt.get(placeParams(place)) as number | null) ?? null;
  }

  /**
   * The places (access point and environment) with documents still to be asked about (delivery
   * or a buyer's response): read once at start-up, to poll each where it was accepted.
   */
  placesAwaitingDelivery(): PollPlace[] {
    return this.stmts.pollPlaces.all() as PollPlace[];
  }
}
