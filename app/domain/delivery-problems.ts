/**
 * The problems of a document the access point accepted and then did not deliver (its delivery
 * failed, or was never confirmed), in a clerk's words. Re-exported by ./problems.
 */
import type { DocumentProblem } from '../contract';

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
  if (isReceiverNotRegistered(errorCode, error)) {
    return {
      code: 'DELIVERY_FAILED',
      message: `Your access point accepted the invoice, but could not deliver it: the buyer is not registered on the Peppol network (the access point says: "${clip(error ?? errorCode ?? '')}"). Check the buyer's Peppol ID on the invoice, or send this invoice another way.`,
      action: 'check-receiver',
    };
  }
  return {
    code: 'DELIVERY_FAILED',
    message:
      "Your access point accepted the invoice but could not deliver it to the buyer's access point. Check with the buyer or your provider, then retry.",
    action: 'retry',
  };
}

/**
 * The access point accepted the invoice, then found no such receiver in the SMP (walk 19: a buyer
 * sent to without a lookup, the lookup refused for the key; "Receiver 0208:… is not registered
 * in the SMP" read as the buyer's access point failing).
 */
function isReceiverNotRegistered(errorCode: string | null, error: string | null): boolean {
  return (
    /^(RECEIVER|PARTICIPANT|RECIPIENT)_(NOT_FOUND|NOT_REGISTERED|UNKNOWN)$|^NOT_REGISTERED$/i.test(
      errorCode ?? '',
    ) ||
    /not (registered|found) (in|on) (the )?(SMP|SML|Peppol)|no SMP (entry|record)|(participant|receiver|recipient) [^.]{0,60}?(is )?(not registered|unknown|not found)|unknown (participant|receiver|recipient)/i.test(
      error ?? '',
    )
  );
}

/** A provider's text, at most 200 characters. */
function clip(text: string): string {
  const t = text.trim();
  return t.length > 200 ? `${t.slice(0, 199)}…` : t;
}

function isCertificateFailure(errorCode: string | null, error: string | null): boolean {
  return errorCode === 'CERTIFICATE_ERROR' || /certificate/i.test(error ?? '');
}

/** The timeline entry of a failed delivery, in a clerk's words (the provider's text is technical). */
export function deliveryFailedWords(errorCode: string | null, error: string | null): string {
  if (isCertificateFailure(errorCode, error))
    return "Delivery failed: the buyer's access point has no valid Peppol certificate";
  return isReceiverNotRegistered(errorCode, error)
    ? 'Delivery failed: the buyer is not registered on the Peppol network'
    : "Delivery to the buyer's access point failed";
}

/** How long delivery went unconfirmed, in words: "7 days", "1 day", or "a long time". */
export function unconfirmedSpan(timeoutMs: number): string {
  const days = Math.round(timeoutMs / (24 * 60 * 60_000));
  return days >= 1 ? `${days} day${days === 1 ? '' : 's'}` : 'a long time';
}

/** Accepted, but delivery was never confirmed within the tracking window. */
export function deliveryUnconfirmed(span: string, transactionId: string | null): DocumentProblem {
  return {
    code: 'DELIVERY_UNCONFIRMED',
    message: `The access point accepted this invoice but has not confirmed delivery to the buyer after ${span} (transaction ${transactionId ?? '?'}). Check with your provider.`,
    action: 'none',
  };
}
