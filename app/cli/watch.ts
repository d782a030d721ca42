/** `peppol-desk watch <folder>`: send what is saved into a folder, until Ctrl+C. */
import type { Command } from 'commander';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { hotFolderRefusal } from '../hot-folder-refusal';
import { accessPointOptions, positiveInt } from './common';
import {
  dataDirOf,
  engineOptions,
  loadEngine,
  speedOptions,
  type EngineFlags,
} from './engine-options';

interface WatchOptions extends EngineFlags {
  stableMs?: number;
  move?: boolean;
  subfolders?: boolean;
}

async function watchCommand(folder: string, opts: WatchOptions): Promise<number> {
  const watched = resolve(folder);
  if (!existsSync(watched) || !statSync(watched).isDirectory()) {
    process.stderr.write(`Not a folder: ${folder}\n`);
    return 2;
  }
  const dataDir = dataDirOf(opts);
  const refusal = hotFolderRefusal(watched, dataDir);
  if (refusal !== null) {
    process.stderr.write(`${refusal}\n`);
    return 2;
  }
  mkdirSync(dataDir, { recursive: true });
  const { createEngine } = await loadEngine();
  const engine = await createEngine(
    engineOptions(opts, dataDir, {
      hotFolder: watched,
      // --no-move: files stay where they are; otherwise the app's setting (default: move them).
      ...(opts.move === false ? { hotFolderMove: false } : {}),
      ...(opts.subfolders === true ? { hotFolderSubfolders: true } : {}),
      ...(opts.stableMs !== undefined ? { hotFolderStabilityMs: opts.stableMs } : {}),
      log: (line) => process.stderr.write(`${line}\n`),
    }),
  );
  // On a team: said when its database goes away and when it answers again, as the app's header
  // says it (walk 24: three outages of half a minute, files saved meanwhile, not a line).
  let teamAway = false;
  engine.on('connection:changed', ({ team, message }) => {
    if (!team || team.reachable !== teamAway) return;
    teamAway = !team.reachable;
    process.stderr.write(
      teamAway
        ? `${message ?? 'The team database cannot be reached.'} Files saved into the folder meanwhile are kept on this computer and handed over once it answers.\n`
        : 'The team database answers again: what was kept on this computer is handed over.\n',
    );
  });
  const where = engine.usesBuiltInSandbox ? 'the built-in SANDBOX access point' : engine.endpoint;
  process.stdout.write(
    `Watching ${watched} (sending to ${where}; data: ${dataDir}). Press Ctrl+C to stop.\n`,
  );
  // Runs until interrupted; the queue is persisted, so stopping mid-send loses nothing.
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await engine.stop();
  // Said, as `serve` says it (walk 24: `watch` stopped on SIGTERM without a word).
  process.stderr.write('Stopped. What was still waiting is sent when Peppol Desk starts again.\n');
  // PEPPOL_DESK_BENCH=1: what the benchmark reads, once stopped (CPU of the process, all threads).
  if (process.env.PEPPOL_DESK_BENCH === '1') {
    const u = process.cpuUsage();
    process.stdout.write(JSON.stringify({ cpuSeconds: (u.user + u.system) / 1e6 }) + '\n');
  }
  return 0;
}

/** Registers `watch`. */
export function registerWatch(program: Command): void {
  speedOptions(
    accessPointOptions(
      program
        .command('watch')
        .description(
          'Watch a folder: send each invoice saved into it, then move it to sent/ or failed/. Runs until Ctrl+C.',
        )
        .argument('<folder>', 'the folder to watch'),
    ),
  )
    .option('--latency-ms <ms>', 'added latency of the built-in sandbox', positiveInt)
    .option(
      '--stable-ms <ms>',
      'how long a new file must keep its size before it is taken',
      positiveInt,
    )
    .option('--no-move', 'leave files in the folder instead of moving them to sent/ or failed/')
    .option('--subfolders', "also take files in the folder's subfolders")
    .action(async (folder: string, opts: WatchOptions) => {
      process.exitCode = await watchCommand(folder, opts);
    });
}
