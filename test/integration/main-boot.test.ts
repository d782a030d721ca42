/**
 * main/main.ts booted with Electron mocked: the wiring of the single-instance lock, the secure
 * window, the IPC bridge, the tray and the drop notification, with the real engine behind it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REQUEST_CHANNELS } from '../../app/contract';
import { makeInvoice } from '../helpers/invoices';
import { useTempDirs } from '../helpers/temp';
import { waitFor } from '../helpers/wait';

type Fn = (...args: unknown[]) => unknown;

const electron = vi.hoisted(() => {
  const state = {
    lock: true,
    userData: '',
    appListeners: new Map<string, Fn[]>(),
    windows: [] as {
      options: Record<string, unknown>;
      webContents: { listeners: Map<string, Fn>; send: Fn };
      focus: Fn;
      show: Fn;
      loaded: string[];
    }[],
    trays: [] as { setToolTip: { mock: { calls: unknown[][] } } }[],
    notifications: [] as { options: { title: string; body: string } }[],
    ipcHandlers: new Map<string, Fn>(),
    quit: (() => undefined) as Fn,
    quitCalls: 0,
    /** Calls in order: scheme registration must come before the app is ready. */
    order: [] as string[],
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
  };
  return state;
});

vi.mock('electron', () => {
  const s = electron;
  class WebContents {
    listeners = new Map<string, Fn>();
    send = vi.fn();
    on(event: string, l: Fn) {
      this.listeners.set(event, l);
    }
    setWindowOpenHandler() {}
    isDestroyed() {
      return false;
    }
  }
  class BrowserWindow {
    webContents = new WebContents();
    focus = vi.fn();
    show = vi.fn();
    restore = vi.fn();
    constructor(public options: Record<string, unknown>) {
      s.windows.push(this);
    }
    once() {}
    on() {}
    isMinimized() {
      return false;
    }
    isDestroyed() {
      return false;
    }
    loaded: string[] = [];
    loadURL(url: string) {
      this.loaded.push(url);
      return Promise.resolve();
    }
  }
  class Tray {
    setToolTip = vi.fn();
    setTitle = vi.fn();
    setContextMenu = vi.fn();
    on = vi.fn();
    destroy = vi.fn();
    constructor() {
      s.trays.push(this as never);
    }
  }
  class Notification {
    static isSupported() {
      return true;
    }
    constructor(public options: { title: string; body: string }) {
      s.notifications.push(this);
    }
    on() {}
    show() {}
  }
  return {
    app: {
      requestSingleInstanceLock: () => s.lock,
      quit: () => {
        s.quitCalls++;
        s.quit();
      },
      on: (event: string, l: Fn) =>
        s.appListeners.set(event, [...(s.appListeners.get(event) ?? []), l]),
      whenReady: () => {
        s.order.push('whenReady');
        return Promise.resolve();
      },
      getPath: () => s.userData,
      getVersion: () => '9.9.9',
      setBadgeCount: () => true,
    },
    BrowserWindow,
    ipcMain: {
      handle: (c: string, l: Fn) => s.ipcHandlers.set(c, l),
      removeHandler: (c: string) => s.ipcHandlers.delete(c),
      on: () => undefined,
      removeListener: () => undefined,
    },
    Menu: { buildFromTemplate: (t: unknown) => t },
    nativeImage: { createFromPath: () => ({}) },
    Notification,
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        s.order.push('registerSchemesAsPrivileged');
        s.schemes.push(...schemes);
      },
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) => {
        s.order.push(`handle:${scheme}`);
        s.protocolHandlers.set(scheme, handler);
      },
    },
    safeStorage: {
      isEncryptionAvailable: () => false,
      encryptString: () => Buffer.alloc(0),
      decryptString: () => '',
    },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: () => undefined },
        setPermissionRequestHandler: () => undefined,
        setPermissionCheckHandler: () => undefined,
      },
    },
    shell: { openExternal: () => Promise.resolve() },
    Tray,
  };
});

const tempDir = useTempDirs();
const OUR_URL = 'app://peppol-desk/index.html';

function emitApp(event: string, ...args: unknown[]) {
  for (const l of electron.appListeners.get(event) ?? []) l(...args);
}

async function boot(lock: boolean) {
  vi.resetModules();
  Object.assign(electron, {
    lock,
    userData: tempDir(),
    appListeners: new Map(),
    windows: [],
    trays: [],
    notifications: [],
    ipcHandlers: new Map(),
    quitCalls: 0,
    order: [],
    schemes: [],
    protocolHandlers: new Map(),
  });
  await import('../../main/main');
}

let stopEngine: (() => Promise<void>) | null = null;
afterEach(async () => {
  await stopEngine?.();
  stopEngine = null;
});

describe('Electron main process (electron mocked)', () => {
  it('quits at once when another instance holds the lock', async () => {
    await boot(false);
    await waitFor('quit', () => electron.quitCalls > 0);
    expect(electron.windows).toHaveLength(0);
    expect(electron.ipcHandlers.size).toBe(0);
  });

  it('boots one secure window behind the bridge, focuses it on a second launch, and notifies a finished drop', async () => {
    await boot(true);
    const win = await waitFor('the window', () => electron.windows[0]);
    stopEngine = () =>
      new Promise<void>((resolve) => {
        electron.quit = () => resolve();
        emitApp('before-quit', { preventDefault: () => undefined });
      });

    // The page comes from the app:// protocol, declared before ready and served after it.
    expect(electron.order.indexOf('registerSchemesAsPrivileged')).toBeLessThan(
      electron.order.indexOf('whenReady'),
    );
    expect(electron.order.indexOf('whenReady')).toBeLessThan(electron.order.indexOf('handle:app'));
    expect(electron.schemes).toEqual([
      expect.objectContaining({
        scheme: 'app',
        privileges: expect.objectContaining({ standard: true, secure: true }),
      }),
    ]);
    expect(win.loaded).toEqual([OUR_URL]);
    const serve = electron.protocolHandlers.get('app')!;
    for (const escape of [
      'app://peppol-desk/..%2f..%2fpackage.json',
      'app://peppol-desk/%2e%2e/%2e%2e/package.json',
      'app://elsewhere/index.html',
    ]) {
      expect((await serve(new Request(escape))).status).toBe(404);
    }
    // Any webContents is locked to our page: a dropped file (file://) never replaces it.
    const drop = { preventDefault: vi.fn() };
    win.webContents.listeners.get('will-navigate')!(drop, 'file:///home/clerk/invoice.xml');
    expect(drop.preventDefault).toHaveBeenCalled();

    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
    expect([...electron.ipcHandlers.keys()].sort()).toEqual(
      REQUEST_CHANNELS.map((c) => `peppol-desk:${c}`).sort(),
    );
    const fromWindow = { sender: win.webContents, senderFrame: { url: OUR_URL } };
    const invoke = (channel: string, arg?: unknown, event: unknown = fromWindow) =>
      Promise.resolve(electron.ipcHandlers.get(`peppol-desk:${channel}`)!(event, arg));
    await expect(invoke('app:info')).resolves.toMatchObject({
      ok: true,
      value: { host: 'electron', version: '9.9.9' },
    });
    await expect(
      invoke('app:info', undefined, { sender: {}, senderFrame: { url: OUR_URL } }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    emitApp('second-instance');
    expect(win.focus).toHaveBeenCalled();
    expect(electron.windows).toHaveLength(1);

    const tray = electron.trays[0]!;
    expect(tray.setToolTip.mock.calls.at(-1)).toEqual(['Peppol Desk: nothing waiting']);
    await invoke('documents:add', {
      files: [
        { name: 'a.xml', bytes: makeInvoice('BOOT-1') },
        { name: 'b.xml', bytes: makeInvoice('BOOT-2') },
      ],
    });
    const note = await waitFor('the drop notification', () => electron.notifications[0]);
    expect(note.options.body).toBe('2 sent');
    expect(electron.notifications).toHaveLength(1);
  });
});
