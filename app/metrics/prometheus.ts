import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** A running Prometheus endpoint. */
export interface PrometheusServer {
  /** e.g. `http://127.0.0.1:9464/metrics`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serve `registry` as Prometheus text on `GET /metrics` at 127.0.0.1:`port` (0 = any free port).
 * Loopback only: the figures say how much a company invoices, which is nobody else's business.
 */
export async function startPrometheusServer(
  registry: Registry,
  port: number,
): Promise<PrometheusServer> {
  let bound = 0;
  // node:http loads when an endpoint is turned on: most runs never serve metrics.
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    // DNS rebinding: a web page could name its own host that resolves to 127.0.0.1 and read the
    // figures. Only requests addressed to the loopback name itself are answered.
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${bound}` && host !== `localhost:${bound}`) {
      res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Wrong host\n');
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || (path !== '/metrics' && path !== '/')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found: the metrics are at /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('The metrics could not be collected; try again.\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/metrics`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The Prometheus endpoint of one engine, which Settings may start, move or stop while it runs:
 * changes are applied one after the other, so a quick off-on-off never leaves a server behind.
 */
export class PrometheusEndpoint {
  private server: PrometheusServer | null = null;
  private change: Promise<void> = Promise.resolve();

  /** `registry` is asked for when the endpoint first serves (see Metrics.registry). */
  constructor(private readonly registry: () => Promise<Registry>) {}

  /** Serve on `port` (0 = any free port), or stop when `port` is null. */
  setPort(port: number | null): Promise<void> {
    this.change = this.change.then(async () => {
      if (this.server && this.server.port === port) return;
      await this.server?.close();
      this.server = null;
      if (port !== null) this.server = await startPrometheusServer(await this.registry(), port);
    });
    return this.change;
  }

  /** Its URL while it serves. */
  get url(): string | null {
    return this.server?.url ?? null;
  }
}
