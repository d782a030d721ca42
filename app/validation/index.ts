/**
 * Safe intake and a local Peppol BIS Billing 3.0 validator (UBL Invoice / CreditNote).
 * Public surface of app/validation: everything else in this folder is internal.
 */
export type {
  CheckOptions,
  CheckResult,
  DocumentSummary,
  DocumentType,
  Finding,
  Flag,
  InspectResult,
  IntakeError,
  IntakeErrorCode,
  ParticipantId,
  Verdict,
} from './types';
export { RULES_REVISION, RULESET_VERSION, VALIDATION_CACHE_KEY } from './version';
export { checkDocument, inspectDocument } from './check';
export { DEFAULT_MAX_BYTES, tooLargeMessage } from './intake';
export { createValidationPool, ValidationPoolError } from './pool';
export type { ValidationPool, ValidationPoolOptions } from './pool';
export { runValidationBench } from './bench';
export type { ValidationBenchOptions, ValidationBenchResult } from './bench';
