/**
 * Text from an invoice as a clerk can see it: characters that show nothing, or that reorder what
 * follows them (bidirectional controls), are written out as `[U+202E]`. Walk 21: the invoice
 * number "INV-\u202Efdp.exe-2026" was shown as "INV-6202-exe.pdf", and "INV\u200B-0010" exactly as
 * a real "INV-0010". The same text always gives the same result, so numbers still compare as
 * they did (two numbers that differ still differ).
 */
/** Control and format characters (Unicode Cc, Cf): zero-width, bidirectional, soft hyphen, BOM. */
const HIDDEN = /[\p{Cc}\p{Cf}]/gu;

/** `s` with its invisible and reordering characters written out (see the module comment). */
export function visibleText(s: string): string {
  return s.replace(
    HIDDEN,
    (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`,
  );
}
