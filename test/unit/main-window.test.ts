import type { BrowserWindow, Session, WebContents } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  createMainWindow,
  hardenWebContents,
  ourPageMatcher,
  secureSession,
  type BrowserWindowConstructor,
} from '../../main/window';

vi.mock('electron', () => {
  throw new Error('main/window.ts takes Electron objects as parameters and must not load electron');
});

const PRELOAD = '/opt/Peppol Desk/resources/app.asar/dist/preload.cjs';
const OUR_URL = 'app://peppol-desk/index.html';

type Listener = (...args: unknown[]) => unknown;
function fakeContents() {
  const listeners = new Map<string, Listener>();
  let openHandler: ((details: { url: string }) => { action: string }) | null = null;
  const contents = {
    on: (event: string, l: Listener) => listeners.set(event, l),
    setWindowOpenHandler: (h: typeof openHandler) => (openHandler = h),
  };
  const fire = (event: string, url?: string) => {
    const e = { preventDefault: vi.fn() };
    listeners.get(event)!(e, url);
    return e.preventDefault.mock.calls.length > 0;
  };
  return {
    contents: contents as unknown as WebContents,
    listeners,
    fire,
    open: (url: string) => openHandler!({ url }),
  };
}

function fakeWindowClass() {
  const created: {
    options: Record<string, unknown>;
    loaded: string[];
    web: ReturnType<typeof fakeContents>;
  }[] = [];
  class FakeWindow {
    webContents: WebContents;
    loaded: string[] = [];
    constructor(options: Record<string, unknown>) {
      const web = fakeContents();
      this.webContents = web.contents;
      created.push({ options, loaded: this.loaded, web });
    }
    once() {}
    show() {}
    loadURL(url: string) {
      this.loaded.push(url);
      return Promise.resolve();
    }
  }
  return { Ctor: FakeWindow as unknown as BrowserWindowConstructor, created };
}

describe('main window', () => {
  it('is created isolated, sandboxed, without Node, with our preload, and loads our page', () => {
    const { Ctor, created } = fakeWindowClass();
    const win = createMainWindow(Ctor, { preload: PRELOAD }, vi.fn());
    expect(win).toBeDefined();
    expect(created).toHaveLength(1);
    const prefs = created[0]!.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(created[0]!.loaded).toEqual([OUR_URL]);
    // Navigation and window-open handlers are in place from the start.
    expect(created[0]!.web.listeners.has('will-navigate')).toBe(true);
    expect(created[0]!.web.open('https://example.com')).toEqual({ action: 'deny' });
  });

  it('recognises only our own page', () => {
    const isOurs = ourPageMatcher();
    expect(isOurs(OUR_URL)).toBe(true);
    expect(isOurs(`${OUR_URL}#/settings`)).toBe(true);
    expect(isOurs(`${OUR_URL}?token=1`)).toBe(true);
    expect(isOurs('app://peppol-desk/other.html')).toBe(false);
    expect(isOurs('app://elsewhere/index.html')).toBe(false);
    expect(isOurs('file:///opt/Peppol%20Desk/resources/app.asar/dist/renderer/index.html')).toBe(
      false,
    );
    expect(isOurs('file:///etc/passwd')).toBe(false);
    expect(isOurs('https://evil.example/opt/Peppol%20Desk/index.html')).toBe(false);
    expect(isOurs('not a url')).toBe(false);
  });

  it('blocks navigation, redirects, webviews and new windows; https links open in the browser', () => {
    const web = fakeContents();
    const openExternal = vi.fn();
    hardenWebContents(web.contents, ourPageMatcher(), openExternal);

    expect(web.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(web.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    // A file dropped on the window would navigate to it: refused.
    expect(web.fire('will-navigate', 'file:///home/clerk/invoice.xml')).toBe(true);
    expect(web.fire('will-navigate', 'app://peppol-desk/assets/index.js')).toBe(true);
    expect(web.fire('will-navigate', `${OUR_URL}#/documents`)).toBe(false);
    expect(web.fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(web.fire('will-attach-webview')).toBe(true);

    for (const url of [
      'http://example.com',
      'file:///etc/passwd',
      'javascript:alert(1)',
      OUR_URL,
    ]) {
      expect(web.open(url)).toEqual({ action: 'deny' });
    }
    expect(openExternal).not.toHaveBeenCalled();
    expect(web.open('https://peppol.org/')).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://peppol.org/');
  });

  it('sends a strict Content-Security-Policy and refuses every permission', () => {
    let headersHook: ((d: unknown, cb: (r: unknown) => void) => void) | null = null;
    let permissionHook: ((c: unknown, p: string, cb: (ok: boolean) => void) => void) | null = null;
    let checkHook: (() => boolean) | null = null;
    const session = {
      webRequest: { onHeadersReceived: (h: typeof headersHook) => (headersHook = h) },
      setPermissionRequestHandler: (h: typeof permissionHook) => (permissionHook = h),
      setPermissionCheckHandler: (h: typeof checkHook) => (checkHook = h),
    } as unknown as Session;
    secureSession(session);

    let answer: { responseHeaders: Record<string, string[]> } | null = null;
    headersHook!({ responseHeaders: { 'X-Other': ['1'] } }, (r) => (answer = r as typeof answer));
    expect(answer!.responseHeaders['X-Other']).toEqual(['1']);
    expect(answer!.responseHeaders['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    for (const rule of [
      "default-src 'self'",
      "script-src 'self'",
      "object-src 'none'",
      "frame-ancestors 'none'",
    ]) {
      expect(CONTENT_SECURITY_POLICY).toContain(rule);
    }
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe-inline/);

    const granted = vi.fn();
    permissionHook!({}, 'notifications', granted);
    permissionHook!({}, 'media', granted);
    expect(granted.mock.calls).toEqual([[false], [false]]);
    expect(checkHook!()).toBe(false);
  });
});

// Type-level check: a real BrowserWindow fits the constructor parameter.
export type _WindowFits =
  BrowserWindow extends InstanceType<BrowserWindowConstructor> ? true : never;
