/**
 * `peppol-desk reroute [ids...] | --all`: send documents queued for another access point through
 * the one given here, and wait until they are sent.
 */
import type { Command } from 'commander';
import { accessPointOptions, parseIds, reportStopped, requireKnownIds, usage } from './common';
import { openQuiet, type EngineFlags } from './engine-options';
import { accessPointHere, summarize } from './summary';

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
    const { rerouted, stopped } = await engine.handlers['documents:reroute']({ ids: targets });
    process.stderr.write(`Sending ${rerouted} document(s) through ${accessPointHere(engine)}\n`);
    reportStopped(stopped, 'moved to this access point');
    await engine.waitUntilSettled(targets, { includeAccepted: !wait });
    const summary = await summarize(engine, targets, 0, 0, wait);
    process.stdout.write(
      opts.json
        ? JSON.stringify(summary) + '\n'
        : `${summary.sent} sent, ${summary.failed} failed\n`,
    );
    return rerouted < targets.length || summary.failed + summary.invalid + summary.held > 0 ? 1 : 0;
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
