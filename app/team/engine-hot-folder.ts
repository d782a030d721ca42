/**
 * The hot folder of a desk on a team outbox (CLI `watch`, the setting): files saved into it are
 * added like dropped ones and moved once their documents are final, wherever they were sent
 * from. The hot folder asks a document's state synchronously, so the states of the documents it
 * waits for are kept here, read from the team when they change (only those: bounded work).
 */
import { sha256Hex } from '../engine/add-files';
import type { AddResult, IncomingFile } from '../contract';
import type { EngineOptions } from '../engine/options';
import type { EngineSettings } from '../engine/settings';
import { hotFolderOptions } from '../engine/hot-folder';
import { ANSWER_MAY_FOLLOW } from '../hot-folder-outcome';
import {
  hotFolderRefusal,
  startHotFolder,
  type HotFolder,
  type HotFolderDocumentStatus,
} from '../hot-folder';
import type { TeamDesk } from './desk';
import type { TeamEngineEvents } from './engine-events';
import type { DocumentState } from '../contract';
import type { TeamStore } from './store';
import { shownProblem } from './engine-actions';

/**
 * States a team document leaves by itself or by a clerk's decision (the folder keeps its file
 * meanwhile): accepted too, whose delivery may still fail (walk 17: a team's file went to sent/
 * at acceptance and stayed there when the delivery failed), and held.
 */
const OPEN = new Set<DocumentState>([
  'received',
  'queued',
  'sending',
  'retry_wait',
  'accepted',
  'held',
]);
/** Sent files whose buyer may still answer (a rejection moves them to failed/): kept this many. */
const MAX_ANSWER_MAY_FOLLOW = 10_000;

/** What the team's hot folder works with. */
export interface TeamHotFolderDeps {
  options: EngineOptions;
  settings: EngineSettings;
  store: TeamStore;
  teamDesk: TeamDesk;
  events: TeamEngineEvents;
  /** The folder's status changed (shown in the header). */
  onStatus?(): void;
}

/** Starts the hot folder from the option or the setting (none when neither is set). */
export async function startTeamHotFolder(deps: TeamHotFolderDeps): Promise<HotFolder | null> {
  const { options, settings } = deps;
  const folder = options.hotFolder ?? settings.get('hotFolder');
  if (!folder) return null;
  const refusal = hotFolderRefusal(folder, options.dataDir);
  if (refusal !== null) {
    options.log?.(`Hot folder: ${refusal}`);
    return null;
  }
  /** States of the documents the folder waits for, by the id the add gave it. */
  const known = new Map<number, HotFolderDocumentStatus & { finalAt?: number }>();
  let tell: ((ids: number[]) => void) | null = null;
  /** Of those, the files kept on this computer while the team database was away (ids < 0). */
  const spooled = new Set<number>();
  /** Re-read these documents; tell the folder of those whose state moved. */
  const refresh = async (ids: readonly number[]): Promise<void> => {
    const moved: number[] = [];
    for (const id of ids) {
      const at = deps.teamDesk.teamIdOf(id);
      if (at === null || at === 'kept') continue;
      const d = await deps.store.get(at).catch(() => null);
      const before = known.get(id);
      if (!d || !before || before.state === d.state) continue;
      const open = OPEN.has(d.state);
      known.set(id, {
        ...(before.sha256 !== undefined ? { sha256: before.sha256 } : {}),
        ...(at !== id ? { shownId: at } : {}),
        state: d.state,
        reason: shownProblem(d)?.message ?? null,
        details: [],
        ...(open ? {} : { finalAt: Date.now() }),
      });
      moved.push(id);
    }
    if (moved.length) tell?.(moved);
    prune();
  };
  /**
   * Final documents were handed to the folder a while ago: their states are not kept, but for
   * the sent ones a buyer may still answer (the newest {@link MAX_ANSWER_MAY_FOLLOW}). Runs once
   * a minute at most: bounded work per change.
   */
  let prunedAt = Date.now();
  const prune = (): void => {
    const now = Date.now();
    if (now - prunedAt < 60_000) return;
    prunedAt = now;
    let answering = 0;
    for (const [id, st] of [...known].reverse()) {
      if (st.finalAt === undefined || st.finalAt >= now - 60_000) continue;
      if (ANSWER_MAY_FOLLOW.has(st.state) && ++answering <= MAX_ANSWER_MAY_FOLLOW) continue;
      known.delete(id);
      spooled.delete(id);
    }
  };
  const hot = startHotFolder(hotFolderOptions(folder, options, settings), {
    add: async (files: IncomingFile[]): Promise<AddResult> => {
      const result = await deps.teamDesk.add(files);
      const entries = [...result.added, ...result.known];
      const ids = entries.map((r) => r.id);
      // Each file's content, so one saved again with other content is not moved as this one.
      const bytesOf = new Map(files.map((f) => [f.name, f.bytes]));
      // Not final as far as the folder knows until the team says (it may be already).
      for (const { id, fileName } of entries) {
        if (known.has(id)) continue;
        const bytes = bytesOf.get(fileName);
        const sha256 = bytes ? { sha256: sha256Hex(bytes) } : {};
        known.set(id, { state: 'received', reason: null, details: [], ...sha256 });
        if (id < 0) spooled.add(id);
      }
      setImmediate(() => void refresh(ids));
      return result;
    },
    status: (id) => known.get(id) ?? null,
    maxBytes: () => settings.get('maxDocumentBytes'),
    // A team desk follows deliveries (its poller): a file goes to sent/ once delivered, to
    // failed/ when the delivery fails, as on a single desk.
    tracksDelivery: options.trackDelivery ?? true,
    onChanged: (listener) => {
      tell = listener;
      return deps.events.on('documents:changed', ({ ids }) => {
        // The changed ones the folder waits for, and its spooled files (they may have been
        // handed over): never more than the files it holds.
        void refresh([...spooled, ...ids.filter((id) => id >= 0 && known.has(id))]);
      });
    },
    ...(options.log ? { log: options.log } : {}),
    ...(deps.onStatus ? { onStatus: deps.onStatus } : {}),
  });
  await hot.ready;
  return hot;
}
