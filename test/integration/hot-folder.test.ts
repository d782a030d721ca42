import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex, type Engine } from '../../app/engine';
import { distFile } from '../helpers/dist';
import { makeCreditNote, makeInvoice } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';
import { waitFor } from '../helpers/wait';
import { engineInternals } from '../../app/engine/internals';

const engines = useEngines();
const tempDir = engines.tempDir;
const STABLE_MS = 300;

async function startEngine(
  options: { hotFolder?: string; hotFolderSubfolders?: boolean } = {},
): Promise<Engine> {
  const engine = await engines({
    trackDelivery: false,
    coalesceMs: 20,
    hotFolderStabilityMs: STABLE_MS,
    ...options,
  });
  return engine;
}

/** Polls `check` until it returns a value (not undefined/false), or fails after `timeoutMs`. */

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

function invalidInvoice(number: string): Uint8Array {
  const xml = new TextDecoder()
    .decode(makeInvoice(number))
    .replace(/<cbc:IssueDate>[^<]*<\/cbc:IssueDate>/, '');
  return new TextEncoder().encode(xml);
}

function allDocuments(engine: Engine) {
  return engineInternals(engine).repo.list({ filter: 'all', limit: 1000 }).rows;
}

describe('hot folder', () => {
  it('takes a file written slowly in chunks once, complete, and moves it to sent/', async () => {
    const folder = tempDir();
    const engine = await startEngine({ hotFolder: folder });
    const bytes = makeInvoice('HOT-SLOW-1');
    const path = join(folder, 'slow.xml');
    const fd = openSync(path, 'w');
    // Eight chunks, each well inside the stability window: never complete for long enough.
    const chunk = Math.ceil(bytes.length / 8);
    for (let i = 0; i < bytes.length; i += chunk) {
      writeSync(fd, bytes.subarray(i, i + chunk));
      await delay(STABLE_MS / 4);
    }
    closeSync(fd);

    await waitFor('slow.xml in sent/', () => existsSync(join(folder, 'sent', 'slow.xml')));
    expect(existsSync(path)).toBe(false);
    const docs = allDocuments(engine);
    expect(docs).toHaveLength(1);
    expect(docs[0]!.file_name).toBe('slow.xml');
    expect(docs[0]!.size).toBe(bytes.length);
    expect(docs[0]!.sha256).toBe(sha256Hex(bytes));
    expect(['accepted', 'delivered']).toContain(docs[0]!.state);
    expect(readFileSync(join(folder, 'sent', 'slow.xml'))).toEqual(Buffer.from(bytes));
  });

  it('moves a valid file to sent/ and an invalid one to failed/ with the reason beside it', async () => {
    const folder = tempDir();
    // Subfolders are taken only when asked for (setting hotFolderSubfolders).
    const engine = await startEngine({ hotFolder: folder, hotFolderSubfolders: true });
    mkdirSync(join(folder, 'march'));
    writeFileSync(join(folder, 'march', 'good.xml'), makeInvoice('HOT-GOOD-1'));
    writeFileSync(join(folder, 'bad.xml'), invalidInvoice('HOT-BAD-1'));

    // Subfolders keep their place under sent/.
    await waitFor('good.xml in sent/', () => existsSync(join(folder, 'sent', 'march', 'good.xml')));
    await waitFor('bad.xml in failed/', () => existsSync(join(folder, 'failed', 'bad.xml')));
    const reason = await waitFor('the reason file', () => {
      const p = join(folder, 'failed', 'bad.xml.reason.txt');
      return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
    });
    expect(reason).toContain('BR-03');
    expect(reason).toMatch(/issue date/i);
    expect(existsSync(join(folder, 'bad.xml'))).toBe(false);
    const states = allDocuments(engine)
      .map((d) => `${d.file_name}:${d.state}`)
      .sort();
    expect(states).toEqual(['bad.xml:invalid', 'march/good.xml:accepted']);
  });

  it('leaves a held duplicate in place until the clerk decides, then moves it with the decision', async () => {
    const folder = tempDir();
    const engine = await startEngine({ hotFolder: folder });
    writeFileSync(join(folder, 'first.xml'), makeInvoice('HOT-DUP-1'));
    await waitFor('first.xml in sent/', () => existsSync(join(folder, 'sent', 'first.xml')));
    // Same invoice number, different content: held as a possible duplicate.
    writeFileSync(join(folder, 'again.xml'), makeInvoice('HOT-DUP-1', { note: 'changed' }));
    const held = await waitFor('the held document', () =>
      allDocuments(engine).find((d) => d.file_name === 'again.xml' && d.state === 'held'),
    );
    // A later file is taken and finished after the held one was looked at (one file at a time).
    writeFileSync(join(folder, 'later.xml'), invalidInvoice('HOT-DUP-LATER'));
    await waitFor('later.xml in failed/', () => existsSync(join(folder, 'failed', 'later.xml')));
    expect(existsSync(join(folder, 'again.xml'))).toBe(true);
    expect(existsSync(join(folder, 'failed', 'again.xml'))).toBe(false);

    await engine.handlers['documents:sendAnyway']({ ids: [held.id] });
    await waitFor('again.xml in sent/', () => existsSync(join(folder, 'sent', 'again.xml')));
    expect(existsSync(join(folder, 'again.xml'))).toBe(false);
  });

  it('says why a file is held, in the document\'s words (walk 9: "as a possible duplicate" of a credit note the buyer does not take)', async () => {
    const folder = tempDir();
    const logged: string[] = [];
    const engine = await engines({
      trackDelivery: false,
      hotFolderStabilityMs: STABLE_MS,
      hotFolder: folder,
      log: (m) => logged.push(m),
    });
    writeFileSync(
      join(folder, 'cn.xml'),
      makeCreditNote('HOT-CN-1', { receiver: '9915:invoice-only' }),
    );
    const held = await waitFor('the held credit note', () =>
      allDocuments(engine).find((d) => d.file_name === 'cn.xml' && d.state === 'held'),
    );
    expect(held.problem_code).toBe('RECEIVER_DOES_NOT_ACCEPT');
    const line = await waitFor('the log line', () =>
      logged.find((m) => m.startsWith('Hot folder: cn.xml is held')),
    );
    expect(line).toBe(
      `Hot folder: cn.xml is held: ${held.problem_message} (decide in Peppol Desk)`,
    );
    expect(line).not.toMatch(/duplicate/);
  });

  it('a held file saved again with a corrected invoice is the new one: cancelling the held one leaves it', async () => {
    const folder = tempDir();
    const engine = await startEngine({ hotFolder: folder });
    writeFileSync(join(folder, 'x.xml'), makeInvoice('HOT-RESAVE-1'));
    await waitFor('x.xml in sent/', () => existsSync(join(folder, 'sent', 'x.xml')));
    // The same bytes under another name: held as the same content.
    writeFileSync(join(folder, 'z.xml'), readFileSync(join(folder, 'sent', 'x.xml')));
    const held = await waitFor('the held copy', () =>
      allDocuments(engine).find((d) => d.file_name === 'z.xml' && d.state === 'held'),
    );
    await engine.handlers['queue:pause'](undefined);
    // Saved again, corrected: a new document, which waits while sending is paused.
    writeFileSync(join(folder, 'z.xml'), makeInvoice('HOT-RESAVE-2'));
    const corrected = await waitFor('the corrected invoice', () =>
      allDocuments(engine).find((d) => d.invoice_number === 'HOT-RESAVE-2'),
    );
    // Cancelling the held copy does not move the file: it holds the corrected invoice now.
    expect((await engine.handlers['documents:cancel']({ ids: [held.id] })).cancelled).toBe(1);
    await delay(STABLE_MS * 2);
    expect(existsSync(join(folder, 'failed', 'z.xml'))).toBe(false);
    expect(readFileSync(join(folder, 'z.xml'), 'utf8')).toContain('HOT-RESAVE-2');
    // Sent, it moves to sent/ with its own outcome.
    await engine.handlers['queue:resume'](undefined);
    await waitFor('z.xml in sent/', () => existsSync(join(folder, 'sent', 'z.xml')));
    expect(readFileSync(join(folder, 'sent', 'z.xml'), 'utf8')).toContain('HOT-RESAVE-2');
    expect(engineInternals(engine).repo.get(corrected.id)!.state).toBe('accepted');
    expect(existsSync(join(folder, 'failed', 'z.xml'))).toBe(false);
  });

  it('Undo after Cancel moves the file back out of failed/; it is then sent and moved to sent/', async () => {
    const folder = tempDir();
    const engine = await startEngine({ hotFolder: folder });
    writeFileSync(join(folder, 'first.xml'), makeInvoice('HOT-UNDO-1'));
    await waitFor('first.xml in sent/', () => existsSync(join(folder, 'sent', 'first.xml')));
    // Held as a possible duplicate (same number, other content): it waits in the folder.
    writeFileSync(join(folder, 'undo.xml'), makeInvoice('HOT-UNDO-1', { note: 'changed' }));
    const held = await waitFor('the held document', () =>
      allDocuments(engine).find((d) => d.file_name === 'undo.xml' && d.state === 'held'),
    );
    const cancel = await engine.handlers['documents:cancel']({ ids: [held.id] });
    expect(cancel.cancelled).toBe(1);
    await waitFor('undo.xml in failed/', () => existsSync(join(folder, 'failed', 'undo.xml')));
    expect(readFileSync(join(folder, 'failed', 'undo.xml.reason.txt'), 'utf8')).toMatch(
      /cancelled/i,
    );
    expect(existsSync(join(folder, 'undo.xml'))).toBe(false);

    const undone = await engine.handlers['documents:uncancel']({ undoToken: cancel.undoToken! });
    expect(undone.restored).toBe(1);
    await waitFor('undo.xml back in the folder', () => existsSync(join(folder, 'undo.xml')));
    expect(existsSync(join(folder, 'failed', 'undo.xml'))).toBe(false);
    expect(existsSync(join(folder, 'failed', 'undo.xml.reason.txt'))).toBe(false);
    expect(engineInternals(engine).repo.get(held.id)!.state).toBe('held');
    // It is the same document again (not added twice), and the clerk's next decision moves it.
    await engine.handlers['documents:sendAnyway']({ ids: [held.id] });
    await waitFor('undo.xml in sent/', () => existsSync(join(folder, 'sent', 'undo.xml')));
    expect(allDocuments(engine).filter((d) => d.file_name === 'undo.xml')).toHaveLength(1);
  });

  it('takes a file renamed into the folder, and ignores other files and its own subfolders', async () => {
    const folder = tempDir();
    mkdirSync(join(folder, 'sent'));
    // Already handled earlier: inside sent/, never taken again.
    writeFileSync(join(folder, 'sent', 'old.xml'), makeInvoice('HOT-OLD-1'));
    const engine = await startEngine({ hotFolder: folder });
    writeFileSync(join(folder, 'notes.txt'), 'not an invoice');
    // An office program's lock file beside an open invoice (walk 13: taken and failed).
    writeFileSync(join(folder, '~$renamed.xml'), Buffer.from([0x0b, 0x00, 0x41, 0x00]));
    writeFileSync(join(folder, 'incoming.part'), makeInvoice('HOT-RENAMED-1'));
    renameSync(join(folder, 'incoming.part'), join(folder, 'renamed.xml'));

    await waitFor('renamed.xml in sent/', () => existsSync(join(folder, 'sent', 'renamed.xml')));
    expect(allDocuments(engine).map((d) => d.file_name)).toEqual(['renamed.xml']);
    expect(existsSync(join(folder, 'notes.txt'))).toBe(true);
    expect(existsSync(join(folder, '~$renamed.xml'))).toBe(true);
    expect(existsSync(join(folder, 'failed'))).toBe(false);
    expect(existsSync(join(folder, 'sent', 'old.xml'))).toBe(true);
  });

  it('follows the settings: set, validated, and with moving turned off files stay in place', async () => {
    const folder = tempDir();
    const engine = await startEngine();
    await expect(
      Promise.resolve().then(() =>
        engine.handlers['settings:set']({ hotFolder: join(folder, 'missing') }),
      ),
    ).rejects.toMatchObject({ code: 'BAD_SETTING' });

    const settings = await engine.handlers['settings:set']({
      hotFolder: folder,
      hotFolderMove: false,
    });
    expect(settings).toMatchObject({ hotFolder: folder, hotFolderMove: false });
    writeFileSync(join(folder, 'stays.xml'), makeInvoice('HOT-STAYS-1'));
    const doc = await waitFor('stays.xml sent', () =>
      allDocuments(engine).find((d) => d.file_name === 'stays.xml' && d.state === 'accepted'),
    );
    expect(doc.file_name).toBe('stays.xml');
    expect(existsSync(join(folder, 'stays.xml'))).toBe(true);
    expect(existsSync(join(folder, 'sent'))).toBe(false);

    // Turning the hot folder off stops taking files.
    await engine.handlers['settings:set']({ hotFolder: null });
    expect((await engine.handlers['settings:get'](undefined)).hotFolder).toBeNull();
  });
});

/** `peppol-desk watch <dir>/outbox --data-dir <dir>/data …args`, its output kept as it comes. */
function watchCli(dir: string, args: string[]) {
  const folder = join(dir, 'outbox');
  mkdirSync(folder);
  const child = spawn(
    process.execPath,
    [distFile('cli.cjs'), 'watch', folder, '--data-dir', join(dir, 'data'), ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { folder, child, out, exited };
}

describe('peppol-desk watch (CLI)', () => {
  it('sends files saved into the folder until interrupted', async () => {
    const { folder, child, out, exited } = watchCli(tempDir(), ['--stable-ms', String(STABLE_MS)]);
    try {
      await waitFor('the watch banner', () => out.stdout.includes('Watching'));
      writeFileSync(join(folder, 'cli-1.xml'), makeInvoice('HOT-CLI-1'));
      writeFileSync(join(folder, 'cli-bad.xml'), invalidInvoice('HOT-CLI-2'));
      await waitFor('cli-1.xml in sent/', () => existsSync(join(folder, 'sent', 'cli-1.xml')));
      await waitFor('cli-bad.xml.reason.txt', () =>
        existsSync(join(folder, 'failed', 'cli-bad.xml.reason.txt')),
      );
      expect(readdirSync(folder).sort()).toEqual(['failed', 'sent']);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(out.stderr).toContain('cli-1.xml → sent/');
    // Stopped with a word, as `serve` stops (walk 24: `watch` ended without one).
    expect(out.stderr).toContain(
      'Stopped. What was still waiting is sent when Peppol Desk starts again.\n',
    );
  });

  it('peppol-desk watch takes the speed knobs send takes (it stopped with "unknown option")', async () => {
    const knobs = ['--concurrency', '3', '--batch', 'off', '--rate', '50', '--gzip'];
    const { folder, child, out, exited } = watchCli(tempDir(), knobs);
    try {
      await waitFor(
        'the watch banner',
        () => out.stdout.includes('Watching') || child.exitCode !== null,
      );
      expect(out.stderr).not.toContain('unknown option');
      writeFileSync(join(folder, 'knobs.xml'), makeInvoice('HOT-KNOBS-1'));
      await waitFor('knobs.xml in sent/', () => existsSync(join(folder, 'sent', 'knobs.xml')));
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });

  it('peppol-desk watch --no-move sends files and leaves them where they are', async () => {
    const args = ['--no-move', '--stable-ms', String(STABLE_MS)];
    const { folder, child, out, exited } = watchCli(tempDir(), args);
    try {
      await waitFor('the watch banner', () => out.stdout.includes('Watching'));
      writeFileSync(join(folder, 'stay.xml'), makeInvoice('HOT-NOMOVE-1'));
      writeFileSync(join(folder, 'stay-bad.xml'), invalidInvoice('HOT-NOMOVE-2'));
      await waitFor('the sent line', () => out.stderr.includes('stay.xml sent (left in place)'));
      await waitFor('the not-sent line', () =>
        out.stderr.includes('stay-bad.xml not sent (left in place)'),
      );
      expect(readdirSync(folder).sort()).toEqual(['stay-bad.xml', 'stay.xml']);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
