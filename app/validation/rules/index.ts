import type { Rule } from '../rule';
import { en16931CoreRules } from './en16931-core';
import { en16931VatRules } from './en16931-vat';
import { peppolRules } from './peppol';
import { codeListRules } from './code-lists';
import { ublSyntaxRules } from './ubl-syntax';
import { nationalRules } from './national';
import { RULE_HINTS, RULE_HINTS_FOR } from './hints';
import { RULE_FIGURES } from './figures';

const NAMES_TERM = /\bB[TG]-\d+/;

/**
 * Make every message name its business term(s): a rule that lists them in `bt` but whose text
 * does not mention one gets them appended, e.g. "… ISO 4217 codes (BT-5)." Also attaches the
 * hints of `hints.ts` and the figures of `figures.ts`. Done once when the rule set loads.
 */
function finish(rule: Rule): Rule {
  let out = rule;
  if (rule.bt !== undefined && !NAMES_TERM.test(rule.message)) {
    out = { ...out, message: `${rule.message.replace(/\.$/, '')} (${rule.bt}).` };
  }
  const hint = RULE_HINTS[rule.id];
  if (hint !== undefined && out.hint === undefined) out = { ...out, hint };
  const hintFor = RULE_HINTS_FOR[rule.id];
  if (hintFor !== undefined && out.hintFor === undefined) out = { ...out, hintFor };
  const figures = RULE_FIGURES[rule.id];
  if (figures !== undefined && out.figures === undefined) out = { ...out, figures };
  return out;
}

/**
 * The whole rule set, in the order findings are reported. A new release is a change to
 * `version.ts` plus the rule families that changed.
 */
export const ALL_RULES: readonly Rule[] = [
  ...en16931CoreRules,
  ...en16931VatRules,
  ...peppolRules,
  ...codeListRules,
  ...ublSyntaxRules,
  ...nationalRules,
].map(finish);
