import type { Rule } from '../rule';
import { peppolRules } from './peppol';

/**
 * The whole rule set, in the order findings are reported. A new release is a change to
 * `version.ts` plus the rule families that changed.
 */
export const ALL_RULES: readonly Rule[] = [...peppolRules];
