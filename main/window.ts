import type {
  BrowserWindow,
  BrowserWindowConstructorOptions,
  Session,
  WebContents,
  WebPreferences,
} from 'electron';
import { APP_INDEX_URL } from './app-protocol';
import { CONTENT_SECURITY_POLICY } from '../app/host/csp';

/** Content-Security-Policy of every response in the app (one source: app/host/csp.ts). */
export { CONTENT_SECURITY_POLICY } from '../app/host/csp';

/** The renderer runs isolated and sandboxed, with no Node.js: it reaches the app only through `window.api`. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    spellcheck: false,
  };
}

/** Where the bundled preload is (the page itself is served on app://, main/app-protocol.ts). */
export interface WindowPaths {
  preload: string;
}

/**
 * A predicate for our own page: app://peppol-desk/index.html, with any query or hash. A file://
 * URL never matches, so a dropped file cannot replace the page.
 */
export function ourPageMatcher(pageUrl: string = APP_INDEX_URL): (url: string) => boolean {
  const own = new URL(pageUrl);
  return (url) => {
    try {
      const u = new URL(url);
      return u.protocol === own.protocol && u.host === own.host && u.pathname === own.pathname;
    } catch {
      return false;
    }
  };
}

/** Opens web links from the page in the user's browser (https only). */
export type OpenExternal = (url: string) => unknown;

/**
 * Lock a webContents to our page: no navigation elsewhere, no redirects, no new windows (https
 * links open in the user's browser instead), no <webview>.
 */
export function hardenWebContents(
  contents: WebContents,
  isOurPage: (url: string) => boolean,
  openExternal: OpenExternal,
): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isHttps(url)) void Promise.resolve(openExternal(url)).catch(() => undefined);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!isOurPage(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isOurPage(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

function isHttps(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Session-wide rules: the CSP header on every response, and every permission (camera,
 * notifications, geolocation, …) refused: the page needs none.
 */
export function secureSession(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** The BrowserWindow constructor (a parameter, so tests can pass a fake). */
export type BrowserWindowConstructor = new (
  options: BrowserWindowConstructorOptions,
) => BrowserWindow;

/** Create the main window with the secure preferences, locked to our page, and load it. */
export function createMainWindow(
  BrowserWindowCtor: BrowserWindowConstructor,
  paths: WindowPaths,
  openExternal: OpenExternal,
): BrowserWindow {
  const win = new BrowserWindowCtor({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 560,
    title: 'Peppol Desk',
    show: false,
    webPreferences: secureWebPreferences(paths.preload),
  });
  hardenWebContents(win.webContents, ourPageMatcher(), openExternal);
  // Shown once painted: no white flash.
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_INDEX_URL);
  return win;
}
