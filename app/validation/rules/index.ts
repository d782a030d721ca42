import type { Rule } from '../rule';
import { en16931CoreRules } from './en16931-core';
import { en16931VatRules } from './en16931-vat';
import { peppolRules } from './peppol';
import { codeListRules } from './code-lists';
import { ublSyntaxRules } from './ubl-syntax';
import { nationalRules } from './national';

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
];
