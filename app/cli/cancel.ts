/** `peppol-desk cancel <ids...>`: cancel documents that were not sent yet. */
import type { Command } from 'commander';
import type { DocumentState, RequestResult } from '../contract';
import { NOTHING_TO_CANCEL } from '../domain/states';
import { STATUS_WORDS } from '../domain/status-words';
import { invokeHandler } from '../errors';
import { parseIds, reportStopped, requireKnownIds, usage, STORE_HELP } from './common';
import { openQuiet } from './engine-options';
import { briefChunks } from './summary';

async function cancelCommand(
  ids: string[],
  opts: { dataDir?: string; store?: string },
): Promise<number> {
  const engine = await openQuiet({ dataDir: opts.dataDir, store: opts.store }, false);
  try {
    const list = parseIds(ids);
    await requireKnownIds(engine, list);
    // Cancelled before this command (walk 11: the ones it had just cancelled were said to be
    // "already cancelled", read after the cancel).
    const cancelledBefore = new Set<number>();
    for await (const { rows } of briefChunks(engine, list))
      for (const r of rows) if (r.state === 'cancelled') cancelledBefore.add(r.id);
    const res = await invokeHandler(engine.handlers, 'documents:cancel', { ids: list });
    if (!res.ok) {
      process.stderr.write(`${res.error.message}\n`);
      return 1;
    }
    const { cancelled, refused = [], stopped } = res.value as RequestResult<'documents:cancel'>;
    for (const r of refused) process.stderr.write(`#${r.id}: ${r.message}\n`);
    // The others not cancelled, each with its status (walk 9: one already cancelled was said to
    // be "already sent, or … may have reached the access point").
    const kept = new Set(refused.map((r) => r.id));
    for await (const { rows } of briefChunks(engine, list))
      for (const r of rows)
        if (
          NOTHING_TO_CANCEL.has(r.state) &&
          !kept.has(r.id) &&
          (r.state !== 'cancelled' || cancelledBefore.has(r.id))
        )
          process.stderr.write(`#${r.id}: ${STATUS_WORDS[r.state]}: ${notCancelledWhy(r.state)}\n`);
    reportStopped(stopped, 'cancelled');
    process.stdout.write(`${cancelled} of ${list.length} cancelled\n`);
    return cancelled === list.length ? 0 : 1;
  } finally {
    await engine.stop();
  }
}

/** Why a document in `state` (one of NOTHING_TO_CANCEL) is not cancelled. */
function notCancelledWhy(state: DocumentState): string {
  if (state === 'cancelled') return 'already cancelled';
  if (state === 'superseded') return 'replaced by a corrected file, which is the one to cancel';
  if (state === 'sending')
    return 'being sent right now; it may already have reached the access point';
  return 'already sent, so it cannot be cancelled';
}

/** Registers `cancel`. */
export function registerCancel(program: Command): void {
  program
    .command('cancel')
    .description('Cancel documents that were not sent yet.')
    .argument('<ids...>', 'document ids (see `list`)')
    .option('--data-dir <dir>', 'data folder')
    .option('--store <url>', STORE_HELP)
    .action(async (ids: string[], opts: { dataDir?: string; store?: string }) => {
      process.exitCode = await usage(() => cancelCommand(ids, opts));
    });
}
