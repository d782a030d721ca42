/** `peppol-desk send-anyway <ids...>`: send documents held as possible duplicates anyway. */
import type { Command } from 'commander';
import type { RequestResult } from '../contract';
import { invokeHandler } from '../errors';
import { accessPointOptions, parseIds, reportStopped, requireKnownIds, usage } from './common';
import { openQuiet, type EngineFlags } from './engine-options';
import {
  briefChunks,
  NONE_LEFT_OUT,
  otherOutcomesWords,
  sayWhyNotSent,
  summarize,
} from './summary';

interface SendAnywayOptions extends EngineFlags {
  json?: boolean;
  waitDelivery?: boolean;
}

async function sendAnywayCommand(ids: string[], opts: SendAnywayOptions): Promise<number> {
  const wait = Boolean(opts.waitDelivery);
  const engine = await openQuiet(opts, true, wait);
  try {
    const list = parseIds(ids);
    await requireKnownIds(engine, list);
    // What the decision applies to: the documents held now (the others stay as they are).
    const held: number[] = [];
    for await (const { rows } of briefChunks(engine, list))
      for (const r of rows) if (r.state === 'held') held.push(r.id);
    const res = await invokeHandler(engine.handlers, 'documents:sendAnyway', { ids: list });
    if (!res.ok) {
      process.stderr.write(`${res.error.message}\n`);
      return 1;
    }
    const { released, stopped, stillHeld } = res.value as RequestResult<'documents:sendAnyway'>;
    // Held, and sending cannot change that (the buyer takes no such document): its own words.
    for (const h of stillHeld ?? []) process.stderr.write(`#${h.id}: ${h.message}\n`);
    // Stopped part way: those not reached are still held, and that is what is said.
    const kept = stillHeld?.length ?? 0;
    if (!reportStopped(stopped, 'released') && released + kept < list.length) {
      // Not "not held as possible duplicates" of one held and then cancelled (walk 14).
      const n = list.length - released - kept;
      process.stderr.write(
        `${n} of ${list.length} ${n === 1 ? 'was' : 'were'} not waiting for a decision (sent, cancelled or decided already), so there was nothing to decide.\n`,
      );
    }
    if (released === 0) return 1;
    await engine.waitUntilSettled(held, { includeAccepted: !wait });
    const summary = await summarize(engine, held, NONE_LEFT_OUT, 0, wait, sayWhyNotSent);
    process.stdout.write(
      opts.json
        ? JSON.stringify(summary) + '\n'
        : `${summary.sent} sent, ${summary.failed} failed${otherOutcomesWords(summary)}\n`,
    );
    return summary.sent === list.length ? 0 : 1;
  } finally {
    await engine.stop();
  }
}

/** Registers `send-anyway`. */
export function registerSendAnyway(program: Command): void {
  accessPointOptions(
    program
      .command('send-anyway')
      .description(
        'Send documents held as possible duplicates anyway, and wait until they are sent.',
      )
      .argument('<ids...>', 'document ids (see `list`)'),
  )
    .option('--json', 'print one JSON summary line')
    .option('--wait-delivery', 'wait until delivered, not only accepted by the access point')
    .action(async (ids: string[], opts: SendAnywayOptions) => {
      process.exitCode = await usage(() => sendAnywayCommand(ids, opts));
    });
}
