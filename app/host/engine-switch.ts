/**
 * The engine a host holds (Electron main, `serve`): this computer's own outbox, or the team
 * outbox whose URL the secret store keeps. `settings:set { teamStore }` checks a team database
 * first, keeps its URL like the API key, stops the running engine and opens the other one on the
 * same data folder. The host keeps one object throughout: its handlers and its `on()` listeners
 * stay valid across a switch.
 */
import os from 'node:os';
import { defaultDeskName } from '../data-dir';
import {
  EVENT_NAMES,
  REQUEST_CHANNELS,
  type EventName,
  type Events,
  type Handlers,
  type RequestChannel,
  type Settings,
  type SettingsPatch,
} from '../contract';
import { createEngine } from '../engine';
import type { Engine, EngineOptions } from '../engine/options';
import { AppError } from '../errors';
import { unavailableReason } from '../team/postgres/connection';
import { createTeamEngine, deskIdOf } from '../team/engine';
import { labelOf, openTeamStore } from '../team/open-store';
import { TeamSpool } from '../team/spool';

/** How the switch opens and checks engines (tests may hand in their own). */
export interface EngineSwitchDeps {
  openLocal?: (options: EngineOptions) => Promise<Engine>;
  openTeam?: (options: EngineOptions) => Promise<Engine>;
  /** Throws a clerk-readable AppError when the team database cannot be used. */
  checkTeam?: (url: string, options: EngineOptions) => Promise<void>;
}

/** An Engine that can move between the local outbox and a team outbox. */
export interface EngineSwitch extends Engine {
  /** The team outbox in use (`user@host:port/db`), or null for this computer's own outbox. */
  readonly teamLabel: string | null;
  /** Why the stored team outbox could not be opened at start (the local one is used), or null. */
  readonly teamProblem: string | null;
}

type Listener = (payload: never) => void;

/** Open the outbox the secret store names (a team's, or this computer's own). */
export async function openEngineSwitch(
  options: EngineOptions,
  deps: EngineSwitchDeps = {},
): Promise<EngineSwitch> {
  const openLocal = deps.openLocal ?? ((o: EngineOptions) => createEngine(o));
  const openTeam = deps.openTeam ?? ((o: EngineOptions) => createTeamEngine(o));
  const checkTeam = deps.checkTeam ?? checkTeamStore;
  const secrets = options.secrets;
  // A team outbox given by the command line (`serve --store`, PEPPOL_DESK_STORE) is used as
  // given; the page cannot change it. Otherwise the one the secret store keeps, if any.
  const { store: pinned, ...base } = options;
  const open = (url: string | null) => (url ? openTeam({ ...base, store: url }) : openLocal(base));

  let teamUrl = pinned ?? secrets.getTeamStore?.() ?? null;
  let teamProblem: string | null = null;
  let current: Engine;
  try {
    current = await open(teamUrl);
  } catch (err) {
    if (!teamUrl || pinned) throw err;
    // The stored team outbox cannot be opened at all (not merely unreachable, which the team
    // engine rides out): the app still starts, on this computer's own outbox, and says why.
    teamProblem = `The team outbox at ${labelOf(teamUrl)} could not be opened (${plainReason(err, teamUrl)}). You are working on this computer's own outbox.`;
    options.log?.(teamProblem);
    teamUrl = null;
    current = await openLocal(base);
  }

  const listeners = new Map<EventName, Set<Listener>>();
  const emit = <E extends EventName>(event: E, payload: Events[E]) => {
    for (const l of listeners.get(event) ?? []) (l as (p: Events[E]) => void)(payload);
  };
  let detach = attach(current, emit);
  // Requests wait while a switch runs (no engine is open for a moment).
  let busy: Promise<unknown> = Promise.resolve();
  const idle = () => busy.then(noop, noop);

  const switchTo = async (url: string | null): Promise<void> => {
    const previous = teamUrl;
    detach();
    await current.stop();
    try {
      current = await open(url);
      teamUrl = url;
    } catch (err) {
      current = await open(previous);
      detach = attach(current, emit);
      throw err;
    }
    teamProblem = null;
    detach = attach(current, emit);
    // The screen re-reads everything: other documents, counts and connection now.
    const [{ counts }, status] = await Promise.all([
      current.handlers['documents:list']({ limit: 1 }),
      current.handlers['connection:get'](undefined),
    ]);
    emit('documents:changed', { ids: [], counts });
    emit('connection:changed', status);
  };

  const settingsOf = async (): Promise<Settings> => ({
    ...(await current.handlers['settings:get'](undefined)),
    teamStore: teamUrl ? { label: labelOf(teamUrl) } : null,
  });

  const setSettings = async (patch: SettingsPatch): Promise<Settings> => {
    const { teamStore, ...rest } = patch;
    if (Object.keys(rest).length > 0) await current.handlers['settings:set'](rest);
    if (teamStore === undefined) return settingsOf();
    if (pinned) {
      throw new AppError(
        'TEAM_STORE_PINNED',
        'This desk was started on the team outbox given on the command line (--store or PEPPOL_DESK_STORE). Start it without that to change the team here.',
      );
    }
    if (!secrets.setTeamStore) {
      throw new AppError('TEAM_NOT_OFFERED', 'This app cannot keep a team outbox address.');
    }
    const url = teamStore === null ? null : teamStore.trim();
    if (url === '') {
      throw new AppError('TEAM_STORE_ADDRESS', 'Type the team database address first.');
    }
    if (url === teamUrl) return settingsOf();
    if (teamUrl) refuseWhileKept(base.dataDir);
    else await refuseWhileOnTheirWay(current);
    if (url) await checkTeam(url, base);
    const before = teamUrl;
    secrets.setTeamStore(url);
    try {
      await switchTo(url);
    } catch (err) {
      secrets.setTeamStore(before);
      throw new AppError(
        'TEAM_SWITCH_FAILED',
        url
          ? `Could not open the team outbox at ${labelOf(url)} (${plainReason(err, url)}). You are still on the outbox you were using.`
          : `Could not go back to this computer's own outbox (${plainReason(err, null)}).`,
      );
    }
    return settingsOf();
  };

  const handlers = {} as Record<RequestChannel, (arg: unknown) => Promise<unknown>>;
  for (const channel of REQUEST_CHANNELS) {
    handlers[channel] = async (arg) => {
      await idle();
      const h = current.handlers[channel] as (a: unknown) => unknown;
      try {
        return await h(arg);
      } catch (err) {
        throw asPlainError(err);
      }
    };
  }
  handlers['settings:get'] = async () => {
    await idle();
    return settingsOf();
  };
  handlers['settings:set'] = (arg) => {
    // One change at a time: a second Connect waits for the first to finish.
    const run = idle().then(() => setSettings(arg as SettingsPatch));
    busy = run;
    return run;
  };

  return {
    handlers: handlers as unknown as Handlers,
    get environment() {
      return current.environment;
    },
    get endpoint() {
      return current.endpoint;
    },
    get usesBuiltInSandbox() {
      return current.usesBuiltInSandbox;
    },
    get teamLabel() {
      return teamUrl ? labelOf(teamUrl) : null;
    },
    get teamProblem() {
      return teamProblem;
    },
    metricsUrl: () => current.metricsUrl(),
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
    async waitUntilSettled(ids, opts) {
      await idle();
      return current.waitUntilSettled(ids, opts);
    },
    async stop(opts) {
      await idle();
      detach();
      await current.stop(opts);
    },
  };
}

function noop(): void {}

/**
 * Joining a team while invoices are on their way in this computer's own outbox would leave them
 * waiting, unsent and not shown, until the desk leaves the team (a walk: two queued invoices went
 * out only when the clerk left). Refused, saying why.
 */
async function refuseWhileOnTheirWay(local: Engine): Promise<void> {
  const { total } = await local.handlers['documents:list']({ filter: 'progress', limit: 1 });
  if (total === 0) return;
  throw new AppError(
    'LOCAL_OUTBOX_BUSY',
    `${total} ${total === 1 ? 'invoice is' : 'invoices are'} still on their way in this computer's own outbox: on the team ${total === 1 ? 'it' : 'they'} would wait, unsent and not shown, until you leave it. Join once ${total === 1 ? 'it is' : 'they are'} sent (resume sending if paused), or cancel ${total === 1 ? 'it' : 'them'} first. Nothing was changed.`,
  );
}

/**
 * Leaving a team (or moving to another) while this desk keeps files or send outcomes for it in its
 * spool would leave them behind: they would reach the team only if the desk came back to it (a
 * walk: three invoices "added", then in neither outbox and never sent). Refused, saying why.
 */
function refuseWhileKept(dataDir: string): void {
  const spool = new TeamSpool(dataDir);
  let kept: { files: number; outcomes: number };
  try {
    kept = spool.counts();
  } finally {
    spool.close();
  }
  if (kept.files + kept.outcomes === 0) return;
  const what = [
    kept.files > 0 ? `${kept.files} ${kept.files === 1 ? 'invoice' : 'invoices'} added` : null,
    kept.outcomes > 0
      ? `the ${kept.outcomes === 1 ? 'answer' : 'answers'} of ${kept.outcomes} ${kept.outcomes === 1 ? 'send' : 'sends'}`
      : null,
  ]
    .filter(Boolean)
    .join(' and ');
  throw new AppError(
    'TEAM_SPOOL_WAITING',
    `This desk still keeps ${what} while the team database could not be reached: they go to the team as soon as it answers. Leave the team once they have been handed over (the header then no longer says the database cannot be reached). Nothing was changed.`,
  );
}

/**
 * The team database being away is not "something went wrong inside Peppol Desk": its own plain
 * message (which names the database by label, never the password) reaches the screen as is.
 */
function asPlainError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e?.code === 'TEAM_STORE_UNAVAILABLE' && typeof e.message === 'string') {
    return new AppError('TEAM_STORE_UNAVAILABLE', e.message);
  }
  return err;
}

const NOT_POSTGRES =
  'the server at that address does not answer like a PostgreSQL database (check the host and port)';

/** Forward every event of `engine` to the switch's listeners; returns the detach function. */
function attach(
  engine: Engine,
  emit: <E extends EventName>(event: E, payload: Events[E]) => void,
): () => void {
  const offs = EVENT_NAMES.map((name) => engine.on(name, (payload) => emit(name, payload)));
  return () => offs.forEach((off) => off());
}

/**
 * Check a team database before a desk joins it: open it, create or upgrade its tables and
 * announce this desk. Throws an AppError a clerk can read (the password never in it).
 */
export async function checkTeamStore(url: string, options: EngineOptions): Promise<void> {
  let store;
  try {
    store = openTeamStore(url);
  } catch (err) {
    throw new AppError('TEAM_STORE_ADDRESS', scrub((err as Error).message, url));
  }
  try {
    await store.migrate();
    await store.heartbeat({
      id: deskIdOf(options.dataDir),
      name: options.team?.deskName ?? defaultDeskName(options.dataDir),
      host: os.hostname(),
    });
  } catch (err) {
    let reason = plainReason(err, url);
    // On a first connection, a server that hangs up at once is not speaking PostgreSQL (a web
    // server, another service on that port); a PostgreSQL that is starting says so instead.
    if (reason === 'the connection to the database was lost') reason = NOT_POSTGRES;
    throw new AppError(
      'TEAM_STORE_CHECK',
      `Could not connect to the team database at ${store.label}: ${reason}. Nothing was changed.`,
    );
  } finally {
    await store.close().catch(noop);
  }
}

/**
 * Why a team database cannot be used, in a few plain words: the store's own reasons (refused,
 * unknown server, wrong password, no such database), permissions, or "not PostgreSQL".
 */
export function plainReason(err: unknown, url: string | null): string {
  const e = err as { code?: unknown; reason?: unknown; message?: unknown } | null;
  if (typeof e?.reason === 'string') return e.reason;
  const known = unavailableReason(err);
  if (known && !/terminated unexpectedly/i.test(String(e?.message))) return known;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code === '42501') return 'this user may not create tables in that database';
  // Five characters: an SQLSTATE, so PostgreSQL answered and said no.
  if (/^[0-9A-Z]{5}$/.test(code) && typeof e?.message === 'string') {
    return `the database answered: ${scrub(e.message, url)}`;
  }
  if (code === 'SQLITE_CANTOPEN') return 'the file cannot be opened';
  if (
    /terminated unexpectedly|unexpected message|protocol|ERR_SSL|received invalid/i.test(
      String(e?.message),
    )
  )
    return NOT_POSTGRES;
  return typeof e?.message === 'string' && e.message ? scrub(e.message, url) : 'unknown error';
}

/** Never let a password (or the whole URL) through in an error message. */
function scrub(message: string, url: string | null): string {
  if (!url) return message;
  let out = message.split(url).join(labelOf(url));
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password) out = out.split(password).join('••••');
  } catch {
    // Not a URL: nothing more to hide than the text itself.
  }
  return out;
}
