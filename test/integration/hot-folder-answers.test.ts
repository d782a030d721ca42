import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DocumentState, IncomingFile } from '../../app/contract';
import { startHotFolder } from '../../app/hot-folder';
import { useTempDirs } from '../helpers/temp';
import { waitFor } from '../helpers/wait';

const tempDir = useTempDirs();

/** One file through a hot folder whose document goes through `states`, one change at a time. */
async function follow(states: DocumentState[]) {
  const folder = tempDir();
  writeFileSync(join(folder, 'inv-1.xml'), '<x>1</x>');
  let state: DocumentState = 'received';
  // Each state read by the hot folder: the next change comes only after it saw this one.
  let seen = 0;
  let changed: (ids: number[]) => void = () => undefined;
  const hot = startHotFolder(
    { folder, stabilityMs: 50 },
    {
      add: (files: IncomingFile[]) => ({
        added: files.map((f) => ({ id: 1, fileName: f.name })),
        known: [],
        rejected: [],
      }),
      status: () => ({
        state: ((seen += 1), state),
        reason: state === 'rejected' ? 'The buyer rejected the invoice: wrong order number.' : null,
        details: [],
      }),
      onChanged: (listener) => {
        changed = listener;
        return () => undefined;
      },
      tracksDelivery: true,
    },
  );
  await hot.ready;
  for (const s of states) {
    if (s === 'delivered') await waitFor('the file taken', () => seen > 0);
    state = s;
    const before = seen;
    changed([1]);
    await waitFor(`${s} seen`, () => seen > before);
    if (s === 'delivered') {
      await waitFor('moved to sent/', () => existsSync(join(folder, 'sent', 'inv-1.xml')));
    }
  }
  return { folder, hot };
}

// Last session's note: a queried invoice marked handled whose buyer then rejects it is back in
// Needs attention, but the hot folder had stopped following it at "handled": its file stayed in
// sent/, where a clerk reads that it went through.
describe('hot folder: the buyer answers after delivery', () => {
  it('a rejection after a query moves the file from sent/ to failed/ with the reason', async () => {
    const { folder, hot } = await follow(['delivered', 'under_query', 'rejected']);
    await waitFor('moved to failed/', () => existsSync(join(folder, 'failed', 'inv-1.xml')));
    expect(existsSync(join(folder, 'sent', 'inv-1.xml'))).toBe(false);
    await hot.close();
  });

  it('also when the clerk had marked the query handled before the rejection came', async () => {
    const { folder, hot } = await follow(['delivered', 'under_query', 'handled', 'rejected']);
    await waitFor('moved to failed/', () => existsSync(join(folder, 'failed', 'inv-1.xml')));
    expect(existsSync(join(folder, 'sent', 'inv-1.xml'))).toBe(false);
    const reasons = readdirSync(join(folder, 'failed')).filter((n) => n !== 'inv-1.xml');
    expect(reasons).toHaveLength(1);
    await hot.close();
  });
});
