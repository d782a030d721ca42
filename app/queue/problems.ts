import {
  BUSINESS_RESPONSE_STATES,
  type BusinessResponseCode,
  type DocumentProblem,
} from '../contract';
import type { ApError } from '../access-point/client';
import { readsAsWords } from '../domain/plain-words';

export { readsAsWords };

/**
 * What a failure that may pass (busy, slow, cut off) means, for the clerk: the raw status and
 * message stay in the timeline's technical text.
 */
export function transientWords(status: number | null, message: string): string {
  if (status === 429) return 'The access point asked Peppol Desk to slow down';
  if (status !== null && status >= 500) return 'The access point had a temporary problem';
  if (status === 408 || /timeout|timed out/i.test(message))
    return 'The access point did not answer in time';
  if (/did not mention/.test(message))
    return "The access point's answer did not mention this invoice";
  if (status !== null) return 'The access point could not take the invoice just now';
  return 'The connection to the access point was interrupted';
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
export function apErrorTechnical(error: ApError): string {
  return `${error.status} ${error.code}: ${error.message}`;
}

/** Turn a permanent provider error into words a finance clerk understands, and the action to take. */
export function problemFromApError(error: ApError): DocumentProblem {
  const detail = readsAsWords(error.message) ? ` (${error.message.trim()})` : '';
  switch (error.status) {
    case 400:
    case 422:
      return {
        code: `AP_REJECTED_${error.code}`,
        message: `The access point refused this invoice${detail}. Fix the file in your accounting system and drop it again.`,
        action: 'fix-file',
      };
    case 401:
    case 403:
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
        message: `The access point reports a conflict for this invoice${detail}. It may already have been sent under another version; check before sending again.`,
        action: 'decide',
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
export function attemptsExhausted(attempts: number, lastWords: string): DocumentProblem {
  return {
    code: 'ATTEMPTS_EXHAUSTED',
    message: `Sending failed ${attempts} times (last: ${lastWords.charAt(0).toLowerCase()}${lastWords.slice(1)}). Retry when the access point works again.`,
    action: 'retry',
  };
}

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
 * The problem a buyer's response puts on a document: a rejection or a query needs the clerk; the
 * other answers need nothing (null).
 */
export function buyerResponseProblem(
  code: BusinessResponseCode,
  note: string | null,
): DocumentProblem | null {
  const reason = note ? `: "${note}"` : ' (the buyer gave no reason)';
  if (code === 'RE') {
    return {
      code: 'BUYER_REJECTED',
      message: `The buyer rejected this invoice${reason}. Agree the correction with the buyer, then send a corrected invoice or a credit note from your accounting system.`,
      action: 'fix-file',
    };
  }
  if (code === 'UQ') {
    return {
      code: 'BUYER_QUERY',
      message: `The buyer has a question about this invoice${reason}. Contact the buyer; they will send another answer once it is settled.`,
      action: 'none',
    };
  }
  return null;
}

/**
 * The problem of a document the access point accepted and then could not deliver, with advice
 * that fits the cause: a certificate failure is the receiving access point's, not the buyer's id.
 */
export function deliveryFailed(errorCode: string | null, error: string | null): DocumentProblem {
  if (isCertificateFailure(errorCode, error)) {
    return {
      code: 'DELIVERY_FAILED',
      message:
        "The buyer's access point could not be reached securely: its certificate is not valid on the Peppol network. Nothing is wrong with your invoice. Tell the buyer their e-invoicing provider must renew its certificate, then retry.",
      action: 'retry',
    };
  }
  return {
    code: 'DELIVERY_FAILED',
    message:
      "Your access point accepted the invoice but could not deliver it to the buyer's access point. Check with the buyer or your provider, then retry.",
    action: 'retry',
  };
}

function isCertificateFailure(errorCode: string | null, error: string | null): boolean {
  return errorCode === 'CERTIFICATE_ERROR' || /certificate/i.test(error ?? '');
}

/** The timeline entry of a failed delivery, in a clerk's words (the provider's text is technical). */
export function deliveryFailedWords(errorCode: string | null, error: string | null): string {
  return isCertificateFailure(errorCode, error)
    ? "Delivery failed: the buyer's access point has no valid Peppol certificate"
    : "Delivery to the buyer's access point failed";
}
