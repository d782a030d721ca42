import type { Page } from '@playwright/test';

/**
 * Chromium's offline emulation does not cut an open Server-Sent Events stream, so to test what
 * the page does when its stream drops we wrap `EventSource` before the app loads. `drop()` closes
 * the real stream (the host forgets it; events sent meanwhile are lost, as on a network blip) and
 * fires `error`; `restore()` opens a new real stream and fires `open`, as the browser does when it
 * reconnects by itself.
 */
export async function installDroppableEventStream(page: Page): Promise<{
  drop(): Promise<void>;
  restore(): Promise<void>;
}> {
  await page.addInitScript(() => {
    const Real = window.EventSource;
    class Droppable extends EventTarget {
      private real: EventSource | null = null;
      private readonly types = new Set<string>();
      readonly url: string;
      constructor(url: string | URL) {
        super();
        this.url = String(url);
        this.connect();
        (window as unknown as { __eventStream: Droppable }).__eventStream = this;
      }
      get readyState(): number {
        return this.real?.readyState ?? 0;
      }
      connect(): void {
        const real = new Real(this.url);
        this.real = real;
        real.addEventListener('open', () => this.dispatchEvent(new Event('open')));
        real.addEventListener('error', () => this.dispatchEvent(new Event('error')));
        for (const type of this.types) this.forward(type);
      }
      forward(type: string): void {
        this.real?.addEventListener(type, (e) =>
          this.dispatchEvent(new MessageEvent(type, { data: (e as MessageEvent).data })),
        );
      }
      override addEventListener(
        type: string,
        listener: EventListenerOrEventListenerObject | null,
      ): void {
        if (type !== 'open' && type !== 'error' && !this.types.has(type)) {
          this.types.add(type);
          this.forward(type);
        }
        super.addEventListener(type, listener);
      }
      drop(): void {
        this.real?.close();
        this.real = null;
        this.dispatchEvent(new Event('error'));
      }
      close(): void {
        this.real?.close();
      }
    }
    (window as unknown as { EventSource: unknown }).EventSource = Droppable;
  });
  type WithStream = { __eventStream: { drop(): void; connect(): void } };
  return {
    drop: () => page.evaluate(() => (window as unknown as WithStream).__eventStream.drop()),
    restore: () => page.evaluate(() => (window as unknown as WithStream).__eventStream.connect()),
  };
}
