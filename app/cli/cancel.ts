/** `peppol-desk cancel <ids...>`: cancel documents that were not sent yet. */
import type { Command } from 'commander';
import type { RequestResult } from '../contract';
import { invokeHandler } from '../errors';
import { parseIds, reportStopped, requireKnownIds, usage, STORE_HELP } from './common';
import { openQuiet } from './engine-options';

async function cancelCommand(
  ids: string[],
  opts: { dataDir?: string; store?: string },
): Promise<number> {
  const engine = await openQuiet({ dataDir: opts.dataDir, store: opts.store }, false);
  try {
    const list = parseIds(ids);
    await requireKnownIds(engine, list);
    const res = await invokeHandler(engine.handlers, 'documents:cancel', { ids: list });
    if (!res.ok) {
      process.stderr.write(`${res.error.message}\n`);
      return 1;
    }
    const { cancelled, refused = [], stopped } = res.value as RequestResult<'documents:cancel'>;
    for (const r of refused) process.stderr.write(`#${r.id}: ${r.message}\n`);
    reportStopped(stopped, 'cancelled');
    process.stdout.write(
      `${cancelled} of ${list.length} cancelled${cancelled < list.length ? ' (documents already sent, or that may have reached the access point, cannot be cancelled)' : ''}\n`,
    );
    return cancelled === list.length ? 0 : 1;
  } finally {
    await engine.stop();
  }
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
