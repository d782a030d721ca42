import type { DocumentState } from '../../app/contract';
import type { DocumentsRepo } from '../../app/store/documents-repo';

/**
 * From now on, how many documents each outermost transaction of `repo` moves to `to` (a spy on
 * `tx` and `transitionThrough`): one entry per transaction, those that moved none included.
 */
export function movesPerTransaction(repo: DocumentsRepo, to: DocumentState): number[] {
  const perTx: number[] = [];
  let depth = 0;
  const tx = repo.tx.bind(repo);
  repo.tx = ((fn: () => unknown) => {
    if (depth++ === 0) perTx.push(0);
    try {
      return tx(fn);
    } finally {
      depth--;
    }
  }) as typeof repo.tx;
  const through = repo.transitionThrough.bind(repo);
  repo.transitionThrough = (id, steps) => {
    if (depth > 0 && steps[steps.length - 1]!.to === to) perTx[perTx.length - 1]!++;
    return through(id, steps);
  };
  return perTx;
}
