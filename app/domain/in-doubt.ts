import { ACCESS_POINT_CHANGED, kindOf, type DocType, type Problem } from './problems';

/**
 * Held instead of being sent again after an attempt that may have reached the access point: under
 * another API key (`'key'`), or more than 23 hours later (`'old'`), the access point would not
 * recognise the repeat and the buyer could get the invoice twice. The clerk checks with the
 * provider; the decision is the one of a change of access point (Send anyway, or cancel).
 */
export function inDoubtHeld(why: 'key' | 'old', docType: DocType = null): Problem {
  const kind = kindOf(docType);
  const what =
    why === 'key'
      ? `This ${kind} may already have reached the access point under the API key used before; the access point recognises a repeat only under the same key, so sending it with the new key could deliver it twice.`
      : `This ${kind} may already have reached the access point more than a day ago; the access point recognises a repeat only for 24 hours, so sending it again now could deliver it twice.`;
  return {
    code: ACCESS_POINT_CHANGED,
    message: `${what} Ask your provider whether it arrived: if it did, cancel it here; if not, choose Send anyway.`,
    action: 'decide',
  };
}

/** Held when the access point changed while this document's last attempt may have reached it. */
export function accessPointChangedUnconfirmed(where: string, docType: DocType = null): Problem {
  return {
    code: ACCESS_POINT_CHANGED,
    message: `This ${kindOf(docType)} may already have reached ${where}, and sending now goes to another access point. Check there first: if it arrived, cancel it here; if not, choose Send anyway.`,
    action: 'decide',
  };
}

/**
 * Held because it was queued for another access point than the one in use. `now`: the one in use
 * when it is the same address with a key for another environment (walk 16: a mistyped key read
 * as Production, then corrected to a Test key, held 100 invoices as "now uses another access
 * point" although only the key had changed).
 */
export function queuedForOtherAccessPoint(
  where: string,
  mayHaveReached: boolean,
  docType: DocType = null,
  sameAddressNow?: string,
): Problem {
  const kind = kindOf(docType);
  return {
    code: ACCESS_POINT_CHANGED,
    message: mayHaveReached
      ? `This ${kind} was queued for ${where} and may already have reached it. Check there first: if it arrived, cancel it here; if not, send it through the access point in use now.`
      : sameAddressNow
        ? `This ${kind} was queued for ${where}, and Peppol Desk now sends to ${sameAddressNow}: the same address, with an API key for another environment. It waits until you send it with the new key or cancel it.`
        : `This ${kind} was queued for ${where}, and Peppol Desk now uses another access point. It waits until you send it through the new one or cancel it.`,
    action: 'decide',
  };
}
