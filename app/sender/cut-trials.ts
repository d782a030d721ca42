/** How many recent answers the share of 429s is taken over. */
const RECENT_ANSWERS = 40;
/**
 * How many answers to requests sent after a cut show whether it helped: below a token bucket's
 * rate none is refused, while 5 % refused at random leave all 80 unrefused 1.7 % of the time.
 */
const TRIAL_ANSWERS = 80;
/** While a cut is tried, only this share of 429s (beyond the random ones) cuts again. */
const CLEAR_EXCESS_SHARE = 0.15;
/** Once 429s are known to come at random, a 429 cuts only when this share more than them come. */
const NOISE_MARGIN = 0.1;

/** What a finished trial asks of the rate gate. */
export type TrialVerdict =
  /** Still refused beyond chance: cut once more, to this share of the rate. */
  | { kind: 'cut-again'; keep: number }
  /** Refused as much as before at a lower rate: the 429s are not the rate's; undo the cuts. */
  | { kind: 'undo'; rateBefore: number; plateauBefore: number };

interface Trial {
  /** Answers still to come for requests sent before the cut. */
  skip: number;
  answers: number;
  refused: number;
  /** The rate and plateau before the first cut of this chain. */
  rateBefore: number;
  plateauBefore: number;
  /** 1: the first trial of a chain; 2: after a cut sized by the share still refused. */
  depth: 1 | 2;
}

/**
 * Whether the rate gate's cuts help: a token bucket refuses nothing below its rate, while an
 * access point that refuses some requests at random refuses the same share at any rate (walk 11:
 * 5 % at random, and every 429 cut the rate again, down to about 4 requests/s).
 *
 * After a cut, the answers to the next {@link TRIAL_ANSWERS} requests sent after it are its
 * trial. None refused: it helped. More refused than chance explains: cut once more by the share
 * refused (a token bucket then refuses nothing), and try again. As many as before, or no more than
 * the random share known: the 429s come whatever the rate, so the cuts are undone, and from then
 * on only clearly more 429s than that share cut.
 */
export class CutTrials {
  private readonly recent = new Uint8Array(RECENT_ANSWERS);
  private recentAt = 0;
  private recentCount = 0;
  private recentRefused = 0;
  /** Share of answers refused whatever the rate, as the last trial showed (0 = none seen). */
  private noise = 0;
  private trial: Trial | null = null;
  private sent = 0;
  private answered = 0;

  /** Whether a cut is being tried (its answers are still to come). */
  get trying(): boolean {
    return this.trial !== null;
  }

  /** A request left. */
  noteSent(): void {
    this.sent++;
  }

  /**
   * Whether a 429 just seen may cut the rate: while a cut is tried, only a clear excess of 429s
   * (a server whose burst made the first cut too shallow); with random 429s known, only clearly
   * more than they.
   */
  mayCut(): boolean {
    const share = this.recentRefused / Math.max(1, this.recentCount);
    if (this.trial) return share >= CLEAR_EXCESS_SHARE + this.noise;
    return this.noise === 0 || share > this.noise + NOISE_MARGIN;
  }

  /** The gate cut from `rate` (its plateau then `plateau`): the answers to come try it. */
  cutFrom(rate: number, plateau: number): void {
    this.trial = {
      skip: this.inFlight(),
      answers: 0,
      refused: 0,
      rateBefore: this.trial?.rateBefore ?? rate,
      plateauBefore: this.trial?.plateauBefore ?? plateau,
      depth: 1,
    };
  }

  /** An answer came (`refused`: 429). Returns what a trial ending with it asks, else null. */
  noteAnswer(refused: boolean): TrialVerdict | null {
    this.answered++;
    const bit = refused ? 1 : 0;
    if (this.recentCount === RECENT_ANSWERS) this.recentRefused -= this.recent[this.recentAt]!;
    else this.recentCount++;
    this.recent[this.recentAt] = bit;
    this.recentRefused += bit;
    this.recentAt = (this.recentAt + 1) % RECENT_ANSWERS;
    const trial = this.trial;
    if (!trial) return null;
    if (trial.skip > 0) {
      trial.skip--;
      return null;
    }
    trial.answers++;
    trial.refused += bit;
    if (trial.answers < TRIAL_ANSWERS) return null;
    this.trial = null;
    const share = trial.refused / trial.answers;
    if (trial.refused === 0) {
      this.noise = 0;
      return null;
    }
    if (trial.depth === 1 && trial.refused > randomAtMost(trial.answers, this.noise)) {
      this.trial = { ...trial, skip: this.inFlight(), answers: 0, refused: 0, depth: 2 };
      return { kind: 'cut-again', keep: 1 - share };
    }
    this.noise = share;
    return { kind: 'undo', rateBefore: trial.rateBefore, plateauBefore: trial.plateauBefore };
  }

  private inFlight(): number {
    return Math.max(0, this.sent - this.answered);
  }
}

/** About the most 429s of `answers` that a random share `p` gives (two standard deviations). */
function randomAtMost(answers: number, p: number): number {
  const mean = answers * p;
  return mean + 2 * Math.sqrt(mean * (1 - p));
}
