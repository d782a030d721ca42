import {
  BUSINESS_RESPONSE_STATES,
  type BusinessResponseCode,
  type DocumentProblem,
  type DocumentSummary,
  type Finding,
} from '../contract';
import { refusalDetails, refusedBecause } from './ap-refusal';
import { readsAsWords } from './plain-words';
import { leadFinding, OTHER_FORMAT_RULE, otherFormatWords } from './lead-finding';

export { duplicateNumber } from './duplicate-number';
export {
  deliveryFailed,
  deliveryFailedWords,
  deliveryUnconfirmed,
  unconfirmedSpan,
} from './delivery-problems';

export { readsAsWords };

/**
 * Every problem a document can carry, by code. Codes with a suffix carry what the access point or
 * the intake check named (`AP_REJECTED_<its code>`, `AP_<status>`, `INTAKE_<reason>`).
 */
export type ProblemCode =
  | 'ACCESS_POINT_CHANGED'
  | 'CHECKS_DISAGREE'
  | 'VALIDATION'
  | 'NO_RECEIVER'
  | 'DUPLICATE_CONTENT'
  | 'DUPLICATE'
  | 'LOOKUP_FAILED'
  | 'RECEIVER_NOT_ON_PEPPOL'
  | 'RECEIVER_DOES_NOT_ACCEPT'
  | 'TRANSIENT'
  | 'ATTEMPTS_EXHAUSTED'
  | 'AP_AUTH'
  | 'AP_FORBIDDEN'
  | 'AP_NOT_FOUND'
  | 'AP_CONFLICT'
  | 'AP_TOO_LARGE'
  | 'AP_UNSUPPORTED'
  | `AP_REJECTED_${string}`
  | `AP_${number}`
  | `INTAKE_${string}`
  | 'DELIVERY_FAILED'
  | 'DELIVERY_UNCONFIRMED'
  | 'BUYER_REJECTED'
  | 'BUYER_QUERY'
  | 'BUYER_CONDITION';

/** A document's problem: what happened and what to do, in a clerk's words, under a known code. */
export interface Problem extends DocumentProblem {
  code: ProblemCode;
}

/**
 * An access point's error, as far as the words need it (the shape of the client's `ApError`,
 * typed here so the domain does not import the wire).
 */
export interface ApErrorLike {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  requestId?: string | null;
}

/**
 * Problem code of documents held because the access point changed with their outcome unknown
 * (or because they were queued for another one). Here, not in the pipeline, so the CLI can read it
 * without loading the pipeline.
 */
export const ACCESS_POINT_CHANGED = 'ACCESS_POINT_CHANGED' satisfies ProblemCode;

/** Problem code of documents held because our check and the access point's disagree. */
export const CHECKS_DISAGREE = 'CHECKS_DISAGREE' satisfies ProblemCode;

export type DocType = DocumentSummary['docType'] | string | null;

export const kindOf = (docType: DocType): string =>
  docType === 'CreditNote' ? 'credit note' : 'invoice';

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

// ---- validation ------------------------------------------------------------------------------

/** "2 errors (BR-CO-15, BR-S-08)": our fatal findings, for messages and the timeline. */
export function fatalRules(verdict: {
  findings: readonly Pick<Finding, 'flag' | 'rule'>[];
}): string {
  const rules = [...new Set(verdict.findings.filter((f) => f.flag === 'fatal').map((f) => f.rule))];
  const n = verdict.findings.filter((f) => f.flag === 'fatal').length;
  return `${plural(n, 'error', 'errors')} (${rules.join(', ')})`;
}

/** The access point's error rules, or "no rule named" when it named none. */
export function remoteRules(remote: { errors: readonly { rule: string }[] }): string {
  const rules = [...new Set(remote.errors.map((e) => e.rule).filter(Boolean))];
  return rules.length > 0 ? rules.join(', ') : 'no rule named';
}

/** The file could not be read as an invoice or credit note at all. */
export function intakeFailed(error: { code: string; message: string }): Problem {
  return { code: `INTAKE_${error.code}`, message: error.message, action: 'fix-file' };
}

/** A fatal finding as the words need it: its rule, its message and where it is, if said. */
type FatalFinding = Pick<Finding, 'message' | 'rule'> & { location?: string | null };

/**
 * How many places of the invoice the findings are about: rules that find fault with the same
 * place are one thing to fix (walk 22: one wrong date was "2 problems found", XSD-DATATYPE and
 * PEPPOL-EN16931-F001 on IssueDate). A finding that names no place counts alone.
 */
export function problemPlaces(fatal: readonly FatalFinding[]): number {
  return new Set(fatal.map((f, i) => f.location || `#${i}`)).size;
}

/**
 * Our check found fatal errors (`fatal`: those findings, at least one). The message is read on the
 * row, in the CSV and at the top of the details (above the list), so it does not say "open them".
 */
export function validationFailed(fatal: readonly FatalFinding[]): Problem {
  const first = leadFinding(fatal);
  if (first?.rule === OTHER_FORMAT_RULE)
    return { code: 'VALIDATION', message: otherFormatWords(fatal.length), action: 'fix-file' };
  const places = problemPlaces(fatal);
  const rules = [...new Set([first?.rule ?? '', ...fatal.map((f) => f.rule)])].join(', ');
  const message =
    places === 1 && first
      ? `${first.message} (${rules}). Fix the invoice in your accounting system and drop it again.`
      : `${places} problems found, including: ${first?.message ?? ''} (${first?.rule ?? ''}). The details list them all. Fix the invoice in your accounting system and drop it again.`;
  return { code: 'VALIDATION', message, action: 'fix-file' };
}

/** The invoice names no buyer Peppol ID. */
export function noReceiver(): Problem {
  return {
    code: 'NO_RECEIVER',
    message:
      "The invoice has no buyer Peppol ID (BT-49, the buyer's electronic address). Add it in your accounting system and export again.",
    action: 'fix-file',
  };
}

/**
 * The same bytes came before under another name. No time in the words: they are stored once and
 * read in other time zones (a browser elsewhere, a team's desks); "document #N" opens the first
 * one on screen, with its time as the screen writes it.
 */
export function duplicateContent(
  twin: { id: number; file_name: string },
  docType: DocType,
): Problem {
  return {
    code: 'DUPLICATE_CONTENT',
    message: `Same content as ${twin.file_name} (document #${twin.id}), added before it. This looks like the same ${kindOf(docType)} twice: cancel it, or Send anyway only if it really must go again.`,
    action: 'decide',
  };
}

/** What the clerk reads when the two checks disagree: both verdicts and the choice. */
export function checksDisagree(
  docType: DocType,
  ours: { valid: boolean; findings: readonly Pick<Finding, 'flag' | 'rule' | 'message'>[] },
  remote: { errors: readonly { rule: string; message: string }[] },
): Problem {
  const kind = kindOf(docType);
  let message: string;
  if (!ours.valid) {
    const first = ours.findings.find((f) => f.flag === 'fatal');
    message = `Our check found ${fatalRules(ours)} in this ${kind}, first: ${first?.message ?? ''} (${first?.rule ?? ''}). The access point's own check accepts it. Compare both below: fix the ${kind} and drop it again, or Send anyway if you are sure the access point is right.`;
  } else {
    const first = remote.errors[0];
    message = `The access point's own check rejects this ${kind}${first ? `: ${first.message}${first.rule ? ` (${first.rule})` : ''}.` : '.'} Our check found no error. Compare both below: fix the ${kind} and drop it again, or Send anyway to let the access point decide when it is sent.`;
  }
  return { code: CHECKS_DISAGREE, message, action: 'decide' };
}

/** A released duplicate whose checks still disagree: the second question, asked again. */
export function checksStillDisagree(
  checks: {
    findings: readonly Pick<Finding, 'flag' | 'rule'>[];
    accessPoint?: { errors: readonly { rule: string }[] };
  },
  docType: DocType,
): Problem {
  const kind = kindOf(docType);
  const oursValid = !checks.findings.some((f) => f.flag === 'fatal');
  const message = oursValid
    ? `The access point's own check rejects this ${kind} (${remoteRules(checks.accessPoint ?? { errors: [] })}), but our check found no error. Compare both below, then cancel it or Send anyway.`
    : `Our check found ${fatalRules(checks)} in this ${kind}, but the access point's own check accepts it. Compare both below, then cancel it or Send anyway.`;
  return { code: CHECKS_DISAGREE, message, action: 'decide' };
}

/** The timeline entry of a document sent although the two checks disagreed. */
export function sentAlthoughWords(
  checks: {
    findings: readonly Pick<Finding, 'flag' | 'rule'>[];
    accessPoint?: { errors: readonly { rule: string }[] };
  },
  who: string,
): string {
  const oursValid = !checks.findings.some((f) => f.flag === 'fatal');
  if (!oursValid) {
    return `Sent anyway by ${who} although our check found ${fatalRules(checks)}; the access point's check accepted it`;
  }
  return `Sent anyway by ${who} although the access point's check rejected it (${remoteRules(checks.accessPoint ?? { errors: [] })}); our check found no error`;
}

// ---- the receiver ----------------------------------------------------------------------------

/** The lookup of the buyer went wrong: nobody knows whether the buyer accepts the document. */
export function lookupFailed(receiver: string | null): Problem {
  return {
    code: 'LOOKUP_FAILED',
    message: `The check of buyer ${receiver ?? '(none)'} on the Peppol network went wrong, so it is not known whether the buyer accepts this document. Use "Send anyway" to let the access point check it, or cancel it.`,
    action: 'check-receiver',
  };
}

/** The buyer is not registered on Peppol. */
export function receiverNotOnPeppol(receiver: string | null, docType: DocType = null): Problem {
  const kind = kindOf(docType);
  return {
    code: 'RECEIVER_NOT_ON_PEPPOL',
    message: `The buyer ${receiver} is not registered on the Peppol network, so the ${kind} cannot be delivered electronically. Ask the buyer for their Peppol ID (or check the one on the ${kind}), or send this ${kind} another way.`,
    action: 'check-receiver',
  };
}

/** The buyer is on Peppol but does not take this kind of document. */
export function receiverDoesNotAccept(receiver: string | null, docType: DocType): Problem {
  const what = docType === 'CreditNote' ? 'credit notes' : 'invoices';
  return {
    code: 'RECEIVER_DOES_NOT_ACCEPT',
    message: `The buyer ${receiver} is on Peppol but does not accept ${what} (Peppol BIS Billing 3.0). Contact the buyer: once they accept ${what} on Peppol, choose Retry. Otherwise cancel this document.`,
    action: 'check-receiver',
  };
}

// ---- the access point in use -----------------------------------------------------------------

/**
 * A team document's Retry held it: its last attempt got no answer from the access point the team
 * sent through then (`from`, null when no longer known), and the team now sends through `to`,
 * which does not know its idempotency key. Sending it there could deliver it twice.
 */
export function sentBeforeTeamMoved(from: string | null, to: string): Problem {
  const where = from ?? 'the access point the team sent through before';
  return {
    code: ACCESS_POINT_CHANGED,
    message: `This invoice may already have reached ${where} (its last attempt got no answer), and the team now sends through ${to}. Ask the provider of ${from ?? 'that access point'} whether it arrived: if it did, cancel it here; if it did not, choose Send anyway to send it through ${to}.`,
    action: 'decide',
  };
}

// ---- sending ---------------------------------------------------------------------------------

/**
 * What a failure that may pass (busy, slow, cut off) means, for the clerk: the raw status and
 * message stay in the timeline's technical text.
 */
export function transientWords(status: number | null, message: string): string {
  if (status === 429) return 'The access point asked Peppol Desk to slow down';
  if (status !== null && status >= 500) return 'The access point had a temporary problem';
  if (status === 408 || /timeout|timed out/i.test(message))
    return 'The access point did not answer in time';
  if (status === 409) return 'The access point is still working on an earlier attempt';
  if (/did not mention/.test(message))
    return "The access point's answer did not mention this invoice";
  if (status !== null) return 'The access point could not take the invoice just now';
  return 'The connection to the access point was interrupted';
}

/**
 * The timeline of a send that met a refused API key (401/403): it waits, no attempt counted, and
 * goes by itself once the key is accepted (app/access-point/reachability.ts holds the queue).
 */
export const KEY_REFUSED_WAIT_WORDS =
  'Not sent: the access point did not accept the API key. Check the key in Settings; this invoice is sent by itself once it is accepted';

/**
 * The timeline of a send answered with a 5xx or a timeout while the access point is having
 * problems (the header says so): no attempt counted, sent again under the same key.
 */
export function troubleWaitWords(status: number | null, message: string): string {
  return `${transientWords(status, message)}. The access point is having problems: this invoice waits and is sent again automatically once it works`;
}

/** A failure that may pass: Peppol Desk tries again by itself (`words`: {@link transientWords}). */
export function transient(words: string): Problem {
  return { code: 'TRANSIENT', message: `${words}. Trying again automatically.`, action: 'wait' };
}

/**
 * Why the access point is offline, for the header: what it means and that nothing is lost. The
 * errno and address stay out (they are in the technical text of the documents' timelines).
 */
export function offlineWords(message: string): string {
  if (/\b(ENOTFOUND|EAI_AGAIN)\b/.test(message))
    return "The access point's address could not be found: check the internet connection and the provider address in Settings. Peppol Desk keeps trying.";
  return 'The access point cannot be reached right now. Peppol Desk keeps trying and sends what waits once it answers.';
}

/** The timeline entry of a permanent refusal by the access point, in a clerk's words. */
export function refusalWords(problem: DocumentProblem): string {
  switch (problem.code) {
    case 'AP_AUTH':
      return 'The access point did not accept the API key';
    case 'AP_FORBIDDEN':
      return 'The access point does not allow this invoice';
    case 'AP_NOT_FOUND':
      return 'The access point could not find the buyer on the Peppol network';
    case 'AP_CONFLICT':
      return 'The access point reports a conflict for this invoice';
    case 'AP_TOO_LARGE':
      return 'Too large for the access point';
    case 'AP_UNSUPPORTED':
      return 'The access point does not accept this file format';
    default:
      return 'Refused by the access point';
  }
}

/** An access point's error as the technical text kept beside its timeline entry. */
export { apErrorTechnical } from './ap-refusal';

/** The refusal's own words ask the sender to contact the provider (its support, or "us"). */
function asksToContactProvider(error: ApErrorLike): boolean {
  const said = [error.message, ...refusalDetails(error)].join(' ');
  return /\bcontact (\w+ ){0,2}(support|helpdesk|help desk|service desk|provider|account manager)\b|\bcontact us\b/i.test(
    said,
  );
}

/** Turn a permanent provider error into words a finance clerk understands, and the action to take. */
export function problemFromApError(error: ApErrorLike): Problem {
  const detail = readsAsWords(error.message) ? ` (${error.message.trim()})` : '';
  switch (error.status) {
    case 400:
    case 422:
      // A refusal that asks the sender to contact the provider is not the file's to fix (walk 19:
      // "… on the provider's blocked list; contact GoRoute support" read "Fix the file").
      if (asksToContactProvider(error))
        return {
          code: `AP_REJECTED_${error.code}`,
          message: `The access point refused this invoice${refusedBecause(error)}. Contact your access point provider as it asks; once they have cleared it, choose Retry.`,
          action: 'none',
        };
      return {
        code: `AP_REJECTED_${error.code}`,
        message: `The access point refused this invoice${refusedBecause(error)}. Fix the file in your accounting system and drop it again.`,
        action: 'fix-file',
      };
    case 403:
      // Reached only for a 403 met twice by one document, a probe with the same key answered in
      // between (forbiddenAgain in access-point/reachability.ts): the key works, but this invoice
      // is not allowed.
      return {
        code: 'AP_FORBIDDEN',
        message: `The access point accepts the API key but does not allow this invoice${detail}. Ask your access point provider whether your account may send for this seller and to this buyer, then retry.`,
        action: 'none',
      };
    case 401:
      return {
        code: 'AP_AUTH',
        message: `The access point did not accept the API key${detail}. Check the key in Settings, then retry.`,
        action: 'check-settings',
      };
    case 404:
      return {
        code: 'AP_NOT_FOUND',
        message: `The receiver could not be found on the Peppol network${detail}. Check the buyer's Peppol ID on the invoice.`,
        action: 'check-receiver',
      };
    case 409:
      return {
        code: 'AP_CONFLICT',
        // No "Send anyway" here (walk 19: "Decide whether to send it anyway" under Retry and
        // Cancel): the clerk checks with the access point, then retries or cancels.
        message: `The access point reports a conflict for this invoice${detail}. It may already have been sent under another version: check with your access point before you retry it, or cancel it here.`,
        action: 'none',
      };
    case 413:
      return {
        code: 'AP_TOO_LARGE',
        message: `The invoice is too large for the access point${detail}. Reduce attachments and export it again.`,
        action: 'fix-file',
      };
    case 415:
      return {
        code: 'AP_UNSUPPORTED',
        message: `The access point does not accept this file format${detail}. Export the invoice as Peppol BIS Billing 3.0 UBL.`,
        action: 'fix-file',
      };
    default:
      return {
        code: `AP_${error.status}`,
        message: `The access point refused this invoice${detail}.`,
        action: 'retry',
      };
  }
}

/**
 * The problem shown once a document has used all its automatic attempts. `lastWords` is the last
 * failure in a clerk's words ({@link transientWords}); its raw text stays in the timeline.
 */
export function attemptsExhausted(attempts: number, lastWords: string): Problem {
  return {
    code: 'ATTEMPTS_EXHAUSTED',
    message: `Sending failed ${attempts} times (last: ${lastWords.charAt(0).toLowerCase()}${lastWords.slice(1)}). Retry when the access point works again.`,
    action: 'retry',
  };
}

// ---- delivery and the buyer's answer ---------------------------------------------------------

/** Words for each business response code, as a clerk reads them. */
export const RESPONSE_WORDS: Record<BusinessResponseCode, string> = {
  AB: 'Acknowledged by buyer',
  IP: 'In process at buyer',
  UQ: 'Under query by buyer',
  CA: 'Conditionally accepted by buyer',
  AP: 'Accepted by buyer',
  RE: 'Rejected by buyer',
  PD: 'Paid',
};

/** True for a response code the app knows. */
export function isBusinessResponseCode(code: string | null): code is BusinessResponseCode {
  return code !== null && Object.hasOwn(BUSINESS_RESPONSE_STATES, code);
}

/**
 * The problem a buyer's response puts on a document: a rejection, a query or a condition needs
 * the clerk (a walk read a condition as a plain green success); the others need nothing (null).
 */
export function buyerResponseProblem(
  code: BusinessResponseCode,
  note: string | null,
  docType: DocType = 'Invoice',
): Problem | null {
  // The note's own full stop ends the sentence: `…order." Agree`, never `…order.". Agree`.
  const quoted = note?.trim() ?? '';
  const said = quoted ? `: "${quoted}"${/[.!?]$/.test(quoted) ? '' : '.'}` : null;
  const kind = kindOf(docType); // a credit note is not called an invoice (a walk)
  if (code === 'RE') {
    return {
      code: 'BUYER_REJECTED',
      message: `The buyer rejected this ${kind}${said ?? ' (the buyer gave no reason).'} Agree the correction with the buyer, then send a corrected ${kind === 'invoice' ? 'invoice or a credit note' : kind} from your accounting system.`,
      action: 'fix-file',
    };
  }
  if (code === 'UQ') {
    return {
      code: 'BUYER_QUERY',
      message: `The buyer has a question about this ${kind}${said ?? ' (the buyer gave no reason).'} Contact the buyer; they will send another answer once it is settled.`,
      action: 'none',
    };
  }
  if (code !== 'CA') return null;
  return {
    code: 'BUYER_CONDITION',
    message: `The buyer accepted this ${kind} on a condition${said ?? ' (not named).'} Do what the buyer asks, then mark it as handled; the ${kind} itself is not sent again.`,
    action: 'none',
  };
}
