import { randomUUID } from 'node:crypto';
import type { DropLeftOutWords, UnfinishedDrop } from '../contract';
import type { Db } from './db';

/** Names of the files not taken given per drop (`UnfinishedDrop.names`; the rest counted). */
export const NAMES_SHOWN = 20;
/**
 * A drop of this run not heard of for this long is taken as stopped (its page gone): a page hands
 * its files over every few hundred milliseconds while it adds (walk 25 A3: a minute, during which
 * a page opened after the closed one said nothing of its 2,800 files).
 */
export const DROP_QUIET_MS = 20_000;
/**
 * Ended drops whose files not added are kept (migration 027): the last ones, as a page keeps
 * them (renderer last-drop-store DROPS_KEPT); older ones are forgotten as the next is kept.
 */
export const LEFT_OUT_KEPT = 20;

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
  private readonly laterStmt;
  private readonly leftOutStmt;
  private readonly trimStmt;

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
      'SELECT id, started_at, updated_at, engine_run, names, handed, later, left_out FROM drops ORDER BY id',
    );
    this.leftOutStmt = db.prepare(`UPDATE drops SET left_out = ?, names = '[]' WHERE id = ?`);
    this.trimStmt = db.prepare(
      `DELETE FROM drops WHERE left_out IS NOT NULL AND id NOT IN
       (SELECT id FROM drops WHERE left_out IS NOT NULL ORDER BY id DESC LIMIT ${LEFT_OUT_KEPT})`,
    );
    this.laterStmt = db.prepare('UPDATE drops SET names = ?, later = ? WHERE id = ?');
  }

  /**
   * A new drop of these files; its id. The drops stopped before it give it their files not
   * taken that it names (the clerk dropped them again, as the app advises): they are its files
   * now (walk 25 A4: still "not added" after they were added and sent, and counted once per
   * stopped drop). One that gives them all is over.
   */
  begin(names: readonly string[]): number {
    const at = this.now();
    const stopped = this.rows().filter((r) => r.left_out === null && this.stopped(r, at));
    if (stopped.length > 0) {
      const incoming = new Set(names);
      for (const r of stopped) {
        const all = namesOf(r);
        const rest = all.slice(r.handed + r.later);
        const given = rest.filter((n) => incoming.has(n));
        if (given.length === 0) continue;
        if (given.length === rest.length) {
          this.endStmt.run(r.id);
          continue;
        }
        // Taken first, then those given, then the rest: the order `unfinished` reads.
        const left = rest.filter((n) => !incoming.has(n));
        const reordered = [...all.slice(0, r.handed + r.later), ...given, ...left];
        this.laterStmt.run(JSON.stringify(reordered), r.later + given.length, r.id);
      }
    }
    return Number(this.beginStmt.run(at, at, this.run, JSON.stringify(names)).lastInsertRowid);
  }

  /** Begun by an earlier run of the engine, or not heard of for DROP_QUIET_MS. */
  private stopped(r: DropRow, now: number): boolean {
    return r.engine_run !== this.run || now - r.updated_at >= DROP_QUIET_MS;
  }

  private rows(): DropRow[] {
    return this.openStmt.all() as DropRow[];
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
   * Drop `id` is over, every file taken, and these of them were not added (`words`: what its
   * page said of them): kept for any page to show until forgotten (walk 25 B1). Words that are
   * not a page's (too long, not text) end it as {@link end} does.
   */
  endWithLeftOut(id: number, words: DropLeftOutWords): void {
    if (!Number.isSafeInteger(id)) return;
    const ok =
      Number.isSafeInteger(words?.notAdded) &&
      words.notAdded > 0 &&
      typeof words.title === 'string' &&
      words.title.length <= 1_000 &&
      Array.isArray(words.lines) &&
      words.lines.length <= 100 &&
      words.lines.every((l) => typeof l === 'string' && l.length <= 5_000);
    if (!ok) return this.end(id);
    const { title, lines, notAdded } = words;
    this.leftOutStmt.run(JSON.stringify({ title, lines, notAdded }), id);
    this.trimStmt.run();
  }

  /**
   * Drops stopped part way: begun by an earlier run of the engine, or not heard of for
   * {@link DROP_QUIET_MS} (a page still adding is not one). Those whose files were all taken
   * (the page stopped before it could say so) are ended here.
   */
  unfinished(): UnfinishedDrop[] {
    const now = this.now();
    const out: UnfinishedDrop[] = [];
    for (const r of this.rows()) {
      const leftOut = leftOutOf(r);
      if (leftOut) {
        out.push({
          id: r.id,
          startedAt: r.updated_at,
          total: r.handed,
          notAdded: leftOut.notAdded,
          names: [],
          leftOut,
        });
        continue;
      }
      if (!this.stopped(r, now)) continue;
      const names = namesOf(r);
      const left = names.slice(r.handed + r.later);
      if (left.length === 0) {
        this.end(r.id);
        continue;
      }
      out.push({
        id: r.id,
        startedAt: r.started_at,
        total: names.length,
        notAdded: left.length,
        ...(r.later > 0 ? { inLaterDrop: r.later } : {}),
        names: left.slice(0, NAMES_SHOWN),
      });
    }
    return out;
  }
}

/** A row of the journal. */
interface DropRow {
  id: number;
  started_at: number;
  updated_at: number;
  engine_run: string;
  names: string;
  handed: number;
  later: number;
  left_out: string | null;
}

/** A row's words of its files not added (null: none, or not readable). */
function leftOutOf(r: DropRow): DropLeftOutWords | null {
  if (r.left_out === null) return null;
  try {
    return JSON.parse(r.left_out) as DropLeftOutWords;
  } catch {
    return null;
  }
}

/** A drop's file names (none, if its row cannot be read). */
function namesOf(r: DropRow): string[] {
  try {
    const names: unknown = JSON.parse(r.names);
    return Array.isArray(names) ? (names as string[]) : [];
  } catch {
    return [];
  }
}
