import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpBridge } from '../../renderer/src/bridge/http-bridge';

// A channel with no result (`drops:end`, `drops:forget`) is answered `{"ok":true}` by the browser
// host: its undefined value is left out by JSON. The page read that as "Peppol Desk answered with
// an unexpected reply" (found with walk 25 B1: the page could not tell its drop was kept).
class QuietEventSource extends EventTarget {
  readyState = 0;
  close(): void {}
}

afterEach(() => vi.unstubAllGlobals());

describe('the browser host page’s requests', () => {
  it('takes {"ok":true} as the answer of a channel with no result', async () => {
    vi.stubGlobal('EventSource', QuietEventSource);
    const fetch = vi.fn(async () => new Response('{"ok":true}', { status: 200 }));
    vi.stubGlobal('fetch', fetch);
    const bridge = createHttpBridge('token');
    const ended = await bridge.invoke('drops:end', { dropId: 1 });
    expect(ended.ok).toBe(true);
    expect(fetch).toHaveBeenCalledTimes(1);
    // Still refused: a reply that is no result at all.
    fetch.mockImplementationOnce(async () => new Response('{"hello":1}', { status: 200 }));
    const odd = await bridge.invoke('drops:end', { dropId: 1 });
    expect(odd).toMatchObject({ ok: false, error: { code: 'HOST_ERROR' } });
  });
});
