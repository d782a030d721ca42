import type { DocumentState, Finding } from '../../contract';
import { BODY_LOST } from '../../store/body-files';
import type { IntakeError } from '../../validation/types';
import * as problems from '../../domain/problems';
import {
  BUYER_NOT_CHECKED_DETAIL,
  BUYER_NOT_CHECKED_NOWHERE_DETAIL,
} from '../../domain/lookup-words';
import { failureWhich, replacedByWords, replacesWords } from '../../domain/replaced-words';
import type { DocumentPatch, DocumentRecord } from '../../store/documents-repo';
import { NO_PROBLEM, problemPatch, type Note, type Step } from './steps';

// The steps of the check and of the buyer's lookup, as plain data (recorded by ./index.ts):
// `validating` to `invalid`, `held` or `ready`; `resolving` to `queued`, `unreachable` or `held`.
// `fields`: the summary columns the check read from the invoice.

/** Fatal findings and the verdict's validity, as the moves of a check need them. */
export interface OurVerdict {
  valid: boolean;
  findings: readonly Finding[];
}

/** The file could not be read as an invoice at all. */
export function intakeFailed(error: IntakeError): Step {
  return {
    from: 'validating',
    to: 'invalid',
    patch: { ...problemPatch(problems.intakeFailed(error)), unread_number: error.number ?? null },
    detail: error.message,
  };
}

/**
 * The kept copy of its file is gone (store/body-files.ts): a document being checked is invalid, a
 * queued one failed, each saying to add the file again (which then stores it as a new document).
 */
export function bodyLost(from: DocumentState, message: string): Step {
  return {
    from,
    to: from === 'validating' ? 'invalid' : 'failed',
    patch: { batch_key: null, ...problemPatch({ code: BODY_LOST, message, action: 'add-again' }) },
    detail: message,
  };
}

/** Our check found fatal errors. */
export function invalid(fields: DocumentPatch, verdict: OurVerdict): Step {
  const fatal = verdict.findings.filter((f) => f.flag === 'fatal');
  const places = problems.problemPlaces(fatal);
  return {
    from: 'validating',
    to: 'invalid',
    patch: { ...fields, ...problemPatch(problems.validationFailed(fatal)) },
    // Counted as the problem's words count them: by place (walk 22b: "2 problems" of one date).
    detail: `${places === 1 ? 'One problem' : `${places} problems`} found by the check`,
    technical: `${fatal.length} fatal rule(s): ${fatal.map((f) => f.rule).join(', ')}`,
  };
}

/** Valid, but without a buyer Peppol ID. */
export function noReceiver(fields: DocumentPatch): Step {
  return {
    from: 'validating',
    to: 'invalid',
    patch: { ...fields, ...problemPatch(problems.noReceiver()) },
    detail: 'No buyer Peppol ID on the invoice',
  };
}

/** The same bytes came before under another name (`twin`). */
export function sameContent(
  fields: DocumentPatch,
  twin: DocumentRecord,
  docType: string | null,
): Step {
  return {
    from: 'validating',
    to: 'held',
    patch: {
      ...fields,
      duplicate_of: twin.id,
      ...problemPatch(problems.duplicateContent(twin, docType)),
    },
    detail: `Same content as #${twin.id} (${twin.file_name})`,
  };
}

/** The same seller, number and type came before (document `dupId`) with other content. */
export function duplicate(
  fields: DocumentPatch,
  dupId: number,
  invoiceNumber: string,
  docType: string | null,
  sent = false,
): Step {
  return {
    from: 'validating',
    to: 'held',
    patch: {
      ...fields,
      duplicate_of: dupId,
      ...problemPatch(problems.duplicateNumber(dupId, invoiceNumber, docType, sent)),
    },
    detail: `Possible duplicate of #${dupId}`,
  };
}

/** Our check and the access point's disagree. */
export function disagreement(
  fields: DocumentPatch,
  docType: string | null,
  ours: OurVerdict,
  remote: { errors: readonly { rule: string; message: string }[] },
): Step {
  return {
    from: 'validating',
    to: 'held',
    patch: { ...fields, ...problemPatch(problems.checksDisagree(docType, ours, remote)) },
    detail: ours.valid
      ? `The access point's check rejects it (${problems.remoteRules(remote)}); our check found no error`
      : `Our check found ${problems.fatalRules(ours)}; the access point's check accepts it`,
  };
}

/** Checked and fine. */
export function valid(fields: DocumentPatch): Step {
  return { from: 'validating', to: 'ready', patch: { ...fields, ...NO_PROBLEM } };
}

/** The failure `old` leaves Needs attention, replaced by the fix `doc`. */
export function superseded(doc: DocumentRecord, old: DocumentRecord): Step {
  return {
    from: old.state,
    to: 'superseded',
    patch: { next_attempt_at: null, ...NO_PROBLEM },
    detail: replacedByWords(doc.file_name, doc.id),
  };
}

/** The fix's timeline names the failure `old` it replaced. */
export function replaces(old: DocumentRecord): Note {
  const which = failureWhich(old.state, old.business_response);
  return { state: 'ready', detail: replacesWords({ id: old.id, fileName: old.file_name }, which) };
}

/** The buyer accepts the document. */
export function receiverFound(receiverName: string | null | undefined): Step {
  return {
    from: 'resolving',
    to: 'queued',
    detail: `Receiver found${receiverName ? `: ${receiverName}` : ''}`,
  };
}

/**
 * The timeline's technical line beside BUYER_NOT_CHECKED_DETAIL (`why`: what went wrong, if anybody
 * said); a team desk's intake writes the same.
 */
export function lookupUnavailableTechnical(why: string): string {
  return `Receiver lookup unavailable${why ? ` (${why})` : ''}`;
}

/**
 * The lookup could not be made (`why`: what went wrong, if anybody said): queued anyway;
 * `nowhere`: the provider URL led to no access point (BUYER_NOT_CHECKED_NOWHERE_DETAIL).
 */
export function lookupUnavailable(why: string, nowhere = false): Step {
  return {
    from: 'resolving',
    to: 'queued',
    detail: nowhere ? BUYER_NOT_CHECKED_NOWHERE_DETAIL : BUYER_NOT_CHECKED_DETAIL,
    technical: lookupUnavailableTechnical(why),
  };
}

/** The buyer is not on Peppol. */
export function unreachable(doc: DocumentRecord): Step {
  return {
    from: 'resolving',
    to: 'unreachable',
    patch: problemPatch(problems.receiverNotOnPeppol(doc.receiver_id, doc.doc_type)),
    // Not "Receiver not found" under "Receiver not on Peppol" (walk 22b): which ID was looked up.
    detail: `Looked up ${doc.receiver_id ?? '(no Peppol ID)'}: not registered on the Peppol network`,
  };
}

/** The buyer is on Peppol but does not take this document. */
export function notAccepted(doc: DocumentRecord): Step {
  return {
    from: 'resolving',
    to: 'held',
    patch: problemPatch(problems.receiverDoesNotAccept(doc.receiver_id, doc.doc_type)),
    detail: 'Receiver does not accept this document type',
  };
}

/** The lookup itself went wrong (`detail`: what was thrown). */
export function lookupFailed(doc: DocumentRecord, detail: string): Step {
  return {
    from: 'resolving',
    to: 'held',
    patch: problemPatch(problems.lookupFailed(doc.receiver_id)),
    detail: 'The check of the buyer on the Peppol network went wrong',
    technical: `Receiver lookup failed: ${detail}`,
  };
}

/** What the lookup of the buyer says about one document (the resolve stage decides it). */
export type LookupVerdict =
  /** The buyer takes this document. */
  | { kind: 'found'; receiverName: string | null | undefined }
  /** The lookup could not be made (`why`: what went wrong, if anybody said): queued anyway. */
  | { kind: 'unavailable'; why: string; nowhere?: boolean }
  /** The buyer is not on Peppol. */
  | { kind: 'unreachable' }
  /** The buyer is on Peppol but does not take this document. */
  | { kind: 'notAccepted' };

/** The step out of `resolving` that a lookup's verdict leads to (`doc` with its checked fields). */
export function lookedUp(doc: DocumentRecord, verdict: LookupVerdict): Step {
  switch (verdict.kind) {
    case 'found':
      return receiverFound(verdict.receiverName);
    case 'unavailable':
      return lookupUnavailable(verdict.why, verdict.nowhere);
    case 'unreachable':
      return unreachable(doc);
    case 'notAccepted':
      return notAccepted(doc);
  }
}
