/**
 * When the send stage's next group commit runs. At synchronous=FULL each commit is an fsync, and
 * hundreds of answers a second arrive together: one commit carries every answer of the last few
 * ms. A commit runs at the end of this event-loop turn when something waits for it (`urgent`: a
 * free request slot wants a claim), otherwise `lazyMs` after the last one; never while the last
 * commit is being synced (its sync would have to come first anyway): the next one then runs when
 * that sync ends, carrying everything asked for meanwhile. Knows nothing of what is committed.
 */
export class GroupCommitTimer {
  private scheduled = false;
  private urgent = false;
  private timer: NodeJS.Timeout | null = null;
  private lastAt = Number.NEGATIVE_INFINITY;
  private syncing = false;
  private closed = false;

  /** `flush` runs the commit; it starts with {@link take}. */
  constructor(
    private readonly flush: () => void,
    private readonly lazyMs: number,
  ) {}

  /** Ask for a commit: at once when `urgent`, else at most every `lazyMs`. */
  schedule(urgent: boolean): void {
    if (this.closed) return;
    if (this.scheduled && (this.urgent || !urgent)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.scheduled = true;
    this.urgent = urgent;
    if (this.syncing) return; // flushed when the sync ends
    const wait = urgent ? 0 : this.lastAt + this.lazyMs - performance.now();
    if (wait <= 0) setImmediate(() => this.flush());
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /**
   * The start of a flush: true when a commit is due now (asked for, and no sync out), which it
   * then no longer is; false when this flush has nothing to do.
   */
  take(): boolean {
    if (!this.scheduled || this.syncing || this.closed) return false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.scheduled = false;
    this.urgent = false;
    this.lastAt = performance.now();
    return true;
  }

  /** The commit just made is being synced: the next one waits for it. */
  syncStarted(): void {
    this.syncing = true;
  }

  /** The sync ended: a commit asked for meanwhile may run now. */
  syncEnded(): void {
    this.syncing = false;
    if (!this.scheduled) return;
    this.scheduled = false;
    this.schedule(this.urgent);
  }

  /**
   * No commit runs from now on, not even one asked for already (the database closes next): its
   * timer is cleared, and a flush that starts anyway (an immediate, which is not cleared) is told
   * by {@link take} that there is nothing to do.
   */
  close(): void {
    this.closed = true;
    this.scheduled = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
