/**
 * The header's words for the access point's states, and the timeline's for a send that waits
 * for it (see ./reachability.ts, which re-exports them).
 */
import { ADDRESS_NOT_FOUND_START, SENDS_REFUSED_START } from '../contract/connection';

/**
 * The header's words while the access point fails (5xx, timeouts). True: while it says so, no
 * attempt counts against an invoice (app/queue/stages/send-outcomes.ts, app/team/desk-sender.ts),
 * so none runs out of automatic attempts.
 */
export const TROUBLE_WORDS =
  'The access point is having problems. Invoices wait and are sent again automatically once it works.';

/**
 * The header's words when the first version call got no reply at all (it timed out): walk 12,
 * an address that took the connection and never answered showed "Online" after 30 s.
 */
export const NOT_ANSWERING_WORDS =
  'The access point does not answer: it takes the connection but sends no reply. Invoices wait and are sent once it answers.';

/** The header's words while the access point asks us to slow down. */
export const THROTTLED_WORDS = 'The access point asked us to slow down.';

/** The header's words while the access point refuses the API key (a 401, or a probe's 403). */
export const KEY_REFUSED_WORDS =
  'The access point did not accept the API key. Check the key in Settings: invoices wait and are sent by themselves once it is accepted (with a key for another environment, Test or Production, you are asked first).';

/**
 * The header's words while the provider URL answers "no such address" (a web server's 404, not
 * the provider's: NO_SUCH_ADDRESS in ./answers.ts) to a lookup or a send: every request would meet
 * it, so nothing is sent, and no buyer is said to be missing from Peppol (walk 9).
 */
export const ADDRESS_NOT_FOUND_WORDS = `${ADDRESS_NOT_FOUND_START}: it answered "not found" or with a web page. Check the URL (GoRoute: https://app.goroute.ai/peppol-api): invoices wait and are sent by themselves once it is right.`;

/** The header's words while the access point refuses requests and no API key is set at all. */
export const NO_API_KEY_WORDS =
  'No API key is set for this provider. Enter the key in Settings: invoices wait and are sent by themselves once it is accepted.';

/** The header's words after a 403 to a request, until the probe says whether it is the key. */
export const KEY_CHECKING_WORDS =
  'The access point refused an invoice. Peppol Desk is checking whether it accepts the API key; invoices wait until then.';

/**
 * The timeline of a send answered 403: not the key for sure (see the file comment), so it says
 * only what is true whatever the probe finds. A 401's is KEY_REFUSED_WAIT_WORDS (domain/problems).
 */
export const FORBIDDEN_WAIT_WORDS =
  'Not sent yet: the access point refused it. Peppol Desk is checking whether it accepts the API key; this invoice waits and is sent again by itself';

/** The timeline of a send answered "no such address" (see {@link ADDRESS_NOT_FOUND_WORDS}). */
export const ADDRESS_NOT_FOUND_WAIT_WORDS =
  'Not sent: the provider URL answered "not found" or with a web page, so it does not lead to an access point. Check the provider URL in Settings; this invoice waits and is sent by itself once it is right';

export { SENDS_REFUSED_START };

/**
 * The header's words while the access point answers 403 to the sends of several invoices in a
 * row and takes the key otherwise (the version call, lookups): the account may not send, whatever
 * the invoice (walk 20: "This API key may not send documents" failed a whole drop in seconds,
 * each invoice on its second 403, blamed on the invoice). `said`: the access point's words.
 */
export function sendsRefusedWords(said: string | null): string {
  const quoted = said ? ` (it answered "${said}" to several invoices)` : '';
  return `${SENDS_REFUSED_START}${quoted}, although it answers other requests: ask your provider about the account. Invoices wait and are sent by themselves once it sends them.`;
}

/** The timeline of a send answered 403 while the access point refuses sends for the account. */
export const SENDS_REFUSED_WAIT_WORDS =
  'Not sent yet: the access point refuses to send invoices with this API key (its answer to several invoices); this invoice waits and is sent again by itself';
