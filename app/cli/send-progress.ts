/**
 * What `send` says of its documents while it runs and when it is stopped (Ctrl+C): how many went
 * out, how many are on their way and where they wait, and what needs the clerk.
 */
import { FILTER_STATES, RESPONSE_STATES, type DocumentState } from '../contract';
import type { Engine } from '../engine';
import { briefChunks } from './summary';

/**
 * Of the run's documents: sent (accepted or later; `undelivered` of them accepted and not yet
 * delivered), on their way, and those that need the clerk.
 */
export async function progressOf(
  engine: Engine,
  ids: readonly number[],
): Promise<{
  sent: number;
  undelivered: number;
  onTheirWay: number;
  needYou: number;
  keptHere: number;
}> {
  let sent = 0;
  let keptHere = 0;
  let undelivered = 0;
  let onTheirWay = 0;
  let seen = 0;
  for await (const { rows } of briefChunks(engine, ids))
    for (const r of rows) {
      seen++;
      if (SENT_BEFORE.has(r.state)) sent++;
      else if (ON_ITS_WAY.has(r.state)) onTheirWay++;
      if (r.state === 'accepted') undelivered++;
      // Kept on this computer: the team database could not be reached (../team/engine-handlers).
      if (r.problemCode === 'TEAM_DATABASE_UNREACHABLE') keptHere++;
    }
  return { sent, undelivered, onTheirWay, needYou: seen - sent - onTheirWay, keptHere };
}

/** Interrupted: what went out, what waits, what needs the clerk, and what to do (stderr). */
export async function sayWhereItStopped(
  engine: Engine,
  ids: readonly number[],
  files: number,
  dataDir: string,
  how: { json: boolean; waitDelivery: boolean },
): Promise<void> {
  const { json } = how;
  const added = [...new Set(ids)];
  // A walk: "3 more … wait … Run the same command again to send the rest" of which two needed a
  // person (refused, not on Peppol) and would not go by running it again.
  const progress = await progressOf(engine, added).catch(() => null);
  // The team database went away during the run: its documents cannot be read now (walk 20b: no
  // words at all, and no line for a script). Said plainly; nothing is lost or sent twice.
  if (!progress) return sayUnreadable(files, added.length, dataDir, json);
  const { sent, undelivered, onTheirWay: waiting, needYou, keptHere } = progress;
  const team = (await engine.handlers['connection:get'](undefined)).team;
  const unread = files > added.length ? `; ${files - added.length} not read yet` : '';
  // Walk 19: "0 on their way" was all a run waiting for one delivery receipt said when stopped.
  const receipts =
    how.waitDelivery && undelivered > 0
      ? `; ${undelivered} of them not yet confirmed delivered: asked about again when the app, watch or send --wait-delivery runs with this data folder`
      : '';
  // On a team, those on their way are on the team's queue (walk 20: "in the data folder"), but
  // for the files kept here while the team database could not be reached.
  const queued = waiting - keptHere;
  const where = team ? "on the team's queue" : `in the data folder (${dataDir})`;
  const onTheWay =
    queued > 0 || keptHere === 0
      ? `; ${queued} on ${queued === 1 ? 'its' : 'their'} way ${queued === 1 ? 'waits' : 'wait'} ${where}`
      : '';
  const kept =
    keptHere > 0
      ? `; ${keptHere} ${keptHere === 1 ? 'waits' : 'wait'} in this data folder (${dataDir}) because the team database cannot be reached: they go to the team's queue when a command runs again with it (the same command, watch or the app) and the database answers`
      : '';
  const attention =
    needYou > 0
      ? `; ${needYou} need${needYou === 1 ? 's' : ''} you (peppol-desk list --filter attention)`
      : '';
  const rest =
    waiting > keptHere || files > added.length
      ? ' Run the same command again to send the rest: nothing is sent twice.'
      : keptHere > 0
        ? ' Nothing is sent twice.'
        : '';
  process.stderr.write(
    `Stopped: ${sent} of ${files} invoice(s) were sent (accepted by the access point${receipts})${onTheWay}${kept}${unread}${attention}.${rest}\n`,
  );
  // A script reads the last line (walk 10: an interrupted `send --json` printed none).
  if (json)
    process.stdout.write(
      JSON.stringify({
        interrupted: true,
        total: files,
        sent,
        onTheirWay: waiting,
        needYou,
        notRead: Math.max(0, files - added.length),
        ...(keptHere > 0 ? { keptHere } : {}),
      }) + '\n',
    );
}

/** States of a document still on its way to the access point (sent by a run that goes on). */
const ON_ITS_WAY: ReadonlySet<DocumentState> = new Set<DocumentState>(FILTER_STATES.progress);

/** States in which a document added again was sent before (accepted, or later). */
const SENT_BEFORE: ReadonlySet<DocumentState> = new Set<DocumentState>([
  'accepted',
  'delivered',
  ...RESPONSE_STATES,
  'handled',
]);

/** Stopped while the team database cannot be read: what is known, and what to do. */
function sayUnreadable(files: number, added: number, dataDir: string, json: boolean): void {
  const unread = files > added ? ` ${files - added} not read yet.` : '';
  process.stderr.write(
    `Stopped: the team database cannot be reached, so what this run sent cannot be read now.${unread} Invoices not handed to the team yet wait in this data folder (${dataDir}). Run the same command again once the database answers: it says what went out, and nothing is sent twice.\n`,
  );
  if (json)
    process.stdout.write(
      JSON.stringify({
        interrupted: true,
        total: files,
        notRead: Math.max(0, files - added),
        teamDatabaseUnreachable: true,
      }) + '\n',
    );
}
