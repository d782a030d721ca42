import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../app/engine';
import { startSandbox, type SandboxHandle } from '../../app/sandbox/server';
import { makeInvoices } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';
import { until } from '../helpers/wait';

let sandbox: SandboxHandle;

beforeEach(async () => {
  sandbox = await startSandbox({ latencyMs: 5 });
});
afterEach(async () => {
  await sandbox.close();
});
// After the sandbox's hook: after-hooks run as a stack, so the engines stop before it closes.
const engines = useEngines({ coalesceMs: undefined });

function start(extra: { metricsPort?: number; batching?: boolean } = {}): Promise<Engine> {
  return engines({ endpoint: sandbox.url, trackDelivery: false, ...extra });
}

async function sendAll(e: Engine, n: number, prefix: string): Promise<number[]> {
  const res = await e.handlers['documents:add']({ files: makeInvoices(n, prefix) });
  const ids = res.added.map((a) => a.id);
  await e.waitUntilSettled(ids, { includeAccepted: true });
  return ids;
}

describe('metrics', () => {
  it('count every document once per stage, with ordered percentiles and per-second throughput', async () => {
    const e = await start();
    await sendAll(e, 60, 'MET');
    const snap = await e.handlers['metrics:snapshot'](undefined);
    expect(snap.latency.validate.count).toBe(60);
    expect(snap.latency.send.count).toBe(60);
    expect(snap.latency.lookup.count).toBe(1);
    expect(snap.latency.delivery.count).toBe(0);
    const send = snap.latency.send;
    expect(send.p50).toBeGreaterThanOrEqual(5); // the sandbox adds 5 ms to every answer
    expect(send.p50).toBeLessThanOrEqual(send.p95);
    expect(send.p95).toBeLessThanOrEqual(send.p99);
    expect(snap.throughput.reduce((sum, b) => sum + b.accepted, 0)).toBe(60);
    expect(snap.throughput.length).toBeLessThanOrEqual(600);
    const ts = snap.throughput.map((b) => b.t);
    expect(ts.every((t, i) => i === 0 || t - ts[i - 1]! === 1000)).toBe(true);
    expect(snap.counts.accepted).toBe(60);
  });

  it('single sends count one send latency per document too', async () => {
    const e = await start({ batching: false });
    await sendAll(e, 15, 'MET1');
    const snap = await e.handlers['metrics:snapshot'](undefined);
    expect(snap.latency.send.count).toBe(15);
  });

  it('many documents for one receiver cause one lookup request (single flight)', async () => {
    const e = await start();
    await sendAll(e, 80, 'ONE');
    const lookups = sandbox.stats().requests.byEndpoint['GET /api/v1/participants/lookup'];
    expect(lookups?.total).toBe(1);
  });

  it('serve Prometheus text on 127.0.0.1 only when a port is set', async () => {
    const off = await start();
    expect(off.metricsUrl()).toBeNull();
    await engines.stop(off);

    const e = await start({ metricsPort: 0 });
    const url = e.metricsUrl();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    await sendAll(e, 20, 'PROM');
    const res = await fetch(url!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toContain('peppol_desk_stage_duration_seconds_count{stage="send"} 20');
    expect(text).toContain('peppol_desk_stage_duration_seconds_count{stage="validate"} 20');
    expect(text).toContain('peppol_desk_documents_total{outcome="accepted"} 20');
    expect(text).toMatch(
      /peppol_desk_send_requests_total\{kind="(batch|single)",status="20[02]"\} \d+/,
    );
    expect(text).toContain('peppol_desk_documents{state="accepted"} 20');
    expect(text).toContain('peppol_desk_send_concurrency_limit');
  });

  it('turns the endpoint on and off through settings', async () => {
    const e = await start();
    // Port 0 is not a valid setting (a person picks a real port); the CLI flag may use 0.
    expect(() => e.handlers['settings:set']({ metricsPort: 0 })).toThrow(/metrics port/);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const settings = await e.handlers['settings:set']({ metricsPort: port });
    expect(settings.metricsPort).toBe(port);
    await until(() => e.metricsUrl() !== null);
    expect((await fetch(e.metricsUrl()!)).status).toBe(200);
    await e.handlers['settings:set']({ metricsPort: null });
    await until(() => e.metricsUrl() === null);
    expect((await e.handlers['settings:get'](undefined)).metricsPort).toBeNull();
  });
});
