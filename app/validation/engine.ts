import type { Rule, Ctx } from './rule';
import type { DocumentType, Finding, Verdict } from './types';
import { RULESET_VERSION } from './version';
import type { XDoc, XNode } from './xml-tree';
import { locationOf } from './xpath';

const NO_NODES: readonly XNode[] = [];

/**
 * Most findings kept per document. A broken file can fail a rule on every one of a million
 * elements; past this many the clerk learns nothing new, and building each location costs time.
 */
export const MAX_FINDINGS = 100;
/** Longest location kept (characters); longer ones keep their start and end. */
export const MAX_LOCATION_CHARS = 300;
/** Longest finding message kept (characters): values quoted from the file can be megabytes. */
export const MAX_MESSAGE_CHARS = 500;

/** Shorten `s` to at most `max` characters, keeping its start and end around an ellipsis. */
function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const half = Math.floor((max - 1) / 2);
  return `${s.slice(0, half)}…${s.slice(s.length - half)}`;
}

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
  let fatalKept = false;
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
          // Past the cap, only the first fatal finding still matters (it decides validity).
          if (findings.length >= MAX_FINDINGS && (fatalKept || rule.flag !== 'fatal')) continue;
          if (rule.flag === 'fatal') fatalKept = true;
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

/**
 * Turn findings into a verdict: at most MAX_FINDINGS of them (the first fatal one always among
 * them), locations and messages clipped, plus one line saying how many were left out.
 */
export function toVerdict(findings: Finding[]): Verdict {
  let valid = true;
  for (const f of findings) if (f.flag === 'fatal') valid = false;
  let kept = findings;
  if (findings.length > MAX_FINDINGS) {
    kept = findings.slice(0, MAX_FINDINGS);
    const firstFatal = findings.find((f) => f.flag === 'fatal');
    if (firstFatal !== undefined && !kept.includes(firstFatal)) kept[MAX_FINDINGS - 1] = firstFatal;
  }
  const out = kept.map((f) =>
    f.location.length > MAX_LOCATION_CHARS || f.message.length > MAX_MESSAGE_CHARS
      ? {
          ...f,
          location: clip(f.location, MAX_LOCATION_CHARS),
          message: clip(f.message, MAX_MESSAGE_CHARS),
        }
      : f,
  );
  if (findings.length > MAX_FINDINGS) {
    out.push({
      rule: 'MORE-FINDINGS',
      flag: 'warning',
      message: `Only the first ${MAX_FINDINGS} problems are listed; the file has more. Fix these in your accounting system and check it again.`,
      location: '/',
    });
  }
  return { ruleset: RULESET_VERSION, valid, findings: out };
}
