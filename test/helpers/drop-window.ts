/**
 * The page's window as the drop code (renderer/src/features/drop/add-files.ts) sees it, outside a
 * browser: `window.api` answers `settings:get` with `maxDocumentBytes`, a list with nothing, and
 * each `documents:add` by adding every file, unless `add` answers that call with an error.
 * Set on this test file's own global (each test file runs apart: its timers may outlive the test).
 */
export function fakeDropWindow(options: {
  maxDocumentBytes: number;
  /** Each add's file names and its number (1, 2, …): an error to answer with, or null. */
  add?: (names: string[], call: number) => { code: string; message: string } | null;
}): void {
  let call = 0;
  (globalThis as unknown as { window?: unknown }).window = {
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    api: {
      invoke: async (channel: string, arg: { files: { name: string }[] }) => {
        if (channel === 'settings:get')
          return { ok: true, value: { maxDocumentBytes: options.maxDocumentBytes } };
        if (channel === 'documents:list')
          return { ok: true, value: { rows: [], total: 0, counts: {} } };
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
}
