import { describe, expect, it } from 'vitest';
import { engineInternals } from '../../app/engine/internals';
import type { DocumentsRepo } from '../../app/store/documents-repo';
import { useEngines } from '../helpers/engine';
import { makeInvoices } from '../helpers/invoices';

const engines = useEngines();

/**
 * Spy on the commits that claim documents for sending (a move to `sending`): how many documents
 * were claimed in commits synced on the engine's thread and how many in deferred ones (synced in
 * the thread pool before anything claimed leaves). Counted, nothing timed.
 */
function claimCommits(repo: DocumentsRepo): { synced: number; deferred: number } {
  const counts = { synced: 0, deferred: 0 };
  const modes: ('synced' | 'deferred')[] = [];
  const tx = repo.tx.bind(repo);
  repo.tx = ((fn: () => unknown, mode: 'synced' | 'deferred' = 'synced') => {
    // A transaction inside another commits with the outer one.
    modes.push(modes.length > 0 ? modes[0]! : mode);
    try {
      return tx(fn, mode);
    } finally {
      modes.pop();
    }
  }) as DocumentsRepo['tx'];
  const through = repo.transitionThrough.bind(repo);
  repo.transitionThrough = (id, steps) => {
    if (steps[steps.length - 1]!.to === 'sending') counts[modes[0] ?? 'synced']++;
    return through(id, steps);
  };
  return counts;
}

describe("the send stage's commits and the rate gate's slow start (issue 9)", () => {
  it('defers its commits in batch mode while the slow start holds nothing back', async () => {
    // Checking (here: the clerk adding ten at a time) is the limit, not the gate: a batch or two
    // per add (a busy machine may check the ten apart), each add after the one before was
    // answered 100 ms later, far below the slow start's 20 batches a second with its burst of
    // two, so the gate never holds a request back.
    const e = await engines({ batching: 10, sandboxLatencyMs: 100 });
    const counts = claimCommits(engineInternals(e).repo);
    const files = makeInvoices(80, 'SLOW');
    for (let i = 0; i < files.length; i += 10) {
      const res = await e.handlers['documents:add']({ files: files.slice(i, i + 10) });
      const ids = res.added.map((a) => a.id);
      expect(ids).toHaveLength(10);
      await e.waitUntilSettled(ids, { includeAccepted: true });
    }
    const { counts: states } = await e.handlers['documents:list']({ limit: 1 });
    expect(states.accepted + states.delivered).toBe(80);
    expect(counts.deferred).toBe(80);
    // Before: the slow start kept the gate "paced" and every claim's commit was synced here.
    expect(counts.synced).toBe(0);
  });

  it('still syncs them on the thread under a requests-per-second cap', async () => {
    const e = await engines({ batching: 10, requestsPerSecond: 1_000 });
    const counts = claimCommits(engineInternals(e).repo);
    const res = await e.handlers['documents:add']({ files: makeInvoices(100, 'CAPPED') });
    const ids = res.added.map((a) => a.id);
    await e.waitUntilSettled(ids, { includeAccepted: true });
    expect(counts.synced).toBe(100);
    expect(counts.deferred).toBe(0);
  });
});
