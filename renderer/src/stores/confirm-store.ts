import type { ReactNode } from 'react';
import { create } from 'zustand';

/** A decision the person must take deliberately: what it does, and the two ways out. */
export interface ConfirmRequest {
  title: string;
  body: ReactNode;
  /** The button that acts ("Send anyway", "Cancel 3 documents"): never the default one. */
  confirmLabel: string;
  /** The button that changes nothing ("Keep holding"): focused, so Enter does not act. */
  keepLabel: string;
  testId: string;
}

interface ConfirmState {
  request: ConfirmRequest | null;
  resolve: ((ok: boolean) => void) | null;
  /** Shows the question; resolves true only when the person chose the acting button. */
  ask(request: ConfirmRequest): Promise<boolean>;
  answer(ok: boolean): void;
}

export const useConfirmStore = create<ConfirmState>()((set, get) => ({
  request: null,
  resolve: null,
  ask(request) {
    // A question still open is answered "keep": only one decision at a time.
    get().resolve?.(false);
    return new Promise<boolean>((resolve) => set({ request, resolve }));
  },
  answer(ok) {
    const { resolve } = get();
    set({ request: null, resolve: null });
    resolve?.(ok);
  },
}));
