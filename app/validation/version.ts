/**
 * The one place that names the rule-set release. A new Peppol release is this constant plus
 * the changed rules in `rules/`.
 */
export const RULESET_VERSION = 'Peppol BIS 3.0.19 / EN 16931 1.3.14.1';

/**
 * Revision of this program's rule table within the release above. Bump it with every change to
 * the rules, the structural checks or the summary (a fix inside one release), so cached verdicts
 * made by the old code are not reused. test/unit/validation-rules-revision.test.ts enforces it:
 * it fails when the validation sources no longer match {@link RULES_FINGERPRINT}.
 */
export const RULES_REVISION = 41;

/** sha256 of the validation sources that {@link RULES_REVISION} was last bumped for. */
export const RULES_FINGERPRINT = '59c30a674dbab128fdcf7fb8ffe02692a4032c407bfc9fd0dc1c75d883acf53d';

/** What cached verdicts are keyed by (with the content's sha256): release plus revision. */
export const VALIDATION_CACHE_KEY = `${RULESET_VERSION} / rules r${RULES_REVISION}`;
