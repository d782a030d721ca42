import { RESPONSE_STATES, type DocumentState } from '../../contract';
import { refusalSettlesDoubt } from '../../domain/retry-policy';
import { isFinalResponse } from '../../domain/states';
import type { DocumentsRepo } from '../../store/documents-repo';
import type { Note, Step } from './steps';

/** The stages a move may give work to (the pipeline looks for work when woken). */
export type Stage = 'validate' | 'resolve' | 'send' | 'track';

/** What the lifecycle needs: the repository, the clock and whom to tell. */
export interface LifecycleDeps {
  repo: DocumentsRepo;
  now?: () => number;
  /** Called with the ids of documents whose state changed (the engine coalesces them). */
  onChanged(ids: number[]): void;
  /** A move gave `stage` work: look for it soon (cheap and coalesced: a flag and a setImmediate). */
  wake(stage: Stage): void;
  /** The fingerprint of the API key sends use now (AccessPointClient.keyId); none: no check. */
  keyId?(): string;
  /** The environment the access point in use names itself (its version answer), if it does. */
  saidEnvironment?(): 'test' | 'production' | null;
}

/** Which stage a state gives work to. */
const WAKES: Partial<Record<DocumentState, Stage>> = {
  received: 'validate',
  ready: 'resolve',
  queued: 'send',
  retry_wait: 'send',
  accepted: 'track',
  delivered: 'track',
  // A buyer's answer that is not final: the next one is asked for.
  ...Object.fromEntries(
    RESPONSE_STATES.filter((s) => !isFinalResponse(s)).map((s) => [s, 'track' as const]),
  ),
};

/**
 * After a transition out of `sending`: 1 when the attempt's outcome is unknown (it may have been
 * accepted), 0 when the access point accepted it or refused the invoice under this key
 * ({@link refusalSettlesDoubt}), undefined when nothing reached it (back to `queued`, or an answer
 * that it did not process the request: a 429) or the refusal was of the API key, which keeps what
 * an earlier attempt left.
 */
function outcomeUnknownAfter(step: Step): 0 | 1 | undefined {
  const { to } = step;
  const exhausted = to === 'failed' && step.patch?.problem_code === 'ATTEMPTS_EXHAUSTED';
  if (to === 'retry_wait' || exhausted) return step.notProcessed ? undefined : 1;
  if (to === 'accepted') return 0;
  if (to === 'failed' || to === 'unreachable') {
    return refusalSettlesDoubt(step.patch?.problem_code) ? 0 : undefined;
  }
  return undefined;
}

/**
 * The mechanics under the named moves of {@link Lifecycle} (./index.ts): the one call of
 * `DocumentsRepo.transition`, the change events (held back inside {@link collectChanges}), the
 * stages woken, and which `sending` rows have a request in flight in this process.
 */
export class LifecycleCore {
  protected readonly now: () => number;
  /** Documents moved to `sending` by this process and not yet seen leaving it. */
  private readonly claimed = new Set<number>();
  /** Ids of moves made inside {@link collectChanges}, emitted by its caller. */
  private collected: number[] | null = null;

  constructor(protected readonly deps: LifecycleDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Record `step` for document `id` if it is still in `step.from`; false when it moved on. */
  protected move(id: number, step: Step): boolean {
    return this.moveThrough(id, [step]);
  }

  /**
   * Record consecutive `steps` of document `id` in one write (one UPDATE, a timeline entry per
   * step; see `DocumentsRepo.transitionThrough`) if it is still in the first step's `from`; false
   * when it moved on. One change event, and the stage of the last state woken.
   */
  protected moveThrough(id: number, steps: readonly Step[]): boolean {
    const recorded = steps.map((step) => {
      const unknown = step.from === 'sending' ? outcomeUnknownAfter(step) : undefined;
      return unknown === undefined
        ? step
        : { ...step, patch: { ...step.patch, send_outcome_unknown: unknown } };
    });
    if (!this.deps.repo.transitionThrough(id, recorded)) return false;
    const from = steps[0]!.from;
    const to = steps[steps.length - 1]!.to;
    if (to === 'sending') this.claimed.add(id);
    else if (from === 'sending') this.claimed.delete(id);
    this.changed([id]);
    const stage = WAKES[to];
    if (stage !== undefined) this.deps.wake(stage);
    return true;
  }

  /** Write `note` on document `id`'s timeline (its fields first); the caller emits the change. */
  protected note(id: number, note: Note): void {
    if (note.patch) this.deps.repo.patch(id, note.patch);
    this.deps.repo.appendEvent(id, note.state, note.detail, note.technical ?? null);
  }

  /** Tell the engine these documents changed (a move does it itself; see collectChanges). */
  changed(ids: readonly number[]): void {
    if (ids.length === 0) return;
    if (this.collected !== null) this.collected.push(...ids);
    else this.deps.onChanged([...ids]);
  }

  /**
   * Run `fn` holding back the change events of its moves, and return their ids: the send stage's
   * group commit tells the engine only once its commit is on disk.
   */
  collectChanges(fn: () => void): number[] {
    const outer = this.collected;
    const mine: number[] = [];
    this.collected = mine;
    try {
      fn();
    } finally {
      this.collected = outer;
    }
    return mine;
  }

  /** True while a request of this process is out for this `sending` document. */
  isClaimed(id: number): boolean {
    return this.claimed.has(id);
  }

  /** Their requests are over whatever the rows say (a failed group commit): not in flight any more. */
  forgetClaims(ids: readonly number[]): void {
    for (const id of ids) this.claimed.delete(id);
  }
}
