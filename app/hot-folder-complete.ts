/**
 * Whether a file in the hot folder looks like a whole XML document yet. The watcher takes a file
 * once it kept its size for a couple of seconds, but an export to a network share can pause longer
 * than that half-way (a walk: files written in chunks 3 s apart were taken half-written and moved
 * to failed/ as "empty" or "damaged", and the writer then finished them there, never sent). A
 * file that is empty, or whose root element has no end tag yet, waits for the rest.
 *
 * Only the first and last few kilobytes are looked at (a month-end drop of 100,000 files pays
 * next to nothing). A file that is not XML at all (a PDF saved as .xml) counts as complete: the
 * check that follows says what it is.
 */

const HEAD_BYTES = 8 * 1024;
const TAIL_BYTES = 2 * 1024;

/** The encoding of the bytes, as far as tags go (every ASCII-compatible one reads as latin1). */
function encodingOf(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | 'latin1' {
  const [a, b] = [bytes[0], bytes[1]];
  if ((a === 0xff && b === 0xfe) || (a === 0x3c && b === 0x00)) return 'utf-16le';
  if ((a === 0xfe && b === 0xff) || (a === 0x00 && b === 0x3c)) return 'utf-16be';
  return 'latin1';
}

function decode(bytes: Uint8Array, encoding: ReturnType<typeof encodingOf>): string {
  if (encoding === 'latin1') return Buffer.from(bytes).toString('latin1');
  return new TextDecoder(encoding).decode(bytes);
}

/** Text without comments and processing instructions (which may stand before and after the root). */
const withoutMarkup = (text: string) =>
  text.replace(/<!--[\s\S]*?(?:-->|$)/g, '').replace(/<\?[\s\S]*?(?:\?>|$)/g, '');

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * True when `bytes` may be a whole document: not empty, and the root element closed (its end tag
 * last, or the root an empty-element tag). False only for an empty file, one that begins with
 * nothing but zero bytes (set aside, not written yet), or an XML document whose end is missing.
 */
export function looksComplete(bytes: Uint8Array): boolean {
  if (bytes.byteLength === 0) return false;
  // Space set aside at full size and not written yet (zero bytes; walk 13: such a file was
  // failed as "not an XML invoice", and its writer's later write then failed): nothing is there.
  if (bytes.subarray(0, HEAD_BYTES).every((b) => b === 0)) return false;
  const encoding = encodingOf(bytes);
  const unit = encoding === 'latin1' ? 1 : 2;
  const start = decode(bytes.subarray(0, HEAD_BYTES), encoding);
  // Not XML at all (not even a declaration first): complete as far as this check goes.
  if (!/^(?:\uFEFF|\xEF\xBB\xBF)?\s*</.test(start)) return true;
  // The root's start tag: the first tag that is not a declaration (<!DOCTYPE …>).
  const root = /<(?![!?/])([^\s/>]+)([^>]*?)(\/?)>/.exec(withoutMarkup(start));
  // No root start tag yet: still being written, unless the head was not all of it.
  if (!root) return bytes.byteLength > HEAD_BYTES;
  if (root[3] === '/') return true;
  const tailStart = Math.max(0, bytes.byteLength - TAIL_BYTES);
  const tail = decode(bytes.subarray(tailStart - (tailStart % unit)), encoding);
  const end = withoutMarkup(tail).trimEnd();
  return new RegExp(`</${escapeRegExp(root[1]!)}\\s*>$`).test(end);
}

/** How long a half-written file may stay unchanged before the clerk is told of it (1 minute). */
export const INCOMPLETE_WAIT_MS = 60_000;

/** What {@link HalfWrittenFiles} works with. */
export interface HalfWrittenOptions {
  /** Said on screen ({@link HalfWrittenOptions.stuck}) once unchanged this long, ms. */
  waitMs: number;
  /** Read again this often meanwhile, ms (a writer that never wakes the watcher is seen too). */
  recheckMs: number;
  now(): number;
  log(message: string): void;
  /** Read these files again. */
  again(names: Iterable<string>): void;
  /** `name` stayed half-written (`empty`: with nothing in it) for `waitMs`: it waits on, said. */
  stuck(name: string, empty: boolean): void;
}

/**
 * The hot folder's files that looked half-written when read: each waits in the folder until it is
 * complete ({@link looksComplete}). One unchanged for `waitMs` is said on screen and left where it
 * is, never moved: its writer may still hold it open (a walk: a placeholder filled after 75 s was
 * moved to failed/ as "empty" and then written there, never sent). It is read again once it
 * changes. One timer for all of them.
 */
export class HalfWrittenFiles {
  private readonly waiting = new Map<string, { since: number; size: number; mtimeMs: number }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: HalfWrittenOptions) {}

  /** True when the file `name` (these bytes, this time) is to wait for the rest. */
  waits(name: string, bytes: Uint8Array, mtimeMs: number): boolean {
    if (looksComplete(bytes)) {
      this.waiting.delete(name);
      return false;
    }
    const now = this.o.now();
    const seen = this.waiting.get(name);
    if (seen && seen.size === bytes.byteLength && seen.mtimeMs === mtimeMs) {
      if (now - seen.since >= this.o.waitMs) {
        // Left to the watcher, which reports it again once it changes.
        this.waiting.delete(name);
        const s = Math.round(this.o.waitMs / 1000);
        this.o.log(
          `Hot folder: ${name} still looks incomplete after ${s} s without a change; it waits in the folder until it is complete`,
        );
        this.o.stuck(name, bytes.byteLength === 0);
        return true;
      }
    } else {
      if (!seen)
        this.o.log(
          bytes.byteLength === 0
            ? `Hot folder: ${name} is empty so far; waiting for it to be written`
            : `Hot folder: ${name} looks half-written; waiting for the rest`,
        );
      this.waiting.set(name, { since: now, size: bytes.byteLength, mtimeMs });
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.o.again([...this.waiting.keys()]);
    }, this.o.recheckMs);
    return true;
  }

  /** The file is gone (or taken): nothing waits for it. */
  forget(name: string): void {
    this.waiting.delete(name);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
