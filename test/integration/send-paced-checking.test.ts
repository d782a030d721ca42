import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import { engineInternals } from '../../app/engine/internals';
import { CHECK_LEAD_MIN, INTAKE_AHEAD } from '../../app/queue/pipeline';
import { startSandbox, type SandboxHandle } from '../../app/sandbox/server';
import type { StateCounts } from '../../app/contract';
import { useEngines } from '../helpers/engine';
import { makeInvoices } from '../helpers/invoices';
import { until } from '../helpers/wait';

// Issue 9 point 2: `send` with single sends checks a bounded lead of documents ahead of sending,
// so the engine's thread does not check the whole drop while the first answers wait behind it.
// These pin what must hold whatever the timing: the lead never grows past its bound, every
// document is still checked and sent exactly once, and nothing is held back while the queue
// cannot send (paused), when reasons must show at once.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const engines = useEngines();

const N = 300;

async function paced(options: { paceChecking: boolean; paused?: boolean }): Promise<{
  engine: Engine;
  sandbox: SandboxHandle;
}> {
  const sandbox = await startSandbox({ latencyMs: 20 });
  cleanups.push(() => sandbox.close());
  const engine = await engines({
    endpoint: sandbox.url,
    concurrency: 2,
    batching: false,
    trackDelivery: false,
    paceChecking: options.paceChecking,
  });
  if (options.paused) engine.handlers['queue:pause'](undefined);
  return { engine, sandbox };
}

/** Checked (or in checking) and not yet sent: what the lead bounds. */
const ahead = (c: StateCounts) => c.validating + c.ready + c.resolving + c.queued;

/** Samples the counts at every change event until `done` holds (bounded by `until`). */
async function sampleUntil(engine: Engine, done: (c: StateCounts) => boolean, what: string) {
  const samples: StateCounts[] = [];
  const off = engine.on('documents:changed', (e) => samples.push(e.counts));
  try {
    const { repo } = engineInternals(engine);
    await until(() => {
      const c = repo.counts();
      samples.push(c);
      return done(c);
    }, what);
  } finally {
    off();
  }
  return samples;
}

/** The single desk's engine has it (a team desk's does not). */
function roomForMore(engine: Engine): Promise<void> {
  if (!engine.roomForMore) throw new Error('the engine has no roomForMore');
  return engine.roomForMore();
}

describe('paced checking (send, single sends)', () => {
  it('keeps the documents checked ahead of sending within the lead, and sends each once', async () => {
    const { engine, sandbox } = await paced({ paceChecking: true });
    await engine.handlers['documents:add']({ files: makeInvoices(N, 'PACED') });
    const samples = await sampleUntil(engine, (c) => c.accepted === N, `all ${N} accepted`);
    // Fixed concurrency 2: the lead is its floor (4 per request in flight is less).
    expect(Math.max(...samples.map(ahead))).toBeLessThanOrEqual(CHECK_LEAD_MIN);
    // Paced for real: while sends were accepted, most of the drop still waited to be checked.
    expect(samples.some((c) => c.accepted > 0 && c.received > N / 2)).toBe(true);
    expect(sandbox.stats().acceptedDocuments).toBe(N);
    expect(sandbox.stats().duplicateContentAccepts).toBe(0);
  });

  it('checks the whole drop at once without it (the app: a clerk sees what is wrong first)', async () => {
    const { engine } = await paced({ paceChecking: false });
    await engine.handlers['documents:add']({ files: makeInvoices(N, 'WHOLE') });
    const samples = await sampleUntil(engine, (c) => c.accepted === N, `all ${N} accepted`);
    expect(Math.max(...samples.map(ahead))).toBeGreaterThan(CHECK_LEAD_MIN);
  });

  it('checks everything while the queue is paused, so every reason shows at once', async () => {
    const { engine } = await paced({ paceChecking: true, paused: true });
    const files = makeInvoices(N, 'PAUSED');
    // One file the checks refuse, at the very end of the drop.
    files.push({ name: 'broken.xml', bytes: new TextEncoder().encode('<Invoice>') });
    await engine.handlers['documents:add']({ files });
    const { repo } = engineInternals(engine);
    await until(() => {
      const c = repo.counts();
      return c.received === 0 && c.validating === 0 && c.ready === 0 && c.resolving === 0;
    }, 'every document checked while paused');
    const c = repo.counts();
    expect(c.queued).toBe(N);
    expect(c.invalid).toBe(1);
    expect(c.accepted).toBe(0);
    engine.handlers['queue:resume'](undefined);
    await until(() => repo.counts().accepted === N, `all ${N} accepted after resume`);
  });

  it('lets `send` add more only once few added documents wait to be checked', async () => {
    const { engine } = await paced({ paceChecking: true });
    const { repo } = engineInternals(engine);
    await engine.handlers['documents:add']({ files: makeInvoices(N, 'ROOM') });
    expect(repo.counts().received).toBeGreaterThanOrEqual(INTAKE_AHEAD);
    await roomForMore(engine);
    expect(repo.counts().received).toBeLessThan(INTAKE_AHEAD);
    expect(repo.counts().accepted).toBeGreaterThan(0);
  });

  it('lets the first request leave before more files are added', async () => {
    const { engine, sandbox } = await paced({ paceChecking: true });
    const { repo } = engineInternals(engine);
    await engine.handlers['documents:add']({ files: makeInvoices(8, 'FIRST') });
    await roomForMore(engine);
    const c = repo.counts();
    // A request has been out: the sandbox answered it, or it is still in flight.
    expect(sandbox.stats().acceptedDocuments + c.sending).toBeGreaterThan(0);
    await until(() => repo.counts().accepted === 8, 'all 8 accepted');
  });

  it('lets every slot fill before more files are added (not only the first request)', async () => {
    // Answers slow enough that none comes back before the slots are full: what is in flight
    // when more may be added is what the intake waited for.
    const sandbox = await startSandbox({ latencyMs: 400 });
    cleanups.push(() => sandbox.close());
    const engine = await engines({
      endpoint: sandbox.url,
      concurrency: 4,
      batching: false,
      trackDelivery: false,
      paceChecking: true,
    });
    const internals = engineInternals(engine);
    const files = makeInvoices(4, 'SLOTS');
    await engine.handlers['documents:add']({ files: files.slice(0, 1) });
    await until(() => internals.sendsInFlight() === 1, 'the first request out');
    // Three more while it is out (its buyer known now): they fill the free slots first.
    await engine.handlers['documents:add']({ files: files.slice(1) });
    await roomForMore(engine);
    expect(internals.repo.counts().accepted).toBe(0);
    expect(internals.sendsInFlight()).toBe(4);
    await until(() => internals.repo.counts().accepted === 4, 'all 4 accepted');
  });

  it('never holds intake back without pacing', async () => {
    const { engine } = await paced({ paceChecking: false });
    await engine.handlers['documents:add']({ files: makeInvoices(N, 'OPEN') });
    // Answered from the counts at once: before the next turn of the event loop.
    const first = await Promise.race([
      roomForMore(engine).then(() => 'room'),
      new Promise((resolve) => setImmediate(() => resolve('waited'))),
    ]);
    expect(first).toBe('room');
  });
});
