/** The handlers of a drop's journal (see DropJournal, app/store/drops.ts). */
import { AppError } from '../errors';
import type { Handlers } from '../contract';
import type { DropJournal } from '../store/drops';

type DropChannels = 'drops:begin' | 'drops:end' | 'drops:unfinished' | 'drops:forget';

/** Most names one drop may give (a month-end of 100,000 files fits many times over). */
const MAX_NAMES = 1_000_000;

/** Single desk and team desk alike: each keeps the journal in its own data folder. */
export function dropHandlers({ drops }: { drops: DropJournal }): Pick<Handlers, DropChannels> {
  return {
    'drops:begin': ({ names }) => {
      if (
        !Array.isArray(names) ||
        names.length > MAX_NAMES ||
        names.some((n) => typeof n !== 'string')
      )
        throw new AppError('BAD_REQUEST', 'A drop names its files as a list of names.');
      return { dropId: drops.begin(names) };
    },
    'drops:end': ({ dropId, leftOut }) =>
      leftOut ? drops.endWithLeftOut(dropId, leftOut) : drops.end(dropId),
    'drops:unfinished': () => ({ drops: drops.unfinished() }),
    'drops:forget': ({ dropIds }) => {
      for (const id of Array.isArray(dropIds) ? dropIds : []) drops.end(id);
    },
  };
}
