/**
 * The engine's hot folder: watched from the option (CLI `watch`) or the setting, restarted when
 * the setting changes, its files added like dropped ones and moved once their documents are final.
 */
import type { HotFolderStatus } from '../contract';
import type { HotFolder, HotFolderDocumentStatus, HotFolderOptions } from '../hot-folder';
import type { EngineContext } from './context';
import type { EngineOptions } from './options';
import type { EngineSettings } from './settings';
import { addFiles } from './documents';

/** The hot folder's options, from the engine's options (CLI `watch`) and the settings. */
export function hotFolderOptions(
  folder: string,
  options: EngineOptions,
  settings: EngineSettings,
): HotFolderOptions {
  return {
    folder,
    move: options.hotFolderMove ?? settings.get('hotFolderMove'),
    subfolders: options.hotFolderSubfolders ?? settings.get('hotFolderSubfolders'),
    ...(options.hotFolderStabilityMs !== undefined
      ? { stabilityMs: options.hotFolderStabilityMs }
      : {}),
    ...(options.hotFolderIncompleteMs !== undefined
      ? { incompleteMs: options.hotFolderIncompleteMs }
      : {}),
  };
}

/**
 * A hot folder restarted (or stopped) when its setting changes, one change at a time: `start`
 * opens it from the option or the setting (null when none is set, or it may not be watched).
 * The single desk's ({@link EngineHotFolder}) and a team desk's (app/team/engine.ts).
 */
export class HotFolderControl {
  private folder: HotFolder | null = null;
  private change: Promise<void> = Promise.resolve();
  private stopping = false;

  /** `onStatus`: the folder's status changed (or the folder did): the header shows it. */
  constructor(
    private readonly start: () => Promise<HotFolder | null>,
    private readonly onStatus: () => void = () => undefined,
    private readonly log?: (message: string) => void,
  ) {}

  /** Whether the folder is there, and what it could not take or move; null without one. */
  status(): HotFolderStatus | null {
    return this.folder?.status() ?? null;
  }

  /** (Re)start the hot folder from the option or the settings; stop it when none is set. */
  apply(): Promise<void> {
    this.change = this.change
      .then(async () => {
        const had = this.folder !== null;
        await this.folder?.close();
        this.folder = null;
        if (had) this.onStatus();
        if (this.stopping) return;
        this.folder = await this.start();
        if (this.folder) this.onStatus();
      })
      .catch((err: unknown) => {
        this.log?.(`Hot folder: ${(err as Error).message}`);
      });
    return this.change;
  }

  /** Stop watching for good (the engine stops): no new files while the queue winds down. */
  stop(): Promise<void> {
    this.stopping = true;
    return this.apply();
  }
}

/** The hot folder of one engine (none while no folder is set). */
export class EngineHotFolder {
  private readonly control: HotFolderControl;

  /** `onStatus`: the folder's status changed (or the folder did): the header shows it. */
  constructor(
    private readonly ctx: EngineContext,
    onStatus: () => void = () => undefined,
  ) {
    this.control = new HotFolderControl(() => this.open(onStatus), onStatus, ctx.options.log);
  }

  /** Whether the folder is there, and what it could not take or move; null without one. */
  folderStatus(): HotFolderStatus | null {
    return this.control.status();
  }

  /** (Re)start the hot folder from the option or the settings; stop it when none is set. */
  apply(): Promise<void> {
    return this.control.apply();
  }

  /** Stop watching for good (the engine stops): no new files while the queue winds down. */
  stop(): Promise<void> {
    return this.control.stop();
  }

  /** The folder of the option or the settings, watching (null when none is set or refused). */
  private async open(onStatus: () => void): Promise<HotFolder | null> {
    const { ctx } = this;
    const { options, settings } = ctx;
    const folder = options.hotFolder ?? settings.get('hotFolder');
    if (!folder) return null;
    // Loaded only when a folder is watched: the file watcher is no part of `send`.
    const { hotFolderRefusal, startHotFolder } = await import('../hot-folder');
    const refusal = hotFolderRefusal(folder, options.dataDir);
    if (refusal !== null) {
      // A setting stored before these rules existed: not watched, and said why.
      options.log?.(`Hot folder: ${refusal}`);
      return null;
    }
    const hot = startHotFolder(hotFolderOptions(folder, options, settings), {
      add: (files) => addFiles(ctx, files),
      status: (id) => this.status(id),
      maxBytes: () => settings.get('maxDocumentBytes'),
      tracksDelivery: options.trackDelivery ?? true,
      onChanged: (listener) => ctx.events.on('documents:changed', ({ ids }) => listener(ids)),
      onStatus,
      ...(options.log ? { log: options.log } : {}),
    });
    await hot.ready;
    return hot;
  }

  /** What the hot folder needs to know of a document to move its file (and say why). */
  private status(id: number): HotFolderDocumentStatus | null {
    const r = this.ctx.repo.get(id);
    if (!r) return null;
    const details: string[] = [];
    if (r.state === 'invalid' && r.validation_json) {
      const v = JSON.parse(r.validation_json) as {
        findings?: { flag: string; rule: string; message: string }[];
      };
      for (const f of v.findings ?? []) {
        if (f.flag === 'fatal') details.push(`${f.rule}: ${f.message}`);
      }
    }
    // One broken rule is said by the reason itself (a walk read the same sentence twice).
    if (details.length === 1) details.length = 0;
    return { state: r.state, reason: r.problem_message, details, sha256: r.sha256 };
  }
}
