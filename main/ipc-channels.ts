/**
 * Electron IPC channel names: the contract's request and event names, prefixed so they never
 * clash with Electron's own, plus the one transport signal (the renderer is listening). Shared by
 * the preload and the main process; no other file spells an IPC channel.
 */

/** The IPC channel of a contract request or event. */
export const ipcChannel = (name: string): string => `peppol-desk:${name}`;

/**
 * Sent by the preload when the page first subscribes to events: until then the main process
 * holds events back (coalesced), so nothing is lost while the page loads.
 */
export const RENDERER_READY_CHANNEL = 'peppol-desk/renderer-ready';
