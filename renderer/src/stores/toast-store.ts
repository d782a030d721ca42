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
  /** Its cause was the team database out of reach: it goes once the database answers again. */
  untilTeamBack?: boolean;
  /**
   * What it is about: a message pushed with the key of one on screen replaces it (walk 21: "Show
   * which" put a drop's message a second time under the one still open, stacked).
   */
  key?: string;
}

interface ToastState {
  toasts: Toast[];
  push(toast: Omit<Toast, 'id'>): number;
  update(id: number, patch: Partial<Omit<Toast, 'id'>>): void;
  dismiss(id: number): void;
  /** Close the messages with these keys. */
  dismissKeys(keys: readonly string[]): void;
}

let nextId = 1;
const MAX_TOASTS = 4;

export const useToastStore = create<ToastState>()((set) => ({
  toasts: [],
  push(toast) {
    const id = nextId++;
    set((s) => {
      const others =
        toast.key === undefined ? s.toasts : s.toasts.filter((t) => t.key !== toast.key);
      return { toasts: withRoom([...others, { ...toast, id }]) };
    });
    return id;
  },
  update(id, patch) {
    set((s) => ({ toasts: s.toasts.map((t) => (t.id === id ? { ...t, ...patch } : t)) }));
  },
  dismiss(id) {
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  },
  dismissKeys(keys) {
    const gone = new Set(keys);
    set((s) => ({ toasts: s.toasts.filter((t) => t.key === undefined || !gone.has(t.key)) }));
  },
}));

/**
 * At most MAX_TOASTS shown: the oldest that closes by itself goes first, and one that stays until
 * the person closes it (files not added, an error) only when all of them stay (walk 11: the
 * names of a drop's files that were not added went with the next four messages).
 */
function withRoom(toasts: Toast[]): Toast[] {
  const out = [...toasts];
  while (out.length > MAX_TOASTS) {
    const passing = out.findIndex((t) => t.ttlMs !== null);
    out.splice(passing >= 0 ? passing : 0, 1);
  }
  return out;
}

/**
 * Shorthand for an error value coming back over the bridge (or its words). One that says the
 * team database cannot be reached goes once it answers again (walk 17b: "Could not retry … the
 * team database cannot be reached" stayed beside "Online" for minutes).
 */
export function toastError(title: string, error: string | { code: string; message: string }): void {
  const message = typeof error === 'string' ? error : error.message;
  const untilTeamBack = typeof error !== 'string' && error.code === 'TEAM_STORE_UNAVAILABLE';
  useToastStore.getState().push({
    kind: 'error',
    title,
    lines: [message],
    ttlMs: null,
    ...(untilTeamBack ? { untilTeamBack } : {}),
  });
}

/** The team database answers again: the messages it caused go. */
export function clearTeamDatabaseErrors(): void {
  const { toasts } = useToastStore.getState();
  if (toasts.some((t) => t.untilTeamBack))
    useToastStore.setState({ toasts: toasts.filter((t) => !t.untilTeamBack) });
}
