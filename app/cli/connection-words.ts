/**
 * What a run says on stderr while it waits, when the team database or the access point stops or
 * starts answering: once per change, from the engine's connection status (read once a second).
 * Walk 18: a run whose access point answered 500 to every send printed only "Still working: 0 of
 * 2 sent, 2 on their way." for minutes, never that the access point had a problem.
 */
import {
  ADDRESS_NOT_FOUND_WORDS,
  KEY_REFUSED_WORDS,
  NO_API_KEY_WORDS,
  SENDS_REFUSED_START,
} from '../access-point/reachability';
import type { ConnectionStatus } from '../contract';

const TEAM_BACK = 'The team database answers again.\n';

/** States of the access point a run waits out, said when they begin. */
const WAITS_OUT = new Set<ConnectionStatus['state']>(['offline', 'trouble', 'checking']);

export class ConnectionWords {
  private teamReachable: boolean | undefined;
  /** The access point state said last ('online' while nothing was said). */
  private said: ConnectionStatus['state'] = 'online';
  /** Sending paused in this data folder, as said last. */
  private paused = false;

  constructor(
    first: ConnectionStatus,
    private readonly write: (line: string) => void = (l) => void process.stderr.write(l),
  ) {
    this.teamReachable = first.team?.reachable;
    this.tell(first, true);
  }

  /** The team database was lost during the run and is not known to be back. */
  get teamLost(): boolean {
    return this.teamReachable === false;
  }

  /**
   * The run settled: only what came back is said (nothing waits now). The team database lost
   * meanwhile answers again (the run read its documents from it; the desk's own reconnection may
   * not have noticed yet); otherwise the access point, read by `now`, if it answers again.
   */
  async settled(now: () => ConnectionStatus | Promise<ConnectionStatus>): Promise<void> {
    if (this.teamLost) {
      this.teamReachable = true;
      this.write(TEAM_BACK);
      return;
    }
    const s = await now();
    if (s.state === 'online' && this.said !== 'online') this.tell(s);
  }

  /** A new reading of the status: say what changed. */
  tell(s: ConnectionStatus, first = false): void {
    const now = s.team?.reachable;
    if (!first && now !== undefined && now !== this.teamReachable) {
      this.teamReachable = now;
      this.write(
        now
          ? TEAM_BACK
          : `${teamWordsForRun(s.message ?? 'The team database cannot be reached.')} The run waits for it (Ctrl+C stops waiting; nothing is lost).\n`,
      );
    }
    // Paused in the app (walk 18b: a run on a paused data folder said only "Still working: 0 of
    // 3 sent" for minutes): nothing leaves until it is resumed there.
    if ((s.paused === true) !== this.paused) {
      this.paused = s.paused === true;
      this.write(
        this.paused
          ? 'Sending is paused in this data folder (Pause in the app): nothing is sent until it is resumed there (Resume). The run waits (Ctrl+C stops waiting; nothing is lost).\n'
          : 'Sending was resumed.\n',
      );
    }
    // The access point, while the team database (if any) answers: its words are the header's.
    if (s.team && !s.team.reachable) return;
    if (WAITS_OUT.has(s.state) && s.state !== this.said && s.message) {
      this.said = s.state;
      this.write(`${s.message} The run waits (Ctrl+C stops waiting; nothing is lost).\n`);
    } else if (s.state === 'online' && this.said !== 'online') {
      this.said = 'online';
      this.write('The access point answers again.\n');
    }
  }
}

/** Where a run takes its key from, as its words name them. */
const KEY_FROM = 'PEPPOL_DESK_API_KEY, --api-key-file, or the key saved in the app';

/**
 * A run's last words when the access point refuses its key or its URL: the header's say "Check
 * the key in Settings: invoices … are sent by themselves" (walk 18), but a command line has no
 * Settings and the run stops here; its invoices stay queued for the next run.
 */
export function refusedWordsForRun(message: string | null, team = false): string | null {
  // On a team they are on the team's queue (walk 20: "stay queued in the data folder").
  const stays = team
    ? "The invoices stay on the team's queue (other desks may send them):"
    : 'The invoices stay queued in the data folder:';
  // Sends refused for the account (walk 20): the header's words end "sent by themselves".
  if (message?.startsWith(SENDS_REFUSED_START))
    return `${message.slice(0, message.indexOf(', although'))}, although it answers other requests. ${stays} ask your provider about the account, and run the command again.`;
  if (message === KEY_REFUSED_WORDS)
    return `The access point did not accept the API key. ${stays} check the key (${KEY_FROM}) and run the command again.`;
  if (message === NO_API_KEY_WORDS)
    return `No API key is set for this provider. ${stays} give the key (${KEY_FROM}) and run the command again.`;
  if (message === ADDRESS_NOT_FOUND_WORDS)
    return `The provider URL does not lead to an access point: it answered "not found" or with a web page. ${stays} check the URL (--endpoint, or the one saved in the app; GoRoute: https://app.goroute.ai/peppol-api) and run the command again.`;
  return message;
}

/**
 * The header's words of a team desk that does not send, for a run: a command line has no
 * Settings (walk 20: "set the same access point and API key as those desks in Settings").
 */
export function teamWordsForRun(message: string): string {
  return message
    .replace(/ as those desks in Settings\.$/, ` as those desks (--endpoint, and ${KEY_FROM}).`)
    .replace(
      // Nothing is dropped on a command line (walk 20 W2).
      'documents dropped here are kept on this computer',
      'the invoices of this run are kept in its data folder',
    );
}
