/**
 * Electron main process: only wiring. The window, tray, notifications, secrets and the IPC bridge
 * live in their own modules, which take Electron's objects as parameters and are tested with
 * Electron mocked.
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
} from 'electron';
import { join, sep } from 'node:path';
import type { Engine } from '../app/engine';
import { openEngineSwitch } from '../app/host/engine-switch';
import { registerAppScheme, serveAppProtocol } from './app-protocol';
import { toErrorValue } from '../app/errors';
import { registerIpcBridge, type IpcBridge } from './ipc-bridge';
import { DropNotifier, dropMessage } from './notifications';
import { safeStorageSecretStore } from './secrets';
import { TrayController } from './tray';
import { createMainWindow, hardenWebContents, ourPageMatcher, secureSession } from './window';

const DIST = __dirname;
const PATHS = { preload: join(DIST, 'preload.cjs') };
const RENDERER_DIR = join(DIST, 'renderer');
const TRAY_ICON = join(DIST, '..', 'build', 'tray-icon.png');
const isOurPage = ourPageMatcher();
// Privileged schemes must be declared before the app is ready.
registerAppScheme(protocol);
const openExternal = (url: string) => shell.openExternal(url);

let win: BrowserWindow | null = null;
let engine: Engine | null = null;
let bridge: IpcBridge | null = null;
let tray: Tray | null = null;
let notifier: DropNotifier | null = null;

function showWindow(): void {
  if (!win) {
    win = createMainWindow(BrowserWindow, PATHS, openExternal);
    // A reload must say "ready" again before events flow.
    win.webContents.on('did-start-loading', () => bridge?.rendererReloading());
    win.on('closed', () => {
      win = null;
    });
    return;
  }
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

async function boot(): Promise<void> {
  // A second launch focuses the first window instead of opening a second queue on the same data.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => showWindow());
  // Any webContents (including ones we never meant to create) is locked to our page.
  app.on('web-contents-created', (_event, contents) =>
    hardenWebContents(contents, isOurPage, openExternal),
  );

  await app.whenReady();
  secureSession(session.defaultSession);
  serveAppProtocol(protocol, RENDERER_DIR);
  const dataDir = app.getPath('userData');
  // The local outbox, or the team outbox whose URL the keychain keeps (Settings → Team outbox).
  engine = await openEngineSwitch({
    dataDir,
    secrets: safeStorageSecretStore(dataDir, safeStorage),
    host: 'electron',
    version: app.getVersion(),
    // Worker threads cannot start a script inside the asar: it is unpacked beside it.
    validationWorker: join(DIST, 'validation-worker.cjs').replace(
      `app.asar${sep}`,
      `app.asar.unpacked${sep}`,
    ),
    sandboxWorker: join(DIST, 'sandbox-worker.cjs').replace(
      `app.asar${sep}`,
      `app.asar.unpacked${sep}`,
    ),
    // The hot folder's pick-ups and moves, for a terminal that started the app (the window shows
    // what it could not take).
    log: (line) => console.log(line),
  });
  bridge = registerIpcBridge(ipcMain, engine, {
    contents: () => (win && !win.isDestroyed() ? win.webContents : null),
    isTrustedUrl: isOurPage,
  });
  showWindow();

  tray = new Tray(nativeImage.createFromPath(TRAY_ICON));
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Show Peppol Desk', click: () => showWindow() },
      { type: 'separator' },
      { label: 'Quit', click: () => app.quit() },
    ]),
  );
  tray.on('click', () => showWindow());
  const trayController = new TrayController(tray, (n) => app.setBadgeCount(n));
  notifier = new DropNotifier((outcome) => {
    if (!Notification.isSupported()) return;
    const n = new Notification({ title: 'Peppol Desk: drop finished', body: dropMessage(outcome) });
    n.on('click', () => showWindow());
    n.show();
  });
  // The counts by state, through the same handler the window uses (one row read besides).
  const { counts } = await engine.handlers['documents:list']({ limit: 1 });
  trayController.update(counts);
  notifier.update(counts);
  engine.on('documents:changed', ({ counts }) => {
    trayController.update(counts);
    notifier?.update(counts);
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('activate', () => {
  if (engine) showWindow();
});
let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !engine) return;
  // Let the queue finish its current writes before the process ends.
  event.preventDefault();
  quitting = true;
  notifier?.dispose();
  bridge?.dispose();
  tray?.destroy();
  void engine.stop().finally(() => app.quit());
});

void boot().catch((err: unknown) => {
  // E.g. `peppol-desk send` or `watch` already works on this data folder (DATA_DIR_LOCKED).
  dialog.showErrorBox('Peppol Desk cannot start', toErrorValue(err).message);
  app.quit();
});
