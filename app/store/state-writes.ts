/**
 * The writes of a document's state and fields, and of its timeline: what `DocumentsRepo`'s
 * `transition`, `transitionThrough`, `patch` and `appendEvent` run. Statements are prepared once
 * (the UPDATEs once per set of patched columns).
 */
import type { Db } from './db';
import { PATCHABLE_COLUMNS, type DocumentPatch } from './document-record';
import type { DocumentState } from '../contract';
import { IllegalTransitionError, isAllowedTransition } from '../domain/states';

/** One state change of a document with its patch and timeline words (see `StateWrites.through`). */
export interface StateStep {
  from: DocumentState;
  to: DocumentState;
  patch?: DocumentPatch;
  detail?: string | null;
  technical?: string | null;
}

/** The UPDATEs and timeline INSERT of documents (see the file comment). */
export class StateWrites {
  private readonly updates = new Map<string, ReturnType<Db['prepare']>>();
  private readonly insertEvent;
  /** Timeline INSERTs of 2, 3, … rows (index: rows − 2), prepared when first needed. */
  private readonly insertEvents: ReturnType<Db['prepare']>[] = [];
  /**
   * Writes so far that moved a document into `ready` (every state change is a `through`): the
   * resolve stage reads `ready` documents again only once this has moved since it found none.
   */
  enteredReady = 0;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {
    this.insertEvent = db.prepare(
      'INSERT INTO document_events (document_id, at, from_state, to_state, detail, technical) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  /** Append one timeline entry. */
  event(
    id: number,
    at: number,
    from: DocumentState | null,
    to: DocumentState,
    detail: string | null,
    technical: string | null,
  ): void {
    this.insertEvent.run(id, at, from, to, detail, technical);
  }

  /**
   * Several consecutive steps of one document (each step's `to` is the next one's `from`) in one
   * write: one UPDATE from the first `from` to the last `to` with every step's patch (later ones
   * win), and one timeline entry per step, so the timeline tells every step. Only if the document
   * is still in the first `from`; false otherwise. Throws {@link IllegalTransitionError} for a
   * pair app/domain/states.ts does not allow. The states in between exist only inside the
   * caller's transaction: no reader sees them, and the counts per state move once.
   */
  through(id: number, steps: readonly StateStep[]): boolean {
    const first = steps[0];
    if (first === undefined) return false;
    let patch: DocumentPatch = {};
    let at: DocumentState = first.from;
    for (const s of steps) {
      if (s.from !== at || !isAllowedTransition(s.from, s.to))
        throw new IllegalTransitionError(id, s.from, s.to);
      at = s.to;
      if (s.patch) patch = steps.length === 1 ? s.patch : { ...patch, ...s.patch };
    }
    const now = this.now();
    const keys = patchedColumns(patch);
    const params: Record<string, unknown> = { id, toState: at, fromState: first.from, now };
    for (const k of keys) params[k] = patch[k as keyof DocumentPatch];
    if (this.update(keys, true).run(params).changes === 0) return false;
    if (at === 'ready') this.enteredReady++;
    if (steps.length === 1 || steps.length > MAX_EVENTS_PER_INSERT) {
      for (const s of steps)
        this.event(id, now, s.from, s.to, s.detail ?? null, s.technical ?? null);
      return true;
    }
    // The steps' entries in one statement (rows in order, so their ids keep the steps' order).
    const values: unknown[] = [];
    for (const s of steps)
      values.push(id, now, s.from, s.to, s.detail ?? null, s.technical ?? null);
    this.eventsInsert(steps.length).run(values);
    return true;
  }

  /** The INSERT of `rows` timeline entries at once (2 ≤ rows ≤ MAX_EVENTS_PER_INSERT). */
  private eventsInsert(rows: number): ReturnType<Db['prepare']> {
    let stmt = this.insertEvents[rows - 2];
    if (!stmt) {
      stmt = this.db.prepare(
        `INSERT INTO document_events (document_id, at, from_state, to_state, detail, technical) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
      );
      this.insertEvents[rows - 2] = stmt;
    }
    return stmt;
  }

  /** Set fields without a state change (no timeline entry). */
  patch(id: number, patch: DocumentPatch): void {
    const keys = patchedColumns(patch);
    if (keys.length === 0) return;
    const params: Record<string, unknown> = { id };
    for (const k of keys) params[k] = patch[k as keyof DocumentPatch];
    this.update(keys, false).run(params);
  }

  /**
   * The UPDATE of these columns, with the state change (`move`: state and updated_at in the same
   * statement — one row write and one pass over the indexes, where it took two) or without.
   * Parameters are named after the columns; `id`, `toState`, `fromState` and `now` are not
   * columns a patch may set.
   */
  private update(keys: readonly string[], move: boolean): ReturnType<Db['prepare']> {
    const sig = `${move ? 'move' : 'patch'}:${keys.join(',')}`;
    let stmt = this.updates.get(sig);
    if (!stmt) {
      const sets = [
        ...(move ? ['state = @toState', 'updated_at = @now'] : []),
        ...keys.map((k) => `${k} = @${k}`),
      ];
      stmt = this.db.prepare(
        `UPDATE documents SET ${sets.join(', ')} WHERE id = @id${move ? ' AND state = @fromState' : ''}`,
      );
      this.updates.set(sig, stmt);
    }
    return stmt;
  }
}

/**
 * Most timeline entries one multi-row INSERT writes: a document's steps of one write (three when
 * a checked document goes on to `queued`) in one statement instead of one each.
 */
const MAX_EVENTS_PER_INSERT = 8;

/** The columns a patch sets (anything else in it is ignored). */
function patchedColumns(patch: DocumentPatch): string[] {
  return Object.keys(patch).filter((k) => PATCHABLE_COLUMNS.has(k));
}
