import type { DocumentType, Flag } from './types';
import type { XDoc, XNode } from './xml-tree';

/** Per-document evaluation context shared by all rules (lazily memoised values live in `memo`). */
export interface Ctx {
  doc: XDoc;
  root: XNode;
  docType: DocumentType;
  isInvoice: boolean;
  /** `cac:InvoiceLine` or `cac:CreditNoteLine`. */
  lineQ: string;
  /** All elements with this canonical name, in document order. */
  nodes(q: string): readonly XNode[];
  memo: Map<string, unknown>;
}

/**
 * One Schematron assertion as data. `context` names the elements the rule is checked on
 * (canonical qualified names, `/` for the document element); `when` narrows them like a
 * Schematron rule predicate; `test` is the assertion: false means the rule fires.
 */
export interface Rule {
  id: string;
  flag: Flag;
  /** Business term(s) concerned, e.g. "BT-112". */
  bt?: string;
  /** Plain-language message for the person fixing the invoice. */
  message: string;
  context: string | readonly string[];
  when?: (n: XNode, c: Ctx) => boolean;
  test: (n: XNode, c: Ctx) => boolean;
  hint?: string;
  /**
   * Where the finding points when the rule fires: the offending element (e.g. the first unused
   * element a UBL-CR rule found) instead of the context node. Default: the context node.
   */
  locate?: (n: XNode, c: Ctx) => XNode | undefined;
  /** The message worded for this document (e.g. "credit note" instead of "invoice"). */
  messageFor?: (c: Ctx) => string;
  /** This document's own figures, added to the message when the rule fires (./rules/figures). */
  figures?: (n: XNode, c: Ctx) => string | undefined;
  /** The hint for this finding when `hint` does not fit it (./rules/hints); else `hint`. */
  hintFor?: (n: XNode, c: Ctx) => string | undefined;
}

/** Memoise a per-document value under `key`. */
export function memo<T>(c: Ctx, key: string, f: () => T): T {
  if (c.memo.has(key)) return c.memo.get(key) as T;
  const v = f();
  c.memo.set(key, v);
  return v;
}
