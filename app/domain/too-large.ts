/**
 * The words for a file over the size limit, apart from intake: the command line, the engine and
 * the window say them without loading the XML parser (which runs in the validation workers).
 */

/** Default largest accepted file: 15 MB. */
export const DEFAULT_MAX_BYTES = 15 * 1024 * 1024;

/**
 * The message for a file over the size limit, naming both sizes. Used wherever a file is refused
 * for its size (intake, the engine's add, the hot folder, the CLI), so the wording is the same.
 */
export function tooLargeMessage(size: number, maxBytes: number): string {
  const mb = (n: number) => (n / (1024 * 1024)).toFixed(1);
  // Sizes that round alike ("15.0 MB; the limit is 15.0 MB") are given in bytes instead.
  const sizes =
    mb(size) !== mb(maxBytes)
      ? `${mb(size)} MB; the limit is ${mb(maxBytes)} MB`
      : `${size.toLocaleString('en-US')} bytes; the limit is ${maxBytes.toLocaleString('en-US')} bytes`;
  return (
    `This file is too large (${sizes}). ` +
    'An invoice is normally far smaller: check that you picked the right file, or move large attachments out of the invoice.'
  );
}
