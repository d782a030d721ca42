import {
  BUSINESS_RESPONSE_STATES,
  type BusinessResponseCode,
  type DocumentProblem,
} from '../contract';
import type { ApError } from '../access-point/client';

/**
 * Problem code of documents held because the access point changed with their outcome unknown
 * (or because they were queued for another one). Here, not in the pipeline, so the CLI can read it
 * without loading the pipeline.
 */
export const ACCESS_POINT_CHANGED = 'ACCESS_POINT_CHANGED';
/**
 * True when the access point's message is a sentence a clerk can read. A JSON or HTML body, a
 * bare "HTTP 500", an errno or a long dump is left out of the clerk's message: it stays in the
 * timeline entry of the failure, shown under "Show technical details".
 */
export function readsAsWords(message: string | null | undefined): message is string {
  if (!message) return false;
  const m = message.trim();
  return (
    m.length > 0 &&
    m.length <= 200 &&
    !/[{}<>[\]]/.test(m) &&
    !/^HTTP[ _]?\d{3}$/i.test(m) &&
    !/\bE[A-Z]{3,}\b/.test(m) &&
    /[a-z]{2,}/i.test(m)
  );
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

/** The problem shown once a document has used all its automatic attempts. */
export function attemptsExhausted(attempts: number, lastMessage: string): DocumentProblem {
  return {
    code: 'ATTEMPTS_EXHAUSTED',
    // The last error's raw text stays in the timeline (technical details) unless it reads as words.
    message: `Sending failed ${attempts} times${readsAsWords(lastMessage) ? ` (last: ${lastMessage.trim()})` : ''}. Retry when the access point works again.`,
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
  if (errorCode === 'CERTIFICATE_ERROR' || /certificate/i.test(error ?? '')) {
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
