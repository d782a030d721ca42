/**
 * How much one group commit of the send stage carries (issue 9 point 5). At 100,000 documents a
 * commit carrying every answer of a few batches and the claims of every free slot held the
 * engine's thread up to 180 ms, and the page's list requests waited behind it. Now a commit
 * records at most {@link SEND_COMMIT_OUTCOMES} outcomes (whole requests: a batch's outcomes are
 * never split, so at least one request's) and claims at most {@link SEND_COMMIT_CLAIMS} documents
 * (at least one batch); the rest goes in the next commit, in the next turn. Durability is
 * unchanged: each outcome counts as recorded, and each claim leaves, only once its own commit is
 * on disk.
 */

/**
 * Outcomes that no free slot waits for are committed at most this often (ms). At
 * synchronous=FULL each commit is an fsync that blocks the event loop (about 1 ms on an ordinary
 * disk); one commit carries every answer of the last few ms. A free slot with nothing claimed
 * for it commits at once.
 */
export const LAZY_FLUSH_MS = 20;
/** Most single sends claimed ahead of a free slot (see SendStage in ./send.ts). */
export const READY_MAX = 64;
/**
 * Bytes of request bodies held at once (claimed ahead, being built or in flight). A batch body
 * exists several times over while it is built and sent (item strings, the JSON text, the bytes),
 * so 40 files of 15 MB ready together would otherwise be hundreds of MB. One request always
 * leaves, whatever its size: files near the 15 MB limit go one at a time (each is a few copies
 * on the way out, and in the built-in sandbox a few more on the way in).
 */
export const IN_FLIGHT_BYTES = 16 * 1024 * 1024;

/** Most outcomes recorded in one group commit (see the file's comment). */
export const SEND_COMMIT_OUTCOMES = 100;
/** Most documents claimed in one group commit, unless a batch is larger (file's comment). */
export const SEND_COMMIT_CLAIMS = 100;

/**
 * Take from the front of `queue` the requests whose outcomes the next commit records: whole
 * requests (`ids`: the documents each one ends) while their documents stay within `max`, and at
 * least one. The rest stays queued, in order.
 */
export function takeWholeRequests<T extends { ids: readonly number[] }>(
  queue: T[],
  max: number,
): T[] {
  let documents = 0;
  let count = 0;
  while (count < queue.length) {
    const next = queue[count]!.ids.length;
    if (count > 0 && documents + next > max) break;
    documents += next;
    count++;
  }
  return queue.splice(0, count);
}
