import type { DocumentProblem } from '../contract';
import type { ApError } from '../access-point/client';

/** Turn a permanent provider error into words a finance clerk understands, and the action to take. */
export function problemFromApError(error: ApError): DocumentProblem {
  const detail = error.message ? ` (${error.message})` : '';
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
    message: `Sending failed ${attempts} times (last: ${lastMessage}). Retry when the access point works again.`,
    action: 'retry',
  };
}
