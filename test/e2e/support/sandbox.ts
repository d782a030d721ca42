import type { FaultPlan } from '../../../app/sandbox/types';

/**
 * The browser host's in-process sandbox access point, driven through its control endpoints
 * (app/sandbox/README.md). Its URL is the `endpoint` of `connection:get`.
 */
export class SandboxControl {
  constructor(readonly url: string) {}

  private async post(path: string, body: unknown): Promise<void> {
    const res = await fetch(`${this.url}/_sandbox/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`POST /_sandbox/${path}: HTTP ${res.status} ${await res.text()}`);
  }

  /** Replace the fault plan; `{}` turns every fault off. */
  setFaults(plan: FaultPlan): Promise<void> {
    return this.post('faults', plan);
  }

  clearFaults(): Promise<void> {
    return this.setFaults({});
  }

  /** Its counters (`GET /_sandbox/stats`): `acceptedDocuments`, the documents it accepted. */
  async stats(): Promise<{ acceptedDocuments: number }> {
    const res = await fetch(`${this.url}/_sandbox/stats`);
    if (!res.ok) throw new Error(`GET /_sandbox/stats: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as { acceptedDocuments: number };
  }

  /** The access point goes away (connection refused) for `ms`, then listens again on its port. */
  outage(ms: number): Promise<void> {
    return this.post('outage', { ms });
  }
}
