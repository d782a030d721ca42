/**
 * The one place that names the rule-set release. A new Peppol release is this constant plus
 * the changed rules in `rules/`.
 */
export const RULESET_VERSION = 'Peppol BIS 3.0.19 / EN 16931 1.3.14.1';
