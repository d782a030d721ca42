/** UBL document kinds the validator accepts. */
export type DocumentType = 'Invoice' | 'CreditNote';

/** A Peppol participant identifier, from cbc:EndpointID/@schemeID and its text. */
export interface ParticipantId {
  scheme: string;
  value: string;
}

/** The few facts about a document that the app shows before (or without) validating it. */
export interface DocumentSummary {
  docType: DocumentType;
  invoiceNumber: string | null;
  issueDate: string | null;
  dueDate: string | null;
  sellerName: string | null;
  sellerEndpoint: ParticipantId | null;
  buyerName: string | null;
  buyerEndpoint: ParticipantId | null;
  currency: string | null;
  taxExclusiveAmount: string | null;
  taxInclusiveAmount: string | null;
  payableAmount: string | null;
  lineCount: number;
  /**
   * The first MAX_SUMMARY_LINES invoice (or credit note) lines, in document order. Optional:
   * summaries stored before it was added have none.
   */
  lines?: SummaryLine[];
  customizationId: string | null;
  profileId: string | null;
  /**
   * The invoices this document refers to (BT-25, preceding invoice reference: what a credit note
   * or a corrected invoice is for), without repeats. Optional: summaries stored before it was
   * added have none.
   */
  precedingInvoices?: string[];
}

/** One invoice line as the detail panel shows it. */
export interface SummaryLine {
  /** Line id (BT-126). */
  id: string | null;
  /** Item name (BT-153). */
  name: string | null;
  /** Invoiced (or credited) quantity (BT-129) and its unit code (BT-130). */
  quantity: string | null;
  unitCode: string | null;
  /** Line net amount (BT-131). */
  netAmount: string | null;
}

/** Severity of a finding, as in the official Schematron (`flag` attribute). */
export type Flag = 'fatal' | 'warning';

/** One failed rule at one place in the document. */
export interface Finding {
  /** Official rule id, e.g. "BR-CO-15". */
  rule: string;
  flag: Flag;
  /** Plain language naming the business term, e.g. "Invoice total amount with VAT (BT-112) is missing." */
  message: string;
  /** XPath-like location of the element the rule was checked on. */
  location: string;
  hint?: string;
}

/** Outcome of running the whole rule set on one document. */
export interface Verdict {
  /** e.g. "Peppol BIS 3.0.19 / EN 16931 1.3.14.1" */
  ruleset: string;
  /** True when there is no fatal finding. */
  valid: boolean;
  findings: Finding[];
}

/** Why a file could not even be read as a UBL invoice or credit note. */
export type IntakeErrorCode =
  | 'EMPTY'
  | 'TOO_LARGE'
  | 'NOT_XML'
  /** Text that is not in the encoding it declares (Latin-1 bytes in a UTF-8 file). */
  | 'ENCODING'
  | 'XML'
  | 'DTD_FORBIDDEN'
  | 'TOO_DEEP'
  | 'TOO_MANY_ELEMENTS'
  | 'TOO_MANY_ATTRIBUTES'
  | 'UBL'
  /** The checker itself failed on this file (it ran out of memory or time); nothing was judged. */
  | 'UNCHECKABLE';

/** An intake failure, worded for the person who dropped the file. */
export interface IntakeError {
  code: IntakeErrorCode;
  /** Plain language: what happened and what to do. */
  message: string;
  /**
   * The invoice number the file seems to carry (its first element named ID, as a summary writes
   * it), or null: only to know a correction of it (store migration 023).
   */
  number?: string | null;
}

/** Result of `checkDocument`. */
export type CheckResult =
  { ok: true; summary: DocumentSummary; verdict: Verdict } | { ok: false; error: IntakeError };

/** Result of `inspectDocument`. */
export type InspectResult =
  { ok: true; summary: DocumentSummary } | { ok: false; error: IntakeError };

/** Options shared by `checkDocument` and `inspectDocument`. */
export interface CheckOptions {
  /** Largest accepted file in bytes (default 15 MB); checked before parsing. */
  maxBytes?: number;
}
