import type { DocumentDetail } from '../../../../app/contract';

/** One step of a document's timeline. */
export type TimelineStep = DocumentDetail['timeline'][number];

/** What the timeline shows: a step, or a run of repeated steps folded into one line. */
export type TimelineItem =
  | { kind: 'step'; step: TimelineStep; index: number }
  | { kind: 'repeat'; times: number; from: number; until: number; desks: string[] };

/** Steps or pairs of steps repeated this many times in a row, or more, are folded. */
export const FOLD_FROM = 4;

/**
 * A step as a repeat compares it: its move and its words, numbers aside ("Attempt 4" and
 * "Attempt 5" repeat each other), not its time or desk.
 */
function keyOf(t: TimelineStep): string {
  return `${t.from ?? ''}>${t.to}|${(t.detail ?? '').replace(/\d+/g, '#')}`;
}

/** How many times the `period` steps from `start` repeat in a row there (1 when they do not). */
function runLength(keys: readonly string[], start: number, period: number): number {
  let times = 1;
  for (;;) {
    const next = start + times * period;
    if (next + period > keys.length) return times;
    for (let k = 0; k < period; k++) if (keys[next + k] !== keys[start + k]) return times;
    times++;
  }
}

/**
 * The timeline with each run of the same step, or the same pair of steps ("Sending", then
 * "Waiting to retry — the access point had a temporary problem"), repeated {@link FOLD_FROM} times
 * or more in a row folded: the first and the last time shown, one line for the two or more between (walk
 * 20b: 13 such pairs in 33 s buried the lines that matter). Nothing else changes.
 */
export function foldRepeats(timeline: readonly TimelineStep[]): TimelineItem[] {
  const keys = timeline.map(keyOf);
  const out: TimelineItem[] = [];
  const step = (i: number) => out.push({ kind: 'step', step: timeline[i]!, index: i });
  let i = 0;
  while (i < timeline.length) {
    let folded = false;
    for (const period of [1, 2]) {
      const times = runLength(keys, i, period);
      if (times < FOLD_FROM) continue;
      for (let k = 0; k < period; k++) step(i + k);
      const between = timeline.slice(i + period, i + (times - 1) * period);
      out.push({
        kind: 'repeat',
        times: times - 2,
        from: between[0]!.at,
        until: between[between.length - 1]!.at,
        desks: [...new Set(between.flatMap((t) => (t.desk ? [t.desk] : [])))],
      });
      for (let k = 0; k < period; k++) step(i + (times - 1) * period + k);
      i += times * period;
      folded = true;
      break;
    }
    if (!folded) step(i++);
  }
  return out;
}
