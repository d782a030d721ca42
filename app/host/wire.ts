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

/**
 * Content type of a request whose argument carries file bytes, sent as they are rather than in
 * base64: the body is the argument as JSON on one line, each byte array replaced by
 * `{"$part": [offset, length]}`, then a newline, then the bytes of every part one after the
 * other (offsets count from the byte after the newline). The page builds it as a Blob, so no
 * JavaScript ever copies or encodes the files (base64 of a 200-file add cost long tasks).
 */
export const WIRE_PARTS_TYPE = 'application/x-peppol-desk-parts';

/**
 * The argument as a JSON header plus its byte arrays in order, or null when it carries none
 * (then plain `encodeWire` is all it needs).
 */
export function encodeWireParts(value: unknown): { header: string; parts: Uint8Array[] } | null {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const header = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof Uint8Array)) return v;
    parts.push(v);
    const at = offset;
    offset += v.byteLength;
    return { $part: [at, v.byteLength] };
  });
  return parts.length === 0 ? null : { header, parts };
}

/** Parse a `WIRE_PARTS_TYPE` body; throws on a malformed one (no newline, parts out of range). */
export function decodeWireParts(body: Uint8Array): unknown {
  const newline = body.indexOf(0x0a);
  if (newline < 0) throw new Error('No header line.');
  const payload = body.subarray(newline + 1);
  const header = new TextDecoder().decode(body.subarray(0, newline));
  return JSON.parse(header, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const part = (v as { $part?: unknown }).$part;
      if (Array.isArray(part) && Object.keys(v).length === 1) {
        const [at, length] = part as unknown[];
        if (
          !Number.isSafeInteger(at) ||
          !Number.isSafeInteger(length) ||
          (at as number) < 0 ||
          (length as number) < 0 ||
          (at as number) + (length as number) > payload.byteLength
        ) {
          throw new Error('A part lies outside the body.');
        }
        // A copy: the engine may keep the bytes; a view would keep the whole body alive.
        return payload.slice(at as number, (at as number) + (length as number));
      }
    }
    return v;
  });
}

/** Paths of the browser host's API. */
export const HOST_PATHS = {
  /** POST `${invoke}/<channel>` with the wire-encoded argument; answers a wire-encoded Result. */
  invoke: '/api/invoke',
  /** GET, Server-Sent Events: `event: <name>` / `data: <json>`. */
  events: '/api/events',
} as const;

/**
 * The browser host says it is alive on the event stream this often (`event: alive`): a page whose
 * stream stays open but silent (Peppol Desk frozen or stuck) can tell (walk 12: a desk stopped for
 * 40 s went on showing "Online" in its own window).
 */
export const ALIVE_EVENT = 'alive';
export const ALIVE_EVERY_MS = 5_000;

/** Header carrying the per-session token (EventSource cannot set headers: it uses `?token=`). */
export const TOKEN_HEADER = 'x-peppol-desk-token';
