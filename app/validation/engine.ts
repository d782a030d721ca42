import type { Rule, Ctx } from './rule';
import type { DocumentType, Finding, Verdict } from './types';
import { RULESET_VERSION } from './version';
import type { XDoc, XNode } from './xml-tree';
import { locationOf } from './xpath';

const NO_NODES: readonly XNode[] = [];

/** Build the evaluation context for one parsed document. */
export function makeCtx(doc: XDoc, docType: DocumentType): Ctx {
  const byName = doc.byName;
  return {
    doc,
    root: doc.root,
    docType,
    isInvoice: docType === 'Invoice',
    lineQ: docType === 'Invoice' ? 'cac:InvoiceLine' : 'cac:CreditNoteLine',
    nodes: (q: string) => byName.get(q) ?? NO_NODES,
    memo: new Map(),
  };
}

const CONTEXTS = new WeakMap<Rule, readonly string[]>();
/** The rule's contexts as an array, computed once per rule (not per document). */
function contextsOf(rule: Rule): readonly string[] {
  let ctxs = CONTEXTS.get(rule);
  if (ctxs === undefined) {
    ctxs = typeof rule.context === 'string' ? [rule.context] : rule.context;
    CONTEXTS.set(rule, ctxs);
  }
  return ctxs;
}

/**
 * Run rules against a document. Each rule is checked on every element its context names
 * (found through the index built while parsing, never by walking the tree again).
 */
export function runRules(rules: readonly Rule[], c: Ctx): Finding[] {
  const findings: Finding[] = [];
  const rootList: readonly XNode[] = [c.root];
  for (const rule of rules) {
    const ctxs = contextsOf(rule);
    for (let k = 0; k < ctxs.length; k++) {
      const q = ctxs[k]!;
      const nodes = q === '/' ? rootList : q === '*' ? c.doc.elements : c.nodes(q);
      for (let i = 0; i < nodes.length; i++) {
        const n = nodes[i]!;
        if (rule.when !== undefined && !rule.when(n, c)) continue;
        let ok: boolean;
        try {
          ok = rule.test(n, c);
        } catch {
          // A predicate tripping over malformed content counts as a failed assertion.
          ok = false;
        }
        if (!ok) {
          const at = rule.locate === undefined ? n : (rule.locate(n, c) ?? n);
          const f: Finding = {
            rule: rule.id,
            flag: rule.flag,
            message: rule.messageFor === undefined ? rule.message : rule.messageFor(c),
            location: locationOf(at),
          };
          if (rule.hint !== undefined) f.hint = rule.hint;
          findings.push(f);
        }
      }
    }
  }
  return findings;
}

/** Turn findings into a verdict. */
export function toVerdict(findings: Finding[]): Verdict {
  let valid = true;
  for (const f of findings) if (f.flag === 'fatal') valid = false;
  return { ruleset: RULESET_VERSION, valid, findings };
}
