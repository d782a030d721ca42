/** `peppol-desk validate <files or folders...>`: check files locally (no network, no engine). */
import type { Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
// Not through ../validation: its index loads the rules, which run in the validation workers (every
// command of the CLI loads this file).
import { DEFAULT_MAX_BYTES, tooLargeMessage } from '../validation/too-large';
import { createValidationPool, type ValidationPool } from '../validation/pool';
import type { CheckResult } from '../validation/types';
import { RULESET_VERSION } from '../validation/version';
import { nextTurn } from './common';
import { DIST_DIR } from './engine-options';
import { collectFiles, fileUnreadableWords, reportSkipped } from './files';
import { visibleText } from '../domain/visible-text';

/** One `validate --json` line: a file-level failure (`FILE`, `XML`, `UBL`) or the verdict. */
type ValidateLine = {
  file: string;
  /**
   * Where it is on disk (a file named: as given; in a folder: the folder's path joined to
   * `file`): walk 23b, two folders' x.xml were told apart by nothing.
   */
  path?: string;
  valid: boolean;
  fatal: string[];
  warning: string[];
  ruleset: string;
  message?: string;
  /**
   * Each fatal finding in words, with where in the invoice (a walk: `XSD-UNKNOWN-ELEMENT` alone
   * in a 200-line invoice could not be acted on).
   */
  findings?: Finding[];
  /**
   * Each warning in words, where in the invoice: they do not stop the invoice (walk 23: `validate`
   * said only "valid" of a file whose warning the app shows with its words).
   */
  warnings?: Finding[];
};

type Finding = { rule: string; message: string; location: string; hint?: string };

/** One finding under its file's line: "  BR-02: … (at /Invoice/cbc:ID)". */
function findingLine(kind: '' | 'warning ', f: Finding): string {
  return `  ${kind}${f.rule}: ${f.message}${f.location ? ` (at ${f.location})` : ''}\n`;
}

function intakeLine(file: string, code: string, message: string): ValidateLine {
  return { file, valid: false, fatal: [code], warning: [], ruleset: RULESET_VERSION, message };
}

/** Read one file for checking; a line instead when it cannot be (missing, too large, unreadable). */
function readForCheck(f: {
  name: string;
  path: string | null;
  why?: string;
}): Buffer | ValidateLine {
  if (f.path === null && f.why) return intakeLine(f.name, 'FILE', f.why);
  let size = -1;
  try {
    if (f.path !== null) size = statSync(f.path).size;
  } catch {
    size = -1;
  }
  if (f.path === null || size < 0) {
    return intakeLine(
      f.name,
      'FILE',
      'File not found: check the path, or that the file was not moved or deleted.',
    );
  }
  // Oversized files are refused from their size, unread.
  if (size > DEFAULT_MAX_BYTES) {
    return intakeLine(f.name, 'FILE', tooLargeMessage(size, DEFAULT_MAX_BYTES));
  }
  try {
    return readFileSync(f.path);
  } catch (err) {
    // Walk 21b: "The file could not be read (EACCES)." where send says why and what to do.
    return intakeLine(f.name, 'FILE', fileUnreadableWords(err, 'Not checked'));
  }
}

function resultLine(name: string, res: CheckResult): ValidateLine {
  if (!res.ok) {
    return intakeLine(name, res.error.code === 'UBL' ? 'UBL' : 'XML', res.error.message);
  }
  const ids = (flag: 'fatal' | 'warning') =>
    [...new Set(res.verdict.findings.filter((x) => x.flag === flag).map((x) => x.rule))].sort();
  const inWords = (flag: 'fatal' | 'warning'): Finding[] =>
    res.verdict.findings
      .filter((x) => x.flag === flag)
      .map((x) => ({
        rule: x.rule,
        message: x.message,
        location: x.location,
        ...(x.hint ? { hint: x.hint } : {}),
      }));
  const fatal = inWords('fatal');
  const warnings = inWords('warning');
  return {
    file: name,
    valid: res.verdict.valid,
    fatal: ids('fatal'),
    warning: ids('warning'),
    ruleset: res.verdict.ruleset,
    ...(fatal.length ? { findings: fatal } : {}),
    ...(warnings.length ? { warnings } : {}),
  };
}

/**
 * Validate one file in the validation worker (a hostile file costs the worker, never this
 * process); never throws.
 */
async function validateFile(
  pool: ValidationPool,
  f: { name: string; path: string | null; why?: string },
): Promise<ValidateLine> {
  const bytes = readForCheck(f);
  const { file, ...line } = Buffer.isBuffer(bytes)
    ? resultLine(f.name, await pool.check(bytes))
    : bytes;
  return { file, path: f.path ?? f.name, ...line };
}

async function validateCommand(inputs: string[], opts: { json?: boolean }): Promise<number> {
  const { ordered, skipped } = collectFiles(inputs);
  // Named, as `send` names them: a folder's PDF is not silently left out of the check.
  reportSkipped(skipped);
  let anyInvalid = false;
  // `validate … | head`: once the reader is gone, stop quietly (no EPIPE stack trace).
  let stdoutClosed = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    stdoutClosed = true;
    process.exit(anyInvalid ? 3 : 0);
  });
  // One worker: a hostile file costs the worker, never this process (one thread, as measured
  // best on 2 cores in docs/performance.md, "Month-end folder"). The next file is read and
  // checked while this one is printed; output stays in order.
  const pool = createValidationPool({
    size: 1,
    workerScript: join(DIST_DIR, 'validation-worker.cjs'),
  });
  const ahead = 2;
  const pending: Promise<ValidateLine>[] = [];
  let next = 0;
  const refill = () => {
    while (pending.length < ahead && next < ordered.length)
      pending.push(validateFile(pool, ordered[next++]!));
  };
  refill();
  for (let i = 0; i < ordered.length; i++) {
    if (stdoutClosed) break;
    const line = await pending.shift()!;
    refill();
    if (!line.valid) anyInvalid = true;
    if (opts.json) process.stdout.write(JSON.stringify(line) + '\n');
    else {
      const warned = line.warning.length
        ? `  (${line.warning.length === 1 ? '1 warning' : `${line.warning.length} warnings`}: ${line.warning.join(' ')})`
        : '';
      process.stdout.write(
        `${line.valid ? 'valid  ' : 'INVALID'} ${visibleText(line.file)}${line.fatal.length ? `  ${line.fatal.join(' ')}` : ''}${warned}${line.message ? `  ${line.message}` : ''}\n`,
      );
      for (const f of line.findings ?? []) process.stdout.write(findingLine('', f));
      // Warnings do not stop the invoice: said as such, after what must be fixed.
      for (const f of line.warnings ?? []) process.stdout.write(findingLine('warning ', f));
    }
    // Give a closed stdout its chance to be noticed before the next (possibly long) check.
    await nextTurn();
  }
  await pool.close();
  return anyInvalid ? 3 : 0;
}

/** Registers `validate`. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('Check files against Peppol BIS Billing 3.0 locally (no network).')
    .argument('<paths...>', 'files or folders')
    .option('--json', 'one JSON line per file')
    .action(async (paths: string[], opts: { json?: boolean }) => {
      process.exitCode = await validateCommand(paths, opts);
    });
}
