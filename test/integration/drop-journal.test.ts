/**
 * A drop's journal (migration 025; walk 23 B2, walk 23b N6): a drop of 3,000 files stopped after
 * 1,000 (Peppol Desk stopped, or its page closed) left 2,000 files that only that page knew of; a
 * new page, as the app advises after a restart, said nothing of them. The page names the drop's
 * files before handing the first over; any page later is told which were not taken.
 */
import { describe, expect, it } from 'vitest';
import { DROP_QUIET_MS, LEFT_OUT_KEPT, NAMES_SHOWN } from '../../app/store/drops';
import { useEngines } from '../helpers/engine';
import { makeInvoice } from '../helpers/invoices';
import { MemoryTeamStore } from '../helpers/team-memory-store';
import { useTeamDesks } from '../helpers/team-desks';

const engines = useEngines({ trackDelivery: false });
const team = useTeamDesks();
const file = (name: string) => ({ name, bytes: makeInvoice(name.replace('.xml', '')) });

describe("a drop's journal", () => {
  it('a drop stopped part way is named, with the files not taken, after a restart; Forget ends it', async () => {
    const dataDir = engines.tempDir();
    const first = await engines({ dataDir });
    const names = Array.from({ length: 30 }, (_, i) => `DJ-${i}.xml`);
    const { dropId } = await first.handlers['drops:begin']({ names });
    expect(dropId).not.toBeNull();
    await first.handlers['documents:add']({
      files: names.slice(0, 4).map(file),
      drop: { id: dropId!, handed: 4 },
    });
    // Still going, as far as this run knows: not a stopped drop (another page may be adding).
    expect(await first.handlers['drops:unfinished'](undefined)).toEqual({ drops: [] });
    await engines.stop(first);

    const second = await engines({ dataDir });
    const { drops } = await second.handlers['drops:unfinished'](undefined);
    expect(drops).toEqual([
      {
        id: dropId,
        startedAt: expect.any(Number),
        total: 30,
        notAdded: 26,
        names: names.slice(4, 4 + NAMES_SHOWN),
      },
    ]);
    await second.handlers['drops:forget']({ dropIds: [dropId!] });
    expect(await second.handlers['drops:unfinished'](undefined)).toEqual({ drops: [] });
  });

  it('a drop of this run not heard of for DROP_QUIET_MS is stopped (its page closed); one ended is not', async () => {
    let clock = Date.UTC(2026, 11, 7, 8);
    const engine = await engines({ now: () => clock });
    const stopped = await engine.handlers['drops:begin']({ names: ['A.xml', 'B.xml'] });
    const ended = await engine.handlers['drops:begin']({ names: ['C.xml'] });
    await engine.handlers['documents:add']({
      files: [file('C.xml')],
      drop: { id: ended.dropId!, handed: 1 },
    });
    await engine.handlers['drops:end']({ dropId: ended.dropId! });
    clock += DROP_QUIET_MS - 1;
    expect((await engine.handlers['drops:unfinished'](undefined)).drops).toEqual([]);
    clock += 1;
    expect((await engine.handlers['drops:unfinished'](undefined)).drops).toMatchObject([
      { id: stopped.dropId, total: 2, notAdded: 2, names: ['A.xml', 'B.xml'] },
    ]);
  });

  // Walk 25 A4: two stopped drops of the same 3,000 files said "5,600 files of 2 drops … not
  // added", and still did after the clerk dropped them again, as advised, and all were sent.
  it("files of stopped drops dropped again are the new drop's: a drop giving all of them is over, counted once", async () => {
    const dataDir = engines.tempDir();
    const names = Array.from({ length: 30 }, (_, i) => `DA-${i}.xml`);
    const first = await engines({ dataDir });
    for (const handed of [4, 10]) {
      const { dropId } = await first.handlers['drops:begin']({ names });
      await first.handlers['documents:add']({
        files: names.slice(0, handed).map(file),
        drop: { id: dropId!, handed },
      });
    }
    await engines.stop(first);

    const second = await engines({ dataDir });
    const before = (await second.handlers['drops:unfinished'](undefined)).drops;
    expect(before.map((d) => d.notAdded)).toEqual([26, 20]);
    // Dropped again in part (the first 15 and the last 5): what is still not added of each.
    const part = [...names.slice(0, 15), ...names.slice(25)];
    await second.handlers['drops:begin']({ names: part });
    const after = (await second.handlers['drops:unfinished'](undefined)).drops;
    expect(after).toEqual([
      {
        id: before[0]!.id,
        startedAt: before[0]!.startedAt,
        total: 30,
        notAdded: 10,
        inLaterDrop: 16,
        names: names.slice(15, 25),
      },
      {
        id: before[1]!.id,
        startedAt: before[1]!.startedAt,
        total: 30,
        notAdded: 10,
        inLaterDrop: 10,
        names: names.slice(15, 25),
      },
    ]);
    // Dropped again whole: both are over (the new drops are this run's and still going).
    await second.handlers['drops:begin']({ names });
    expect(await second.handlers['drops:unfinished'](undefined)).toEqual({ drops: [] });
  });

  it('a drop whose files were all taken but never ended (its page closed just then) is ended quietly', async () => {
    const dataDir = engines.tempDir();
    const first = await engines({ dataDir });
    const { dropId } = await first.handlers['drops:begin']({ names: ['D.xml'] });
    await first.handlers['documents:add']({
      files: [file('D.xml')],
      drop: { id: dropId!, handed: 1 },
    });
    await engines.stop(first);
    const second = await engines({ dataDir });
    expect((await second.handlers['drops:unfinished'](undefined)).drops).toEqual([]);
  });

  // Walk 25 B1: files a drop could not add (empty, too large) were named by that page's message
  // and its drop zone only, which live in the tab: a new tab had no trace of them.
  it('a drop that ended with files not added keeps its words for any page, after a restart too, until forgotten', async () => {
    const dataDir = engines.tempDir();
    const first = await engines({ dataDir });
    const { dropId } = await first.handlers['drops:begin']({ names: ['E.xml', 'F.xml'] });
    await first.handlers['documents:add']({
      files: [file('F.xml'), { name: 'E.xml', bytes: new Uint8Array() }],
      drop: { id: dropId!, handed: 2 },
    });
    const leftOut = {
      title: '1 added, 1 not added',
      lines: ['E.xml: The file is empty.'],
      notAdded: 1,
    };
    await first.handlers['drops:end']({ dropId: dropId!, leftOut });
    const told = [
      { id: dropId, startedAt: expect.any(Number), total: 2, notAdded: 1, names: [], leftOut },
    ];
    // At once, not after the quiet time of a stopped drop: it is over.
    expect((await first.handlers['drops:unfinished'](undefined)).drops).toEqual(told);
    await engines.stop(first);
    const second = await engines({ dataDir });
    expect((await second.handlers['drops:unfinished'](undefined)).drops).toEqual(told);
    // A later drop naming the same file does not take it over (it is not a stopped drop's).
    const again = await second.handlers['drops:begin']({ names: ['E.xml'] });
    await second.handlers['drops:end']({ dropId: again.dropId! });
    expect((await second.handlers['drops:unfinished'](undefined)).drops).toEqual(told);
    await second.handlers['drops:forget']({ dropIds: [dropId!] });
    expect((await second.handlers['drops:unfinished'](undefined)).drops).toEqual([]);
  });

  it('keeps the last LEFT_OUT_KEPT such drops, and ends one whose words are not a page’s', async () => {
    const engine = await engines();
    const ids: number[] = [];
    for (let i = 0; i < LEFT_OUT_KEPT + 3; i++) {
      const { dropId } = await engine.handlers['drops:begin']({ names: [`K-${i}.xml`] });
      ids.push(dropId!);
      const lines = [`K-${i}.xml: The file is empty.`];
      await engine.handlers['drops:end']({
        dropId: dropId!,
        leftOut: { title: 't', lines, notAdded: 1 },
      });
    }
    const kept = (await engine.handlers['drops:unfinished'](undefined)).drops.map((d) => d.id);
    expect(kept).toEqual(ids.slice(3));
    const { dropId } = await engine.handlers['drops:begin']({ names: ['L.xml'] });
    const odd = { title: 't', lines: ['x'.repeat(6_000)], notAdded: 1 };
    await engine.handlers['drops:end']({ dropId: dropId!, leftOut: odd });
    const after = (await engine.handlers['drops:unfinished'](undefined)).drops.map((d) => d.id);
    expect(after).toEqual(ids.slice(3));
  });

  it('refuses a drop that names its files wrongly, in words', async () => {
    const engine = await engines();
    expect(() => engine.handlers['drops:begin']({ names: [1, 2] as unknown as string[] })).toThrow(
      'A drop names its files as a list of names.',
    );
  });

  it("a team desk keeps its pages' drops in its own data folder, the same way", async () => {
    const store = new MemoryTeamStore();
    const dataDir = team.tempDir();
    const first = await team.desk(store, null, 'desk A', { dataDir });
    const names = ['TD-1.xml', 'TD-2.xml', 'TD-3.xml'];
    const { dropId } = await first.handlers['drops:begin']({ names });
    expect(dropId).not.toBeNull();
    await first.handlers['documents:add']({
      files: [file('TD-1.xml')],
      drop: { id: dropId!, handed: 1 },
    });
    await first.stop();
    const second = await team.desk(store, null, 'desk A', { dataDir });
    expect((await second.handlers['drops:unfinished'](undefined)).drops).toMatchObject([
      { id: dropId, total: 3, notAdded: 2, names: ['TD-2.xml', 'TD-3.xml'] },
    ]);
  });
});
