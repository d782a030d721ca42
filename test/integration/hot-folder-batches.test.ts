import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IncomingFile } from '../../app/contract';
import { startHotFolder } from '../../app/hot-folder';
import { useTempDirs } from '../helpers/temp';
import { waitFor } from '../helpers/wait';

const tempDir = useTempDirs();

// Issue 9: the hot folder added one file per `documents:add`, so a drop of N files cost N adds,
// each with its own sync of the queue (and a pipeline turn per file). Counted, not timed.
describe('hot folder adds', () => {
  it('takes a drop of N files in groups: a few adds, not one per file, and moves each to sent/', async () => {
    const N = 1000;
    const folder = tempDir();
    for (let i = 0; i < N; i++) writeFileSync(join(folder, `inv-${i}.xml`), `<x>${i}</x>`);
    const adds: number[] = [];
    // Files already in sent/ when each add is called.
    const sentAtAdd: number[] = [];
    let nextId = 1;
    // As in the engine: a document is final a moment after it was added, and said so by an event.
    const final = new Set<number>();
    let changed: (ids: number[]) => void = () => undefined;
    const hot = startHotFolder(
      { folder, stabilityMs: 50 },
      {
        add: async (files: IncomingFile[]) => {
          adds.push(files.length);
          const sent = join(folder, 'sent');
          sentAtAdd.push(existsSync(sent) ? readdirSync(sent).length : 0);
          await new Promise((r) => setTimeout(r, 5));
          const added = files.map((f) => ({ id: nextId++, fileName: f.name }));
          setTimeout(() => {
            for (const a of added) final.add(a.id);
            changed(added.map((a) => a.id));
          }, 1);
          return { added, known: [], rejected: [] };
        },
        status: (id) => ({
          state: final.has(id) ? 'delivered' : 'received',
          reason: null,
          details: [],
        }),
        onChanged: (listener) => {
          changed = listener;
          return () => undefined;
        },
      },
    );
    await hot.ready;
    await waitFor('every file moved to sent/', () =>
      existsSync(join(folder, 'sent')) ? readdirSync(join(folder, 'sent')).length === N : false,
    );
    await hot.close();
    expect(adds.reduce((a, b) => a + b, 0)).toBe(N);
    expect(Math.max(...adds)).toBeLessThanOrEqual(250);
    expect(adds.length).toBeLessThanOrEqual(10);
    // Files of the first groups were moved before the drop was all added (not all at the end).
    expect(adds.length).toBeGreaterThanOrEqual(4);
    expect(sentAtAdd.at(-1)).toBeGreaterThan(0);
  });

  // Issue 9 point 1: a drop of 100,000 files was added as fast as it arrived, each file then held
  // in memory until its document was done. The hot folder now keeps at most `backlog` documents
  // on their way (held duplicates aside); the other files wait in the folder.
  it('keeps at most `backlog` documents on their way; the rest wait in the folder and are taken as those are done', async () => {
    const N = 600;
    const BACKLOG = 200;
    const folder = tempDir();
    for (let i = 0; i < N; i++) writeFileSync(join(folder, `inv-${i}.xml`), `<x>${i}</x>`);
    let nextId = 1;
    const final = new Set<number>();
    const logs: string[] = [];
    // Documents added and not final, as each add is called (before it adds its own).
    const onTheirWay: number[] = [];
    const added: number[] = [];
    let changed: (ids: number[]) => void = () => undefined;
    const hot = startHotFolder(
      { folder, stabilityMs: 50, backlog: BACKLOG },
      {
        add: (files: IncomingFile[]) => {
          onTheirWay.push(added.length - final.size + files.length);
          const ids = files.map((f) => ({ id: nextId++, fileName: f.name }));
          added.push(...ids.map((a) => a.id));
          return { added: ids, known: [], rejected: [] };
        },
        status: (id) => ({
          state: final.has(id) ? 'delivered' : 'received',
          reason: null,
          details: [],
        }),
        onChanged: (listener) => {
          changed = listener;
          return () => undefined;
        },
        log: (line) => logs.push(line),
      },
    );
    await hot.ready;
    // Nothing becomes final: the hot folder stops at the backlog and says why (files arriving in
    // a few groups may leave it up to a quarter short: it takes again only with that much room).
    await waitFor('the backlog full', () =>
      logs.some((l) => /200 invoices are on their way/.test(l)),
    );
    const first = added.length;
    expect(first).toBeGreaterThan(BACKLOG - BACKLOG / 4);
    expect(first).toBeLessThanOrEqual(BACKLOG);
    expect(readdirSync(folder).filter((n) => n.endsWith('.xml'))).toHaveLength(N);
    // 150 done: more are taken, up to the backlog.
    // One event per document, as documents finish one by one.
    const done = (ids: number[]) => {
      for (const id of ids) {
        final.add(id);
        changed([id]);
      }
    };
    done(added.slice(0, 150));
    await waitFor('150 moved to sent/', () => readdirSync(join(folder, 'sent')).length === 150);
    await waitFor('more taken', () => added.length > first);
    // Then everything as it comes: every file ends in sent/, once.
    for (let round = 0; round < 20 && final.size < N; round++) {
      done(added.filter((id) => !final.has(id)));
      await waitFor('more taken or all done', () => final.size === N || added.length > final.size);
    }
    await waitFor('every file in sent/', () => readdirSync(join(folder, 'sent')).length === N);
    await hot.close();
    expect(added).toHaveLength(N);
    expect(Math.max(...onTheirWay)).toBeLessThanOrEqual(BACKLOG);
    // Taken again in groups (a quarter of the backlog at least), not one add per document done.
    expect(onTheirWay.length).toBeLessThanOrEqual(N / (BACKLOG / 4) + 2);
  });

  // An accepted document waits only for its delivery's answer, which can take minutes at a real
  // access point: it must not hold the folder back (the first version of the backlog counted it,
  // and a drop stopped at the backlog until deliveries came in).
  it('does not count accepted documents waiting for their delivery against the backlog', async () => {
    const N = 600;
    const BACKLOG = 200;
    const folder = tempDir();
    for (let i = 0; i < N; i++) writeFileSync(join(folder, `acc-${i}.xml`), `<x>${i}</x>`);
    let nextId = 1;
    const accepted = new Set<number>();
    const added: number[] = [];
    let changed: (ids: number[]) => void = () => undefined;
    const hot = startHotFolder(
      { folder, stabilityMs: 50, backlog: BACKLOG },
      {
        add: (files: IncomingFile[]) => {
          const ids = files.map((f) => ({ id: nextId++, fileName: f.name }));
          added.push(...ids.map((a) => a.id));
          return { added: ids, known: [], rejected: [] };
        },
        status: (id) => ({
          state: accepted.has(id) ? 'accepted' : 'queued',
          reason: null,
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
    await waitFor('the backlog taken', () => added.length > BACKLOG - BACKLOG / 4);
    // Every document taken so far is accepted, none delivered: the rest must still be taken.
    for (let round = 0; round < 20 && added.length < N; round++) {
      const taken = added.length;
      const fresh = added.filter((id) => !accepted.has(id));
      for (const id of fresh) accepted.add(id);
      changed(fresh);
      await waitFor('more taken', () => added.length === N || added.length > taken);
    }
    expect(added).toHaveLength(N);
    // Nothing was delivered: every file still waits for its answer, none moved.
    expect(readdirSync(folder).filter((n) => n.endsWith('.xml'))).toHaveLength(N);
    await hot.close();
  });
});
