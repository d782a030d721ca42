/**
 * JSON encoding used by the browser host: like JSON, but byte arrays travel as
 * `{"$bytes": "<base64>"}` so `documents:add` can carry file contents. Pure, runs in Node and
 * in the browser.
 */

/** Serialize a value, encoding every Uint8Array as base64. */
export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Uint8Array ? { $bytes: bytesToBase64(v) } : v,
  );
}

/** Parse a value produced by `encodeWire`, restoring byte arrays. */
export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const bytes = (v as { $bytes?: unknown }).$bytes;
      if (typeof bytes === 'string' && Object.keys(v).length === 1) return base64ToBytes(bytes);
    }
    return v;
  });
}

function bytesToBase64(bytes: Uint8Array): string {
  if (typeof Buffer !== 'undefined') return Buffer.from(bytes).toString('base64');
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

function base64ToBytes(text: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(text, 'base64'));
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Paths of the browser host's API. */
export const HOST_PATHS = {
  /** POST `${invoke}/<channel>` with the wire-encoded argument; answers a wire-encoded Result. */
  invoke: '/api/invoke',
  /** GET, Server-Sent Events: `event: <name>` / `data: <json>`. */
  events: '/api/events',
} as const;

/** Header carrying the per-session token (EventSource cannot set headers: it uses `?token=`). */
export const TOKEN_HEADER = 'x-peppol-desk-token';
