import { readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BodyFiles,
  type BodyRef,
  BodyUnreadableError,
  CURRENT_FILE,
  bodyFileName,
} from '../../app/store/body-files';
import { useTempDirs } from '../helpers/temp';

const tempDir = useTempDirs();

function bodies(n: number, from = 0): Buffer[] {
  return Array.from({ length: n }, (_, i) =>
    Buffer.from(`<Invoice n="${from + i}">${'x'.repeat(i)}</Invoice>`),
  );
}

describe('body files', () => {
  it('appends bodies one after another in a new file of the folder and reads each back', async () => {
    const dir = join(tempDir(), 'bodies');
    const files = new BodyFiles(dir);
    const first = bodies(300);
    const refs = files.append(first);
    expect(refs[0]).toEqual({ file: 1, offset: 0 });
    expect(refs[1]).toEqual({ file: 1, offset: first[0]!.length });
    await files.sync();
    refs.forEach((r, i) => expect(files.read(r, first[i]!.length).equals(first[i]!)).toBe(true));
    // Exactly the bytes, once each, in order.
    expect(readFileSync(join(dir, bodyFileName(1))).equals(Buffer.concat(first))).toBe(true);
    // Only its user may enter the folder and read the file.
    if (process.platform !== 'win32') {
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, bodyFileName(1))).mode & 0o777).toBe(0o600);
    }
    files.close();
  });

  it('has nothing to sync before an append, and a sync after one resolves once the writes ended', async () => {
    const files = new BodyFiles(join(tempDir(), 'bodies'));
    expect(files.sync()).toBeNull();
    const [b] = bodies(1);
    const [ref] = files.append([b!]);
    const synced = files.sync();
    expect(synced).not.toBeNull();
    await synced;
    expect(files.sync()).toBeNull();
    expect(files.read(ref!, b!.length).equals(b!)).toBe(true);
    files.close();
  });

  it('never appends to a file another writer made: a second writer (another engine, a restart) takes the next number', async () => {
    const dir = join(tempDir(), 'bodies');
    const a = new BodyFiles(dir);
    const b = new BodyFiles(dir);
    const [ra] = a.append(bodies(1, 1));
    const [rb] = b.append(bodies(1, 2));
    const [ra2] = a.append(bodies(1, 3));
    await Promise.all([a.sync(), b.sync()]);
    expect([ra!.file, rb!.file, ra2!.file]).toEqual([1, 2, 1]);
    a.close();
    b.close();
    // After a restart: the earlier files are read, new bodies go to a file of their own.
    const c = new BodyFiles(dir);
    expect(c.read(rb!, bodies(1, 2)[0]!.length).equals(bodies(1, 2)[0]!)).toBe(true);
    const [rc] = c.append(bodies(1, 4));
    expect(rc!.file).toBe(3);
    await c.sync();
    c.close();
    expect(readdirSync(dir).sort()).toEqual([1, 2, 3].map(bodyFileName));
  });

  it("the folder's holder goes on with the previous holder's file after its last byte; other writers never touch it", async () => {
    const dir = join(tempDir(), 'bodies');
    const runs = [bodies(2, 1), bodies(2, 3), bodies(2, 5)];
    const refs: BodyRef[] = [];
    // Three runs of an engine holding the folder (a `send` per invoice): one file.
    for (const run of runs) {
      const h = new BodyFiles(dir, undefined, true);
      refs.push(...h.append(run));
      await h.sync();
      h.close();
    }
    expect(readdirSync(dir).sort()).toEqual([bodyFileName(1), CURRENT_FILE]);
    expect(readFileSync(join(dir, bodyFileName(1))).equals(Buffer.concat(runs.flat()))).toBe(true);
    // A tool without the folder makes a file of its own and does not name it current ...
    const tool = new BodyFiles(dir);
    const [rt] = tool.append(bodies(1, 7));
    expect(rt!.file).toBe(2);
    await tool.sync();
    // ... so the next holder, while the tool is still open, goes on with file 1, not the tool's.
    const h = new BodyFiles(dir, undefined, true);
    const [rh] = h.append(bodies(1, 8));
    expect(rh).toEqual({ file: 1, offset: Buffer.concat(runs.flat()).length });
    await h.sync();
    const r = new BodyFiles(dir);
    [...runs.flat(), bodies(1, 8)[0]!].forEach((b, i) =>
      expect(r.read([...refs, rh!][i]!, b.length).equals(b)).toBe(true),
    );
    for (const f of [tool, h, r]) f.close();
  });

  it('a holder starts a new file when the current one is full, gone or not named', async () => {
    const dir = join(tempDir(), 'bodies');
    const first = new BodyFiles(dir, 100, true);
    first.append(bodies(1, 1));
    await first.sync();
    first.close();
    // Full: 90 bytes do not fit after the first body in a file of at most 100.
    const full = new BodyFiles(dir, 100, true);
    const [r2] = full.append([Buffer.alloc(90, 65)]);
    expect(r2!.file).toBe(2);
    await full.sync();
    full.close();
    expect(readFileSync(join(dir, CURRENT_FILE), 'utf8').trim()).toBe('2');
    // Named but gone (the folder changed by hand), then a damaged name: a new file each time.
    writeFileSync(join(dir, CURRENT_FILE), '9\n');
    const gone = new BodyFiles(dir, 100, true);
    expect(gone.append(bodies(1, 3))[0]!.file).toBe(3);
    await gone.sync();
    gone.close();
    writeFileSync(join(dir, CURRENT_FILE), 'x');
    const damaged = new BodyFiles(dir, 100, true);
    expect(damaged.append(bodies(1, 4))[0]!.file).toBe(4);
    await damaged.sync();
    damaged.close();
  });

  it('starts another file once one is full, and reads from both', async () => {
    const dir = join(tempDir(), 'bodies');
    const files = new BodyFiles(dir, 100);
    const all = bodies(6, 10);
    const refs = all.flatMap((b) => files.append([b]));
    await files.sync();
    expect(new Set(refs.map((r) => r.file)).size).toBeGreaterThan(1);
    for (const f of readdirSync(dir))
      expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(100 + 40);
    refs.forEach((r, i) => expect(files.read(r, all[i]!.length).equals(all[i]!)).toBe(true));
    files.close();
  });

  it.runIf(process.platform === 'linux')(
    'keeps a bounded number of files open, however many files it reads',
    async () => {
      const files = new BodyFiles(join(tempDir(), 'bodies'), 10);
      const all = bodies(80);
      const refs = all.flatMap((b) => files.append([b]));
      await files.sync();
      expect(new Set(refs.map((r) => r.file)).size).toBe(80);
      const open = () => readdirSync('/proc/self/fd').length;
      const before = open();
      refs.forEach((r, i) => expect(files.read(r, all[i]!.length).equals(all[i]!)).toBe(true));
      expect(open() - before).toBeLessThanOrEqual(32);
      files.close();
      expect(open()).toBeLessThan(before);
    },
  );

  it('says plainly when a body cannot be read back whole', async () => {
    const dir = join(tempDir(), 'bodies');
    const files = new BodyFiles(dir);
    const [b] = bodies(1, 7);
    const [ref] = files.append([b!]);
    await files.sync();
    files.close();
    truncateSync(join(dir, bodyFileName(1)), 5);
    const reader = new BodyFiles(dir);
    expect(() => reader.read(ref!, b!.length)).toThrow(BodyUnreadableError);
    expect(() => reader.read(ref!, b!.length)).toThrow(/incomplete .*Add the invoice file again/);
    reader.close();
    // A file gone altogether (a partial restore) is said as missing, not as a system error.
    rmSync(join(dir, bodyFileName(1)));
    const after = new BodyFiles(dir);
    expect(() => after.read(ref!, b!.length)).toThrow(BodyUnreadableError);
    expect(() => after.read(ref!, b!.length)).toThrow(
      /is missing \(bodies\/000001\.bodies is not in the data folder\).*Add the invoice file again/,
    );
    after.close();
  });

  it('closes with a write still running without losing it', async () => {
    const dir = join(tempDir(), 'bodies');
    const files = new BodyFiles(dir);
    const all = bodies(50);
    files.append(all);
    const synced = files.sync();
    files.close();
    await synced;
    expect(readFileSync(join(dir, bodyFileName(1))).equals(Buffer.concat(all))).toBe(true);
  });
});
