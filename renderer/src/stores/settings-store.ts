import { create } from 'zustand';
import type { ErrorValue, Settings, SettingsPatch } from '../../../app/contract';
import { getApi } from '../bridge';

interface SettingsState {
  settings: Settings | null;
  open: boolean;
  saving: boolean;
  error: ErrorValue | null;
  /** The last read was made while the dialog was open (not on opening it): see SettingsForm. */
  readAgain: boolean;
  /** Read the settings: on opening the dialog, or `again` while it is open. */
  load(when?: 'open' | 'again'): Promise<void>;
  setOpen(open: boolean): void;
  /** Saves the patch; resolves true when the engine accepted it. */
  save(patch: SettingsPatch): Promise<boolean>;
}

export const useSettingsStore = create<SettingsState>()((set) => ({
  settings: null,
  open: false,
  saving: false,
  error: null,
  readAgain: false,
  async load(when = 'open') {
    const result = await getApi().invoke('settings:get', undefined);
    if (result.ok) set({ settings: result.value, error: null, readAgain: when === 'again' });
    else set({ error: result.error });
  },
  setOpen(open) {
    set({ open, error: null });
  },
  async save(patch) {
    set({ saving: true, error: null });
    const result = await getApi().invoke('settings:set', patch);
    if (result.ok) {
      set({ settings: result.value, saving: false });
      return true;
    }
    set({ saving: false, error: result.error });
    return false;
  },
}));
