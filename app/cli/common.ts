/**
 * What the commands share: argument parsers, the access point options, exit codes for usage
 * errors, and the quiet stop when stdout is closed (`... | head`).
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { Stopped } from '../contract';
import type { Engine } from '../engine';
import { invokeHandler } from '../errors';

/** `<n>`: a whole number, 0 or more. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('Expected a whole number.');
  return n;
}

/** Document ids as given on the command line (whole numbers from 1). */
export function parseIds(ids: string[]): number[] {
  const out = ids.map(Number);
  if (out.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new InvalidArgumentError(
      'Document ids are whole numbers, as shown by `peppol-desk list`.',
    );
  }
  return out;
}

/**
 * `--data-dir`, `--endpoint`, `--api-key`, `--api-key-file`: the options of every command that
 * may talk to the access point after `send` (same words, same order).
 */
export function accessPointOptions(command: Command): Command {
  return storeOption(command.option('--data-dir <dir>', 'data folder'))
    .option('--endpoint <url>', 'provider base URL')
    .option('--api-key <key>', 'provider API key')
    .option(
      '--api-key-file <file>',
      'read the provider API key from this file (or set PEPPOL_DESK_API_KEY)',
    );
}

/** What `--store <url>` says in `--help`. */
export const STORE_HELP =
  'work on a team outbox: postgresql://user@host/db (or set PEPPOL_DESK_STORE)';

/** `--store <url>`: the team outbox, on every command that touches documents. */
export function storeOption(command: Command): Command {
  return command.option('--store <url>', STORE_HELP);
}

/**
 * `list | head`: once the reader is gone, stop quietly with `code()` (no EPIPE stack trace).
 * Returns a check of whether stdout was closed.
 */
export function exitQuietlyOnClosedPipe(code: () => number): () => boolean {
  let closed = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed = true;
    process.exit(code());
  });
  return () => closed;
}

/** Resolves on the next turn of the event loop (lets a closed stdout be noticed). */
export const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/** An error in what the user typed: said plainly, exit code 2. */
export class UsageError extends Error {}

/**
 * The ids that name no document, as a usage error (exit 2), or nothing. Asked through the
 * hosts' `documents:get` handler, one id at a time (ids typed by a person: a handful).
 */
export async function requireKnownIds(engine: Engine, ids: number[]): Promise<void> {
  const unknown: number[] = [];
  for (const id of ids) {
    const res = await invokeHandler(engine.handlers, 'documents:get', { id });
    if (!res.ok && res.error.code === 'NOT_FOUND') unknown.push(id);
  }
  if (unknown.length > 0) {
    throw new UsageError(
      `No document ${unknown.map((id) => `#${id}`).join(', ')}: check the number with \`peppol-desk list\`.`,
    );
  }
}

/** Runs a command; a UsageError is printed and gives exit code 2. */
export async function usage(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
}

/**
 * End the process now, with `process.exitCode`, once stdout and stderr have taken everything
 * written to them. For a command that closed all it opened (`send` after its engine stopped):
 * Node's own teardown of the heap and threads took 60-80 ms more after the summary (issue 9
 * point 2); `process.exit` skips it, and the write callbacks make sure no line is cut off.
 */
export async function exitWhenWritten(): Promise<never> {
  await Promise.all(
    [process.stdout, process.stderr].map(
      (stream) => new Promise<void>((resolve) => stream.write('', () => resolve())),
    ),
  );
  process.exit();
}

/**
 * An action on many documents stopped part way (see `Stopped` in the contract): what was done
 * stays done, and the rest is named on stderr with why. True when it stopped.
 */
export function reportStopped(stopped: Stopped | undefined, notDone: string): boolean {
  if (!stopped) return false;
  process.stderr.write(
    `Stopped part way: ${stopped.left} document(s) were not ${notDone}. ${stopped.message}\n`,
  );
  return true;
}
