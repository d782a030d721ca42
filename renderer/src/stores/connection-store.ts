import { create } from 'zustand';
import type { ConnectionStatus, RequestResult } from '../../../app/contract';
import { getApi, type LinkState } from '../bridge';
import { toastError } from './toast-store';

interface ConnectionState {
  status: ConnectionStatus | null;
  appInfo: RequestResult<'app:info'> | null;
  /** True while a pause/resume request is on its way. */
  switching: boolean;
  /** The page's event stream to Peppol Desk (browser host; always `open` in the app). */
  link: LinkState;
  setStatus(status: ConnectionStatus): void;
  setLink(link: LinkState): void;
  load(): Promise<void>;
  /** Ask the access point again what it offers (`connection:check`), then the status. */
  check(): Promise<void>;
  togglePause(): Promise<void>;
}

/**
 * Whether the queue's figures are known: not on a team desk, linked, that cannot reach its team
 * database (it cannot count the team's documents; the header and the filters show a dash).
 */
export function countsKnown(s: Pick<ConnectionState, 'link' | 'status'>): boolean {
  return !(s.link === 'open' && s.status?.team && !s.status.team.reachable);
}

export const useConnectionStore = create<ConnectionState>()((set, get) => ({
  status: null,
  appInfo: null,
  switching: false,
  link: 'open',
  setStatus(status) {
    set({ status });
  },
  setLink(link) {
    set({ link });
  },
  async check() {
    const status = await getApi().invoke('connection:check', undefined);
    if (status.ok) set({ status: status.value });
  },
  async load() {
    const api = getApi();
    const [status, info] = await Promise.all([
      api.invoke('connection:get', undefined),
      api.invoke('app:info', undefined),
    ]);
    if (status.ok) set({ status: status.value });
    // A page of an ended session: the header and the list say so already (walk 22b: a third
    // time in a toast).
    else if (status.error.code !== 'SESSION_EXPIRED')
      toastError('Could not read the connection state', status.error);
    if (info.ok) set({ appInfo: info.value });
  },
  async togglePause() {
    const paused = get().status?.paused ?? false;
    set({ switching: true });
    const result = await getApi().invoke(paused ? 'queue:resume' : 'queue:pause', undefined);
    set({ switching: false });
    if (result.ok) set({ status: result.value });
    else
      toastError(
        paused ? 'Could not resume sending' : 'Could not pause sending',
        result.error.message,
      );
  },
}));
