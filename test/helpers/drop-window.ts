import type { UnfinishedDrop } from '../../app/contract';

/** What the page asked of the engine, in order (see fakeDropWindow). */
export type DropCall = { channel: string; arg: unknown };

/**
 * The page's window as the drop code (renderer/src/features/drop/add-files.ts) sees it, outside a
 * browser: `window.api` answers `settings:get` with `maxDocumentBytes`, a list with nothing, and
 * each `documents:add` by adding every file, unless `add` answers that call with an error. The
 * drop's journal: `drops:begin` answers drop 7 (or `journal: false`: none),
 * `drops:unfinished` with `unfinished`. Returns every call made, in order.
 * Set on this test file's own global (each test file runs apart: its timers may outlive the test).
 */
export function fakeDropWindow(options: {
  maxDocumentBytes: number;
  /** Each add's file names and its number (1, 2, …): an error to answer with, or null. */
  add?: (names: string[], call: number) => { code: string; message: string } | null;
  journal?: boolean;
  unfinished?: UnfinishedDrop[];
}): DropCall[] {
  let call = 0;
  const calls: DropCall[] = [];
  (globalThis as unknown as { window?: unknown }).window = {
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    api: {
      invoke: async (channel: string, arg: { files: { name: string }[] }) => {
        calls.push({ channel, arg });
        if (channel === 'settings:get')
          return { ok: true, value: { maxDocumentBytes: options.maxDocumentBytes } };
        if (channel === 'documents:list')
          return { ok: true, value: { rows: [], total: 0, counts: {} } };
        if (channel === 'drops:begin')
          return { ok: true, value: { dropId: options.journal === false ? null : 7 } };
        if (channel === 'drops:unfinished')
          return { ok: true, value: { drops: options.unfinished ?? [] } };
        if (channel.startsWith('drops:')) return { ok: true, value: undefined };
        const names = arg.files.map((f) => f.name);
        const error = options.add?.(names, ++call) ?? null;
        if (error) return { ok: false, error };
        return {
          ok: true,
          value: {
            added: names.map((fileName, i) => ({ id: i + 1, fileName })),
            known: [],
            rejected: [],
          },
        };
      },
      on: () => () => undefined,
    },
  };
  return calls;
}
