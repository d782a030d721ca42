import { create } from 'zustand';

export type ToastKind = 'info' | 'success' | 'warning' | 'error';

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  lines: string[];
  /** Auto-dismiss after this many ms; null keeps it until the person closes it. */
  ttlMs: number | null;
  /** One button on the message (e.g. Undo); the message closes when it is used. */
  action?: { label: string; testId: string; run(): void };
}

interface ToastState {
  toasts: Toast[];
  push(toast: Omit<Toast, 'id'>): number;
  update(id: number, patch: Partial<Omit<Toast, 'id'>>): void;
  dismiss(id: number): void;
}

let nextId = 1;
const MAX_TOASTS = 4;

export const useToastStore = create<ToastState>()((set) => ({
  toasts: [],
  push(toast) {
    const id = nextId++;
    set((s) => ({ toasts: [...s.toasts, { ...toast, id }].slice(-MAX_TOASTS) }));
    return id;
  },
  update(id, patch) {
    set((s) => ({ toasts: s.toasts.map((t) => (t.id === id ? { ...t, ...patch } : t)) }));
  },
  dismiss(id) {
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  },
}));

/** Shorthand for an error value coming back over the bridge. */
export function toastError(title: string, message: string): void {
  useToastStore.getState().push({ kind: 'error', title, lines: [message], ttlMs: null });
}
