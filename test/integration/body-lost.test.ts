import { readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AddResult, IncomingFile } from '../../app/contract';
import { createEngine, memorySecretStore, type Engine } from '../../app/engine';
import { engineInternals } from '../../app/engine/internals';
import { startSandbox } from '../../app/sandbox/server';
import { BODY_LOST } from '../../app/store/body-files';
import { makeInvoices } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';
import { until } from '../helpers/wait';

// The kept copy of a dropped file (store/body-files.ts) can go missing or be cut short: a
// partial restore from a backup, a security tool removing a file, the folder changed by hand.
// Then that document alone fails, saying to add the file again; every other document goes on,
// and adding the file again stores it anew.

const tempDir = useTempDirs();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sandbox() {
  const s = await startSandbox({ latencyMs: 5 });
  cleanups.push(() => s.close());
  return s;
}

async function engine(dataDir: string, endpoint: string, more: object = {}): Promise<Engine> {
  const e = await createEngine({
    dataDir,
    secrets: memorySecretStore(),
    host: 'cli',
    endpoint,
    ...more,
  });
  cleanups.push(() => e.stop());
  return e;
}

/** Add `files` with an engine that does not start the queue (a tool), then stop it. */
async function addWithoutQueue(
  dataDir: string,
  endpoint: string,
  files: IncomingFile[],
): Promise<AddResult> {
  const tool = await createEngine({
    dataDir,
    secrets: memorySecretStore(),
    host: 'cli',
    endpoint,
    autoStart: false,
  });
  try {
    return await tool.handlers['documents:add']({ files });
  } finally {
    await tool.stop();
  }
}

/** The one body file of a fresh folder. */
function bodyFile(dataDir: string): string {
  const names = readdirSync(join(dataDir, 'bodies')).filter((n) => n.endsWith('.bodies'));
  expect(names).toHaveLength(1);
  return join(dataDir, 'bodies', names[0]!);
}

/** Cut the last document's bytes short (the documents' bodies are in the order added). */
function cutLast(dataDir: string): void {
  const f = bodyFile(dataDir);
  truncateSync(f, statSync(f).size - 100);
}

function states(e: Engine, res: AddResult): string[] {
  const { repo } = engineInternals(e);
  return res.added.map((a) => repo.get(a.id)!.state);
}

const FINAL_OK = ['accepted', 'delivered'];

describe('a document whose kept copy is lost', () => {
  it('while waiting to be checked: that one is invalid and says to add the file again; the others are sent', async () => {
    const s = await sandbox();
    const dataDir = tempDir();
    const files = makeInvoices(3, 'LOSTCHECK');
    // Added by a tool that does not start the queue, then damaged, then the app starts.
    const res = await addWithoutQueue(dataDir, s.url, files);
    cutLast(dataDir);
    const e = await engine(dataDir, s.url);
    await until(() => {
      const st = states(e, res);
      return FINAL_OK.includes(st[0]!) && FINAL_OK.includes(st[1]!) && st[2] === 'invalid';
    });
    const lost = engineInternals(e).repo.get(res.added[2]!.id)!;
    expect(lost.problem_code).toBe(BODY_LOST);
    expect(lost.problem_action).toBe('add-again');
    expect(lost.problem_message).toMatch(
      /^The copy of this invoice that Peppol Desk keeps is incomplete \(bodies\/000001\.bodies.*\), so it cannot be checked or sent\. Add the invoice file again\.$/,
    );
    expect(s.stats().acceptedDocuments).toBe(2);

    // Added again: stored anew (not "already known"), checked and sent; nothing twice.
    const again = await e.handlers['documents:add']({ files: [files[2]!] });
    expect(again.added).toHaveLength(1);
    expect(again.known).toHaveLength(0);
    await until(() => FINAL_OK.includes(states(e, again)[0]!));
    expect(s.stats().acceptedDocuments).toBe(3);
    expect(s.stats().duplicateContentAccepts).toBe(0);
  });

  for (const batching of [true, false]) {
    it(`while queued (${batching ? 'batches' : 'single sends'}): that one fails, the others are sent, and the queue does not stop`, async () => {
      const s = await sandbox();
      const dataDir = tempDir();
      const e = await engine(dataDir, s.url, { batching });
      await e.handlers['queue:pause'](undefined);
      const files = makeInvoices(4, `LOSTQ${batching ? 'B' : 'S'}`);
      const res = await e.handlers['documents:add']({ files });
      await until(() => states(e, res).every((st) => st === 'queued'));
      cutLast(dataDir);
      await e.handlers['queue:resume'](undefined);
      await until(() => {
        const st = states(e, res);
        return st.slice(0, 3).every((x) => FINAL_OK.includes(x)) && st[3] === 'failed';
      });
      const lost = engineInternals(e).repo.get(res.added[3]!.id)!;
      expect(lost.problem_code).toBe(BODY_LOST);
      expect(lost.problem_action).toBe('add-again');
      expect(lost.problem_message).toContain('Add the invoice file again.');
      expect(s.stats().acceptedDocuments).toBe(3);
      // Later documents still go.
      const more = await e.handlers['documents:add']({
        files: makeInvoices(2, `LOSTM${batching}`),
      });
      await until(() => states(e, more).every((x) => FINAL_OK.includes(x)));
      expect(s.stats().acceptedDocuments).toBe(5);
    });
  }

  it('a missing body file says so (the folder restored without it)', async () => {
    const s = await sandbox();
    const dataDir = tempDir();
    const res = await addWithoutQueue(dataDir, s.url, makeInvoices(2, 'LOSTFILE'));
    rmSync(bodyFile(dataDir));
    const e = await engine(dataDir, s.url);
    await until(() => states(e, res).every((st) => st === 'invalid'));
    const lost = engineInternals(e).repo.get(res.added[0]!.id)!;
    expect(lost.problem_code).toBe(BODY_LOST);
    expect(lost.problem_message).toMatch(
      /keeps is missing \(bodies\/000001\.bodies is not in the data folder\)/,
    );
    expect(s.stats().acceptedDocuments).toBe(0);
  });
});
