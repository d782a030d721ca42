import type { Rule, Ctx } from './rule';
import type { DocumentType, Finding, Flag, Verdict } from './types';
import { RULESET_VERSION } from './version';
import type { XDoc, XNode } from './xml-tree';
import { locationOf } from './xpath';
import { withFigures } from './rules/figures';

const NO_NODES: readonly XNode[] = [];

/**
 * Most findings kept per document. A broken file can fail a rule on every one of a million
 * elements; past this many the clerk learns nothing new. The places are shared out between the
 * rules that fired (see {@link selectFindings}), so a rule firing thousands of times cannot hide
 * the others: a badly broken but real invoice (the official UBL-DT-01 test: 49 rules, 136 findings)
 * is listed in full.
 */
export const MAX_FINDINGS = 200;
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

/** The findings of one rule in one document: the first ones in full, all of them counted. */
export interface RuleFindings {
  rule: string;
  flag: Flag;
  /** The first findings, in the order found (at most MAX_FINDINGS). */
  kept: Finding[];
  /** How many times the rule fired; at least `kept.length`. */
  total: number;
}

/** Group findings (e.g. the structural ones) by rule, in order of each rule's first finding. */
export function groupByRule(findings: readonly Finding[]): RuleFindings[] {
  const byRule = new Map<string, RuleFindings>();
  for (const f of findings) {
    const key = `${f.flag} ${f.rule}`;
    let g = byRule.get(key);
    if (g === undefined) byRule.set(key, (g = { rule: f.rule, flag: f.flag, kept: [], total: 0 }));
    g.kept.push(f);
    g.total++;
  }
  return [...byRule.values()];
}

/** A finding's message: the rule's (for this document), with the document's figures if any. */
function messageOf(rule: Rule, n: XNode, c: Ctx): string {
  const message = rule.messageFor === undefined ? rule.message : rule.messageFor(c);
  return rule.figures === undefined ? message : withFigures(message, rule.figures, n, c);
}

/**
 * Run rules against a document. Each rule is checked on every element its context names
 * (found through the index built while parsing, never by walking the tree again). A rule keeps
 * its first MAX_FINDINGS findings and counts the rest: any of them may be listed in the end.
 */
export function runRules(rules: readonly Rule[], c: Ctx): RuleFindings[] {
  const out: RuleFindings[] = [];
  const rootList: readonly XNode[] = [c.root];
  for (const rule of rules) {
    const ctxs = contextsOf(rule);
    // Read once per rule, not per element: rules differ in shape, so each read is a slow one.
    const when = rule.when;
    const test = rule.test;
    let g: RuleFindings | undefined;
    for (let k = 0; k < ctxs.length; k++) {
      const q = ctxs[k]!;
      const nodes = q === '/' ? rootList : q === '*' ? c.doc.elements : c.nodes(q);
      for (let i = 0; i < nodes.length; i++) {
        const n = nodes[i]!;
        if (when !== undefined && !when(n, c)) continue;
        let ok: boolean;
        try {
          ok = test(n, c);
        } catch {
          // A predicate tripping over malformed content counts as a failed assertion.
          ok = false;
        }
        if (ok) continue;
        if (g === undefined) out.push((g = { rule: rule.id, flag: rule.flag, kept: [], total: 0 }));
        g.total++;
        // Past its share only the count matters: no location is built for it.
        if (g.kept.length >= MAX_FINDINGS) continue;
        const at = rule.locate === undefined ? n : (rule.locate(n, c) ?? n);
        const f: Finding = {
          rule: rule.id,
          flag: rule.flag,
          message: messageOf(rule, n, c),
          location: locationOf(at),
        };
        const hint = rule.hintFor?.(n, c) ?? rule.hint;
        if (hint !== undefined) f.hint = hint;
        g.kept.push(f);
      }
    }
  }
  return out;
}

/**
 * Choose at most `cap` findings so that every rule that fired is listed (fatal rules first when
 * there are more rules than places) and each rule gets an equal share of the places, a rule with
 * fewer findings than its share leaving the rest to the others. Returns the number each group
 * keeps, by index.
 */
export function shareOut(groups: readonly RuleFindings[], cap: number): number[] {
  const take: number[] = groups.map(() => 0);
  // Fatal rules first (stable): they decide validity and come first when places run out.
  const order = groups.map((_, i) => i);
  order.sort((a, b) =>
    groups[a]!.flag === groups[b]!.flag ? a - b : groups[a]!.flag === 'fatal' ? -1 : 1,
  );
  let budget = cap;
  let open = order.filter((i) => groups[i]!.kept.length > 0);
  // Each round gives every open rule an equal share: it either fills a rule or uses the budget up
  // to less than one place per rule, which the next round hands out one by one.
  while (budget > 0 && open.length > 0) {
    const share = Math.max(1, Math.floor(budget / open.length));
    for (const i of open) {
      const add = Math.min(share, groups[i]!.kept.length - take[i]!, budget);
      take[i]! += add;
      budget -= add;
      if (budget === 0) break;
    }
    open = open.filter((i) => take[i]! < groups[i]!.kept.length);
  }
  return take;
}

/**
 * Turn findings, grouped by rule, into a verdict: at most MAX_FINDINGS of them shared out between
 * the rules that fired (every rule listed), locations and messages clipped, plus one line saying
 * that more were left out.
 */
export function toVerdict(groups: readonly RuleFindings[]): Verdict {
  let valid = true;
  let total = 0;
  for (const g of groups) {
    if (g.flag === 'fatal') valid = false;
    total += g.total;
  }
  const take = shareOut(groups, MAX_FINDINGS);
  const out: Finding[] = [];
  let allRulesListed = true;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (take[i] === 0) allRulesListed = false;
    for (let k = 0; k < take[i]!; k++) {
      const f = g.kept[k]!;
      out.push(
        f.location.length > MAX_LOCATION_CHARS || f.message.length > MAX_MESSAGE_CHARS
          ? {
              ...f,
              location: clip(f.location, MAX_LOCATION_CHARS),
              message: clip(f.message, MAX_MESSAGE_CHARS),
            }
          : f,
      );
    }
  }
  if (out.length < total) {
    out.push({
      rule: 'MORE-FINDINGS',
      flag: 'warning',
      message: `Only ${out.length} problems are listed${allRulesListed ? ' (every kind of problem found at least once)' : ''}; the file has more. Fix these in your accounting system and check it again.`,
      location: '/',
    });
  }
  return { ruleset: RULESET_VERSION, valid, findings: out };
}
