/**
 * Reading a request's body at the sandbox as a real access point would: a size limit checked
 * before and after gzip decoding, and a clear error answer for each way a body can be refused.
 */
import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { errorAnswer, type Answer } from './answers';

/** A request body, or the error answer that refuses it. */
export type BodyResult = { ok: true; body: Buffer } | { ok: false; answer: Answer };

/**
 * Read a request body up to `limit` bytes after decoding. Accepts identity and gzip
 * Content-Encoding (415 otherwise); 413 when over the limit, compressed or not.
 */
export async function readBody(
  req: IncomingMessage,
  limit: number,
  requestId: string,
): Promise<BodyResult> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const gzipped = encoding === 'gzip' || encoding === 'x-gzip';
  if (!gzipped && encoding !== 'identity' && encoding !== '') {
    return {
      ok: false,
      answer: errorAnswer(
        415,
        'UNSUPPORTED_CONTENT_ENCODING',
        `Content-Encoding "${encoding}" is not supported; send the body uncompressed or gzip-compressed.`,
        requestId,
      ),
    };
  }
  const tooLarge: BodyResult = {
    ok: false,
    answer: errorAnswer(
      413,
      'PAYLOAD_TOO_LARGE',
      `The request body is larger than ${Math.round(limit / 1024 / 1024)} MB.`,
      requestId,
    ),
  };
  // A declared length within the limit: one buffer of that size, filled as chunks arrive, instead
  // of keeping every chunk and then copying them all (two copies of a 15 MB body at once).
  const declared = Number(req.headers['content-length']);
  const into =
    Number.isSafeInteger(declared) && declared >= 0 && declared <= limit
      ? Buffer.allocUnsafe(declared)
      : null;
  const raw = await new Promise<Buffer | null>((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (over) {
        // Keep draining so the client reads our 413 instead of a broken pipe, within reason.
        if (size > limit * 2 + 1024 * 1024) req.socket.destroy();
        return;
      }
      if (size > limit) {
        over = true;
        chunks = [];
        return;
      }
      if (into !== null && size <= into.length) chunk.copy(into, size - chunk.length);
      else {
        // More than declared (Node's parser prevents it; kept safe anyway): collect the rest.
        if (into !== null && chunks.length === 0) {
          chunks.push(into.subarray(0, size - chunk.length));
        }
        chunks.push(chunk);
      }
    });
    req.on('end', () => {
      if (over) resolve(null);
      else if (into !== null && size <= into.length) resolve(into.subarray(0, size));
      else resolve(Buffer.concat(chunks, size));
    });
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('request aborted')));
  });
  if (raw === null) return tooLarge;
  if (!gzipped) return { ok: true, body: raw };
  try {
    const body = await new Promise<Buffer>((resolve, reject) =>
      gunzip(raw, { maxOutputLength: limit }, (err, out) => (err ? reject(err) : resolve(out))),
    );
    return { ok: true, body };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge;
    return {
      ok: false,
      answer: errorAnswer(
        400,
        'INVALID_GZIP',
        'The body says Content-Encoding: gzip but is not valid gzip data.',
        requestId,
      ),
    };
  }
}

/** A JSON body (empty means `{}`), or the error answer that refuses it (control endpoints). */
export async function readJsonBody(
  req: IncomingMessage,
  limit: number,
  requestId: string,
): Promise<{ ok: true; value: unknown } | { ok: false; answer: Answer }> {
  const body = await readBody(req, limit, requestId);
  if (!body.ok) return body;
  try {
    return {
      ok: true,
      value: body.body.length === 0 ? {} : JSON.parse(body.body.toString('utf8')),
    };
  } catch {
    return {
      ok: false,
      answer: errorAnswer(400, 'INVALID_JSON', 'The body is not valid JSON.', requestId),
    };
  }
}
