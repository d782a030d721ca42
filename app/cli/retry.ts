/** `peppol-desk retry [ids...] | --all-failed`: retry failed documents and wait until sent. */
import type { Command } from 'commander';
import { accessPointOptions, parseIds, reportStopped, requireKnownIds, usage } from './common';
import { openQuiet, type EngineFlags } from './engine-options';
import {
  briefChunks,
  NONE_LEFT_OUT,
  notSentCount,
  otherOutcomesWords,
  reportPinnedElsewhere,
  sayWhyNotSent,
  sentBefore,
  summarize,
} from './summary';
import { groupBy } from '../domain/group-by';

interface RetryOptions extends EngineFlags {
  allFailed?: boolean;
  json?: boolean;
  waitDelivery?: boolean;
}

async function retryCommand(ids: string[], opts: RetryOptions): Promise<number> {
  if (!opts.allFailed && ids.length === 0) {
    process.stderr.write('Name the documents to retry, or use --all-failed.\n');
    return 2;
  }
  // Accepted before this moment: not sent by this retry (a document named that was sent already).
  const startedAt = Date.now();
  const engine = await openQuiet(opts, true, Boolean(opts.waitDelivery));
  try {
    const targets = opts.allFailed ? undefined : parseIds(ids);
    if (targets) await requireKnownIds(engine, targets);
    // What --all-failed will retry, named before it moves (the handler counts, it does not list).
    const before = opts.allFailed
      ? (await engine.handlers['documents:ids']({ states: ['failed', 'unreachable'] })).ids
      : targets!;
    // Those that failed after the access point accepted them (at delivery): said before they go,
    // as the app asks first (walk 24: 34 re-submitted, said only at the end); without
    // --wait-delivery, "sent" below is their acceptance again, not their delivery.
    const resubmitted = await countFailedAtDelivery(engine, before);
    if (resubmitted > 0)
      process.stderr.write(
        `${resubmitted} of these failed at delivery after the access point accepted ${resubmitted === 1 ? 'it' : 'them'}: Retry sends ${resubmitted === 1 ? 'it again as a new submission, its buyer' : 'them again as new submissions, their buyers'} looked up again first.\n`,
      );
    const failedAtDelivery = opts.waitDelivery ? 0 : resubmitted;
    const {
      retried,
      held = [],
      leftToFixIds = [],
      leftCopyGoneIds = [],
      resentToFixIds = [],
      stopped,
    } = await engine.handlers['documents:retry'](
      opts.allFailed ? { allFailed: true } : { ids: targets! },
    );
    // Those neither moved nor held (a receiver still not on Peppol, say) are left as they are,
    // and counted below with the rest (walk 7: "Retrying 3", then 5 outcomes).
    const left = before.length - retried - held.length;
    process.stderr.write(
      left > 0
        ? `Retrying ${retried} of ${before.length} document(s); ${left} left as ${left === 1 ? 'it is' : 'they are'}\n`
        : `Retrying ${retried} document(s)\n`,
    );
    reportStopped(stopped, 'tried again');
    // Which were left and why, as the app says it (walk 23b: `retry 300` sent again a file the
    // access point had refused for its content; "1 left as it is" named neither it nor why).
    if (leftToFixIds.length > 0)
      process.stderr.write(leftToFixWords(leftToFixIds, leftCopyGoneIds));
    // Named, such a file is sent again as asked: said, with what will most likely happen.
    if (resentToFixIds.length > 0) process.stderr.write(resentToFixWords(resentToFixIds));
    // Held instead of sent, and why: on a team, they may be at the team's earlier access point; on
    // a single desk, another version of their number went on meanwhile.
    // Held documents' ids by their reason, in order.
    for (const [message, ids] of groupBy(
      held,
      (h) => h.message,
      (h) => h.id,
    )) {
      process.stderr.write(
        `${ids.length} document(s) held, not sent: ${ids.map((id) => `#${id}`).join(', ')}. ${message}\n`,
      );
    }
    await engine.waitUntilSettled(before, { includeAccepted: !opts.waitDelivery });
    await reportPinnedElsewhere(engine, before);
    // Each document that did not end as sent says why (as `send` does); one sent before this
    // retry is counted as such (walk 9: "Retrying 0 of 1 …", then "1 sent").
    let sentEarlier = 0;
    const summary = await summarize(
      engine,
      before,
      NONE_LEFT_OUT,
      0,
      Boolean(opts.waitDelivery),
      (r, c) => {
        if (sentBefore(r, c, startedAt)) sentEarlier++;
        sayWhyNotSent(r, c);
      },
    );
    if (failedAtDelivery > 0)
      process.stderr.write(
        `${failedAtDelivery} of these had failed at delivery, after the access point accepted them: "sent" counts their acceptance again, not their delivery. Run with --wait-delivery to wait until they are delivered (or fail again).\n`,
      );
    // PEPPOL_DESK_BENCH=1 adds what the benchmark reads: CPU time of the process (all threads).
    const bench =
      process.env.PEPPOL_DESK_BENCH === '1'
        ? (({ user, system }) => ({ cpuSeconds: (user + system) / 1e6 }))(process.cpuUsage())
        : {};
    const earlier = sentEarlier > 0 ? ` (${sentEarlier} of them before this retry)` : '';
    // Those it left, named above, are among the failed: said so (walk 24b: "N failed" after
    // naming them as left, read as N more failures).
    const leftFailed = Math.min(leftToFixIds.length, summary.failed);
    const leftWords = leftFailed > 0 ? ` (${leftFailed} of them left as named above)` : '';
    process.stdout.write(
      opts.json
        ? JSON.stringify({ ...summary, sentEarlier, ...bench }) + '\n'
        : `${summary.sent} sent${earlier}, ${summary.failed} failed${leftWords}${otherOutcomesWords(summary)}\n`,
    );
    return stopped || notSentCount(summary) > 0 ? 1 : 0;
  } finally {
    await engine.stop();
  }
}

/** "#1, #2, … and 3 more": the first 20 ids. */
function idWords(ids: readonly number[]): string {
  const shown = ids.slice(0, 20).map((id) => `#${id}`);
  if (ids.length > shown.length) shown.push(`and ${ids.length - shown.length} more`);
  return shown.join(', ');
}

/**
 * The lines naming the failed documents Retry leaves as they are, and why: the access point
 * refused the file itself, or (`copyGone`) the kept copy is gone.
 */
export function leftToFixWords(ids: readonly number[], copyGone: readonly number[] = []): string {
  const gone = new Set(copyGone);
  const refused = ids.filter((id) => !gone.has(id));
  const words = (n: number) => (n === 1 ? ['it', 'it is', 'file'] : ['them', 'they are', 'files']);
  let out = '';
  if (refused.length > 0) {
    const [one, is, file] = words(refused.length);
    out += `${refused.length} document(s) left as ${is}, not sent again: ${idWords(refused)}. The access point refused the file itself, so the same file would most likely be refused again: fix ${one} in your accounting system and send the corrected ${file}.\n`;
  }
  if (gone.size > 0) {
    const [one, is, file] = words(gone.size);
    out += `${gone.size} document(s) left as ${is}: ${idWords([...gone])}. Peppol Desk no longer has a whole copy of ${one}: send the invoice ${file} again.\n`;
  }
  return out;
}

/** The line naming the documents the access point had refused itself, sent again as asked. */
export function resentToFixWords(ids: readonly number[]): string {
  const it = ids.length === 1 ? 'it' : 'them';
  return `${ids.length} document(s) the access point had refused itself sent again, as you asked: ${idWords(ids)}. Unless the reason is gone, the access point will refuse ${it} again: then fix ${it} in your accounting system and send the corrected file${ids.length === 1 ? '' : 's'}. (\`retry --all-failed\` leaves such files as they are.)\n`;
}

/** How many of `ids` failed at delivery (after the access point had accepted them). */
async function countFailedAtDelivery(
  engine: Awaited<ReturnType<typeof openQuiet>>,
  ids: readonly number[],
): Promise<number> {
  let n = 0;
  for await (const { rows } of briefChunks(engine, ids))
    n += rows.filter((r) => r.problemCode === 'DELIVERY_FAILED').length;
  return n;
}

/** Registers `retry`. */
export function registerRetry(program: Command): void {
  accessPointOptions(
    program
      .command('retry')
      .description('Retry failed documents (by id, or all of them) and wait until they are sent.')
      .argument('[ids...]', 'document ids (see `list`)')
      .option('--all-failed', 'every failed or unreachable document'),
  )
    .option('--json', 'print one JSON summary line')
    .option('--wait-delivery', 'wait until delivered, not only accepted by the access point')
    .action(async (ids: string[], opts: RetryOptions) => {
      process.exitCode = await usage(() => retryCommand(ids, opts));
    });
}
