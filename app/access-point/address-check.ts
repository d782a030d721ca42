/**
 * Whether a provider URL leads to an access point, when its version call cannot say (walk 25b
 * N7: the header said "Online" above a URL that leads nowhere until the first invoice met it).
 * A first version call answered 404, or with a web page, holds nothing: a provider may have no
 * version address. One lookup then tells: its "no such address" holds the queue as an invoice's
 * lookup's would; any other answer says the access point is there.
 */
import type { ApOutcome } from './client';
import { addressNotFound } from './reachability';

/** Who the check looks up: the provider's documented test receiver. */
export const ADDRESS_CHECK_PARTICIPANT = '9915:phase4-test-receiver';

/** Whether a first version call's answer leaves the provider URL to be checked by a lookup. */
export function versionLeavesAddressOpen(outcome: ApOutcome<unknown>): boolean {
  return (
    outcome.kind === 'permanent' && (outcome.error.status === 404 || addressNotFound(outcome.error))
  );
}
