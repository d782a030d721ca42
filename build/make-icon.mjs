// Writes build/icon.png (512×512, the installers' icon) and build/tray-icon.png (32×32, the tray):
// a rounded blue tile with a white "document" and a green tick.
// Built-ins only (zlib + a hand-written PNG encoder), so the icon can be regenerated anywhere:
//   node build/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function insideRoundedRect(x, y, x0, y0, x1, y1, r) {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}
function distanceToSegment(px, py, ax, ay, bx, by) {
  const t = Math.max(
    0,
    Math.min(
      1,
      ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2),
    ),
  );
  return Math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)));
}

function pixel(x, y) {
  if (!insideRoundedRect(x, y, 16, 16, 495, 495, 96)) return [0, 0, 0, 0];
  const tick =
    distanceToSegment(x, y, 250, 360, 300, 410) < 18 ||
    distanceToSegment(x, y, 300, 410, 400, 290) < 18;
  if (tick) return [34, 160, 90, 255];
  if (insideRoundedRect(x, y, 140, 100, 372, 412, 20)) {
    const line = [170, 210, 250, 290].some((ly) => y >= ly && y < ly + 14 && x >= 180 && x <= 332);
    return line ? [150, 170, 200, 255] : [255, 255, 255, 255];
  }
  return [28, 78, 160, 255];
}

/** Encode the drawing at `size` px, averaging `samples`² points per pixel (smooth small sizes). */
function encode(size, samples) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  const scale = 512 / size;
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const p = pixel((x + (sx + 0.5) / samples) * scale, (y + (sy + 0.5) / samples) * scale);
          for (let c = 0; c < 3; c++) acc[c] += p[c] * p[3];
          acc[3] += p[3];
        }
      }
      const n = samples * samples;
      const alpha = acc[3] / n;
      const rgb = alpha ? acc.slice(0, 3).map((v) => Math.round(v / acc[3])) : [0, 0, 0];
      raw.set([...rgb, Math.round(alpha)], row + 1 + x * 4);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const here = dirname(fileURLToPath(import.meta.url));
for (const [name, size, samples] of [
  ['icon.png', 512, 1],
  ['tray-icon.png', 32, 4],
]) {
  const png = encode(size, samples);
  writeFileSync(join(here, name), png);
  console.log(`build/${name}: ${size}×${size}, ${png.length} bytes`);
}
