/**
 * `peppol-desk reroute [ids...] | --all`: send documents queued for another access point through
 * the one given here, and wait until they are sent.
 */
import type { Command } from 'commander';
import { accessPointOptions, parseIds, reportStopped, requireKnownIds, usage } from './common';
import { openQuiet, type EngineFlags } from './engine-options';
import {
  accessPointHere,
  NONE_LEFT_OUT,
  notSentCount,
  otherOutcomesWords,
  sayWhyNotSent,
  summarize,
} from './summary';

interface RerouteOptions extends EngineFlags {
  all?: boolean;
  json?: boolean;
  waitDelivery?: boolean;
}

async function rerouteCommand(ids: string[], opts: RerouteOptions): Promise<number> {
  if (!opts.all && ids.length === 0) {
    process.stderr.write('Name the documents to send through this access point, or use --all.\n');
    return 2;
  }
  const wait = Boolean(opts.waitDelivery);
  const engine = await openQuiet(opts, true, wait);
  try {
    // With --all: every document held because it was queued for another access point.
    const targets = opts.all
      ? (await engine.handlers['documents:waitingFor']({})).ids
      : parseIds(ids);
    // Unknown ids are refused before anything moves, as retry, cancel and send-anyway do.
    if (!opts.all) await requireKnownIds(engine, targets);
    // --all as such: the engine then leaves those in doubt held (named ids are a decision).
    const res = await engine.handlers['documents:reroute'](
      opts.all ? { all: true } : { ids: targets },
    );
    const { rerouted, stopped, inDoubt = [] } = res;
    process.stderr.write(`Sending ${rerouted} document(s) through ${accessPointHere(engine)}\n`);
    // Walk 10: reroute sent three invoices whose answers had been lost to a second access point,
    // which accepted them again. They stay held for a decision on each, said with how to make it.
    if (inDoubt.length > 0) {
      const list = inDoubt.map((id) => `#${id}`).join(', ');
      process.stderr.write(
        `${inDoubt.length} document(s) left held, not sent: ${list}. Their last attempt may already have reached the access point they were queued for, so sending them here could deliver them twice. Ask that provider whether they arrived: if they did, cancel them (peppol-desk cancel); if not, name them: peppol-desk reroute ${inDoubt.join(' ')} (with the same --endpoint).\n`,
      );
    }
    reportStopped(stopped, 'moved to this access point');
    const doubt = new Set(inDoubt);
    const moved = targets.filter((id) => !doubt.has(id));
    await engine.waitUntilSettled(moved, { includeAccepted: !wait });
    // Those left held in doubt wait for a decision: not failed.
    let left = 0;
    // Each that did not end as sent says why (as `send` and `retry` do); those held in doubt
    // were said above.
    const counted = await summarize(engine, targets, NONE_LEFT_OUT, 0, wait, (r, as) => {
      if (as === 'failed' && r.state === 'held' && doubt.has(r.id)) left++;
      else sayWhyNotSent(r, as);
    });
    const summary = { ...counted, failed: counted.failed - left, held: counted.held + left };
    process.stdout.write(
      opts.json
        ? JSON.stringify(summary) + '\n'
        : `${summary.sent} sent, ${summary.failed} failed${otherOutcomesWords(summary)}\n`,
    );
    return rerouted < targets.length || notSentCount(summary) > 0 ? 1 : 0;
  } finally {
    await engine.stop();
  }
}

/** Registers `reroute`. */
export function registerReroute(program: Command): void {
  accessPointOptions(
    program
      .command('reroute')
      .description(
        'Send documents queued for another access point through the one given here (the explicit step; nothing else moves them).',
      )
      .argument('[ids...]', 'document ids (see `list`)')
      .option('--all', 'every document waiting for another access point'),
  )
    .option('--json', 'print one JSON summary line')
    .option('--wait-delivery', 'wait until delivered, not only accepted by the access point')
    .action(async (ids: string[], opts: RerouteOptions) => {
      process.exitCode = await usage(() => rerouteCommand(ids, opts));
    });
}
