import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  safeStorage,
  session,
  shell,
  Tray,
} from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createEngine, type Engine } from '../app/engine';
import { registerIpcBridge } from './ipc-bridge';
import { safeStorageSecretStore } from './secrets';

const DIST = __dirname;
const RENDERER_INDEX = join(DIST, 'renderer', 'index.html');
const RENDERER_URL = pathToFileURL(RENDERER_INDEX).href;
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";

let win: BrowserWindow | null = null;
let engine: Engine | null = null;
let tray: Tray | null = null;

function isOurPage(url: string): boolean {
  return url.split('#')[0]?.split('?')[0] === RENDERER_URL;
}

function createWindow(): BrowserWindow {
  const w = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'Peppol Desk',
    webPreferences: {
      preload: join(DIST, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  w.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  w.webContents.on('will-navigate', (event, url) => {
    if (!isOurPage(url)) event.preventDefault();
  });
  void w.loadFile(RENDERER_INDEX);
  return w;
}

async function boot(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  await app.whenReady();
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] },
    });
  });
  const dataDir = app.getPath('userData');
  engine = await createEngine({
    dataDir,
    secrets: safeStorageSecretStore(dataDir, safeStorage),
    host: 'electron',
    version: app.getVersion(),
    validationWorker: join(DIST, 'validation-worker.cjs').replace('app.asar', 'app.asar.unpacked'),
  });
  registerIpcBridge(ipcMain, engine, isOurPage, () => win?.webContents ?? null);
  win = createWindow();
  win.on('closed', () => {
    win = null;
  });

  tray = new Tray(nativeImage.createEmpty());
  tray.setToolTip('Peppol Desk');
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Show Peppol Desk', click: () => (win ?? (win = createWindow())).show() },
      { label: 'Quit', click: () => app.quit() },
    ]),
  );
  let wasBusy = false;
  engine.on('documents:changed', ({ counts }) => {
    const waiting = counts.queued + counts.sending + counts.retry_wait + counts.received;
    tray?.setToolTip(`Peppol Desk: ${waiting} waiting`);
    tray?.setTitle(waiting ? String(waiting) : '');
    // Notify once when a drop has finished, not on every later change.
    const finished = wasBusy && waiting === 0;
    wasBusy = waiting > 0;
    if (finished && Notification.isSupported()) {
      const attention = counts.invalid + counts.failed + counts.unreachable + counts.held;
      new Notification({
        title: 'Peppol Desk',
        body: `${counts.accepted + counts.delivered} sent${attention ? `, ${attention} need attention` : ''}`,
      }).show();
    }
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('before-quit', () => {
  void engine?.stop();
});

void boot();
