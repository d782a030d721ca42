import { describe, expect, it } from 'vitest';
import {
  ConnectionWords,
  refusedWordsForRun,
  teamWordsForRun,
} from '../../app/cli/connection-words';
import { KEY_REFUSED_WORDS, sendsRefusedWords } from '../../app/access-point/reachability';
import type { ConnectionStatus } from '../../app/contract';

const status = (state: ConnectionStatus['state'], message: string | null = null, team?: boolean) =>
  ({
    state,
    message,
    ...(team === undefined ? {} : { team: { reachable: team } }),
  }) as ConnectionStatus;

// Walk 18: a run whose access point answered 500 to every send said only "Still working: 0 of 2
// sent" for minutes.
describe('what a run says while it waits for the access point', () => {
  it('says once when the access point fails and once when it answers again', () => {
    const lines: string[] = [];
    const words = new ConnectionWords(status('online'), (l) => lines.push(l));
    const trouble = status('trouble', 'The access point is having problems.');
    words.tell(trouble);
    words.tell(trouble);
    words.tell(status('throttled', 'Slow down.'));
    words.tell(status('online'));
    words.tell(status('online'));
    expect(lines).toEqual([
      'The access point is having problems. The run waits (Ctrl+C stops waiting; nothing is lost).\n',
      'The access point answers again.\n',
    ]);
  });

  it('says an access point out of reach at the start at once; the team database comes first', () => {
    const lines: string[] = [];
    new ConnectionWords(status('offline', 'It cannot be reached.'), (l) => lines.push(l));
    expect(lines).toEqual([
      'It cannot be reached. The run waits (Ctrl+C stops waiting; nothing is lost).\n',
    ]);
    const team: string[] = [];
    const desk = new ConnectionWords(status('online', null, true), (l) => team.push(l));
    desk.tell(status('offline', 'The team database cannot be reached.', false));
    expect(desk.teamLost).toBe(true);
    desk.tell(status('online', null, true));
    expect(team).toEqual([
      'The team database cannot be reached. The run waits for it (Ctrl+C stops waiting; nothing is lost).\n',
      'The team database answers again.\n',
    ]);
    expect(desk.teamLost).toBe(false);
  });

  it('says when sending is paused in the data folder, and when it is resumed (walk 18b)', () => {
    const lines: string[] = [];
    const paused = { ...status('online'), paused: true } as ConnectionStatus;
    const words = new ConnectionWords(paused, (l) => lines.push(l));
    words.tell(paused);
    words.tell({ ...paused, paused: false });
    expect(lines).toEqual([
      'Sending is paused in this data folder (Pause in the app): nothing is sent until it is resumed there (Resume). The run waits (Ctrl+C stops waiting; nothing is lost).\n',
      'Sending was resumed.\n',
    ]);
  });

  it('at the end of a run says only that the access point answers again (walk 18b)', async () => {
    const lines: string[] = [];
    const words = new ConnectionWords(status('trouble', 'Having problems.'), (l) => lines.push(l));
    await words.settled(() => status('offline', 'Gone.'));
    await words.settled(() => status('online'));
    expect(lines).toEqual([
      'Having problems. The run waits (Ctrl+C stops waiting; nothing is lost).\n',
      'The access point answers again.\n',
    ]);
  });
});

describe("a run's last words when the access point refuses (walk 20)", () => {
  it("says where the invoices stay: the data folder, or the team's queue on a team", () => {
    expect(refusedWordsForRun(KEY_REFUSED_WORDS)).toContain(
      'The invoices stay queued in the data folder: check the key',
    );
    expect(refusedWordsForRun(KEY_REFUSED_WORDS, true)).toContain(
      "The invoices stay on the team's queue (other desks may send them): check the key",
    );
  });

  it('sends refused for the account: the access point\'s words, and no "sent by themselves"', () => {
    const words = refusedWordsForRun(sendsRefusedWords('This API key may not send documents'));
    expect(words).toBe(
      'The access point refuses to send invoices with this API key (it answered "This API key may not send documents" to several invoices), although it answers other requests. The invoices stay queued in the data folder: ask your provider about the account, and run the command again.',
    );
  });
});

describe('a team desk that does not send, said by a run (walk 20 W3)', () => {
  it('names the options and the key variable, not Settings', () => {
    expect(
      teamWordsForRun(
        'This desk does not send: … To send from this desk too, set the same access point and API key as those desks in Settings.',
      ),
    ).toBe(
      'This desk does not send: … To send from this desk too, set the same access point and API key as those desks (--endpoint, and PEPPOL_DESK_API_KEY, --api-key-file, or the key saved in the app).',
    );
  });
});

describe('the team database lost, said by a run (walk 20 W2)', () => {
  it('speaks of the run and its data folder, not of files dropped here', () => {
    expect(
      teamWordsForRun(
        'The team database at t cannot be reached: documents dropped here are kept on this computer and handed over when it is back.',
      ),
    ).toBe(
      'The team database at t cannot be reached: the invoices of this run are kept in its data folder and handed over when it is back.',
    );
  });
});
