/** `peppol-desk list`: the documents in the data folder. */
import { visibleText } from '../domain/visible-text';
import type { Command } from 'commander';
import { FILTER_STATES, emptyCounts, type DocumentFilter, type DocumentState } from '../contract';
import { ON_THEIR_WAY } from '../domain/states';
import { FILTER_ORDER, STATUS_WORDS, statusWordsOf } from '../domain/status-words';
import { exitQuietlyOnClosedPipe, usage, UsageError, STORE_HELP } from './common';
import { tryLockDataDir } from '../store/data-dir-lock';
import { dataDirOf, openQuiet } from './engine-options';
import { cliWords } from './summary';

/** Whether a Peppol Desk process works on `dataDir` now (it holds the folder's lock). */
function deskRunning(dataDir: string): boolean {
  const probe = tryLockDataDir(dataDir);
  if (!probe.ok) return true;
  probe.lock.release();
  return false;
}

// The app's filter tabs, one list for the screen and the CLI (it had lost 'responded').
const FILTERS: readonly DocumentFilter[] = FILTER_ORDER;

interface ListOptions {
  dataDir?: string;
  store?: string;
  filter?: string;
  json?: boolean;
}

async function listCommand(opts: ListOptions): Promise<number> {
  const filter = (opts.filter ?? 'all') as DocumentFilter;
  if (!FILTERS.includes(filter)) {
    throw new UsageError(`Unknown filter "${opts.filter}": use one of ${FILTERS.join(', ')}.`);
  }
  exitQuietlyOnClosedPipe(() => 0);
  const engine = await openQuiet({ dataDir: opts.dataDir, store: opts.store }, false);
  try {
    // Every document of the filter, read at one instant (a walk: a page of the newest 5,000 left
    // out half of a 10,000-invoice month while the line below said 10000).
    const { rows } = await engine.handlers['documents:export']({ filter });
    const total = rows.length;
    const counts = emptyCounts();
    for (const r of rows) counts[r.state]++;
    if (opts.json) {
      for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
    } else {
      for (const r of rows) {
        process.stdout.write(
          `#${r.id}\t${statusWordsOf(r.state, r.problem?.code)}\t${r.invoiceNumber ?? '-'}\t${visibleText(r.fileName)}${r.problem ? `\t${cliWords(r.problem.message, r.id)}` : ''}\n`,
        );
      }
      // The filter's states only: the line counts what the filter lists.
      const shown = filter === 'all' ? null : new Set<DocumentState>(FILTER_STATES[filter]);
      const nonZero = (Object.entries(counts) as [DocumentState, number][]).filter(
        ([s, n]) => n > 0 && (shown === null || shown.has(s)),
      );
      const parts = nonZero.map(([s, n]) => `${n} ${countedWords(STATUS_WORDS[s], n)}`).join(', ');
      process.stdout.write(`${total} document(s)${parts ? `: ${parts}` : ''}\n`);
    }
    // Their words say what happens next ("Trying again automatically"), true only while Peppol
    // Desk runs: said when nothing does (walk 9: read after Ctrl+C, with no process left).
    const onTheirWay = rows.filter((r) => ON_THEIR_WAY.has(r.state)).length;
    const team = (await engine.handlers['connection:get'](undefined)).team;
    if (onTheirWay > 0 && !team && !deskRunning(dataDirOf(opts))) {
      process.stderr.write(
        `Nothing is sending from this data folder now: the ${onTheirWay} on their way move on when Peppol Desk runs with it (the app, or peppol-desk send of their folder, or watch).\n`,
      );
    }
    return 0;
  } finally {
    await engine.stop();
  }
}

/**
 * A status after its count: its first letter small, its names kept ("receiver not on Peppol"),
 * its verb agreeing ("2 need fixing"; walk 9 read "5 needs fixing, 1 receiver not on peppol").
 */
export function countedWords(status: string, n: number): string {
  const words = status.charAt(0).toLowerCase() + status.slice(1);
  return n !== 1 && words.startsWith('needs ') ? `need ${words.slice('needs '.length)}` : words;
}

/** Registers `list`. */
export function registerList(program: Command): void {
  program
    .command('list')
    .description('List the documents in the data folder.')
    .option('--data-dir <dir>', 'data folder')
    .option('--store <url>', STORE_HELP)
    .option('--filter <f>', 'attention | progress | sent | responded | all', 'all')
    .option('--json', 'one JSON line per document')
    .action(async (opts: ListOptions) => {
      process.exitCode = await usage(() => listCommand(opts));
    });
}
