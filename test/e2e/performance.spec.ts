import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus, loadavg } from 'node:os';
import type { CDPSession } from '@playwright/test';
import { expect, test } from './fixtures';
import { uniquePrefix, validInvoice } from './support/invoices';
import { invokeHost } from './support/host';

/**
 * 10,000 documents through the shared host while the table is watched and scrolled: long tasks,
 * frame times and JS heap per phase. Figures go to test-results/e2e/performance.json; with
 * PEPPOL_DESK_PERF_DOC=1 they also replace the "## UI (issue 6)" section of docs/performance.md
 * (at 100,000 documents: "## UI at 100,000 documents (issue 9)").
 * The heap goal (under 300 MB) is asserted in every run. The timing goal (no long task over
 * 100 ms after the initial page load) depends on the machine and what else runs on it, so it is a
 * benchmark: asserted with PEPPOL_DESK_PERF_ASSERT=1 or PEPPOL_DESK_PERF_DOC=1 (on a quiet
 * machine), recorded otherwise. Beside each long task's wall time, a Chromium trace gives the
 * CPU time the page's main thread spent in each task (thread time): on a loaded machine a task
 * of 20 ms of work can take 300 ms of wall time while the thread waits for a core, and only
 * the CPU figure says whether the page itself did too much at once. It also times the list and
 * its filters as the page asks them (`documents:list`, round trip through the host).
 *
 * 100,000 documents (issue 9): `PEPPOL_DESK_PERF_DOCS=100000` (time limits scale with the count).
 */
const LONG_TASK_LIMIT_MS = 100;
const HEAP_LIMIT_MB = 300;
/** The list and its filters answer within this (issue 9). */
const LIST_LIMIT_MS = 50;
const DOCUMENTS = Number(process.env.PEPPOL_DESK_PERF_DOCS ?? 10_000);
/** As a real drop does (renderer/src/features/drop/add-files.ts). */
const CHUNK = 200;
const SCROLL_STEPS = 80;
/** The section of docs/performance.md a run with PEPPOL_DESK_PERF_DOC=1 replaces. */
const SECTION = DOCUMENTS >= 100_000 ? '## UI at 100,000 documents (issue 9)' : '## UI (issue 6)';

interface PhaseFigures {
  phase: string;
  seconds: number;
  frames: number;
  frameP50: number;
  frameP95: number;
  frameP99: number;
  frameMax: number;
  framesOver50: number;
  longTasks: number;
  longTaskMax: number;
  longTasksOver100: number;
  /** Main-thread tasks (trace RunTask) and their CPU (thread) time. */
  tasks: number;
  cpuTaskMax: number;
  cpuTasksOver50: number;
  cpuTasksOver100: number;
  heapMaxMB: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** Per phase: CPU (thread) time of every task on the page's main thread, from the trace. */
function cpuTasksByPhase(path: string): Map<string, number[]> {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as
    { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(raw) ? raw : raw.traceEvents;
  const threads = new Map<string, string>();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args!.name!);
  }
  const onMain = (e: TraceEvent) => threads.get(`${e.pid}:${e.tid}`) === 'CrRendererMain';
  // Phase marks (performance.mark('phase:<name>')) in the trace's own clock.
  const marks = events
    .filter((e) => onMain(e) && e.name.startsWith('phase:') && e.ph !== 'M')
    .map((e) => ({ phase: e.name.slice('phase:'.length), ts: e.ts }))
    .sort((a, b) => a.ts - b.ts);
  const out = new Map<string, number[]>();
  for (const e of events) {
    if (e.name !== 'RunTask' || e.ph !== 'X' || !onMain(e)) continue;
    let phase: string | null = null;
    for (const m of marks) if (m.ts <= e.ts) phase = m.phase;
    if (phase === null) continue;
    const list = out.get(phase) ?? [];
    list.push((e.tdur ?? 0) / 1000);
    out.set(phase, list);
  }
  return out;
}

/**
 * `n` calls of the list as the page asks it: each call's start (page clock) and milliseconds
 * through the page's bridge (request, host, engine, answer decoded).
 */
async function listTimes(
  page: import('@playwright/test').Page,
  arg: import('../../app/contract').RequestArg<'documents:list'>,
  n: number,
): Promise<{ start: number; ms: number }[]> {
  return page.evaluate(
    async ({ arg, n }) => {
      const api = (window as unknown as { api: import('../../app/contract').Api }).api;
      const out: { start: number; ms: number }[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        const r = await api.invoke('documents:list', arg);
        if (!r.ok) throw new Error(r.error.message);
        out.push({ start: t, ms: performance.now() - t });
      }
      return out;
    },
    { arg, n },
  );
}

/** The engine's time of each call, from the page's resource timing of the same request. */
function engineTimes(calls: { start: number; ms: number }[], seen: ListCall[]): number[] {
  return calls.map((c) => {
    const match = seen.find((l) => l.start >= c.start && l.start <= c.start + c.ms);
    return match?.engineMs ?? Number.NaN;
  });
}

type PerfWindow = {
  __perf: {
    phase: string;
    frames: { phase: string; dt: number }[];
    long: { phase: string; ms: number }[];
    /** Every `documents:list` the page made (the table's own and the spec's): resource timing. */
    lists: ListCall[];
  };
};

/**
 * One `documents:list` round trip seen by the page: start (page clock), network round trip (ms)
 * and the engine's own time for it (the host's Server-Timing `engine`: the handler on the
 * engine's thread; null if absent).
 */
interface ListCall {
  phase: string;
  start: number;
  ms: number;
  engineMs: number | null;
}

/** Per phase: the host thread's event-loop blocking (support/loop-probe.cjs) and its CPU. */
interface HostLoopFigures {
  /** Longest event-loop delay: how long a request arriving then waited before it was read. */
  maxMs: number;
  /** 250 ms windows whose longest delay was over 50 / 100 ms. */
  windowsOver50: number;
  windowsOver100: number;
  windows: number;
  /** Event-loop utilisation (busy share of the host's thread) and the host process's CPU. */
  elu: number;
  cpuSeconds: number;
}

interface ProbeLine {
  t: number;
  maxMs: number;
  p99Ms: number;
  elu: number;
  cpuMs: number;
}

/** The probe's lines grouped by the phase their window ended in (wall clock of both processes). */
function hostLoopByPhase(
  phaseStart: Map<string, number>,
  order: string[],
): Map<string, HostLoopFigures> {
  const out = new Map<string, HostLoopFigures>();
  const path = process.env.PEPPOL_DESK_LOOP_PROBE;
  if (!path) return out;
  let lines: ProbeLine[];
  try {
    lines = readFileSync(path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ProbeLine);
  } catch {
    return out;
  }
  for (let i = 0; i < order.length - 1; i++) {
    const from = phaseStart.get(order[i]!);
    const to = phaseStart.get(order[i + 1]!);
    if (from === undefined || to === undefined) continue;
    const inPhase = lines.filter((l) => l.t > from && l.t <= to);
    if (inPhase.length === 0) continue;
    out.set(order[i]!, {
      maxMs: Math.max(...inPhase.map((l) => l.maxMs)),
      windowsOver50: inPhase.filter((l) => l.maxMs > 50).length,
      windowsOver100: inPhase.filter((l) => l.maxMs > 100).length,
      windows: inPhase.length,
      elu: inPhase.reduce((a, l) => a + l.elu, 0) / inPhase.length,
      cpuSeconds: inPhase.reduce((a, l) => a + l.cpuMs, 0) / 1000,
    });
  }
  return out;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function heapMB(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
  return used / 1024 / 1024;
}

test('10,000 documents streaming: frame times, long tasks and heap while watching and scrolling', async ({
  desk,
  page,
}, testInfo) => {
  // 5 min for 10,000 on a loaded 2-core machine (tracing included); adding, cancelling and
  // scrolling grow with the count (100,000 took over 17 min under a load average of 15-20).
  test.setTimeout(300_000 + Math.max(0, DOCUMENTS - 10_000) * 20);
  const perDoc = (ms: number) => Math.max(ms, (ms * DOCUMENTS) / 10_000);
  // Measured with the charts drawing, as always: at 1400×900 the panel now starts folded.
  await desk.showPerformance();
  const tracePath = join(testInfo.project.outputDir, 'performance-trace.json');
  await page
    .context()
    .browser()!
    .startTracing(page, {
      path: tracePath,
      categories: ['disabled-by-default-devtools.timeline', 'blink.user_timing'],
    });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const heapByPhase = new Map<string, number>();
  let phase = 'load';
  const sampler = setInterval(() => {
    const current = phase;
    void heapMB(cdp)
      .then((mb) => heapByPhase.set(current, Math.max(heapByPhase.get(current) ?? 0, mb)))
      .catch(() => undefined);
  }, 250);
  const phaseStart = new Map<string, number>();
  const setPhase = async (name: string) => {
    // One sample at every boundary, so even a short phase has a heap figure.
    const mb = await heapMB(cdp);
    heapByPhase.set(phase, Math.max(heapByPhase.get(phase) ?? 0, mb));
    heapByPhase.set(name, Math.max(heapByPhase.get(name) ?? 0, mb));
    phase = name;
    phaseStart.set(name, Date.now());
    await page.evaluate((n) => {
      (window as unknown as PerfWindow).__perf.phase = n;
      performance.mark(`phase:${n}`);
    }, name);
  };

  // Observers first: every frame's duration and every long task, tagged with the phase.
  await page.evaluate(() => {
    const perf: PerfWindow['__perf'] = { phase: 'load', frames: [], long: [], lists: [] };
    (window as unknown as PerfWindow).__perf = perf;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) perf.long.push({ phase: perf.phase, ms: e.duration });
    }).observe({ type: 'longtask', buffered: false });
    // Every list round trip, the table's own refreshes included (observers see every entry,
    // whatever the resource timing buffer holds).
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as PerformanceResourceTiming[]) {
        if (!e.name.includes('/documents%3Alist')) continue;
        const engine = e.serverTiming.find((t) => t.name === 'engine');
        perf.lists.push({
          phase: perf.phase,
          start: e.startTime,
          ms: e.responseEnd - e.startTime,
          engineMs: engine ? engine.duration : null,
        });
      }
    }).observe({ type: 'resource', buffered: false });
    let last = performance.now();
    const tick = (t: number) => {
      perf.frames.push({ phase: perf.phase, dt: t - last });
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });

  const prefix = uniquePrefix('PERF');
  const template = validInvoice('__NUMBER__');
  const lists: [string, { start: number; ms: number }[]][] = [];
  try {
    // 1. Add 10,000 documents from the page in chunks, as a folder drop would.
    const sentCount = async () =>
      Number(((await desk.filterCount('sent').textContent()) ?? '').replace(/\D/g, ''));
    await setPhase('add');
    await desk.searchFor(prefix);
    const added = await page.evaluate(
      async ({ template, prefix, total, chunk }) => {
        const api = (window as unknown as { api: import('../../app/contract').Api }).api;
        const encoder = new TextEncoder();
        let count = 0;
        for (let start = 0; start < total; start += chunk) {
          const files = [];
          for (let i = start; i < Math.min(total, start + chunk); i++) {
            const n = `${prefix}-${String(i).padStart(5, '0')}`;
            files.push({
              name: `${n}.xml`,
              bytes: encoder.encode(template.replace('__NUMBER__', n)),
            });
          }
          // Building the files is the test's work, not the app's: let the page breathe before
          // handing them over, so a long task measures the app (a real drop reads files
          // asynchronously, one by one).
          await new Promise((resolve) => setTimeout(resolve, 0));
          const r = await api.invoke('documents:add', { files });
          if (!r.ok) throw new Error(r.error.message);
          count += r.value.added.length;
        }
        return count;
      },
      { template, prefix, total: DOCUMENTS, chunk: CHUNK },
    );
    expect(added).toBe(DOCUMENTS);
    await desk.expectRowTotal(DOCUMENTS, perDoc(30_000));

    // 2. Watch while statuses stream in (validation, sending, delivery), until 500 more are sent.
    await setPhase('stream');
    const sentAtStreamStart = await sentCount();
    // (Or until nothing is left in progress: on a slow run every document may be sent already.)
    const inProgress = async () =>
      Number(((await desk.filterCount('progress').textContent()) ?? '').replace(/\D/g, ''));
    await expect
      .poll(
        async () =>
          (await sentCount()) - sentAtStreamStart >= Math.min(500, DOCUMENTS / 2) ||
          (await inProgress()) === 0,
        { timeout: perDoc(60_000) },
      )
      .toBe(true);

    // 3. Scroll the whole table while statuses still stream.
    await setPhase('scroll+stream');
    const body = desk.table.locator('.table-body');
    await body.hover();
    for (let i = 0; i < SCROLL_STEPS; i++) {
      await page.mouse.wheel(0, (DOCUMENTS * 40) / SCROLL_STEPS);
      await page.evaluate(() => new Promise(requestAnimationFrame));
    }
    await expect(desk.table.locator('.table-row.is-loading')).toHaveCount(0, {
      timeout: perDoc(15_000),
    });
    await expect(desk.rows().last()).toHaveAttribute('aria-rowindex', String(DOCUMENTS + 1));

    // 4. Still responsive while streaming: a search finds one document among 10,000.
    await setPhase('search');
    const one = `${prefix}-04321`;
    await desk.searchFor(one);
    await expect(desk.rowByFile(`${one}.xml`)).toBeVisible(); // found by file name even before it is read
    await desk.expectRowTotal(1);
    // The list and its filters as the page asks them, with every document still there.
    lists.push(
      ['all, first page', await listTimes(page, { search: prefix, limit: 200 }, 7)],
      ['Needs attention', await listTimes(page, { filter: 'attention', limit: 200 }, 7)],
      ['In progress', await listTimes(page, { filter: 'progress', limit: 200 }, 7)],
      ['Sent', await listTimes(page, { filter: 'sent', limit: 200 }, 7)],
      ['search one invoice', await listTimes(page, { search: one, limit: 200 }, 7)],
      [
        'sorted by amount, last page',
        await listTimes(
          page,
          {
            search: prefix,
            sort: { key: 'amount', dir: 'desc' },
            offset: Math.max(0, DOCUMENTS - 200),
            limit: 200,
          },
          7,
        ),
      ],
    );

    // 5. Cancel what is still waiting (one big change for the page to absorb), so later tests
    // share a quiet host and this test stays bounded.
    await setPhase('cancel');
    await desk.searchFor(prefix);
    await desk.showFilter('progress');
    // The engine answers at most a page per call: cancel page by page until none is left. From
    // the test process, as another window would: parsing 1,000-row answers is the test's work,
    // not the page's; the page only absorbs the change.
    for (let round = 0; round < DOCUMENTS / 1000 + 50; round++) {
      const waiting = await invokeHost('documents:list', {
        filter: 'progress',
        search: prefix,
        limit: 1000,
      });
      const ids = waiting.rows.filter((r) => r.state !== 'sending').map((r) => r.id);
      if (waiting.total === 0) break;
      if (ids.length > 0) await invokeHost('documents:cancel', { ids });
    }
    await desk.expectRowTotal(0, perDoc(30_000));
    await desk.showFilter('all');

    // 6. Scroll back up through the settled table.
    await setPhase('scroll idle');
    await body.hover();
    for (let i = 0; i < SCROLL_STEPS; i++) {
      await page.mouse.wheel(0, -(DOCUMENTS * 40) / SCROLL_STEPS);
      await page.evaluate(() => new Promise(requestAnimationFrame));
    }
    await expect(desk.rows().first()).toHaveAttribute('aria-rowindex', '2');
    await setPhase('end');
  } finally {
    clearInterval(sampler);
    await page.context().browser()!.stopTracing();
  }
  const cpuTasks = cpuTasksByPhase(tracePath);
  rmSync(tracePath, { force: true });

  const raw = await page.evaluate(() => (window as unknown as PerfWindow).__perf);
  const phases = ['add', 'stream', 'scroll+stream', 'search', 'cancel', 'scroll idle'];
  const order = [...phases, 'end'];
  const figures: PhaseFigures[] = phases.map((p) => {
    const frames = raw.frames
      .filter((f) => f.phase === p)
      .map((f) => f.dt)
      .sort((a, b) => a - b);
    const long = raw.long.filter((l) => l.phase === p).map((l) => l.ms);
    const next = order[order.indexOf(p) + 1]!;
    return {
      phase: p,
      seconds: ((phaseStart.get(next) ?? Date.now()) - (phaseStart.get(p) ?? 0)) / 1000,
      frames: frames.length,
      frameP50: percentile(frames, 50),
      frameP95: percentile(frames, 95),
      frameP99: percentile(frames, 99),
      frameMax: frames.at(-1) ?? 0,
      framesOver50: frames.filter((d) => d > 50).length,
      longTasks: long.length,
      longTaskMax: Math.max(0, ...long),
      longTasksOver100: long.filter((ms) => ms > 100).length,
      tasks: cpuTasks.get(p)?.length ?? 0,
      cpuTaskMax: Math.max(0, ...(cpuTasks.get(p) ?? [])),
      cpuTasksOver50: (cpuTasks.get(p) ?? []).filter((ms) => ms > 50).length,
      cpuTasksOver100: (cpuTasks.get(p) ?? []).filter((ms) => ms > 100).length,
      heapMaxMB: heapByPhase.get(p) ?? 0,
    };
  });
  const heapEndMB = await heapMB(cdp);
  await cdp.detach();

  // Measured: every phase saw frames and a heap figure.
  for (const f of figures) {
    expect(f.frames, `frames in ${f.phase}`).toBeGreaterThan(0);
    expect(f.heapMaxMB, `heap in ${f.phase}`).toBeGreaterThan(0);
    expect(f.tasks, `traced tasks in ${f.phase}`).toBeGreaterThan(0);
  }
  const sorted = (xs: number[]) => xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  const list = lists.map(([query, calls]) => {
    const ms = sorted(calls.map((c) => c.ms));
    const engine = sorted(engineTimes(calls, raw.lists));
    return {
      query,
      p50: percentile(ms, 50),
      max: ms.at(-1) ?? 0,
      engineP50: percentile(engine, 50),
      engineMax: engine.at(-1) ?? 0,
    };
  });
  // Every list round trip of each phase (the table's refreshes while statuses stream).
  const listByPhase = phases.map((p) => {
    const calls = raw.lists.filter((l) => l.phase === p);
    const ms = sorted(calls.map((c) => c.ms));
    const engine = sorted(calls.map((c) => c.engineMs ?? Number.NaN));
    return {
      phase: p,
      calls: calls.length,
      p50: percentile(ms, 50),
      p95: percentile(ms, 95),
      max: ms.at(-1) ?? 0,
      over50: ms.filter((x) => x >= LIST_LIMIT_MS).length,
      engineP50: percentile(engine, 50),
      engineP95: percentile(engine, 95),
      engineMax: engine.at(-1) ?? 0,
    };
  });
  const loops = hostLoopByPhase(phaseStart, order);
  const hostLoop = phases.map((p) => ({ phase: p, ...(loops.get(p) ?? null) }));
  const report = {
    documents: DOCUMENTS,
    measuredAt: new Date().toISOString(),
    startedAt: new Date(phaseStart.get('add') ?? Date.now()).toISOString(),
    load: loadavg(),
    heapEndMB,
    figures,
    list,
    listByPhase,
    hostLoop,
  };
  const jsonPath = join(testInfo.project.outputDir, 'performance.json');
  writeFileSync(jsonPath, JSON.stringify(report, null, 2));
  await testInfo.attach('performance', { path: jsonPath, contentType: 'application/json' });
  const markdown = toMarkdown(report);
  console.log(markdown);
  if (process.env.PEPPOL_DESK_PERF_DOC === '1') writeDocSection(markdown);

  // The goals, per phase so a failure says where.
  const timingGoals =
    process.env.PEPPOL_DESK_PERF_ASSERT === '1' || process.env.PEPPOL_DESK_PERF_DOC === '1';
  for (const f of figures) {
    expect(f.heapMaxMB, `JS heap in ${f.phase}`).toBeLessThan(HEAP_LIMIT_MB);
    if (!timingGoals) continue;
    expect(f.longTasksOver100, `long tasks over ${LONG_TASK_LIMIT_MS} ms in ${f.phase}`).toBe(0);
    expect(f.longTaskMax, `longest task in ${f.phase}`).toBeLessThanOrEqual(LONG_TASK_LIMIT_MS);
    expect(f.cpuTasksOver100, `tasks over ${LONG_TASK_LIMIT_MS} ms of CPU in ${f.phase}`).toBe(0);
  }
  if (timingGoals) {
    for (const l of list) expect(l.max, `documents:list, ${l.query}`).toBeLessThan(LIST_LIMIT_MS);
    for (const l of listByPhase) {
      expect(l.max, `documents:list round trips in ${l.phase}`).toBeLessThan(LIST_LIMIT_MS);
    }
  }
  expect(heapEndMB, 'JS heap at the end').toBeLessThan(HEAP_LIMIT_MB);
});

function toMarkdown(r: {
  documents: number;
  measuredAt: string;
  startedAt: string;
  load: number[];
  heapEndMB: number;
  figures: PhaseFigures[];
  list: { query: string; p50: number; max: number; engineP50: number; engineMax: number }[];
  listByPhase: {
    phase: string;
    calls: number;
    p50: number;
    p95: number;
    max: number;
    over50: number;
    engineP50: number;
    engineP95: number;
    engineMax: number;
  }[];
  hostLoop: ({ phase: string } & Partial<HostLoopFigures>)[];
}): string {
  const ms1 = (n: number) => `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`;
  const ms = (n: number) => `${Math.round(n)} ms`;
  const cpu = cpus();
  const lines = [
    SECTION,
    '',
    `Command: \`node scripts/build.mjs && PEPPOL_DESK_PERF_DOC=1${r.documents === 10_000 ? '' : ` PEPPOL_DESK_PERF_DOCS=${r.documents}`} npx playwright test performance\` (\`test/e2e/performance.spec.ts\`; \`PEPPOL_DESK_PERF_DOCS\` changes the count). Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, headless Chromium (${'software rendering, --disable-gpu'}), viewport 1400 × 900, the browser host and its engine on the same machine. Measured ${r.startedAt.slice(0, 16).replace('T', ' ')}–${r.measuredAt.slice(11, 16)} UTC.`,
    '',
    `${r.documents.toLocaleString('en')} documents are added from the page in chunks of ${CHUNK} (\`documents:add\`) and go through validation, sending to the built-in sandbox and delivery. Phases: *add*; *stream*, watching until 500 more are sent; *scroll+stream*, the table scrolled from top to bottom (${SCROLL_STEPS} wheel steps) as statuses stream; *search* for one invoice number; *cancel*, every document still waiting cancelled at once (one large change); *scroll idle*, back to the top. Long tasks come from a \`PerformanceObserver('longtask')\`, frame times from \`requestAnimationFrame\` deltas, the heap from CDP \`Performance.getMetrics\` (\`JSHeapUsedSize\`, sampled every 250 ms).`,
    '',
    `Load average (1, 5, 15 min) at the end: ${r.load.map((l) => l.toFixed(1)).join(', ')} on ${cpu.length} cores: wall times include waiting for a core; *CPU* columns are the main thread's own time per task (Chromium trace, \`RunTask\` thread time).`,
    '',
    '| phase | s | frames | frame p50 / p95 / p99 / max | frames > 50 ms | long tasks (wall) | longest task (wall) | long tasks > 100 ms (wall) | tasks | longest task (CPU) | tasks > 50 / > 100 ms CPU | JS heap max |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.figures.map(
      (f) =>
        `| ${f.phase} | ${f.seconds.toFixed(1)} | ${f.frames} | ${ms(f.frameP50)} / ${ms(f.frameP95)} / ${ms(f.frameP99)} / ${ms(f.frameMax)} | ${f.framesOver50} | ${f.longTasks} | ${f.longTasks ? ms(f.longTaskMax) : '—'} | ${f.longTasksOver100} | ${f.tasks} | ${ms(f.cpuTaskMax)} | ${f.cpuTasksOver50} / ${f.cpuTasksOver100} | ${f.heapMaxMB.toFixed(1)} MB |`,
    ),
    '',
    `Every list round trip the page made in each phase (the table's own refreshes of its visible pages, at most four a second while \`documents:changed\` streams in, and the spec's calls in *search*; resource timing of \`documents:list\`, request sent to answer received). *Engine* is the host's \`Server-Timing\`: the handler's own time on the engine's thread (the query and the rows); the rest of the round trip is waiting for that thread, the network stack and the answer's encoding. *Host thread* is the host's event loop (engine and HTTP server share it; the built-in sandbox has a thread of its own) from \`monitorEventLoopDelay\` in 250 ms windows (\`test/e2e/support/loop-probe.cjs\`): its longest delay is the longest a request arriving then waited before it was read; CPU is the host process's (its worker threads included). Goal: every list under ${LIST_LIMIT_MS} ms.`,
    '',
    '| phase | lists | round trip p50 / p95 / max | ≥ 50 ms | engine p50 / p95 / max | host thread: longest delay | windows > 50 / > 100 ms | busy | host CPU |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.listByPhase.map((l) => {
      const h = r.hostLoop.find((x) => x.phase === l.phase);
      const host =
        h?.windows === undefined
          ? '— | — | — | —'
          : `${ms1(h.maxMs!)} | ${h.windowsOver50} / ${h.windowsOver100} of ${h.windows} | ${Math.round(h.elu! * 100)} % | ${h.cpuSeconds!.toFixed(1)} s`;
      return `| ${l.phase} | ${l.calls} | ${l.calls ? `${ms1(l.p50)} / ${ms1(l.p95)} / ${ms1(l.max)}` : '—'} | ${l.over50} | ${l.calls ? `${ms1(l.engineP50)} / ${ms1(l.engineP95)} / ${ms1(l.engineMax)}` : '—'} | ${host} |`;
    }),
    '',
    `The list and its filters with all ${r.documents.toLocaleString('en')} documents present (\`documents:list\`, 200 rows, from the page through the host and back, the answer decoded; 7 calls each; goal under ${LIST_LIMIT_MS} ms), with the engine's own time for the same calls:`,
    '',
    '| query | median | max | engine median | engine max |',
    '|---|---|---|---|---|',
    ...r.list.map(
      (l) =>
        `| ${l.query} | ${ms1(l.p50)} | ${ms1(l.max)} | ${ms1(l.engineP50)} | ${ms1(l.engineMax)} |`,
    ),
    '',
    `JS heap at the end: ${r.heapEndMB.toFixed(1)} MB. Goal: no long task over 100 ms after the initial load, under 300 MB heap.`,
    '',
  ];
  return lines.join('\n');
}

/**
 * Replaces (or appends) this run's section (SECTION) up to its first "### " subsection or the
 * next "## " heading: the subsections (analysis written by hand) stay.
 */
function writeDocSection(markdown: string): void {
  const path = resolve(__dirname, '../../docs/performance.md');
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = '# Performance\n\n';
  }
  const start = text.indexOf(SECTION);
  if (start < 0) {
    writeFileSync(path, `${text.trimEnd()}\n\n${markdown}`);
    return;
  }
  const ends = [text.indexOf('\n## ', start + 1), text.indexOf('\n### ', start + 1)];
  const nextHeading = Math.min(...ends.map((i) => (i < 0 ? text.length : i)));
  const rest = text.slice(nextHeading + 1);
  writeFileSync(path, `${text.slice(0, start)}${markdown}${rest ? `\n${rest}` : ''}`);
}
