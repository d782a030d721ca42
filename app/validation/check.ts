import { groupByRule, makeCtx, runRules, toVerdict } from './engine';
import { DEFAULT_MAX_BYTES, intake, numberOfUnreadable } from './intake';
import { ALL_RULES } from './rules/index';
import { checkStructure } from './structure';
import { summarize } from './summary';
import type { CheckOptions, CheckResult, InspectResult, Verdict } from './types';
import type { XDoc } from './xml-tree';
import type { DocumentType } from './types';

/** Run the full rule set on an already parsed document. */
export function validateTree(doc: XDoc, docType: DocumentType): Verdict {
  const groups = groupByRule(checkStructure(doc));
  for (const g of runRules(ALL_RULES, makeCtx(doc, docType))) groups.push(g);
  return toVerdict(groups);
}

/** Parse safely, extract the summary, run the full rule set. Pure, synchronous, never throws for bad input. */
export function checkDocument(bytes: Uint8Array, options?: CheckOptions): CheckResult {
  const r = intake(bytes, options?.maxBytes ?? DEFAULT_MAX_BYTES);
  if (!r.ok) return { ok: false, error: { ...r.error, number: numberOfUnreadable(bytes) } };
  return {
    ok: true,
    summary: summarize(r.doc, r.docType),
    verdict: validateTree(r.doc, r.docType),
  };
}

/** Cheap: parse + summary only (no rules), same intake errors. */
export function inspectDocument(bytes: Uint8Array, options?: CheckOptions): InspectResult {
  const r = intake(bytes, options?.maxBytes ?? DEFAULT_MAX_BYTES);
  if (!r.ok) return r;
  return { ok: true, summary: summarize(r.doc, r.docType) };
}
