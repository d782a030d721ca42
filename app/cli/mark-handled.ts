/**
 * `peppol-desk mark-handled <ids...>`: a buyer's rejection, question or condition dealt with (a
 * credit note sent, the buyer answered, the condition met) leaves Needs attention, as the app's
 * Mark as handled does; `--undo` puts it back. The buyer's words say "mark it as handled", and
 * the CLI had no way to (walk 9).
 */
import type { Command } from 'commander';
import type { RequestResult } from '../contract';
import { handledFrom } from '../domain/states';
import { STATUS_WORDS } from '../domain/status-words';
import { invokeHandler } from '../errors';
import { parseIds, reportStopped, requireKnownIds, usage, STORE_HELP } from './common';
import { openQuiet } from './engine-options';
import { briefChunks } from './summary';

interface MarkOptions {
  dataDir?: string;
  store?: string;
  undo?: boolean;
}

async function markHandledCommand(ids: string[], opts: MarkOptions): Promise<number> {
  const engine = await openQuiet({ dataDir: opts.dataDir, store: opts.store }, false);
  try {
    const list = parseIds(ids);
    await requireKnownIds(engine, list);
    const handled = !opts.undo;
    // Those it does not apply to, said one by one with their status.
    const from = new Set(handledFrom(handled));
    for await (const { rows } of briefChunks(engine, list))
      for (const r of rows)
        if (!from.has(r.state))
          process.stderr.write(
            `#${r.id}: ${STATUS_WORDS[r.state]}: ${handled ? 'the buyer did not reject, query or set a condition for it' : 'it is not marked as handled'}; left as it is\n`,
          );
    const res = await invokeHandler(engine.handlers, 'documents:markHandled', {
      ids: list,
      handled,
    });
    if (!res.ok) {
      process.stderr.write(`${res.error.message}\n`);
      return 1;
    }
    const { changed, stopped } = res.value as RequestResult<'documents:markHandled'>;
    reportStopped(stopped, handled ? 'marked as handled' : 'marked as not handled');
    process.stdout.write(
      `${changed} of ${list.length} ${handled ? 'marked as handled' : 'back under Needs attention'}\n`,
    );
    return changed === list.length ? 0 : 1;
  } finally {
    await engine.stop();
  }
}

/** Registers `mark-handled`. */
export function registerMarkHandled(program: Command): void {
  program
    .command('mark-handled')
    .description(
      "Take documents the buyer rejected, queried or accepted on a condition out of Needs attention once you have dealt with them (the app's Mark as handled).",
    )
    .argument('<ids...>', 'document ids (see `list --filter attention`)')
    .option('--undo', 'put them back under Needs attention')
    .option('--data-dir <dir>', 'data folder')
    .option('--store <url>', STORE_HELP)
    .action(async (ids: string[], opts: MarkOptions) => {
      process.exitCode = await usage(() => markHandledCommand(ids, opts));
    });
}
