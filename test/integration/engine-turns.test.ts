import { describe, expect, it } from 'vitest';
import { ADD_ROWS_SLICE } from '../../app/engine/add-files';
import { engineInternals } from '../../app/engine/internals';
import { DELIVERY_COMMIT_MAX } from '../../app/queue/stages/delivery';
import { SEND_COMMIT_CLAIMS, SEND_COMMIT_OUTCOMES } from '../../app/queue/stages/send-turns';
import type { DocumentsRepo } from '../../app/store/documents-repo';
import { useEngines } from '../helpers/engine';
import { makeInvoices } from '../helpers/invoices';

const engines = useEngines();

/** What one commit (an outermost transaction) of the engine wrote, by kind of work. */
interface CommitWork {
  inserted: number;
  claimed: number;
  accepted: number;
  /** Delivery answers recorded: delivered, or asked again later (next_poll_at). */
  tracked: number;
}

/** Count, per commit, the documents each kind of work wrote in it (a spy; nothing timed). */
function countPerCommit(repo: DocumentsRepo): CommitWork[] {
  const commits: CommitWork[] = [];
  let current: CommitWork | null = null;
  let depth = 0;
  const around =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      if (depth++ === 0) current = { inserted: 0, claimed: 0, accepted: 0, tracked: 0 };
      try {
        return fn(...args);
      } finally {
        if (--depth === 0) {
          commits.push(current!);
          current = null;
        }
      }
    };
  repo.tx = around(repo.tx.bind(repo)) as DocumentsRepo['tx'];
  repo.txRedoable = around(repo.txRedoable.bind(repo)) as DocumentsRepo['txRedoable'];
  const insertMany = repo.insertMany.bind(repo);
  repo.insertMany = (docs) => {
    if (current) current.inserted += docs.length;
    return insertMany(docs);
  };
  const through = repo.transitionThrough.bind(repo);
  repo.transitionThrough = (id, steps) => {
    const to = steps[steps.length - 1]!.to;
    if (current && to === 'sending') current.claimed++;
    if (current && to === 'accepted') current.accepted++;
    if (current && to === 'delivered') current.tracked++;
    return through(id, steps);
  };
  const patch = repo.patch.bind(repo);
  repo.patch = (id, p) => {
    if (current && p.next_poll_at !== undefined) current.tracked++;
    patch(id, p);
  };
  return commits;
}

const most = (commits: CommitWork[], kind: keyof CommitWork) =>
  Math.max(0, ...commits.map((c) => c[kind]));
const total = (commits: CommitWork[], kind: keyof CommitWork) =>
  commits.reduce((n, c) => n + c[kind], 0);

describe('the engine thread works in bounded turns (issue 9 point 5)', () => {
  it('adds, claims, records outcomes and delivery answers of 600 documents a bounded part per commit', async () => {
    const e = await engines({
      sandboxStepMs: 20,
      // Every accepted document is asked about at once, and again soon: rounds of up to 200.
      timings: { pollInitialMs: 400, pollMaxMs: 400 },
    });
    const commits = countPerCommit(engineInternals(e).repo);
    const n = 600;
    const res = await e.handlers['documents:add']({ files: makeInvoices(n, 'TURNS') });
    const ids = res.added.map((a) => a.id);
    expect(ids).toHaveLength(n);
    await e.waitUntilSettled(ids);

    console.log(
      JSON.stringify({
        inserted: most(commits, 'inserted'),
        claimed: most(commits, 'claimed'),
        accepted: most(commits, 'accepted'),
        tracked: most(commits, 'tracked'),
      }),
    );
    // Everything happened (the bounds below are not met by doing nothing).
    expect(total(commits, 'inserted')).toBe(n);
    expect(total(commits, 'claimed')).toBeGreaterThanOrEqual(n);
    expect(total(commits, 'accepted')).toBe(n);
    expect(total(commits, 'tracked')).toBeGreaterThanOrEqual(n);
    expect(engineInternals(e).repo.counts().delivered).toBe(n);

    expect(most(commits, 'inserted')).toBeLessThanOrEqual(ADD_ROWS_SLICE);
    expect(most(commits, 'claimed')).toBeLessThanOrEqual(SEND_COMMIT_CLAIMS);
    expect(most(commits, 'accepted')).toBeLessThanOrEqual(SEND_COMMIT_OUTCOMES);
    expect(most(commits, 'tracked')).toBeLessThanOrEqual(DELIVERY_COMMIT_MAX);
  });
});
