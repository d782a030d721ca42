import { randomUUID } from 'node:crypto';
import type { UnfinishedDrop } from '../contract';
import type { Db } from './db';

/** Names of the files not taken given per drop (`UnfinishedDrop.names`; the rest counted). */
export const NAMES_SHOWN = 20;
/** A drop of this run not heard of for this long is taken as stopped (its page gone). */
export const DROP_QUIET_MS = 60_000;

/**
 * The drops of files being added from the app (migration 025): a page names a drop's files
 * before it hands the first over and says, with each hand-over, how many have been taken; one it
 * never ended is shown by any page later, with the files not taken, until the clerk forgets it.
 * One row per drop; a hand-over writes one number, whatever the drop's size.
 */
export class DropJournal {
  /** This run of the engine: a drop begun by another run was stopped for sure. */
  private readonly run = randomUUID();
  private readonly beginStmt;
  private readonly handedStmt;
  private readonly endStmt;
  private readonly openStmt;

  constructor(
    db: Db,
    private readonly now: () => number,
  ) {
    this.beginStmt = db.prepare(
      'INSERT INTO drops (started_at, updated_at, engine_run, names) VALUES (?, ?, ?, ?)',
    );
    this.handedStmt = db.prepare(
      'UPDATE drops SET handed = MAX(handed, ?), updated_at = ? WHERE id = ?',
    );
    this.endStmt = db.prepare('DELETE FROM drops WHERE id = ?');
    this.openStmt = db.prepare(
      'SELECT id, started_at, updated_at, engine_run, names, handed FROM drops ORDER BY id',
    );
  }

  /** A new drop of these files; its id. */
  begin(names: readonly string[]): number {
    const at = this.now();
    return Number(this.beginStmt.run(at, at, this.run, JSON.stringify(names)).lastInsertRowid);
  }

  /** The first `handed` files of drop `id` have been taken (a page's odd numbers: nothing). */
  handed(id: number, handed: number): void {
    if (Number.isSafeInteger(id) && Number.isSafeInteger(handed))
      this.handedStmt.run(handed, this.now(), id);
  }

  /** Drop `id` is over (every file taken), or the clerk forgot it. */
  end(id: number): void {
    if (Number.isSafeInteger(id)) this.endStmt.run(id);
  }

  /**
   * Drops stopped part way: begun by an earlier run of the engine, or not heard of for
   * {@link DROP_QUIET_MS} (a page still adding is not one). Those whose files were all taken
   * (the page stopped before it could say so) are ended here.
   */
  unfinished(): UnfinishedDrop[] {
    const now = this.now();
    const out: UnfinishedDrop[] = [];
    const rows = this.openStmt.all() as {
      id: number;
      started_at: number;
      updated_at: number;
      engine_run: string;
      names: string;
      handed: number;
    }[];
    for (const r of rows) {
      if (r.engine_run === this.run && now - r.updated_at < DROP_QUIET_MS) continue;
      let names: string[];
      try {
        names = JSON.parse(r.names) as string[];
      } catch {
        names = [];
      }
      const left = names.slice(r.handed);
      if (left.length === 0) {
        this.end(r.id);
        continue;
      }
      out.push({
        id: r.id,
        startedAt: r.started_at,
        total: names.length,
        notAdded: left.length,
        names: left.slice(0, NAMES_SHOWN),
      });
    }
    return out;
  }
}
