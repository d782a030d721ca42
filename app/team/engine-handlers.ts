/**
 * The contract's handlers on a team outbox: documents read from the team's store (rows,
 * timelines with the desk of each step, briefs with the desk that sent them), the clerk's retry
 * (its other requests are in ./engine-actions), the header's status with the team, this desk's
 * settings and metrics. The one channel a team outbox does not offer answers why, in words.
 */
import {
  accessPointLabel,
  FILTER_STATES,
  MAX_BRIEF_IDS,
  type ConnectionStatus,
  type DocumentBriefRow,
  type DocumentDetail,
  type DocumentState,
  type Handlers,
  type RequestChannel,
} from '../contract';
import { KEY_REFUSED_WORDS, NO_API_KEY_WORDS } from '../access-point/reachability';
import { duplicateProblemNow } from '../domain/duplicate-number';
import { CHECK_WAIT_MS, withinMs } from '../engine/connection';
import { requireIds } from '../engine/documents';
import { dropHandlers } from '../engine/drop-handlers';
import { NOT_RETRIED_ACTIONS, RETRY_SLICE } from '../engine/user-actions';
import { AppError, toErrorValue } from '../errors';
import { HISTORY_SECONDS } from '../metrics/metrics';
import { BUILT_IN_SANDBOX_REF } from './access-point';
import { refreshCounts } from './engine-events';
import { teamSettingsHandlers } from './engine-settings';
import { OLDEST_FIRST } from './list-order';
import type { TeamHandlerContext } from './engine-context';
import type { TeamDocument, TeamStore } from './store';
import { teamActionHandlers, teamDetailExtras, teamDocOf, teamRow } from './engine-actions';
import {
  checked,
  lookUpFailedDeliveries,
  retryUnreachable,
  type RetryLookups,
} from './retry-lookups';

export type { TeamHandlerContext } from './engine-context';

/**
 * Channels a team outbox does not offer, with what a clerk reads instead. Rerouting moves
 * documents held because they were queued for an access point no longer in use; a team's
 * documents are not tied to one (each desk sends through its own), so none is ever held so.
 */
export const NOT_ON_TEAM: Partial<Record<RequestChannel, string>> = {
  'documents:reroute':
    'Rerouting is not needed on a team outbox: team documents are not tied to one access point, so none waits for another. Each desk sends through the access point set in its own Settings.',
};

const STATES_OPEN = new Set<DocumentState>(['queued', 'sending', 'retry_wait']);

/** The handlers of a team engine (see the file comment), and the header's status. */
export function teamHandlers(ctx: TeamHandlerContext): {
  handlers: Handlers;
  status: () => ConnectionStatus;
} {
  const { store, teamDesk, settings, options } = ctx;
  const names = new DeskNames(store);

  const row = teamRow;
  const getDoc = (id: number): Promise<TeamDocument> => teamDocOf(ctx, id);
  /** The document a held second version duplicates, for the side-by-side decision. */
  const duplicateOfRow = async (d: TeamDocument): Promise<DocumentDetail['duplicateOf']> => {
    if (d.state !== 'held' || d.problem?.code !== 'DUPLICATE' || !d.duplicateOf) return null;
    const [first] = await store.getMany([d.duplicateOf]);
    if (!first) return null;
    // The team keeps no summaries: this desk's check of the stored file (cached by content).
    const c = await checked(ctx, first);
    return { ...row(first), dueDate: c?.ok ? (c.summary.dueDate ?? null) : null };
  };

  const status = (): ConnectionStatus => {
    const counts = ctx.events.counts;
    const hot = ctx.hotFolderStatus?.() ?? null;
    // A provider address and no key, said as on a single desk (walk 20: "Online" here while a
    // single desk said "No API key"); a refusal then says the key is missing, not wrong.
    const noKey = ctx.connection.environment !== 'sandbox' && !ctx.options.secrets.getApiKey();
    const message = teamDesk.message ?? ctx.health.message;
    // The team database first (nothing moves without it), then the access point, as on a
    // single desk: never "Online" while this desk's requests cannot reach it.
    return {
      state: teamDesk.reachable ? ctx.health.state : 'offline',
      environment: ctx.connection.environment,
      endpoint: ctx.connection.endpoint,
      accessPoint: ctx.connection.accessPoint,
      paused: settings.get('paused') || teamDesk.fault !== null,
      waiting: [...STATES_OPEN].reduce((n, s) => n + (counts[s] ?? 0), 0),
      message: noKey && message === KEY_REFUSED_WORDS ? NO_API_KEY_WORDS : message,
      ...(noKey ? { apiKeySet: false } : {}),
      // As on a single desk: the next probe while offline, the end of a throttle.
      nextTryAt: teamDesk.reachable ? ctx.health.nextTryAt() : null,
      accessPointEnvironment: ctx.health.namedEnvironment,
      team: {
        label: store.label,
        desksOnline: teamDesk.desksOnline,
        deskName: ctx.desk.name,
        reachable: teamDesk.reachable,
        // Unknown (undefined) until the team's access point has been read.
        ...(teamDesk.teamAccessPoint ? { sends: teamDesk.sendsHere } : {}),
        accessPoint: teamDesk.teamAccessPoint?.label ?? null,
        sendersOnline: teamDesk.sendersOnline,
        // Read only while the database is away (the spool is empty otherwise).
        ...(teamDesk.reachable ? {} : { kept: teamDesk.spool.counts().files }),
      },
      ...(hot ? { hotFolder: hot } : {}),
    };
  };

  /** Ids in `states`, oldest first; without those `leave` says to leave (it keeps them). */
  const idsIn = async (
    states: readonly DocumentState[],
    leave?: (d: TeamDocument) => boolean,
  ): Promise<number[]> => {
    const ids: number[] = [];
    // Pages of the team's list, oldest first (bounded statements).
    for (let offset = 0; ; offset += 1000) {
      const { rows } = await store.list({ states, offset, limit: 1000, sort: OLDEST_FIRST });
      for (const r of rows) if (!leave?.(r)) ids.push(r.id);
      if (rows.length < 1000) return ids;
    }
  };

  const setPaused = (paused: boolean) => {
    settings.set('paused', paused);
    teamDesk.setPaused(paused);
    return status();
  };

  const handlers: Partial<Handlers> = {
    ...teamActionHandlers(ctx),
    'team:useThisAccessPoint': async () => {
      const team = teamDesk.teamAccessPoint;
      // A practice Sandbox never takes over a team that sends for real (a clerk's walk: one click
      // on a desk without a key moved a team's invoices to that desk's practice Sandbox, and
      // every desk then showed them Delivered).
      if (ctx.connection.sandbox !== null && team && team.id !== BUILT_IN_SANDBOX_REF.id) {
        const message = `The team still sends through ${team.label}: this desk uses the built-in Sandbox, where nothing is really sent, and a practice Sandbox cannot take over a team that sends for real. To send from this desk, set the team's provider and API key in Settings.`;
        return { changed: false, message, status: status() };
      }
      // Nor this desk at the team's own address without its API key (walk 17b: one click moved
      // the team to the same address without a key, and no desk could send).
      const mine = accessPointLabel(ctx.connection.accessPoint, ctx.connection.environment);
      if (
        ctx.connection.sandbox === null &&
        !options.secrets.getApiKey() &&
        team &&
        team.label === mine &&
        !teamDesk.sendsHere
      ) {
        const message = `The team still sends through ${team.label}, with an API key, and this desk has none: moving the team here would stop its invoices from being sent. To send from this desk, enter the team's API key in Settings.`;
        return { changed: false, message, status: status() };
      }
      const was = team?.id;
      const r = await teamDesk.checkAccessPoint(true);
      const n = r.ok ? 0 : r.unfinished;
      const message = r.ok
        ? was === r.accessPoint.id
          ? `The team already sends through ${r.accessPoint.label}, the access point of this desk.`
          : `The team now sends through ${r.accessPoint.label}, the access point of this desk. Desks set to another access point add invoices but do not send them until they use this one.${notFollowedWords(r.notFollowed ?? 0)}`
        : `The team still sends through ${r.accessPoint.label}: ${n.toLocaleString('en-US')} ${n === 1 ? 'invoice is' : 'invoices are'} still there (being sent, or waiting to be sent again after an attempt that may have reached it). Through another access point they could be sent twice. Try again when they are accepted or failed.`;
      return { changed: r.ok, message, status: status() };
    },
    'app:info': () => ({
      version: options.version ?? '0.0.0',
      host: options.host,
      dataDir: options.dataDir,
    }),
    'documents:add': async ({ files, drop }) => {
      const result = await teamDesk.add(files);
      if (drop) ctx.drops.handed(drop.id, drop.handed);
      return result;
    },
    'documents:list': async ({ filter, search, sort, offset, limit }) => {
      const states = filter && filter !== 'all' ? FILTER_STATES[filter] : undefined;
      // Every sort the single desk offers, in its order (./list-order.ts).
      const page = await store.list({
        ...(states ? { states } : {}),
        ...(search ? { search } : {}),
        ...(sort ? { sort } : {}),
        offset: offset ?? 0,
        limit: Math.min(limit ?? 100, 1000),
      });
      const counts = await refreshCounts(store, ctx.events);
      const { failedToFix } = ctx.events;
      return { rows: page.rows.map(row), total: page.total, counts, failedToFix };
    },
    'documents:get': async ({ id }) => {
      const d = await getDoc(id);
      const timeline = await store.timeline(d.id);
      const shown = row(d);
      const duplicateOf = await duplicateOfRow(d);
      const detail: DocumentDetail = {
        ...shown,
        // A second version's words as of now: its first version may have gone out since.
        problem: duplicateProblemNow(shown.problem, duplicateOf, d.invoiceNumber, d.docType),
        ...(await teamDetailExtras(ctx, d)),
        timeline: await Promise.all(
          timeline.map(async (e) => ({
            at: e.at,
            from: e.fromState,
            to: e.toState,
            detail: e.detail,
            technical: e.technical ?? null,
            desk: e.desk ? await names.of(e.desk) : null,
          })),
        ),
        businessResponseNote: d.businessResponseNote ?? null,
        businessResponseAt: d.businessResponseAt ?? null,
        duplicateOf,
        // What the team's cancel refuses: an attempt may have reached the access point.
        mayHaveReachedAccessPoint: d.state === 'sending' || d.reachedMaybe === true,
      };
      return detail;
    },
    'documents:original': async ({ id }) => {
      const d = await getDoc(id);
      return { fileName: d.fileName, bytes: await store.body(d.id) };
    },
    'documents:ids': async ({ states }) => ({ ids: await idsIn(states) }),
    'documents:waitingFor': () => ({ ids: [] }),
    'documents:briefs': async ({ ids }) => {
      const list = requireIds(ids);
      if (list.length > MAX_BRIEF_IDS) {
        throw new AppError('BAD_REQUEST', `At most ${MAX_BRIEF_IDS} documents at a time.`);
      }
      return { rows: await briefs(ctx, names, list) };
    },
    'documents:retry': async ({ ids, allFailed }) => {
      // "Retry all": the documents read again below are known (the unreachable ones and those
      // whose delivery failed: their buyers are asked about), the other failed ones are not read.
      const unreachableIds = allFailed ? await idsIn(['unreachable']) : null;
      const toRead = unreachableIds ? new Set(unreachableIds) : null;
      // "Retry all" leaves the failed files the access point refused itself (the details offer
      // no Retry for them: fix the file, or add it again); chosen, such a file is sent again as
      // the clerk asks and named in the answer, one whose copy is gone is left; as on a single
      // desk (app/engine/user-actions.ts).
      const leftToFixIds: number[] = [];
      const leftCopyGoneIds: number[] = [];
      const resentToFixIds: number[] = [];
      const toFix = (d: TeamDocument): boolean => {
        if (d.problem?.code === 'DELIVERY_FAILED') toRead?.add(d.id);
        const left = d.state === 'failed' && NOT_RETRIED_ACTIONS.has(d.problem?.action ?? null);
        if (left) leftToFixIds.push(d.id);
        if (left && d.problem?.action === 'add-again') leftCopyGoneIds.push(d.id);
        return left;
      };
      const chosenToFix = (d: TeamDocument): boolean =>
        d.state === 'failed' && d.problem?.action === 'add-again' ? toFix(d) : false;
      const list = unreachableIds
        ? [...(await idsIn(['failed'], toFix)), ...unreachableIds]
        : requireIds(ids ?? []);
      const tally: { moved: number; notFound?: number } = { moved: 0 };
      // Those whose last attempt may be at the team's earlier access point, or whose number
      // another live version has: held, not queued.
      const held: { id: number; message: string }[] = [];
      // What was sent in practice does not hold a second version once the team sends for real.
      const team = teamDesk.teamAccessPoint;
      const real = !!team && team.id !== BUILT_IN_SANDBOX_REF.id;
      // Receivers already asked about in an earlier slice (each is asked once per Retry).
      const asked: RetryLookups = new Map();
      // A slice per transaction, the thread given back in between, the sender woken after each
      // (as on a single desk, issue 9): "Retry all" on a month-end's failures neither holds the
      // team's database (or this desk's thread) for the whole lot nor waits for the last slice
      // before the first documents go out. Unreachable ones: their receivers are asked about
      // again, as a single desk does.
      const fix = () => ({
        ...(leftToFixIds.length > 0 ? { leftToFix: leftToFixIds.length, leftToFixIds } : {}),
        ...(leftCopyGoneIds.length > 0 ? { leftCopyGoneIds } : {}),
        ...(resentToFixIds.length > 0 ? { resentToFixIds } : {}),
        ...(tally.notFound ? { stillNotOnPeppol: tally.notFound } : {}),
      });
      for (let i = 0; i < list.length; i += RETRY_SLICE) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        const slice = list.slice(i, i + RETRY_SLICE);
        const before = tally.moved + held.length;
        try {
          const read = toRead ? slice.filter((id) => toRead.has(id)) : slice;
          const docs = read.length ? await store.getMany(read) : [];
          // Chosen documents: those Retry leaves are known once read ("Retry all" left its own
          // while listing them).
          const leave = toRead ? null : new Set(docs.filter(chosenToFix).map((d) => d.id));
          const resending = toRead
            ? []
            : docs.filter((d) => d.state === 'failed' && d.problem?.action === 'fix-file');
          // Failed deliveries: their buyers asked about first; those not on Peppol stay unsent.
          const notSent = await lookUpFailedDeliveries(ctx, docs, asked, tally);
          const toSend =
            notSent.size || leave?.size
              ? slice.filter((id) => !notSent.has(id) && !leave?.has(id))
              : slice;
          const r = await store.retry(ctx.desk.id, toSend, real);
          tally.moved += r.queued;
          held.push(...r.held);
          const heldNow = new Set(r.held.map((h) => h.id));
          resentToFixIds.push(...resending.filter((d) => !heldNow.has(d.id)).map((d) => d.id));
          teamDesk.sender.pump();
          const unreachable = docs.filter((d) => d.state === 'unreachable');
          await retryUnreachable(ctx, unreachable, asked, tally);
        } catch (err) {
          // A slice that cannot be written (the team database gone, say) stops the Retry. If
          // nothing was done yet the error is the answer; otherwise the answer says what was done
          // and how many were not reached, as on a single desk (no error hiding the done part).
          if (tally.moved === 0 && held.length === 0) throw err;
          const done = tally.moved + held.length - before;
          const stopped = { left: list.length - i - done, ...toErrorValue(err) };
          return { retried: tally.moved, ...(held.length ? { held } : {}), ...fix(), stopped };
        }
      }
      teamDesk.sender.pump();
      return { retried: tally.moved, ...(held.length ? { held } : {}), ...fix() };
    },
    // The drops of this desk's pages, in its own data folder (a file dropped while the team's
    // database is away is taken too: kept in the spool).
    ...dropHandlers(ctx),
    'queue:pause': () => setPaused(true),
    'queue:resume': () => setPaused(false),
    'connection:get': () => status(),
    'connection:check': async () => {
      await withinMs(ctx.health.askEnvironment(), CHECK_WAIT_MS);
      return status();
    },
    ...teamSettingsHandlers(ctx),
    'metrics:snapshot': async () => {
      // The first read fills the hour; later ones are at most every few seconds.
      await ctx.teamMetrics.refresh();
      return {
        ...ctx.metrics.snapshot(ctx.events.counts, HISTORY_SECONDS),
        team: ctx.teamMetrics.snapshot(HISTORY_SECONDS),
      };
    },
  };
  for (const [channel, message] of Object.entries(NOT_ON_TEAM)) {
    (handlers as Record<string, unknown>)[channel] = () => {
      throw new AppError('NOT_ON_TEAM', message);
    };
  }
  return { handlers: handlers as Handlers, status };
}

/** What a change of the team's access point did to the deliveries followed at the old one. */
function notFollowedWords(n: number): string {
  if (n === 0) return '';
  const what = n === 1 ? '1 invoice' : `${n.toLocaleString('en-US')} invoices`;
  // Walk 10: a buyer's rejection at the old access point never showed, the invoice a green tick.
  const [is, their, them] = n === 1 ? ['is', 'its', 'it'] : ['are', 'their', 'them'];
  return ` ${what} accepted by the previous access point ${is} no longer followed here: ${their} delivery and the buyer's answers, a rejection too, will not show here (${their} timelines say so). Check ${them} with that access point.`;
}

/** Brief rows of `ids` (spooled files still kept here are `received`, with the reason). */
async function briefs(
  ctx: TeamHandlerContext,
  names: DeskNames,
  ids: number[],
): Promise<DocumentBriefRow[]> {
  // One read for the chunk (a run's summary asks for its documents in chunks), not one per id.
  const teamIds = ids.map((id) => ctx.teamDesk.teamIdOf(id));
  const wanted = teamIds.filter((at): at is number => typeof at === 'number');
  const docs = new Map(
    (wanted.length ? await ctx.store.getMany(wanted) : []).map((d) => [d.id, d]),
  );
  const rows: DocumentBriefRow[] = [];
  for (const [i, id] of ids.entries()) {
    const at = teamIds[i];
    if (at === 'kept') {
      rows.push({
        id,
        fileName: ctx.teamDesk.spool.keptName(-id) ?? '',
        state: 'received',
        problemCode: 'TEAM_DATABASE_UNREACHABLE',
        problemMessage: ctx.teamDesk.message,
      });
      continue;
    }
    const d = typeof at === 'number' ? docs.get(at) : undefined;
    if (!d) continue;
    rows.push({
      id,
      ...(d.id !== id ? { shownId: d.id } : {}),
      fileName: d.fileName,
      state: d.state,
      problemCode: d.problem?.code ?? null,
      problemMessage: d.problem?.message ?? null,
      sentBy: d.sentBy ? await names.of(d.sentBy) : null,
      acceptedAt: d.acceptedAt ?? null,
    });
  }
  return rows;
}

/** Desk ids → names, read from the team's desks when an unknown id shows up. */
class DeskNames {
  private readonly byId = new Map<string, string>();
  constructor(private readonly store: TeamStore) {}

  async of(id: string): Promise<string> {
    if (!this.byId.has(id)) {
      for (const d of await this.store.desks(0)) this.byId.set(d.id, d.name);
    }
    return this.byId.get(id) ?? id;
  }
}
